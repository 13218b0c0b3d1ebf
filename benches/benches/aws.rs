//! AWS benchmarks: the X-Ray propagator (inject, extract) and the X-Ray ID generator.
//!
//! Feature set: `opentelemetry-aws` (ours) with `trace`; upstream `opentelemetry-aws` 0.21
//! (`default-features = false, features = ["trace"]`), which builds on upstream
//! `opentelemetry` / `opentelemetry_sdk` 0.33, the same renamed crates as the other benches.
//!
//! Compared, in each group, side by side in one process:
//! - `xray_inject`: inject a sampled remote span context into a fresh
//!   `HashMap::with_capacity(1)` (`ours/sampled`, `upstream/sampled`).
//! - `xray_extract`: extract from a carrier holding AWS's documented example header
//!   (`Root=...;Parent=...;Sampled=1`), `ours/documented` and `upstream/documented`; and one
//!   with the fields reordered plus an unknown `Self=` field (`.../reordered_with_self`).
//!   Upstream copies unknown fields into the trace state; ours ignores them, as AWS documents.
//! - `xray_trace_id` / `xray_span_id`: one ID from `ours` (`XrayIdGenerator`), `upstream`
//!   (upstream's `XrayIdGenerator`) and `sdk_random` (our SDK's default `RandomIdGenerator`,
//!   which does not write the time and is the floor ours aims for).
//!
//! Before measuring, the setup checks that both sides write the same header and extract the
//! same span context. Read ratios, not absolute times: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::collections::HashMap;
use std::hint::black_box;

mod ours {
    pub use opentelemetry_api::propagation::TextMapPropagator;
    pub use opentelemetry_api::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    pub use opentelemetry_api::Context;
    pub use opentelemetry_aws::{XrayIdGenerator, XrayPropagator};
    pub use opentelemetry_sdk::trace::{IdGenerator, RandomIdGenerator};
}

mod up {
    pub use upstream::propagation::TextMapPropagator;
    pub use upstream::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    pub use upstream::Context;
    pub use upstream_aws::trace::{XrayIdGenerator, XrayPropagator};
    pub use upstream_sdk::trace::IdGenerator;
}

type Carrier = HashMap<String, String>;

const HEADER_NAME: &str = "X-Amzn-Trace-Id";
const DOCUMENTED: &str =
    "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
const REORDERED: &str = "Sampled=1;Self=1-5759e988-bd862e3fe1be46a994272793;\
                         Parent=53995c3f42cd8ad8;Root=1-5759e988-bd862e3fe1be46a994272793";
const TRACE: u128 = 0x5759e988bd862e3fe1be46a994272793;
const SPAN: u64 = 0x53995c3f42cd8ad8;

/// A carrier as an HTTP server hands it over: header names in lower case (upstream's
/// `HashMap` extractor only looks lower-case names up; ours matches any case).
fn carrier(value: &str) -> Carrier {
    HashMap::from([(HEADER_NAME.to_ascii_lowercase(), value.to_string())])
}

fn ours_cx() -> ours::Context {
    use ours::*;
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(TRACE),
        SpanId::from(SPAN),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    ))
}

fn up_cx() -> up::Context {
    use up::*;
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(TRACE),
        SpanId::from(SPAN),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ))
}

fn check_same_work() {
    use ours::{TextMapPropagator as _, TraceContextExt as _};
    use up::{TextMapPropagator as _, TraceContextExt as _};
    let mut a = Carrier::new();
    ours::XrayPropagator::new().inject_context(&ours_cx(), &mut a);
    let mut b = Carrier::new();
    up::XrayPropagator::new().inject_context(&up_cx(), &mut b);
    // Upstream writes the header name in lower case; the values are the same.
    assert_eq!(a.get(HEADER_NAME).map(String::as_str), Some(DOCUMENTED));
    assert_eq!(
        b.get("x-amzn-trace-id").map(String::as_str),
        Some(DOCUMENTED)
    );
    for header in [DOCUMENTED, REORDERED] {
        let c = carrier(header);
        let ocx = ours::XrayPropagator::new().extract_with_context(&ours::Context::new(), &c);
        let ucx = up::XrayPropagator::new().extract_with_context(&up::Context::new(), &c);
        let (o, u) = (
            ocx.span().span_context().clone(),
            ucx.span().span_context().clone(),
        );
        assert_eq!(u128::from_be_bytes(o.trace_id().to_bytes()), TRACE);
        assert_eq!(u128::from_be_bytes(u.trace_id().to_bytes()), TRACE);
        assert_eq!(u64::from_be_bytes(o.span_id().to_bytes()), SPAN);
        assert_eq!(u64::from_be_bytes(u.span_id().to_bytes()), SPAN);
        assert!(o.is_sampled() && u.is_sampled() && o.is_remote() && u.is_remote());
    }
}

fn propagation(c: &mut Criterion) {
    check_same_work();
    {
        use ours::TextMapPropagator as _;
        use up::TextMapPropagator as _;
        let mut g = c.benchmark_group("xray_inject");
        let (ocx, p) = (ours_cx(), ours::XrayPropagator::new());
        g.bench_function("ours/sampled", |b| {
            b.iter(|| {
                let mut m = Carrier::with_capacity(1);
                p.inject_context(black_box(&ocx), &mut m);
                m
            })
        });
        let (ucx, up_p) = (up_cx(), up::XrayPropagator::new());
        g.bench_function("upstream/sampled", |b| {
            b.iter(|| {
                let mut m = Carrier::with_capacity(1);
                up_p.inject_context(black_box(&ucx), &mut m);
                m
            })
        });
        g.finish();
    }
    {
        use ours::TextMapPropagator as _;
        use up::TextMapPropagator as _;
        let mut g = c.benchmark_group("xray_extract");
        for (variant, header) in [
            ("documented", DOCUMENTED),
            ("reordered_with_self", REORDERED),
        ] {
            let m = carrier(header);
            let p = ours::XrayPropagator::new();
            let base = ours::Context::new();
            g.bench_function(format!("ours/{variant}"), |b| {
                b.iter(|| p.extract_with_context(&base, black_box(&m)))
            });
            let up_p = up::XrayPropagator::new();
            let up_base = up::Context::new();
            g.bench_function(format!("upstream/{variant}"), |b| {
                b.iter(|| up_p.extract_with_context(&up_base, black_box(&m)))
            });
        }
        g.finish();
    }
}

fn id_generation(c: &mut Criterion) {
    use ours::IdGenerator as _;
    use up::IdGenerator as _;
    let ours_gen = ours::XrayIdGenerator::default();
    let up_gen = up::XrayIdGenerator::default();
    let sdk_gen = ours::RandomIdGenerator::default();
    // Same layout: the first 32 bits are the epoch seconds on both.
    let o = u128::from_be_bytes(ours_gen.new_trace_id().to_bytes()) >> 96;
    let u = u128::from_be_bytes(up_gen.new_trace_id().to_bytes()) >> 96;
    assert!(o.abs_diff(u) <= 1, "{o} vs {u}");

    let mut g = c.benchmark_group("xray_trace_id");
    g.bench_function("ours", |b| b.iter(|| black_box(&ours_gen).new_trace_id()));
    g.bench_function("upstream", |b| b.iter(|| black_box(&up_gen).new_trace_id()));
    g.bench_function("sdk_random", |b| {
        b.iter(|| black_box(&sdk_gen).new_trace_id())
    });
    g.finish();

    let mut g = c.benchmark_group("xray_span_id");
    g.bench_function("ours", |b| b.iter(|| black_box(&ours_gen).new_span_id()));
    g.bench_function("upstream", |b| b.iter(|| black_box(&up_gen).new_span_id()));
    g.bench_function("sdk_random", |b| {
        b.iter(|| black_box(&sdk_gen).new_span_id())
    });
    g.finish();
}

criterion_group!(benches, propagation, id_generation);
criterion_main!(benches);
