//! [`http::HeaderMap`] as a propagation carrier.

use http::header::{HeaderName, HeaderValue};
use http::HeaderMap;
use opentelemetry_api::otel_warn;
use opentelemetry_api::propagation::{Extractor, Injector};

/// Writes propagation fields into outgoing HTTP headers.
///
/// A value that is not a valid header value (a propagator bug, or user baggage that slipped
/// through) is skipped with a diagnostic rather than sent broken.
///
/// ```
/// use opentelemetry_api::propagation::Injector;
/// use opentelemetry_http::HeaderInjector;
///
/// let mut headers = http::HeaderMap::new();
/// HeaderInjector(&mut headers).set("baggage", "k=v".to_string());
/// assert_eq!(headers["baggage"], "k=v");
/// ```
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        let name = match HeaderName::from_bytes(key.as_bytes()) {
            Ok(name) => name,
            Err(_) => {
                otel_warn!(
                    "HeaderInjector.InvalidName",
                    "skipping propagation field {key:?}: not a valid HTTP header name"
                );
                return;
            }
        };
        match HeaderValue::from_str(&value) {
            Ok(value) => {
                self.0.insert(name, value);
            }
            Err(_) => {
                otel_warn!("HeaderInjector.InvalidValue", "skipping propagation field {key:?}: its value is not a valid HTTP header value");
            }
        }
    }
}

/// Reads propagation fields from incoming HTTP headers (names are case-insensitive; a header
/// received several times gives all its values to [`Extractor::get_all`]).
///
/// ```
/// use opentelemetry_api::propagation::Extractor;
/// use opentelemetry_http::HeaderExtractor;
///
/// let mut headers = http::HeaderMap::new();
/// headers.append("baggage", "a=1".parse().unwrap());
/// headers.append("baggage", "b=2".parse().unwrap());
/// let extractor = HeaderExtractor(&headers);
/// assert_eq!(extractor.get("Baggage"), Some("a=1"));
/// assert_eq!(extractor.get_all("baggage"), ["a=1", "b=2"]);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        // Values that are not visible ASCII cannot carry a valid propagation field.
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    fn get_all(&self, key: &str) -> Vec<&str> {
        self.0
            .get_all(key)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_and_values_are_skipped() {
        let mut headers = HeaderMap::new();
        let mut injector = HeaderInjector(&mut headers);
        injector.set("bad name", "v".into());
        injector.set("good", "line\nbreak".into());
        injector.set("good", "ok".into());
        assert_eq!(headers.len(), 1);
        assert_eq!(headers["good"], "ok");
    }

    #[test]
    fn extraction_is_case_insensitive_and_skips_opaque_values() {
        let mut headers = HeaderMap::new();
        headers.insert("traceparent", HeaderValue::from_static("x"));
        headers.append("tracestate", HeaderValue::from_bytes(b"\xff").unwrap());
        headers.append("tracestate", HeaderValue::from_static("a=b"));
        let extractor = HeaderExtractor(&headers);
        assert_eq!(extractor.get("TraceParent"), Some("x"));
        assert_eq!(extractor.get("tracestate"), None);
        assert_eq!(extractor.get_all("tracestate"), ["a=b"]);
        let mut keys = extractor.keys();
        keys.sort_unstable();
        assert_eq!(keys, ["traceparent", "tracestate"]);
    }
}
