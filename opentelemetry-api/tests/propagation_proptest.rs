//! Property tests: extraction never panics on any input, and valid headers survive
//! extract-then-inject unchanged.

use opentelemetry_api::baggage::{Baggage, BaggageExt, KeyValueMetadata};
use opentelemetry_api::propagation::{
    BaggagePropagator, TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
};
use opentelemetry_api::trace::TraceContextExt;
use opentelemetry_api::Context;
use proptest::collection::btree_map;
use proptest::prelude::*;
use std::collections::HashMap;

fn composite() -> TextMapCompositePropagator {
    TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(BaggagePropagator::new()),
    ])
}

fn headers(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn round_trip(
    propagator: &dyn TextMapPropagator,
    input: &HashMap<String, String>,
) -> HashMap<String, String> {
    let cx = propagator.extract_with_context(&Context::new(), input);
    let mut out = HashMap::new();
    propagator.inject_context(&cx, &mut out);
    out
}

/// Strings that look almost like headers, to reach deep into the parsers.
fn near_traceparent() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-fA-F-]{0,70}",
        "[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}(-.{0,10})?",
        "[ \t]{0,2}[0-9a-f]{2}-[0-9a-g]{31,33}-[0-9a-f]{15,17}-[0-9a-f]{1,3}[ \t.-]{0,2}",
        any::<String>(),
    ]
}

fn near_list() -> impl Strategy<Value = String> {
    prop_oneof![
        "([a-zA-Z0-9 \t%;=,@*/_-]{0,12},?){0,40}",
        "(k[0-9]{1,2}=v,){30,34}",
        any::<String>(),
    ]
}

fn trace_state_key() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9_*/@-]{0,20}"
}

fn trace_state_value() -> impl Strategy<Value = String> {
    "[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,20}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]"
}

fn baggage_key() -> impl Strategy<Value = String> {
    "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

proptest! {
    #[test]
    fn extraction_never_panics(
        tp in near_traceparent(),
        ts in near_list(),
        bg in near_list(),
    ) {
        let input = headers(&[("traceparent", &tp), ("tracestate", &ts), ("baggage", &bg)]);
        let out = round_trip(&composite(), &input);
        // Whatever came in, what goes out is a valid version-00 traceparent or nothing.
        if let Some(tp) = out.get("traceparent") {
            prop_assert_eq!(tp.len(), 55);
            prop_assert!(tp.starts_with("00-"));
        }
        if let Some(bg) = out.get("baggage") {
            prop_assert!(bg.len() <= opentelemetry_api::propagation::BaggagePropagator::MAX_BYTES);
            prop_assert!(bg.is_ascii());
        }
    }

    #[test]
    fn valid_traceparent_round_trips(
        trace_id in 1u128..,
        span_id in 1u64..,
        flags in 0u8..4,
        higher_version in proptest::option::of((1u8..0xff, "(-[a-z0-9]{0,8}){0,2}")),
    ) {
        let canonical = format!("00-{trace_id:032x}-{span_id:016x}-{flags:02x}");
        let input = match &higher_version {
            None => canonical.clone(),
            Some((version, suffix)) => {
                format!("{version:02x}-{trace_id:032x}-{span_id:016x}-{flags:02x}{suffix}")
            }
        };
        let out = round_trip(&TraceContextPropagator::new(), &headers(&[("traceparent", &input)]));
        prop_assert_eq!(out.get("traceparent"), Some(&canonical));
        let cx = TraceContextPropagator::new()
            .extract_with_context(&Context::new(), &headers(&[("traceparent", &input)]));
        prop_assert!(cx.span().span_context().is_remote());
    }

    #[test]
    fn valid_tracestate_round_trips(
        entries in btree_map(trace_state_key(), trace_state_value(), 1..=32),
    ) {
        let header = entries
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(",");
        let input = headers(&[
            ("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            ("tracestate", &header),
        ]);
        let out = round_trip(&TraceContextPropagator::new(), &input);
        prop_assert_eq!(out.get("tracestate"), Some(&header));
    }

    #[test]
    fn valid_baggage_header_round_trips(
        entries in btree_map(
            baggage_key(),
            ("[\\x21\\x23-\\x24\\x26-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]{0,16}", proptest::option::of("[a-z]{1,5}(=[a-z0-9]{1,5})?")),
            1..=20,
        ),
    ) {
        let header = entries
            .iter()
            .map(|(k, (v, p))| match p {
                Some(p) => format!("{k}={v};{p}"),
                None => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join(",");
        let out = round_trip(&BaggagePropagator::new(), &headers(&[("baggage", &header)]));
        prop_assert_eq!(out.get("baggage"), Some(&header));
    }

    #[test]
    fn any_baggage_survives_inject_then_extract(
        entries in btree_map(baggage_key(), (any::<String>(), "[a-z]{0,4}"), 1..=10),
    ) {
        let baggage: Baggage = entries
            .iter()
            .map(|(k, (v, m))| KeyValueMetadata::new(k.clone(), v.clone(), m.as_str()))
            .collect();
        let cx = Context::new().with_value(baggage);
        let mut carrier = HashMap::new();
        BaggagePropagator::new().inject_context(&cx, &mut carrier);
        let back = BaggagePropagator::new().extract_with_context(&Context::new(), &carrier);
        prop_assert_eq!(back.baggage(), cx.baggage());
    }
}
