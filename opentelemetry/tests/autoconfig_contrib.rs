//! `OTEL_PROPAGATORS=ottrace` with the `contrib` feature. Each test runs in its own process
//! (nextest).
#![cfg(feature = "contrib")]

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::global;
use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
use opentelemetry::Context;
use std::collections::HashMap;

#[test]
fn ottrace_installs_the_ot_trace_propagator() {
    std::env::set_var("OTEL_PROPAGATORS", "tracecontext,ottrace");
    std::env::set_var("OTEL_TRACES_EXPORTER", "none");
    let _telemetry = AutoConfig::from_env().install();
    let fields: Vec<String> =
        global::get_text_map_propagator(|p| p.fields().map(str::to_owned).collect());
    assert_eq!(
        fields,
        [
            "traceparent",
            "tracestate",
            "ot-tracer-traceid",
            "ot-tracer-spanid",
            "ot-tracer-sampled"
        ]
    );
    let cx = Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from_bytes([7; 16]),
        SpanId::from_bytes([9; 8]),
        TraceFlags::SAMPLED,
        false,
        TraceState::NONE,
    ));
    let mut headers: HashMap<String, String> = HashMap::new();
    global::get_text_map_propagator(|p| p.inject_context(&cx, &mut headers));
    assert_eq!(headers["ot-tracer-traceid"], "0707070707070707");
    assert_eq!(headers["ot-tracer-sampled"], "true");
}
