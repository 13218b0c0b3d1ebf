//! Running several propagators as one.

use super::{Extractor, FieldIter, Injector, TextMapPropagator};
use crate::Context;

/// Runs several propagators, in the order given: each injects into the same carrier, and each
/// extracts into the context the previous one returned. [`fields`](TextMapPropagator::fields)
/// is the union of theirs, without duplicates.
///
/// ```
/// use opentelemetry_api::propagation::{
///     BaggagePropagator, TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
/// };
/// let composite = TextMapCompositePropagator::new(vec![
///     Box::new(TraceContextPropagator::new()),
///     Box::new(BaggagePropagator::new()),
/// ]);
/// let fields: Vec<&str> = composite.fields().collect();
/// assert_eq!(fields, ["traceparent", "tracestate", "baggage"]);
/// ```
#[derive(Debug)]
pub struct TextMapCompositePropagator {
    propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>>,
    fields: Vec<String>,
}

impl TextMapCompositePropagator {
    /// Groups `propagators` into one.
    pub fn new(propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>>) -> Self {
        let mut fields: Vec<String> = Vec::new();
        for field in propagators.iter().flat_map(|p| p.fields()) {
            if !fields.iter().any(|f| f == field) {
                fields.push(field.to_owned());
            }
        }
        TextMapCompositePropagator {
            propagators,
            fields,
        }
    }
}

impl TextMapPropagator for TextMapCompositePropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        for propagator in &self.propagators {
            propagator.inject_context(cx, injector);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let mut iter = self.propagators.iter();
        let Some(first) = iter.next() else {
            return cx.clone();
        };
        let mut out = first.extract_with_context(cx, extractor);
        for propagator in iter {
            out = propagator.extract_with_context(&out, extractor);
        }
        out
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::new(&self.fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baggage::BaggageExt;
    use crate::propagation::{BaggagePropagator, NoopTextMapPropagator, TraceContextPropagator};
    use crate::trace::TraceContextExt;
    use std::collections::HashMap;

    /// Writes a fixed header and records the order it ran in.
    #[derive(Debug)]
    struct Tag(&'static str);

    impl TextMapPropagator for Tag {
        fn inject_context(&self, _cx: &Context, injector: &mut dyn Injector) {
            injector.set("order", self.0.to_string());
            injector.set(self.0, "1".to_string());
        }
        fn extract_with_context(&self, cx: &Context, _extractor: &dyn Extractor) -> Context {
            let mut seen: Vec<&'static str> =
                cx.get::<Vec<&'static str>>().cloned().unwrap_or_default();
            seen.push(self.0);
            cx.with_value(seen)
        }
        fn fields(&self) -> FieldIter<'_> {
            FieldIter::from_static(&["order"])
        }
    }

    #[test]
    fn runs_in_order_and_chains_contexts() {
        let c = TextMapCompositePropagator::new(vec![Box::new(Tag("a")), Box::new(Tag("b"))]);
        let mut out = HashMap::new();
        c.inject_context(&Context::new(), &mut out);
        assert_eq!(out["order"], "b", "the later propagator ran last");
        assert!(out.contains_key("a") && out.contains_key("b"));
        let cx = c.extract_with_context(&Context::new(), &out);
        assert_eq!(cx.get::<Vec<&'static str>>(), Some(&vec!["a", "b"]));
        assert_eq!(c.fields().collect::<Vec<_>>(), ["order"], "deduplicated");
    }

    #[test]
    fn empty_composite_is_a_no_op() {
        let c = TextMapCompositePropagator::new(vec![]);
        let cx = Context::new().with_value(5u8);
        let mut out = HashMap::new();
        c.inject_context(&cx, &mut out);
        assert!(out.is_empty());
        assert_eq!(c.extract_with_context(&cx, &out).get::<u8>(), Some(&5));
        assert_eq!(c.fields().count(), 0);
    }

    #[test]
    fn trace_context_and_baggage_together() {
        let c = TextMapCompositePropagator::new(vec![
            Box::new(TraceContextPropagator::new()),
            Box::new(BaggagePropagator::new()),
            Box::new(NoopTextMapPropagator::new()),
        ]);
        let headers = HashMap::from([
            (
                "traceparent".to_string(),
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string(),
            ),
            ("baggage".to_string(), "a=1".to_string()),
        ]);
        let cx = c.extract_with_context(&Context::new(), &headers);
        assert!(cx.span().span_context().is_valid());
        assert_eq!(cx.baggage().get("a").unwrap().as_str(), "1");
        let mut out = HashMap::new();
        c.inject_context(&cx, &mut out);
        assert_eq!(out, headers);
    }
}
