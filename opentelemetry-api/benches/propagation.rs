//! Inject and extract with the W3C propagators (run briefly: `cargo bench -p opentelemetry_api
//! --bench propagation -- --warm-up-time 1 --measurement-time 2`).

use criterion::{black_box, criterion_main, Criterion};
use opentelemetry_api::baggage::BaggageExt;
use opentelemetry_api::propagation::{
    BaggagePropagator, TextMapPropagator, TraceContextPropagator,
};
use opentelemetry_api::trace::TraceContextExt;
use opentelemetry_api::{Context, KeyValue};
use std::collections::HashMap;

const TP: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

fn trace_context(c: &mut Criterion) {
    let p = TraceContextPropagator::new();
    let only_tp = HashMap::from([("traceparent".to_string(), TP.to_string())]);
    let with_ts = HashMap::from([
        ("traceparent".to_string(), TP.to_string()),
        (
            "tracestate".to_string(),
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE".to_string(),
        ),
    ]);
    c.bench_function("trace_context/extract", |b| {
        b.iter(|| p.extract_with_context(black_box(&Context::new()), black_box(&only_tp)))
    });
    c.bench_function("trace_context/extract_with_tracestate", |b| {
        b.iter(|| p.extract_with_context(black_box(&Context::new()), black_box(&with_ts)))
    });
    let cx = p.extract_with_context(&Context::new(), &only_tp);
    assert!(cx.span().span_context().is_valid());
    c.bench_function("trace_context/inject", |b| {
        b.iter(|| {
            let mut out: HashMap<String, String> = HashMap::with_capacity(2);
            p.inject_context(black_box(&cx), &mut out);
            out
        })
    });
}

fn baggage(c: &mut Criterion) {
    let p = BaggagePropagator::new();
    let headers = HashMap::from([(
        "baggage".to_string(),
        "userId=alice,serverNode=DF%2028,isProduction=false;p=1".to_string(),
    )]);
    c.bench_function("baggage/extract", |b| {
        b.iter(|| p.extract_with_context(black_box(&Context::new()), black_box(&headers)))
    });
    let cx = Context::new().with_baggage([
        KeyValue::new("userId", "alice"),
        KeyValue::new("serverNode", "DF 28"),
        KeyValue::new("isProduction", false),
    ]);
    c.bench_function("baggage/inject", |b| {
        b.iter(|| {
            let mut out: HashMap<String, String> = HashMap::with_capacity(1);
            p.inject_context(black_box(&cx), &mut out);
            out
        })
    });
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::trace_context, super::baggage);
}
criterion_main!(group::benches);
