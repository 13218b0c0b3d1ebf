//! The Datadog propagator: `x-datadog-*` headers.

use crate::dd_state::DdState;
use crate::encode::encode_hex_u64;
use opentelemetry_api::propagation::{Extractor, FieldIter, Injector, TextMapPropagator};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{otel_debug, Context};
use std::borrow::Cow;

const TRACE_ID: &str = "x-datadog-trace-id";
const PARENT_ID: &str = "x-datadog-parent-id";
const SAMPLING_PRIORITY: &str = "x-datadog-sampling-priority";
const ORIGIN: &str = "x-datadog-origin";
const TAGS: &str = "x-datadog-tags";
static FIELDS: [&str; 5] = [TRACE_ID, PARENT_ID, SAMPLING_PRIORITY, ORIGIN, TAGS];

/// The prefix of the trace-level tags that `x-datadog-tags` propagates.
const PROPAGATED_PREFIX: &str = "_dd.p.";
/// The propagated tag with the high 64 bits of the trace ID.
const TID_TAG: &str = "tid";
/// Datadog's tracers ignore an `x-datadog-tags` longer than this.
const MAX_TAGS_LEN: usize = 512;

/// Propagates the span context in Datadog's headers, interoperating with Datadog's tracers.
///
/// | header | meaning |
/// |---|---|
/// | `x-datadog-trace-id` | the low 64 bits of the trace ID, in decimal |
/// | `x-datadog-parent-id` | the span ID, in decimal |
/// | `x-datadog-sampling-priority` | `-1` (user reject), `0` (auto reject), `1` (auto keep), `2` (user keep) |
/// | `x-datadog-origin` | where the trace started (`synthetics`, `rum`, ...), if anywhere special |
/// | `x-datadog-tags` | `_dd.p.*` trace tags, among them `_dd.p.tid`: the high 64 bits of the trace ID in hex |
///
/// Extraction: a priority above 0 sets the sampled flag, 0 or below clears it; without a
/// (valid) priority the span context is sampled, the decision having been left to this
/// process. A priority other than 1 and 0 (which the sampled flag expresses), the origin and
/// the other `_dd.p.*` tags are kept in the trace state's `dd` entry (`dd=s:2;o:rum;t.dm:-4`,
/// the form Datadog's tracers use in W3C `tracestate`), from where the exporter and later
/// injections read them. A missing,
/// non-decimal or zero trace or parent ID leaves the context as it was; a malformed
/// `_dd.p.tid` is ignored (the trace ID keeps only its low 64 bits). Extraction never panics.
///
/// Injection writes the priority from the trace state when it agrees with the sampled flag,
/// else 1 or 0 from the flag.
///
/// ```
/// use opentelemetry_api::propagation::TextMapPropagator;
/// use opentelemetry_api::trace::TraceContextExt;
/// use opentelemetry_datadog::DatadogPropagator;
/// use std::collections::HashMap;
///
/// let propagator = DatadogPropagator::new();
/// let headers = HashMap::from([
///     ("x-datadog-trace-id".to_string(), "1234".to_string()),
///     ("x-datadog-parent-id".to_string(), "5678".to_string()),
///     ("x-datadog-sampling-priority".to_string(), "2".to_string()),
///     ("x-datadog-tags".to_string(), "_dd.p.tid=640cfd8d00000000".to_string()),
/// ]);
/// let cx = propagator.extract(&headers);
/// let sc = cx.span().span_context().clone();
/// assert_eq!(sc.trace_id().to_string(), "640cfd8d0000000000000000000004d2");
/// assert!(sc.is_sampled() && sc.is_remote());
///
/// let mut out = HashMap::new();
/// propagator.inject_context(&cx, &mut out);
/// assert_eq!(out, headers);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct DatadogPropagator {
    _private: (),
}

impl DatadogPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        DatadogPropagator { _private: () }
    }
}

/// `v` in decimal, without the formatting machinery (IDs are injected on every request).
fn decimal(mut v: u64) -> String {
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits: always valid UTF-8.
    std::str::from_utf8(&buf[start..])
        .unwrap_or_default()
        .to_owned()
}

/// Parses a decimal ID; `None` for anything but 1 to 20 ASCII digits, or zero.
fn parse_id(value: &str) -> Option<u64> {
    let value = value.trim();
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse::<u64>().ok().filter(|&v| v != 0)
}

/// Parses 16 lower-case hex digits.
fn parse_tid(value: &str) -> Option<u64> {
    if value.len() != 16
        || !value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    u64::from_str_radix(value, 16).ok()
}

/// The `_dd.p.*` tags of an `x-datadog-tags` value: the trace ID's high bits, and the others
/// (name without prefix, value).
fn parse_tags(value: &str) -> (Option<u64>, Vec<(&str, Cow<'_, str>)>) {
    let mut tid = None;
    let mut tags = Vec::new();
    if value.len() > MAX_TAGS_LEN {
        otel_debug!(
            "DatadogPropagator.TagsTooLong",
            "x-datadog-tags ignored: longer than {MAX_TAGS_LEN} characters"
        );
        return (None, tags);
    }
    for pair in value.split(',') {
        let Some((key, v)) = pair.trim().split_once('=') else {
            continue;
        };
        let Some(name) = key.strip_prefix(PROPAGATED_PREFIX) else {
            continue;
        };
        let valid = |s: &str| !s.is_empty() && s.bytes().all(|b| (0x20..0x7f).contains(&b));
        if !valid(name) || !valid(v) {
            continue;
        }
        if name == TID_TAG {
            tid = parse_tid(v);
            if tid.is_none() {
                otel_debug!(
                    "DatadogPropagator.InvalidTid",
                    "_dd.p.tid={v:?} ignored: not 16 lower-case hex digits"
                );
            }
        } else {
            tags.push((name, Cow::Borrowed(v)));
        }
    }
    (tid, tags)
}

impl TextMapPropagator for DatadogPropagator {
    fn inject_context(&self, cx: &Context, injector: &mut dyn Injector) {
        let span = cx.span();
        let sc = span.span_context();
        if !sc.is_valid() {
            return;
        }
        let trace_id = u128::from(sc.trace_id());
        let low = trace_id as u64;
        let high = (trace_id >> 64) as u64;
        if low == 0 {
            otel_debug!(
                "DatadogPropagator.ZeroLowTraceId",
                "not injected: the trace ID's low 64 bits are zero, which Datadog rejects"
            );
            return;
        }
        injector.set(TRACE_ID, decimal(low));
        injector.set(PARENT_ID, decimal(u64::from(sc.span_id())));

        let state = DdState::from_trace_state(sc.trace_state());
        let priority = match state.priority {
            Some(p) if (p > 0) == sc.is_sampled() => p,
            _ => sc.is_sampled() as i32,
        };
        let priority = match priority {
            -1 => "-1".to_owned(),
            0 => "0".to_owned(),
            1 => "1".to_owned(),
            2 => "2".to_owned(),
            other => other.to_string(),
        };
        injector.set(SAMPLING_PRIORITY, priority);
        if let Some(origin) = &state.origin {
            injector.set(ORIGIN, origin.clone().into_owned());
        }
        let mut tags = String::new();
        if high != 0 {
            let mut hex = [0u8; 16];
            encode_hex_u64(high, &mut hex);
            tags.push_str("_dd.p.tid=");
            // Only ASCII hex digits: always valid UTF-8.
            tags.push_str(std::str::from_utf8(&hex).unwrap_or_default());
        }
        for (name, value) in &state.tags {
            if *name == TID_TAG {
                continue;
            }
            if !tags.is_empty() {
                tags.push(',');
            }
            tags.push_str(PROPAGATED_PREFIX);
            tags.push_str(name);
            tags.push('=');
            tags.push_str(value);
        }
        if !tags.is_empty() {
            injector.set(TAGS, tags);
        }
    }

    fn extract_with_context(&self, cx: &Context, extractor: &dyn Extractor) -> Context {
        let Some(low) = extractor.get(TRACE_ID).and_then(parse_id) else {
            otel_debug!(
                "DatadogPropagator.InvalidTraceId",
                "x-datadog-trace-id missing or invalid: nothing extracted"
            );
            return cx.clone();
        };
        let Some(parent) = extractor.get(PARENT_ID).and_then(parse_id) else {
            otel_debug!(
                "DatadogPropagator.InvalidParentId",
                "x-datadog-parent-id missing or invalid: nothing extracted"
            );
            return cx.clone();
        };
        let priority = extractor
            .get(SAMPLING_PRIORITY)
            .and_then(|p| p.trim().parse::<i32>().ok());
        let origin = extractor
            .get(ORIGIN)
            .map(str::trim)
            .filter(|o| !o.is_empty());
        let (high, tags) = extractor.get(TAGS).map(parse_tags).unwrap_or_default();
        let trace_id = (u128::from(high.unwrap_or(0)) << 64) | u128::from(low);
        let sampled = priority.is_none_or(|p| p > 0);
        let state = DdState {
            // 1 and 0 ("auto" keep and reject) are what the sampled flag says; only user
            // decisions and other values need keeping (so the common case allocates no
            // trace state).
            priority: priority.filter(|&p| p != sampled as i32),
            origin: origin.map(Cow::Borrowed),
            tags,
        };
        cx.with_remote_span_context(SpanContext::new(
            TraceId::from(trace_id),
            SpanId::from(parent),
            TraceFlags::default().with_sampled(sampled),
            true,
            state.apply(&TraceState::NONE),
        ))
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(&FIELDS)
    }
}

/// The sampling priority recorded in a trace state's `dd` entry (by the
/// [`DatadogPropagator`] or [`with_sampling_priority`]).
///
/// ```
/// use opentelemetry_api::trace::TraceState;
/// use opentelemetry_datadog::{sampling_priority, with_sampling_priority};
/// let ts = with_sampling_priority(&TraceState::NONE, 2);
/// assert_eq!(sampling_priority(&ts), Some(2));
/// assert_eq!(ts.header(), "dd=s:2");
/// ```
pub fn sampling_priority(trace_state: &TraceState) -> Option<i32> {
    DdState::from_trace_state(trace_state).priority
}

/// `trace_state` with `priority` recorded in its `dd` entry (e.g. 2, "user keep", to force a
/// trace to be kept), the entry's other fields unchanged.
pub fn with_sampling_priority(trace_state: &TraceState, priority: i32) -> TraceState {
    let mut state = DdState::from_trace_state(trace_state);
    state.priority = Some(priority);
    state.apply(trace_state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn extract(pairs: &[(&str, &str)]) -> SpanContext {
        DatadogPropagator::new()
            .extract(&headers(pairs))
            .span()
            .span_context()
            .clone()
    }

    #[test]
    fn decimal_formats_like_display() {
        for v in [0, 1, 9, 10, 12345, u64::MAX / 3, u64::MAX] {
            assert_eq!(decimal(v), v.to_string());
        }
    }

    #[test]
    fn extracts_priority_origin_and_tags() {
        let sc = extract(&[
            (TRACE_ID, "18446744073709551615"),
            (PARENT_ID, "1"),
            (SAMPLING_PRIORITY, "-1"),
            (ORIGIN, "synthetics"),
            (TAGS, "_dd.p.dm=-4,_dd.p.tid=0000000000000001,other=x"),
        ]);
        assert!(sc.is_valid() && sc.is_remote() && !sc.is_sampled());
        assert_eq!(u128::from(sc.trace_id()), (1u128 << 64) | u64::MAX as u128);
        assert_eq!(u64::from(sc.span_id()), 1);
        assert_eq!(sc.trace_state().header(), "dd=s:-1;o:synthetics;t.dm:-4");
        assert_eq!(sampling_priority(sc.trace_state()), Some(-1));
    }

    #[test]
    fn priority_sets_the_sampled_flag() {
        for (p, sampled) in [("-1", false), ("0", false), ("1", true), ("2", true)] {
            let sc = extract(&[(TRACE_ID, "5"), (PARENT_ID, "6"), (SAMPLING_PRIORITY, p)]);
            assert_eq!(sc.is_sampled(), sampled, "priority {p}");
        }
        let sc = extract(&[(TRACE_ID, "5"), (PARENT_ID, "6")]);
        assert!(sc.is_sampled());
        assert!(sc.trace_state().is_empty());
        let sc = extract(&[(TRACE_ID, "5"), (PARENT_ID, "6"), (SAMPLING_PRIORITY, "x")]);
        assert!(sc.is_sampled());
    }

    #[test]
    fn invalid_ids_extract_nothing() {
        for (t, p) in [
            ("0", "1"),
            ("1", "0"),
            ("", "1"),
            ("-1", "1"),
            ("18446744073709551616", "1"),
            ("0x10", "1"),
            ("1", "abc"),
            ("+1", "1"),
        ] {
            assert!(
                !extract(&[(TRACE_ID, t), (PARENT_ID, p)]).is_valid(),
                "{t} {p}"
            );
        }
        assert!(!extract(&[(TRACE_ID, "1")]).is_valid());
        assert!(!extract(&[(PARENT_ID, "1")]).is_valid());
    }

    #[test]
    fn malformed_tid_and_oversized_tags_are_ignored() {
        for tags in [
            "_dd.p.tid=640CFD8D00000000",
            "_dd.p.tid=640cfd8d",
            "_dd.p.tid=zz0cfd8d00000000",
        ] {
            let sc = extract(&[(TRACE_ID, "7"), (PARENT_ID, "8"), (TAGS, tags)]);
            assert_eq!(u128::from(sc.trace_id()), 7, "{tags}");
        }
        let long = format!("_dd.p.tid=640cfd8d00000000,_dd.p.x={}", "a".repeat(600));
        let sc = extract(&[(TRACE_ID, "7"), (PARENT_ID, "8"), (TAGS, &long)]);
        assert_eq!(u128::from(sc.trace_id()), 7);
    }

    #[test]
    fn inject_round_trips_and_follows_the_sampled_flag() {
        let input = headers(&[
            (TRACE_ID, "42"),
            (PARENT_ID, "43"),
            (SAMPLING_PRIORITY, "2"),
            (ORIGIN, "rum"),
            (TAGS, "_dd.p.tid=00000000000000ff,_dd.p.dm=-4"),
        ]);
        let p = DatadogPropagator::new();
        let cx = p.extract(&input);
        let mut out = HashMap::new();
        p.inject_context(&cx, &mut out);
        assert_eq!(out, input);

        // A local span context that is not sampled, with a stale "keep" priority.
        let sc = SpanContext::new(
            TraceId::from(9u128),
            SpanId::from(10u64),
            TraceFlags::default(),
            false,
            with_sampling_priority(&TraceState::NONE, 2),
        );
        let mut out = HashMap::new();
        p.inject_context(&Context::new().with_remote_span_context(sc), &mut out);
        assert_eq!(out[SAMPLING_PRIORITY], "0");
        assert!(!out.contains_key(TAGS) && !out.contains_key(ORIGIN));

        // Nothing for an invalid context, nor for a trace ID with zero low bits.
        let mut out = HashMap::new();
        p.inject_context(&Context::new(), &mut out);
        let sc = SpanContext::new(
            TraceId::from(1u128 << 64),
            SpanId::from(10u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        );
        p.inject_context(&Context::new().with_remote_span_context(sc), &mut out);
        assert!(out.is_empty());
        assert_eq!(p.fields().count(), 5);
    }

    #[test]
    fn extraction_keeps_the_given_context_when_invalid() {
        let p = DatadogPropagator::new();
        let parent = Context::new().with_value(7u32);
        let cx = p.extract_with_context(&parent, &headers(&[(TRACE_ID, "x")]));
        assert_eq!(cx.get::<u32>(), Some(&7));
        assert!(!cx.span().span_context().is_valid());
    }

    proptest::proptest! {
        #[test]
        fn extraction_never_panics(
            trace in proptest::option::of(".{0,30}"),
            parent in proptest::option::of("[0-9]{0,21}|.{0,10}"),
            priority in proptest::option::of("-?[0-9]{0,12}|.{0,5}"),
            origin in proptest::option::of(".{0,20}"),
            tags in proptest::option::of("(_dd\\.p\\.[a-z]{0,4}=[ -~]{0,20},?){0,4}|.{0,600}"),
        ) {
            let mut h = HashMap::new();
            for (k, v) in [(TRACE_ID, trace), (PARENT_ID, parent), (SAMPLING_PRIORITY, priority),
                           (ORIGIN, origin), (TAGS, tags)] {
                if let Some(v) = v {
                    h.insert(k.to_string(), v);
                }
            }
            let p = DatadogPropagator::new();
            let cx = p.extract(&h);
            let mut out = HashMap::new();
            p.inject_context(&cx, &mut out);
            // Whatever was extracted injects back to the same IDs.
            let sc = cx.span().span_context().clone();
            if sc.is_valid() {
                let again = p.extract(&out);
                proptest::prop_assert_eq!(again.span().span_context().trace_id(), sc.trace_id());
                proptest::prop_assert_eq!(again.span().span_context().span_id(), sc.span_id());
                proptest::prop_assert_eq!(again.span().span_context().is_sampled(), sc.is_sampled());
            } else {
                proptest::prop_assert!(out.is_empty());
            }
        }

        #[test]
        fn valid_ids_round_trip(low in 1u64.., high: u64, span in 1u64.., priority in -1i32..=2) {
            let ts = with_sampling_priority(&TraceState::NONE, priority);
            let sc = SpanContext::new(
                TraceId::from((u128::from(high) << 64) | u128::from(low)),
                SpanId::from(span),
                TraceFlags::default().with_sampled(priority > 0),
                true,
                ts,
            );
            let p = DatadogPropagator::new();
            let mut out = HashMap::new();
            p.inject_context(&Context::new().with_remote_span_context(sc.clone()), &mut out);
            let back = p.extract(&out).span().span_context().clone();
            proptest::prop_assert_eq!(back.trace_id(), sc.trace_id());
            proptest::prop_assert_eq!(back.span_id(), sc.span_id());
            proptest::prop_assert_eq!(back.trace_flags(), sc.trace_flags());
            let effective = sampling_priority(back.trace_state()).unwrap_or(back.is_sampled() as i32);
            proptest::prop_assert_eq!(effective, priority);
        }
    }
}
