//! The Jaeger propagator: round trips, header cases, and extraction that never panics.

use opentelemetry_api::baggage::BaggageExt;
use opentelemetry_api::propagation::{
    TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_jaeger::propagator::{JaegerPropagator, JAEGER_DEBUG_FLAG};
use proptest::prelude::*;
use std::collections::HashMap;

const HEADER: &str = "uber-trace-id";

fn extract(headers: &[(&str, &str)]) -> Context {
    let map: HashMap<String, String> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    JaegerPropagator::new().extract(&map)
}

fn span_context(headers: &[(&str, &str)]) -> SpanContext {
    extract(headers).span().span_context().clone()
}

fn inject(cx: &Context) -> HashMap<String, String> {
    let mut out = HashMap::new();
    JaegerPropagator::new().inject_context(cx, &mut out);
    out
}

fn remote(trace: u128, span: u64, flags: TraceFlags) -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(trace),
        SpanId::from(span),
        flags,
        true,
        TraceState::NONE,
    ))
}

#[test]
fn round_trip_of_sampled_unsampled_and_debug_contexts() {
    for (flags, wire) in [
        (TraceFlags::SAMPLED, "1"),
        (TraceFlags::NOT_SAMPLED, "0"),
        (
            TraceFlags::new(TraceFlags::SAMPLED.to_u8() | JAEGER_DEBUG_FLAG.to_u8()),
            "3",
        ),
    ] {
        let cx = remote(
            0x4bf92f3577b34da6a3ce929d0e0e4736,
            0x00f067aa0ba902b7,
            flags,
        );
        let headers = inject(&cx);
        assert_eq!(
            headers[HEADER],
            format!("4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:{wire}")
        );
        let back = span_context(&[(HEADER, &headers[HEADER])]);
        assert_eq!(back, *cx.span().span_context());
        assert!(back.is_remote());
    }
}

#[test]
fn debug_flag_implies_sampled_and_is_not_the_w3c_random_flag() {
    let sc = span_context(&[(HEADER, "1:2:0:2")]);
    assert!(sc.is_sampled());
    assert!(!sc.trace_flags().is_random());
    assert_eq!(sc.trace_flags().to_u8() & JAEGER_DEBUG_FLAG.to_u8(), 0x04);
    // A W3C context with the random flag is not sent as debug.
    let cx = remote(1, 2, TraceFlags::SAMPLED.with_random(true));
    assert!(inject(&cx)[HEADER].ends_with(":0:1"));
    // Nor does the debug bit leak into traceparent.
    let cx = extract(&[(HEADER, "1:2:0:3")]);
    let mut w3c = HashMap::new();
    TraceContextPropagator::new().inject_context(&cx, &mut w3c);
    assert!(w3c["traceparent"].ends_with("-01"));
}

#[test]
fn short_ids_are_padded_and_url_encoded_separators_accepted() {
    let sc = span_context(&[(HEADER, "a3ce929d0e0e4736%3A00f067aa0ba902b7%3a0%3A1")]);
    assert_eq!(
        sc.trace_id(),
        TraceId::from(0x0000000000000000a3ce929d0e0e4736u128)
    );
    assert_eq!(sc.span_id(), SpanId::from(0x00f067aa0ba902b7u64));
    assert!(sc.is_sampled());
    // Injection always writes 32 hex digits.
    assert_eq!(
        inject(&extract(&[(HEADER, "1:f:0:1")]))[HEADER],
        "00000000000000000000000000000001:000000000000000f:0:1"
    );
    // Upper case and surrounding spaces are tolerated.
    assert!(span_context(&[(HEADER, " ABC:DEF:0:1 ")]).is_valid());
}

#[test]
fn invalid_headers_leave_the_context_empty() {
    for bad in [
        "",
        "abc",
        "1:2:0",
        "1:2:0:1:5",
        "0:2:0:1",
        "1:0:0:1",
        "00000000000000000000000000000000:2:0:1",
        "123456789012345678901234567890123:2:0:1",
        "1:12345678901234567:0:1",
        "x:2:0:1",
        "1:2:z:1",
        "1:2:0:100",
        "1::0:1",
        ":::",
        "1:2:0:-1",
    ] {
        let cx = extract(&[(HEADER, bad)]);
        assert!(!cx.span().span_context().is_valid(), "{bad:?}");
        assert!(!cx.has_active_span(), "{bad:?}");
    }
}

#[test]
fn baggage_travels_in_uberctx_headers() {
    let cx = extract(&[
        (HEADER, "1:2:0:1"),
        ("uberctx-user", "alice"),
        ("UberCtx-Path", "a%20b%3Dc"),
        ("uberctx-", "ignored"),
        ("other", "x"),
    ]);
    let baggage = cx.baggage();
    assert_eq!(baggage.len(), 2);
    assert_eq!(baggage.get("user").unwrap().as_str(), "alice");
    assert_eq!(baggage.get("path").unwrap().as_str(), "a b=c");
    let out = inject(&cx);
    assert_eq!(out["uberctx-user"], "alice");
    assert_eq!(out["uberctx-path"], "a%20b%3Dc");
    // Baggage alone, without a span context, is extracted and injected too.
    let only = Context::new().with_baggage([KeyValue::new("k", "v")]);
    let out = inject(&only);
    assert_eq!(out.len(), 1);
    assert_eq!(
        extract(&[("uberctx-k", &out["uberctx-k"])])
            .baggage()
            .get("k")
            .unwrap()
            .as_str(),
        "v"
    );
}

#[test]
fn fields_and_composition_with_trace_context() {
    let p = JaegerPropagator::new();
    assert_eq!(p.fields().collect::<Vec<_>>(), [HEADER]);
    let composite = TextMapCompositePropagator::new(vec![
        Box::new(TraceContextPropagator::new()),
        Box::new(JaegerPropagator::new()),
    ]);
    let mut out = HashMap::new();
    composite.inject_context(&remote(5, 6, TraceFlags::SAMPLED), &mut out);
    assert!(out.contains_key("traceparent") && out.contains_key(HEADER));
    // Nothing is injected for an invalid context without baggage.
    assert!(inject(&Context::new()).is_empty());
}

proptest! {
    #[test]
    fn extraction_never_panics(header in ".{0,80}", key in "uberctx-.{0,10}", value in ".{0,20}") {
        let cx = extract(&[(HEADER, &header), (&key, &value)]);
        let _ = inject(&cx);
    }

    #[test]
    fn structured_headers_never_panic(
        parts in proptest::collection::vec("[0-9a-fA-F%:]{0,34}", 0..6),
    ) {
        let header = parts.join(":");
        let _ = extract(&[(HEADER, &header)]);
    }

    #[test]
    fn any_valid_context_round_trips(trace in 1u128.., span in 1u64.., sampled: bool) {
        let cx = remote(trace, span, TraceFlags::NOT_SAMPLED.with_sampled(sampled));
        let out = inject(&cx);
        prop_assert_eq!(span_context(&[(HEADER, &out[HEADER])]), cx.span().span_context().clone());
    }
}
