//! The detectors every SDK has: its own attributes, the environment, and the service.

use super::{Resource, ResourceDetector};
use opentelemetry_api::{otel_warn, KeyValue};
use opentelemetry_semantic_conventions::attribute::{
    telemetry_sdk_language, SERVICE_NAME, TELEMETRY_SDK_LANGUAGE, TELEMETRY_SDK_NAME,
    TELEMETRY_SDK_VERSION,
};
use std::time::Duration;

/// `telemetry.sdk.name`, `.language` and `.version`.
#[derive(Clone, Copy, Debug, Default)]
pub struct SdkProvidedResourceDetector;

impl ResourceDetector for SdkProvidedResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        Resource::from_schema_url(
            [
                KeyValue::new(TELEMETRY_SDK_NAME, "opentelemetry"),
                KeyValue::new(TELEMETRY_SDK_LANGUAGE, telemetry_sdk_language::RUST),
                KeyValue::new(TELEMETRY_SDK_VERSION, env!("CARGO_PKG_VERSION")),
            ],
            super::SEMCONV_SCHEMA_URL,
        )
    }
}

/// The default `service.name`: `unknown_service:<executable name>`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ServiceResourceDetector;

impl ResourceDetector for ServiceResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let exe = std::env::current_exe()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_default();
        let name = if exe.is_empty() {
            "unknown_service".to_owned()
        } else {
            format!("unknown_service:{exe}")
        };
        Resource::from_schema_url(
            [KeyValue::new(SERVICE_NAME, name)],
            super::SEMCONV_SCHEMA_URL,
        )
    }
}

/// `OTEL_RESOURCE_ATTRIBUTES` (percent-decoded `key=value` pairs) and `OTEL_SERVICE_NAME`
/// (which wins over a `service.name` in the former). A malformed `OTEL_RESOURCE_ATTRIBUTES`
/// is discarded whole and reported.
#[derive(Clone, Debug, Default)]
pub struct EnvResourceDetector {
    _private: (),
}

impl EnvResourceDetector {
    /// Creates the detector.
    pub fn new() -> Self {
        EnvResourceDetector { _private: () }
    }
}

impl ResourceDetector for EnvResourceDetector {
    fn detect(&self, _timeout: Duration) -> Resource {
        let attrs = std::env::var("OTEL_RESOURCE_ATTRIBUTES").ok();
        let service = std::env::var("OTEL_SERVICE_NAME").ok();
        from_env_values(attrs.as_deref(), service.as_deref())
    }
}

pub(crate) fn from_env_values(attributes: Option<&str>, service_name: Option<&str>) -> Resource {
    let mut resource = Resource::empty();
    if let Some(raw) = attributes {
        match parse_resource_attributes(raw) {
            Ok(kvs) => resource = Resource::new(kvs),
            Err(why) => otel_warn!(
                "Resource.InvalidEnvironmentAttributes",
                "OTEL_RESOURCE_ATTRIBUTES is discarded: {why}"
            ),
        }
    }
    if let Some(name) = service_name.map(str::trim).filter(|n| !n.is_empty()) {
        resource = resource.merge(&Resource::new([KeyValue::new(
            SERVICE_NAME,
            name.to_owned(),
        )]));
    }
    resource
}

/// Parses `k1=v1,k2=v2` with percent-decoding of keys and values; blank members are skipped.
pub(crate) fn parse_resource_attributes(raw: &str) -> Result<Vec<KeyValue>, String> {
    let mut out = Vec::new();
    for member in raw.split(',') {
        if member.trim().is_empty() {
            continue;
        }
        let (k, v) = member
            .split_once('=')
            .ok_or_else(|| format!("no '=' in {member:?}"))?;
        let key = percent_decode(k.trim())?;
        if key.is_empty() {
            return Err(format!("empty key in {member:?}"));
        }
        let value = percent_decode(v.trim())?;
        out.push(KeyValue::new(key, value));
    }
    Ok(out)
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .ok_or_else(|| format!("truncated escape in {s:?}"))?;
            let hex = std::str::from_utf8(hex).map_err(|_| format!("bad escape in {s:?}"))?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| format!("bad escape in {s:?}"))?;
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| format!("{s:?} does not decode to UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::Value;

    #[test]
    fn parses_and_percent_decodes() {
        let kvs = parse_resource_attributes("a=1, b%3Dx=hello%2C%20world ,,c=%E2%9C%93").unwrap();
        assert_eq!(kvs[0], KeyValue::new("a", "1"));
        assert_eq!(kvs[1], KeyValue::new("b=x", "hello, world"));
        assert_eq!(kvs[2], KeyValue::new("c", "✓"));
    }

    #[test]
    fn malformed_values_discard_everything() {
        assert!(parse_resource_attributes("a=1,b").is_err());
        assert!(parse_resource_attributes("a=%zz").is_err());
        assert!(parse_resource_attributes("a=%4").is_err());
        assert!(parse_resource_attributes("=v").is_err());
        assert!(parse_resource_attributes("a=%FF").is_err());
        let r = from_env_values(Some("a=1,broken"), None);
        assert!(r.is_empty());
    }

    #[test]
    fn service_name_variable_wins() {
        let r = from_env_values(Some("service.name=from-attrs,x=y"), Some("from-var"));
        assert_eq!(
            r.get(&"service.name".into()),
            Some(&Value::from("from-var"))
        );
        assert_eq!(r.get(&"x".into()), Some(&Value::from("y")));
    }

    #[test]
    fn default_service_name_uses_the_executable() {
        let r = ServiceResourceDetector.detect(Duration::ZERO);
        let name = r.get(&"service.name".into()).unwrap().as_str().into_owned();
        assert!(name.starts_with("unknown_service:"), "{name}");
    }
}
