//! `opentelemetry-contrib` benchmarks: the binary span-context format (29 bytes), encode and
//! decode, ours against upstream `opentelemetry-contrib` 0.25 (on opentelemetry 0.33, feature
//! `binary_propagator`; its methods are `serialize_into_bytes`/`deserialize_from_bytes`).
//! Also the OT trace propagator's inject and extract (`ot_trace_*` groups, ours only: no
//! upstream Rust crate has an OT propagator), next to upstream's W3C trace-context propagator
//! doing the same job, as a reference for the cost of a text-map propagator.
//!
//! Groups: `binary_to_bytes`, `binary_from_bytes` (`ours`, `upstream`); `ot_trace_inject`,
//! `ot_trace_extract` (`ours`, `upstream_w3c`). Ratios only: `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;

const TRACE: [u8; 16] = [
    0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36,
];
const SPAN: [u8; 8] = [0x00, 0xf0, 0x67, 0xaa, 0x0b, 0xa9, 0x02, 0xb7];

fn binary(c: &mut Criterion) {
    use opentelemetry_contrib::propagator::{BinaryFormat as _, BinaryPropagator};
    use upstream_contrib::trace::propagator::binary::{
        BinaryFormat as _, BinaryPropagator as UpBinary,
    };
    let ours_sc = opentelemetry_api::trace::SpanContext::new(
        opentelemetry_api::trace::TraceId::from_bytes(TRACE),
        opentelemetry_api::trace::SpanId::from_bytes(SPAN),
        opentelemetry_api::trace::TraceFlags::SAMPLED,
        true,
        opentelemetry_api::trace::TraceState::NONE,
    );
    let up_sc = upstream::trace::SpanContext::new(
        upstream::trace::TraceId::from_bytes(TRACE),
        upstream::trace::SpanId::from_bytes(SPAN),
        upstream::trace::TraceFlags::SAMPLED,
        true,
        upstream::trace::TraceState::default(),
    );
    let ours = BinaryPropagator::new();
    let up = UpBinary::new();
    let bytes = ours.to_bytes(&ours_sc);
    // Same encoding on both sides, and both decode it.
    assert_eq!(bytes, up.serialize_into_bytes(&up_sc));
    assert!(ours.from_bytes(&bytes).is_valid());
    assert!(up.deserialize_from_bytes(&bytes).is_valid());

    let mut g = c.benchmark_group("binary_to_bytes");
    g.bench_function("ours", |b| b.iter(|| ours.to_bytes(black_box(&ours_sc))));
    g.bench_function("upstream", |b| {
        b.iter(|| up.serialize_into_bytes(black_box(&up_sc)))
    });
    g.finish();
    let mut g = c.benchmark_group("binary_from_bytes");
    g.bench_function("ours", |b| b.iter(|| ours.from_bytes(black_box(&bytes))));
    g.bench_function("upstream", |b| {
        b.iter(|| up.deserialize_from_bytes(black_box(&bytes)))
    });
    g.finish();
}

fn ot_trace(c: &mut Criterion) {
    use opentelemetry_api::propagation::TextMapPropagator as _;
    use opentelemetry_api::trace::TraceContextExt as _;
    use opentelemetry_contrib::propagator::OtTracePropagator;
    use upstream::propagation::TextMapPropagator as _;
    use upstream::trace::TraceContextExt as _;
    use upstream_sdk::propagation::TraceContextPropagator;

    let ours_cx = opentelemetry_api::Context::new().with_remote_span_context(
        opentelemetry_api::trace::SpanContext::new(
            opentelemetry_api::trace::TraceId::from_bytes(TRACE),
            opentelemetry_api::trace::SpanId::from_bytes(SPAN),
            opentelemetry_api::trace::TraceFlags::SAMPLED,
            true,
            opentelemetry_api::trace::TraceState::NONE,
        ),
    );
    let up_cx =
        upstream::Context::new().with_remote_span_context(upstream::trace::SpanContext::new(
            upstream::trace::TraceId::from_bytes(TRACE),
            upstream::trace::SpanId::from_bytes(SPAN),
            upstream::trace::TraceFlags::SAMPLED,
            true,
            upstream::trace::TraceState::default(),
        ));
    let ot = OtTracePropagator::new();
    let w3c = TraceContextPropagator::new();
    let mut ot_headers: HashMap<String, String> = HashMap::new();
    ot.inject_context(&ours_cx, &mut ot_headers);
    let mut w3c_headers: HashMap<String, String> = HashMap::new();
    w3c.inject_context(&up_cx, &mut w3c_headers);
    assert!(ot
        .extract_with_context(&opentelemetry_api::Context::new(), &ot_headers)
        .has_active_span());

    let mut g = c.benchmark_group("ot_trace_inject");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let mut h: HashMap<String, String> = HashMap::with_capacity(3);
            ot.inject_context(black_box(&ours_cx), &mut h);
            h
        })
    });
    g.bench_function("upstream_w3c", |b| {
        b.iter(|| {
            let mut h: HashMap<String, String> = HashMap::with_capacity(3);
            w3c.inject_context(black_box(&up_cx), &mut h);
            h
        })
    });
    g.finish();
    let mut g = c.benchmark_group("ot_trace_extract");
    g.bench_function("ours", |b| {
        b.iter(|| {
            ot.extract_with_context(&opentelemetry_api::Context::new(), black_box(&ot_headers))
        })
    });
    g.bench_function("upstream_w3c", |b| {
        b.iter(|| w3c.extract_with_context(&upstream::Context::new(), black_box(&w3c_headers)))
    });
    g.finish();
}

criterion_group!(benches, binary, ot_trace);
criterion_main!(benches);
