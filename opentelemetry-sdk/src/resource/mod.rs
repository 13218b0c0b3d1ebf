//! Resources: the entity producing telemetry (service, host, process, ...), and the detectors
//! that describe it.

mod env;
mod host;

pub use env::{EnvResourceDetector, SdkProvidedResourceDetector, ServiceResourceDetector};
pub use host::{HostResourceDetector, OsResourceDetector, ProcessResourceDetector};

use opentelemetry_api::{otel_warn, Key, KeyValue, Value};
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

/// The schema URL of the semantic conventions the built-in detectors follow.
pub(crate) use opentelemetry_semantic_conventions::SCHEMA_URL as SEMCONV_SCHEMA_URL;

/// Immutable attributes describing the entity that produces telemetry, with a schema URL.
/// Cheap to clone.
///
/// ```
/// use opentelemetry_api::KeyValue;
/// use opentelemetry_sdk::Resource;
///
/// let resource = Resource::builder()
///     .with_service_name("checkout")
///     .with_attributes([KeyValue::new("deployment.environment.name", "prod")])
///     .build();
/// assert_eq!(resource.get(&"service.name".into()).unwrap().as_str(), "checkout");
/// assert_eq!(resource.get(&"telemetry.sdk.language".into()).unwrap().as_str(), "rust");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    inner: Arc<ResourceInner>,
}

#[derive(Debug, PartialEq)]
struct ResourceInner {
    attributes: Vec<(Key, Value)>,
    schema_url: Option<Cow<'static, str>>,
}

impl Default for Resource {
    /// The resource the SDK uses when none is given: SDK attributes, the environment
    /// (`OTEL_RESOURCE_ATTRIBUTES`, `OTEL_SERVICE_NAME`) and a default `service.name`.
    fn default() -> Self {
        Resource::builder().build()
    }
}

impl Resource {
    /// A builder that starts from the default detectors (SDK, environment, service).
    pub fn builder() -> ResourceBuilder {
        ResourceBuilder {
            resource: Resource::empty(),
        }
        .with_detector(&ServiceResourceDetector)
        .with_detector(&SdkProvidedResourceDetector)
        .with_detector(&EnvResourceDetector::new())
    }

    /// A builder that starts from nothing.
    pub fn builder_empty() -> ResourceBuilder {
        ResourceBuilder {
            resource: Resource::empty(),
        }
    }

    /// The empty resource.
    pub fn empty() -> Self {
        Resource {
            inner: Arc::new(ResourceInner {
                attributes: Vec::new(),
                schema_url: None,
            }),
        }
    }

    /// A resource with these attributes (a key given twice keeps its last value).
    pub fn new<I: IntoIterator<Item = KeyValue>>(attributes: I) -> Self {
        Self::from_parts(attributes, None)
    }

    /// A resource with these attributes and a schema URL.
    pub fn from_schema_url<I, S>(attributes: I, schema_url: S) -> Self
    where
        I: IntoIterator<Item = KeyValue>,
        S: Into<Cow<'static, str>>,
    {
        let url = schema_url.into();
        Self::from_parts(attributes, if url.is_empty() { None } else { Some(url) })
    }

    fn from_parts<I: IntoIterator<Item = KeyValue>>(
        attributes: I,
        schema_url: Option<Cow<'static, str>>,
    ) -> Self {
        let mut attrs: Vec<(Key, Value)> = Vec::new();
        for kv in attributes {
            upsert(&mut attrs, kv.key, kv.value);
        }
        Resource {
            inner: Arc::new(ResourceInner {
                attributes: attrs,
                schema_url,
            }),
        }
    }

    /// Merges `updating` into `self`: every attribute of both, `updating`'s value winning on
    /// a shared key; the schema URL is the non-empty one. Two different non-empty schema URLs
    /// are a merge error: it is reported and the result takes `updating`'s schema URL, like its
    /// attributes (the spec leaves the result to the implementation).
    pub fn merge(&self, updating: &Resource) -> Resource {
        if updating.is_empty() && updating.schema_url().is_none() {
            return self.clone();
        }
        if self.is_empty() && self.schema_url().is_none() {
            return updating.clone();
        }
        let mut attrs = self.inner.attributes.clone();
        for (k, v) in &updating.inner.attributes {
            upsert(&mut attrs, k.clone(), v.clone());
        }
        let schema_url = match (&self.inner.schema_url, &updating.inner.schema_url) {
            (None, u) => u.clone(),
            (o, None) => o.clone(),
            (Some(o), Some(u)) if o == u => Some(o.clone()),
            (Some(o), Some(u)) => {
                otel_warn!(
                    "Resource.SchemaUrlConflict",
                    "merging resources with schema URLs {o:?} and {u:?}; keeping {u:?}"
                );
                Some(u.clone())
            }
        };
        Resource {
            inner: Arc::new(ResourceInner {
                attributes: attrs,
                schema_url,
            }),
        }
    }

    /// The value of an attribute.
    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.inner
            .attributes
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The attributes, in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&Key, &Value)> {
        self.inner.attributes.iter().map(|(k, v)| (k, v))
    }

    /// The schema URL, if any.
    pub fn schema_url(&self) -> Option<&str> {
        self.inner.schema_url.as_deref()
    }

    /// Number of attributes.
    pub fn len(&self) -> usize {
        self.inner.attributes.len()
    }

    /// Whether there are no attributes.
    pub fn is_empty(&self) -> bool {
        self.inner.attributes.is_empty()
    }
}

fn upsert(attrs: &mut Vec<(Key, Value)>, key: Key, value: Value) {
    match attrs.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => attrs.push((key, value)),
    }
}

/// Detects a resource from the environment, the host or a platform. A detector that finds
/// nothing returns an empty resource: not finding anything is not an error. A detector that
/// fills in semantic-convention attributes sets the conventions' schema URL on its resource.
pub trait ResourceDetector {
    /// Detects, within `timeout` for detectors that do I/O.
    fn detect(&self, timeout: Duration) -> Resource;
}

/// Builds a [`Resource`] from detectors and explicit attributes; later steps win.
#[derive(Debug)]
pub struct ResourceBuilder {
    resource: Resource,
}

/// How long a detector may take in a builder.
const DETECT_TIMEOUT: Duration = Duration::from_secs(5);

impl ResourceBuilder {
    /// Merges in what `detector` finds.
    pub fn with_detector(self, detector: &dyn ResourceDetector) -> Self {
        self.with_resource(detector.detect(DETECT_TIMEOUT))
    }

    /// Merges in what each detector finds, in order.
    pub fn with_detectors(mut self, detectors: &[&dyn ResourceDetector]) -> Self {
        for d in detectors {
            self = self.with_detector(*d);
        }
        self
    }

    /// Sets `service.name`.
    pub fn with_service_name(self, name: impl Into<Value>) -> Self {
        let key = opentelemetry_semantic_conventions::attribute::SERVICE_NAME;
        self.with_attribute(KeyValue::new(key, name.into()))
    }

    /// Sets one attribute.
    pub fn with_attribute(self, kv: KeyValue) -> Self {
        self.with_attributes([kv])
    }

    /// Sets attributes.
    pub fn with_attributes<I: IntoIterator<Item = KeyValue>>(self, attributes: I) -> Self {
        self.with_resource(Resource::new(attributes))
    }

    /// Sets the schema URL.
    pub fn with_schema_url(self, schema_url: impl Into<Cow<'static, str>>) -> Self {
        let url = schema_url.into();
        let attrs = self.resource.inner.attributes.clone();
        ResourceBuilder {
            resource: Resource {
                inner: Arc::new(ResourceInner {
                    attributes: attrs,
                    schema_url: if url.is_empty() { None } else { Some(url) },
                }),
            },
        }
    }

    /// Merges in a whole resource.
    pub fn with_resource(self, resource: Resource) -> Self {
        ResourceBuilder {
            resource: self.resource.merge(&resource),
        }
    }

    /// Finishes the resource.
    pub fn build(self) -> Resource {
        self.resource
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_prefers_updating_values_and_keeps_all_keys() {
        let old = Resource::new([KeyValue::new("a", 1), KeyValue::new("b", "old")]);
        let new = Resource::new([KeyValue::new("b", ""), KeyValue::new("c", true)]);
        let m = old.merge(&new);
        assert_eq!(m.len(), 3);
        assert_eq!(
            m.get(&"b".into()),
            Some(&Value::from("")),
            "even an empty updating value wins"
        );
        assert_eq!(m.get(&"a".into()), Some(&Value::from(1)));
    }

    #[test]
    fn merge_schema_url_rules() {
        let none = Resource::new([KeyValue::new("a", 1)]);
        let s1 = Resource::from_schema_url([KeyValue::new("b", 1)], "https://s/1");
        let s2 = Resource::from_schema_url([KeyValue::new("c", 1)], "https://s/2");
        assert_eq!(none.merge(&s1).schema_url(), Some("https://s/1"));
        assert_eq!(s1.merge(&none).schema_url(), Some("https://s/1"));
        assert_eq!(s1.merge(&s1.clone()).schema_url(), Some("https://s/1"));
        let conflict = s1.merge(&s2);
        assert_eq!(
            conflict.schema_url(),
            Some("https://s/2"),
            "the updating resource wins"
        );
        assert_eq!(conflict.len(), 2);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        let r = Resource::new([KeyValue::new("a", 1), KeyValue::new("a", 2)]);
        assert_eq!(r.len(), 1);
        assert_eq!(r.get(&"a".into()), Some(&Value::from(2)));
    }
}
