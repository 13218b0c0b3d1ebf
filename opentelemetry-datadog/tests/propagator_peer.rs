//! The propagator against `ddtrace`'s `HTTPPropagator` (datadog style), both ways: what we
//! inject, ddtrace extracts to the same trace, and what ddtrace injects, we extract to it.

mod common;

use common::Peer;
use opentelemetry_api::propagation::TextMapPropagator;
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::Context;
use opentelemetry_datadog::{sampling_priority, with_sampling_priority, DatadogPropagator};
use serde_json::{json, Value as Json};
use std::collections::HashMap;

/// Trace ID, span ID, priority, sampled flag, origin.
type OurCase = (u128, u64, Option<i32>, bool, Option<&'static str>);
/// Trace ID, span ID, priority, origin, `_dd.p.*` tags.
type TheirCase = (u128, u64, Option<i32>, Option<&'static str>, Json);

fn ddtrace() -> Peer {
    Peer::start(&["propagate"], &[("DD_TRACE_PROPAGATION_STYLE", "datadog")])
}

/// The `dd` trace state entry's fields (`s:`, `o:`, `t.*`).
fn dd_entry(ts: &TraceState) -> HashMap<String, String> {
    ts.get("dd")
        .unwrap_or("")
        .split(';')
        .filter_map(|p| p.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.replace('~', "=")))
        .collect()
}

#[test]
fn ddtrace_extracts_what_we_inject() {
    let mut peer = ddtrace();
    let p = DatadogPropagator::new();
    let cases: [OurCase; 6] = [
        (42, 7, None, true, None),
        (u64::MAX as u128, u64::MAX, None, false, None),
        (
            0x640cfd8d00000000_0000000000000abc,
            99,
            Some(2),
            true,
            Some("rum"),
        ),
        (u128::MAX, 1, Some(-1), false, Some("synthetics")),
        (0x1_0000000000000001, 5, Some(0), false, None),
        (12345, 6789, Some(1), true, Some("synthetics-browser")),
    ];
    for (trace_id, span_id, priority, sampled, origin) in cases {
        let mut ts = TraceState::NONE;
        if let Some(pr) = priority {
            ts = with_sampling_priority(&ts, pr);
        }
        if let Some(o) = origin {
            let value = match ts.get("dd") {
                Some(v) => format!("{v};o:{o}"),
                None => format!("o:{o}"),
            };
            ts = ts.insert("dd", value).unwrap();
        }
        let sc = SpanContext::new(
            TraceId::from(trace_id),
            SpanId::from(span_id),
            TraceFlags::default().with_sampled(sampled),
            false,
            ts,
        );
        let mut headers = HashMap::new();
        p.inject_context(&Context::new().with_remote_span_context(sc), &mut headers);
        let got = peer.ask(&json!({"op": "extract", "headers": headers}));
        let expected_priority = priority.unwrap_or(sampled as i32);
        assert_eq!(got["trace_id"], trace_id.to_string(), "{headers:?}");
        assert_eq!(got["span_id"], span_id, "{headers:?}");
        assert_eq!(got["sampling_priority"], expected_priority, "{headers:?}");
        assert_eq!(got["origin"], json!(origin), "{headers:?}");
        let high = (trace_id >> 64) as u64;
        if high != 0 {
            assert_eq!(got["tags"]["_dd.p.tid"], format!("{high:016x}"));
        } else {
            assert_eq!(got["tags"].get("_dd.p.tid"), None);
        }
    }
}

#[test]
fn we_extract_what_ddtrace_injects() {
    let mut peer = ddtrace();
    let p = DatadogPropagator::new();
    let cases: [TheirCase; 5] = [
        (42, 7, Some(1), None, json!({})),
        (
            0x640cfd8d00000000_0000000000000abc,
            99,
            Some(2),
            Some("rum"),
            json!({"_dd.p.dm": "-4"}),
        ),
        (u128::MAX, u64::MAX, Some(-1), Some("synthetics"), json!({})),
        (
            0x1_0000000000000001,
            5,
            Some(0),
            None,
            json!({"_dd.p.dm": "-3"}),
        ),
        (777, 888, None, None, json!({})),
    ];
    for (trace_id, span_id, priority, origin, tags) in cases {
        let got = peer.ask(&json!({
            "op": "inject", "trace_id": trace_id.to_string(), "span_id": span_id,
            "sampling_priority": priority, "origin": origin, "tags": tags,
        }));
        let headers: HashMap<String, String> = got["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect();
        let cx = p.extract(&headers);
        let sc = cx.span().span_context().clone();
        assert!(sc.is_valid() && sc.is_remote(), "{headers:?}");
        assert_eq!(u128::from(sc.trace_id()), trace_id, "{headers:?}");
        assert_eq!(u64::from(sc.span_id()), span_id, "{headers:?}");
        // 1 and 0 are carried by the sampled flag alone.
        let effective = sampling_priority(sc.trace_state()).unwrap_or(sc.is_sampled() as i32);
        assert_eq!(effective, priority.unwrap_or(1), "{headers:?}");
        assert_eq!(sc.is_sampled(), priority.is_none_or(|p| p > 0));
        let dd = dd_entry(sc.trace_state());
        assert_eq!(dd.get("o").map(String::as_str), origin, "{headers:?}");
        for (k, v) in tags.as_object().unwrap() {
            let name = k.strip_prefix("_dd.p.").unwrap();
            assert_eq!(
                dd.get(&format!("t.{name}")),
                Some(&v.as_str().unwrap().to_string())
            );
        }
        // And what we inject back is what ddtrace extracts to the same context.
        let mut again = HashMap::new();
        p.inject_context(&cx, &mut again);
        let back = peer.ask(&json!({"op": "extract", "headers": again}));
        assert_eq!(back["trace_id"], trace_id.to_string());
        assert_eq!(back["span_id"], span_id);
        assert_eq!(back["origin"], json!(origin));
        for (k, v) in tags.as_object().unwrap() {
            assert_eq!(&back["tags"][k], v);
        }
    }
}
