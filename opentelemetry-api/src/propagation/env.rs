//! Environment variables as carriers (context passed from a parent process to a child).
//!
//! Keys are normalized as the specification requires: `traceparent` is read from and
//! written to `TRACEPARENT`, `x-b3-traceid` to `X_B3_TRACEID`. Values are opaque here; the
//! propagators validate them.
//!
//! Read the environment at start-up ([`EnvExtractor::from_env`]) and extract from it once.
//! To pass context to a child, inject into an [`EnvInjector`] and hand its variables to the
//! child's environment (for example `std::process::Command::envs`), never to this process's.

use super::{Extractor, Injector};
use std::collections::{BTreeMap, HashMap};

/// Normalizes a propagation key to an environment variable name: ASCII letters upper-cased,
/// every other character that is not a digit or `_` replaced by `_`, a leading digit prefixed
/// with `_`, and the empty key turned into `_`.
///
/// ```
/// use opentelemetry_api::propagation::normalize_env_key;
/// assert_eq!(normalize_env_key("traceparent"), "TRACEPARENT");
/// assert_eq!(normalize_env_key("x-b3-traceid"), "X_B3_TRACEID");
/// assert_eq!(normalize_env_key("1é"), "_1_");
/// assert_eq!(normalize_env_key(""), "_");
/// ```
pub fn normalize_env_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 1);
    if key.is_empty() || key.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    out.extend(key.chars().map(|c| {
        if c.is_ascii_alphanumeric() || c == '_' {
            c.to_ascii_uppercase()
        } else {
            '_'
        }
    }));
    out
}

/// Whether `name` is already a normalized environment variable name (`^[A-Z_][A-Z0-9_]*$`).
fn is_normalized(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'A'..=b'Z' | b'_'))
        && bytes.all(|b| matches!(b, b'A'..=b'Z' | b'0'..=b'9' | b'_'))
}

/// An [`Extractor`] over a snapshot of environment variables. Only normalized names are
/// kept, and keys asked for are normalized before the lookup.
///
/// ```
/// use opentelemetry_api::propagation::{EnvExtractor, Extractor};
/// let env = EnvExtractor::from_vars([("TRACEPARENT", "00-…"), ("traceparent", "ignored")]);
/// assert_eq!(env.get("traceparent"), Some("00-…"));
/// assert_eq!(env.keys(), ["TRACEPARENT"]);
/// ```
#[derive(Clone, Debug, Default)]
pub struct EnvExtractor {
    vars: HashMap<String, String>,
}

impl EnvExtractor {
    /// A snapshot of this process's environment (variables that are not valid Unicode are
    /// skipped).
    pub fn from_env() -> Self {
        Self::from_vars(
            std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))),
        )
    }

    /// A snapshot of the given variables.
    pub fn from_vars<K, V, I>(vars: I) -> Self
    where
        K: Into<String>,
        V: Into<String>,
        I: IntoIterator<Item = (K, V)>,
    {
        EnvExtractor {
            vars: vars
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .filter(|(k, _)| is_normalized(k))
                .collect(),
        }
    }
}

impl Extractor for EnvExtractor {
    fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(&normalize_env_key(key)).map(String::as_str)
    }

    fn keys(&self) -> Vec<&str> {
        self.vars.keys().map(String::as_str).collect()
    }
}

/// An [`Injector`] that collects environment variables for a child process, under normalized
/// names.
///
/// ```
/// use opentelemetry_api::propagation::{EnvInjector, Injector};
/// let mut env = EnvInjector::new();
/// env.set("traceparent", "00-…".to_string());
/// assert_eq!(env.vars().get("TRACEPARENT").map(String::as_str), Some("00-…"));
/// // std::process::Command::new("child").envs(env.into_vars());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvInjector {
    vars: BTreeMap<String, String>,
}

impl EnvInjector {
    /// An empty set of variables.
    pub fn new() -> Self {
        Self::default()
    }

    /// The variables set so far.
    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// The variables, to pass to a child process.
    pub fn into_vars(self) -> BTreeMap<String, String> {
        self.vars
    }
}

impl Injector for EnvInjector {
    fn set(&mut self, key: &str, value: String) {
        self.vars.insert(normalize_env_key(key), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baggage::BaggageExt;
    use crate::propagation::{
        BaggagePropagator, TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
    };
    use crate::trace::TraceContextExt;
    use crate::Context;

    #[test]
    fn normalization() {
        assert_eq!(normalize_env_key("tracestate"), "TRACESTATE");
        assert_eq!(normalize_env_key("Baggage"), "BAGGAGE");
        assert_eq!(normalize_env_key("a.b c"), "A_B_C");
        assert_eq!(normalize_env_key("9lives"), "_9LIVES");
        assert_eq!(
            normalize_env_key("💼"),
            "_",
            "one character, one underscore"
        );
        assert!(is_normalized("TRACEPARENT"));
        assert!(is_normalized("_X1"));
        assert!(!is_normalized("1X"));
        assert!(!is_normalized("x"));
        assert!(!is_normalized(""));
        assert!(!is_normalized("X-Y"));
        for key in ["traceparent", "x-b3-traceid", "", "1", "é"] {
            assert!(is_normalized(&normalize_env_key(key)), "{key:?}");
        }
    }

    #[test]
    fn non_normalized_variables_are_never_read() {
        let env = EnvExtractor::from_vars([("x-b3-traceid", "v")]);
        assert_eq!(env.get("x-b3-traceid"), None);
        assert!(env.keys().is_empty());
    }

    #[test]
    fn parent_to_child_round_trip() {
        let propagator = TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
        ]);
        let parent = EnvExtractor::from_vars([
            (
                "TRACEPARENT",
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            ),
            ("TRACESTATE", "congo=t61rcWkgMzE"),
            ("BAGGAGE", "job=nightly"),
            ("PATH", "/bin"),
        ]);
        let cx = propagator.extract_with_context(&Context::new(), &parent);
        assert!(cx.span().span_context().is_remote());
        assert_eq!(cx.baggage().get("job").unwrap().as_str(), "nightly");
        let mut child = EnvInjector::new();
        propagator.inject_context(&cx, &mut child);
        assert_eq!(
            child.into_vars().into_iter().collect::<Vec<_>>(),
            [
                ("BAGGAGE".to_string(), "job=nightly".to_string()),
                (
                    "TRACEPARENT".to_string(),
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string()
                ),
                ("TRACESTATE".to_string(), "congo=t61rcWkgMzE".to_string()),
            ]
        );
    }

    #[test]
    fn from_env_reads_the_process_environment() {
        // Only reads: tests must not change the process environment.
        let env = EnvExtractor::from_env();
        assert!(env.keys().iter().all(|k| is_normalized(k)));
        if let Ok(path) = std::env::var("PATH") {
            assert_eq!(env.get("path"), Some(path.as_str()));
        }
    }
}
