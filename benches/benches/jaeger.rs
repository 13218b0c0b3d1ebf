//! Jaeger benchmarks: the Jaeger propagator (ours against upstream's
//! `opentelemetry-jaeger-propagator` 0.32, which runs on upstream's API 0.32), and the Thrift
//! encoding of 512 spans (ours only: upstream's `opentelemetry-jaeger` 0.22 is built on
//! upstream's SDK 0.23 and the `thrift` crate, too old and heavy to build alongside).
//!
//! Groups:
//! - `jaeger_inject`: inject a sampled remote span context (`uber-trace-id` only) into a fresh
//!   `HashMap::with_capacity(2)`.
//! - `jaeger_extract`: extract from a carrier holding an `uber-trace-id` and one unrelated
//!   header. Before measuring, the setup checks that both sides write the same header and
//!   extract the same IDs.
//! - `jaeger_thrift_encode`: 512 spans with 8 attributes, one event and a parent, encoded as
//!   the compact `Batch` the agent exporter sends (`ours/compact_batch_512`).
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

type Carrier = HashMap<String, String>;

const HEADER: &str = "uber-trace-id";
const VALUE: &str = "4bf92f3577b34da6a3ce929d0e0e4736:00f067aa0ba902b7:0:1";

fn carrier() -> Carrier {
    HashMap::from([
        (HEADER.to_string(), VALUE.to_string()),
        ("accept".to_string(), "*/*".to_string()),
    ])
}

fn propagation(c: &mut Criterion) {
    use opentelemetry_api::propagation::TextMapPropagator as _;
    use opentelemetry_api::trace::TraceContextExt as _;
    use upstream_api_032::propagation::TextMapPropagator as _;
    use upstream_api_032::trace::TraceContextExt as _;

    let ours = opentelemetry_jaeger::JaegerPropagator::new();
    // Upstream deprecates the Jaeger format (as the spec does), but it is what is compared.
    #[allow(deprecated)]
    let up = upstream_jaeger_propagator::Propagator::new();
    let input = carrier();
    let ours_cx = ours.extract(&input);
    let up_cx = up.extract(&input);
    // Same work on both sides.
    assert_eq!(
        ours_cx.span().span_context().trace_id().to_string(),
        up_cx.span().span_context().trace_id().to_string()
    );
    let mut a = Carrier::new();
    ours.inject_context(&ours_cx, &mut a);
    let mut b = Carrier::new();
    up.inject_context(&up_cx, &mut b);
    assert_eq!(a, b);

    let mut g = c.benchmark_group("jaeger_inject");
    g.bench_function("ours/trace_id", |bench| {
        bench.iter(|| {
            let mut out = Carrier::with_capacity(2);
            ours.inject_context(black_box(&ours_cx), &mut out);
            out
        })
    });
    g.bench_function("upstream/trace_id", |bench| {
        bench.iter(|| {
            let mut out = Carrier::with_capacity(2);
            up.inject_context(black_box(&up_cx), &mut out);
            out
        })
    });
    g.finish();

    let mut g = c.benchmark_group("jaeger_extract");
    g.bench_function("ours/trace_id", |bench| {
        bench.iter(|| ours.extract(black_box(&input)))
    });
    g.bench_function("upstream/trace_id", |bench| {
        bench.iter(|| up.extract(black_box(&input)))
    });
    g.finish();
}

fn spans() -> Vec<opentelemetry_sdk::trace::SpanData> {
    use opentelemetry_api::trace::{
        SpanContext, SpanId, SpanKind, Status, TraceFlags, TraceId, TraceState,
    };
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use opentelemetry_sdk::trace::{Event, SpanData, SpanEvents, SpanLinks};
    let scope: &'static InstrumentationScope = Box::leak(Box::new(
        InstrumentationScope::builder("bench")
            .with_version("1.0")
            .build(),
    ));
    (0..512u64)
        .map(|i| SpanData {
            span_context: SpanContext::new(
                TraceId::from(0x4bf92f3577b34da6a3ce929d0e0e4736u128 + u128::from(i)),
                SpanId::from(i + 1),
                TraceFlags::SAMPLED,
                false,
                TraceState::NONE,
            ),
            parent_span_id: SpanId::from(0x1000 + i),
            parent_span_is_remote: false,
            span_kind: SpanKind::Server,
            name: Cow::Borrowed("GET /api/items"),
            start_time: UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_000 + i),
            end_time: UNIX_EPOCH + Duration::from_micros(1_700_000_000_001_000 + i),
            attributes: vec![
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("http.route", "/api/items"),
                KeyValue::new("http.response.status_code", 200),
                KeyValue::new("url.scheme", "https"),
                KeyValue::new("server.address", "shop.example.com"),
                KeyValue::new("server.port", 443),
                KeyValue::new("user_agent.original", "bench/1.0"),
                KeyValue::new("network.protocol.version", "1.1"),
            ],
            dropped_attributes_count: 0,
            events: SpanEvents {
                events: vec![Event {
                    name: Cow::Borrowed("cache.miss"),
                    timestamp: UNIX_EPOCH + Duration::from_micros(1_700_000_000_000_500),
                    attributes: vec![KeyValue::new("cache.key", "items")],
                    dropped_attributes_count: 0,
                }],
                dropped_count: 0,
            },
            links: SpanLinks::default(),
            status: Status::Unset,
            instrumentation_scope: scope,
        })
        .collect()
}

fn encoding(c: &mut Criterion) {
    let spans = spans();
    let resource = opentelemetry_sdk::Resource::builder_empty()
        .with_service_name("bench")
        .build();
    let mut g = c.benchmark_group("jaeger_thrift_encode");
    // The exporter reuses its buffers between exports; so does the benchmark.
    let mut out = Vec::new();
    g.bench_function("ours/compact_batch_512", |bench| {
        bench.iter(|| {
            opentelemetry_jaeger::__encode_compact_batch(&resource, black_box(&spans), &mut out);
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, propagation, encoding);
criterion_main!(benches);
