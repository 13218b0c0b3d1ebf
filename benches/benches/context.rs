//! Context benchmarks: reading the current context and attaching/detaching one.
//!
//! Feature set: `opentelemetry_api` with its default features; upstream `opentelemetry` 0.33
//! with `default-features = false, features = ["trace"]`.
//!
//! Compared, in each group, side by side in one process: `ours/...` (our `Context`) and
//! `upstream/...` (upstream's `Context`). fastrace has no equivalent of a typed context, so it
//! is not in these groups.
//!
//! Groups:
//! - `context_current_empty`: `Context::current()` with nothing attached.
//! - `context_current_with_value`: `Context::current()` while a context holding one value is
//!   attached.
//! - `context_current_with_span`: `Context::current()` while a context holding a (remote)
//!   active span is attached.
//! - `context_attach_detach`: `cx.clone().attach()` then drop the guard, for a precreated
//!   `Context::new().with_value(..)`.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

/// A value to store in a context (one `u64`, like a request id).
#[derive(Debug, Clone, Copy, PartialEq)]
struct RequestId(u64);

mod ours {
    pub use opentelemetry_api::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    pub use opentelemetry_api::Context;
}

mod up {
    pub use upstream::trace::{
        SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
    };
    pub use upstream::Context;
}

macro_rules! remote_span_cx {
    ($api:ident) => {{
        use $api::*;
        Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128),
            SpanId::from(0x00f0_67aa_0ba9_02b7_u64),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        ))
    }};
}

fn context_current(c: &mut Criterion) {
    let mut g = c.benchmark_group("context_current_empty");
    g.bench_function("ours", |b| b.iter(|| black_box(ours::Context::current())));
    g.bench_function("upstream", |b| b.iter(|| black_box(up::Context::current())));
    g.finish();

    let mut g = c.benchmark_group("context_current_with_value");
    {
        let _guard = ours::Context::new().with_value(RequestId(7)).attach();
        g.bench_function("ours", |b| b.iter(|| black_box(ours::Context::current())));
    }
    {
        let _guard = up::Context::new().with_value(RequestId(7)).attach();
        g.bench_function("upstream", |b| b.iter(|| black_box(up::Context::current())));
    }
    g.finish();

    let mut g = c.benchmark_group("context_current_with_span");
    {
        let _guard = remote_span_cx!(ours).attach();
        g.bench_function("ours", |b| b.iter(|| black_box(ours::Context::current())));
    }
    {
        let _guard = remote_span_cx!(up).attach();
        g.bench_function("upstream", |b| b.iter(|| black_box(up::Context::current())));
    }
    g.finish();
}

fn context_attach_detach(c: &mut Criterion) {
    let ours_cx = ours::Context::new().with_value(RequestId(7));
    let up_cx = up::Context::new().with_value(RequestId(7));

    let mut g = c.benchmark_group("context_attach_detach");
    g.bench_function("ours", |b| {
        b.iter(|| drop(black_box(black_box(&ours_cx).clone().attach())))
    });
    g.bench_function("upstream", |b| {
        b.iter(|| drop(black_box(black_box(&up_cx).clone().attach())))
    });
    g.finish();
}

criterion_group!(benches, context_current, context_attach_detach);
criterion_main!(benches);
