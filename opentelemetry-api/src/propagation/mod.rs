//! Propagation: writing a [`Context`]'s cross-cutting values (the span context, baggage)
//! into a carrier such as HTTP headers, and reading them back on the other side.
//!
//! A [`TextMapPropagator`] injects into an [`Injector`] and extracts from an [`Extractor`].
//! This module has the W3C propagators ([`TraceContextPropagator`], [`BaggagePropagator`]),
//! a [`TextMapCompositePropagator`] to run several, a [`NoopTextMapPropagator`], and carriers
//! for `HashMap<String, String>` and for environment variables ([`EnvExtractor`],
//! [`EnvInjector`]). The process-wide propagator is set with
//! [`global::set_text_map_propagator`](crate::global::set_text_map_propagator) and is a no-op
//! until then.
//!
//! ```
//! use opentelemetry_api::baggage::BaggageExt;
//! use opentelemetry_api::propagation::{
//!     BaggagePropagator, TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
//! };
//! use opentelemetry_api::trace::TraceContextExt;
//! use opentelemetry_api::Context;
//! use std::collections::HashMap;
//!
//! let propagator = TextMapCompositePropagator::new(vec![
//!     Box::new(TraceContextPropagator::new()),
//!     Box::new(BaggagePropagator::new()),
//! ]);
//!
//! // Server side: extract the caller's context from the request headers.
//! let mut incoming = HashMap::new();
//! incoming.insert(
//!     "traceparent".to_string(),
//!     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
//! );
//! incoming.insert("baggage".to_string(), "user.id=alice".to_string());
//! let cx = propagator.extract_with_context(&Context::new(), &incoming);
//! assert!(cx.span().span_context().is_remote());
//! assert_eq!(cx.baggage().get("user.id").unwrap().as_str(), "alice");
//!
//! // Client side: inject it into an outgoing request.
//! let mut outgoing = HashMap::new();
//! propagator.inject_context(&cx, &mut outgoing);
//! assert_eq!(outgoing["baggage"], "user.id=alice");
//! assert_eq!(outgoing["traceparent"], incoming["traceparent"]);
//! ```

mod baggage;
mod composite;
mod env;
mod noop;
mod trace_context;

pub use baggage::BaggagePropagator;
pub use composite::TextMapCompositePropagator;
pub use env::{normalize_env_key, EnvExtractor, EnvInjector};
pub use noop::NoopTextMapPropagator;
pub use trace_context::TraceContextPropagator;

use crate::Context;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;

/// Writes propagation fields into a carrier (the `Setter` of the specification).
///
/// Implementations should keep the key's casing as given (the specification's SHOULD for
/// case-insensitive protocols such as HTTP, and MUST for case-sensitive ones), unless the
/// carrier's own rules say otherwise (environment variables are normalized, as their
/// specification requires).
pub trait Injector {
    /// Sets `key` to `value`, replacing any earlier value.
    fn set(&mut self, key: &str, value: String);
}

/// Reads propagation fields from a carrier (the `Getter` of the specification).
///
/// Carriers of HTTP headers must look keys up case-insensitively, and should hand a header
/// that was received several times to [`get_all`](Extractor::get_all) (or combine the values
/// with `,` as RFC 9110 describes).
pub trait Extractor {
    /// The first value of `key`.
    fn get(&self, key: &str) -> Option<&str>;

    /// All keys in the carrier.
    fn keys(&self) -> Vec<&str>;

    /// All values of `key`, in the order they appear; empty when the key is absent.
    ///
    /// The default returns the value of [`get`](Extractor::get), if any; carriers that can
    /// hold a key several times should override it.
    fn get_all(&self, key: &str) -> Vec<&str> {
        self.get(key).into_iter().collect()
    }
}

/// Stores keys as given: casing is preserved, as the specification asks of a `Setter`.
impl<S: BuildHasher> Injector for HashMap<String, String, S> {
    fn set(&mut self, key: &str, value: String) {
        self.insert(key.to_owned(), value);
    }
}

/// Looks keys up ASCII-case-insensitively, as HTTP header names are compared: an exact match
/// first, then a scan of the keys. [`keys`](Extractor::keys) returns the keys as stored.
impl<S: BuildHasher> Extractor for HashMap<String, String, S> {
    #[inline]
    fn get(&self, key: &str) -> Option<&str> {
        match HashMap::get(self, key) {
            Some(value) => Some(value.as_str()),
            None => self
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str()),
        }
    }

    fn keys(&self) -> Vec<&str> {
        HashMap::keys(self).map(String::as_str).collect()
    }
}

/// Injects a [`Context`]'s values into, and extracts them from, string key/value carriers.
///
/// Implementations never fail and never panic: a value that cannot be parsed is ignored, and
/// the returned context keeps what the given context had.
pub trait TextMapPropagator: fmt::Debug + Send + Sync {
    /// Writes the propagated values of `cx` into `injector`.
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector);

    /// Writes the propagated values of the current context into `injector`.
    fn inject(&self, injector: &mut dyn Injector) {
        Context::map_current(|cx| self.inject_context(cx, injector))
    }

    /// A copy of `cx` with the values read from `extractor` added.
    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context;

    /// The current context with the values read from `extractor` added.
    fn extract(&self, extractor: &dyn Extractor) -> Context {
        Context::map_current(|cx| self.extract_with_context(cx, extractor))
    }

    /// The keys this propagator writes (clear them before re-injecting into a reused carrier).
    fn fields(&self) -> FieldIter<'_>;
}

/// An iterator over the field names of a [`TextMapPropagator`].
///
/// ```
/// use opentelemetry_api::propagation::{TextMapPropagator, TraceContextPropagator};
/// let propagator = TraceContextPropagator::new();
/// let fields: Vec<&str> = propagator.fields().collect();
/// assert_eq!(fields, ["traceparent", "tracestate"]);
/// ```
#[derive(Debug, Clone)]
pub struct FieldIter<'a>(FieldSlice<'a>);

#[derive(Debug, Clone)]
enum FieldSlice<'a> {
    Static(std::slice::Iter<'static, &'static str>),
    Owned(std::slice::Iter<'a, String>),
}

impl<'a> FieldIter<'a> {
    /// Iterates over owned field names.
    pub fn new(fields: &'a [String]) -> Self {
        FieldIter(FieldSlice::Owned(fields.iter()))
    }

    /// Iterates over static field names (no allocation).
    pub fn from_static(fields: &'static [&'static str]) -> Self {
        FieldIter(FieldSlice::Static(fields.iter()))
    }
}

impl<'a> Iterator for FieldIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match &mut self.0 {
            FieldSlice::Static(it) => it.next().copied(),
            FieldSlice::Owned(it) => it.next().map(String::as_str),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            FieldSlice::Static(it) => it.size_hint(),
            FieldSlice::Owned(it) => it.size_hint(),
        }
    }
}

/// Trims HTTP optional whitespace (spaces and tabs) from both ends.
#[inline]
pub(crate) fn trim_ows(s: &str) -> &str {
    s.trim_matches(|c| c == ' ' || c == '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_map_carrier_is_case_insensitive() {
        let mut map: HashMap<String, String> = HashMap::new();
        map.set("TraceParent", "v".to_string());
        assert_eq!(
            map.get("TraceParent"),
            Some(&"v".to_string()),
            "casing kept"
        );
        assert_eq!(map.get("traceparent"), None);
        assert_eq!(Extractor::get(&map, "TRACEPARENT"), Some("v"));
        assert_eq!(Extractor::get(&map, "traceparent"), Some("v"));
        assert_eq!(Extractor::get(&map, "TraceParent"), Some("v"));
        assert_eq!(Extractor::get(&map, "missing"), None);
        assert_eq!(Extractor::keys(&map), vec!["TraceParent"]);
        assert_eq!(map.get_all("traceparent"), ["v"]);
        assert!(
            map.get_all("nope").is_empty(),
            "empty, not absent, for a missing key"
        );
    }

    #[test]
    fn hash_map_lookup_prefers_an_exact_match() {
        let mut map: HashMap<String, String> = HashMap::new();
        map.set("Key", "mixed".to_string());
        map.set("key", "lower".to_string());
        assert_eq!(map.len(), 2, "keys differing in case are kept apart");
        assert_eq!(Extractor::get(&map, "key"), Some("lower"));
        assert_eq!(Extractor::get(&map, "Key"), Some("mixed"));
        let mut keys = Extractor::keys(&map);
        keys.sort_unstable();
        assert_eq!(keys, ["Key", "key"]);
    }

    #[test]
    fn every_propagator_works_with_mixed_case_carriers() {
        const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let incoming: HashMap<String, String> = HashMap::from([
            ("TraceParent".to_string(), TP.to_string()),
            ("TRACESTATE".to_string(), "vendor=1".to_string()),
            ("Baggage".to_string(), "user.id=alice".to_string()),
        ]);
        let check = |cx: &Context, trace: bool, baggage: bool| {
            use crate::baggage::BaggageExt;
            use crate::trace::TraceContextExt;
            let span = cx.span();
            let sc = span.span_context();
            assert_eq!(sc.is_remote(), trace);
            if trace {
                assert_eq!(sc.trace_state().get("vendor"), Some("1"));
            }
            assert_eq!(cx.baggage().get("user.id").is_some(), baggage);
        };
        let cx = TraceContextPropagator::new().extract_with_context(&Context::new(), &incoming);
        check(&cx, true, false);
        let cx = BaggagePropagator::new().extract_with_context(&Context::new(), &incoming);
        check(&cx, false, true);
        let composite = TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
        ]);
        let cx = composite.extract_with_context(&Context::new(), &incoming);
        check(&cx, true, true);

        // Injection writes the propagators' own names, which a mixed-case reader finds.
        let mut outgoing: HashMap<String, String> = HashMap::new();
        composite.inject_context(&cx, &mut outgoing);
        let mut keys = Extractor::keys(&outgoing);
        keys.sort_unstable();
        assert_eq!(keys, ["baggage", "traceparent", "tracestate"]);
        assert_eq!(Extractor::get(&outgoing, "TRACEPARENT"), Some(TP));
        check(
            &composite.extract_with_context(&Context::new(), &outgoing),
            true,
            true,
        );
    }

    #[test]
    fn get_all_returns_an_empty_collection_for_a_missing_key() {
        let env = EnvExtractor::from_vars([("TRACEPARENT", "x")]);
        assert_eq!(env.get_all("traceparent"), ["x"]);
        assert!(env.get_all("baggage").is_empty());
        let map: HashMap<String, String> = HashMap::new();
        assert!(map.get_all("baggage").is_empty());
        // Propagators treat an empty collection as "nothing received".
        let cx = TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
        ])
        .extract_with_context(&Context::new(), &env);
        assert!(!crate::trace::TraceContextExt::has_active_span(&cx));
        assert!(crate::baggage::BaggageExt::baggage(&cx).is_empty());
    }

    #[test]
    fn field_iter_over_owned_and_static() {
        let owned = vec!["a".to_string(), "b".to_string()];
        assert_eq!(FieldIter::new(&owned).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(FieldIter::from_static(&["x"]).size_hint(), (1, Some(1)));
    }

    #[test]
    fn propagators_are_dyn_compatible() {
        let p: Box<dyn TextMapPropagator> = Box::new(NoopTextMapPropagator::new());
        let mut map = HashMap::new();
        p.inject(&mut map);
        assert!(map.is_empty());
        let _cx = p.extract(&map);
        assert_eq!(p.fields().count(), 0);
    }
}
