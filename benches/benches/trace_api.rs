//! Trace API benchmarks: the cost of the span API when no SDK is installed.
//!
//! Feature set: `opentelemetry_api` with its default features; upstream `opentelemetry` 0.33
//! with `default-features = false, features = ["trace"]`; `fastrace` 0.7 with `enable` (so that
//! its "no parent span" path is a real run-time check, not compiled away; without `enable`
//! every fastrace call compiles to nothing).
//!
//! Compared, in each group, side by side in one process:
//! - `ours/tracer_in_hand`: our `trace::noop::NoopTracer`.
//! - `ours/global_tracer`: our `global::tracer(..)` with no provider installed (taken once,
//!   outside the measured loop).
//! - `upstream/tracer_in_hand`: upstream's `trace::noop::NoopTracer`.
//! - `upstream/global_tracer`: upstream's `global::tracer(..)` with no provider installed.
//! - `fastrace/noop`: `fastrace::Span::noop()` (a span known to be disabled).
//! - `fastrace/no_local_parent`: `fastrace::LocalSpan::enter_with_local_parent` with no parent
//!   set on the thread (fastrace's run-time "not tracing" path).
//!
//! Groups:
//! - `noop_span_start_end`: start a span by name, end it.
//! - `noop_span_4_attrs_set_attribute`: start, `set_attribute` four times, end.
//! - `noop_span_4_attrs_builder`: four attributes through the span builder, start, end (the
//!   builder collects the attributes into a `Vec`, which allocates on both sides).
//! - `noop_span_start_end_with_parent`: start + end while a context with a (remote) parent span
//!   is attached, so the no-op span must copy its parent's span context.
//! - `get_active_span`: `get_active_span(|s| s.set_attribute(..))` with nothing attached.
//! - `get_active_span_with_parent`: the same while a context with a (remote, non-recording)
//!   active span is attached.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;

mod ours {
    pub use opentelemetry_api::trace::noop::NoopTracer;
    pub use opentelemetry_api::trace::{
        get_active_span, Span, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId,
        TraceState, Tracer,
    };
    pub use opentelemetry_api::{global, Context, KeyValue};
}

mod up {
    pub use upstream::trace::noop::NoopTracer;
    pub use upstream::trace::{
        get_active_span, Span, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId,
        TraceState, Tracer,
    };
    pub use upstream::{global, Context, KeyValue};
}

/// Starts and ends a span named "span" on any tracer of one of the two APIs.
macro_rules! start_end {
    ($api:ident, $tracer:expr) => {{
        use $api::{Span as _, Tracer as _};
        let mut span = $tracer.start("span");
        span.end();
        black_box(&span);
    }};
}

macro_rules! start_4_attrs_end {
    ($api:ident, $tracer:expr) => {{
        use $api::{KeyValue, Span as _, Tracer as _};
        let mut span = $tracer.start("span");
        span.set_attribute(KeyValue::new("http.request.method", "GET"));
        span.set_attribute(KeyValue::new("http.response.status_code", 200_i64));
        span.set_attribute(KeyValue::new("server.address", "example.com"));
        span.set_attribute(KeyValue::new("error", false));
        span.end();
        black_box(&span);
    }};
}

macro_rules! builder_4_attrs_end {
    ($api:ident, $tracer:expr) => {{
        use $api::{KeyValue, Span as _, Tracer as _};
        let tracer = $tracer;
        let mut span = tracer
            .span_builder("span")
            .with_attributes([
                KeyValue::new("http.request.method", "GET"),
                KeyValue::new("http.response.status_code", 200_i64),
                KeyValue::new("server.address", "example.com"),
                KeyValue::new("error", false),
            ])
            .start(tracer);
        span.end();
        black_box(&span);
    }};
}

/// A context whose active span is a remote, non-recording parent.
macro_rules! remote_parent {
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

fn noop_span_start_end(c: &mut Criterion) {
    let ours_noop = ours::NoopTracer::new();
    let ours_global = ours::global::tracer("bench");
    let up_noop = up::NoopTracer::new();
    let up_global = up::global::tracer("bench");

    let mut g = c.benchmark_group("noop_span_start_end");
    g.bench_function("ours/tracer_in_hand", |b| {
        b.iter(|| start_end!(ours, black_box(&ours_noop)))
    });
    g.bench_function("ours/global_tracer", |b| {
        b.iter(|| start_end!(ours, black_box(&ours_global)))
    });
    g.bench_function("upstream/tracer_in_hand", |b| {
        b.iter(|| start_end!(up, black_box(&up_noop)))
    });
    g.bench_function("upstream/global_tracer", |b| {
        b.iter(|| start_end!(up, black_box(&up_global)))
    });
    g.bench_function("fastrace/noop", |b| {
        b.iter(|| drop(black_box(fastrace::Span::noop())))
    });
    g.bench_function("fastrace/no_local_parent", |b| {
        b.iter(|| {
            drop(black_box(
                fastrace::local::LocalSpan::enter_with_local_parent("span"),
            ))
        })
    });
    g.finish();
}

fn noop_span_4_attrs_set_attribute(c: &mut Criterion) {
    let ours_noop = ours::NoopTracer::new();
    let ours_global = ours::global::tracer("bench");
    let up_noop = up::NoopTracer::new();
    let up_global = up::global::tracer("bench");

    let mut g = c.benchmark_group("noop_span_4_attrs_set_attribute");
    g.bench_function("ours/tracer_in_hand", |b| {
        b.iter(|| start_4_attrs_end!(ours, black_box(&ours_noop)))
    });
    g.bench_function("ours/global_tracer", |b| {
        b.iter(|| start_4_attrs_end!(ours, black_box(&ours_global)))
    });
    g.bench_function("upstream/tracer_in_hand", |b| {
        b.iter(|| start_4_attrs_end!(up, black_box(&up_noop)))
    });
    g.bench_function("upstream/global_tracer", |b| {
        b.iter(|| start_4_attrs_end!(up, black_box(&up_global)))
    });
    g.bench_function("fastrace/noop", |b| {
        b.iter(|| {
            let span = fastrace::Span::noop();
            span.add_property(|| ("http.request.method", "GET"));
            span.add_property(|| ("http.response.status_code", "200"));
            span.add_property(|| ("server.address", "example.com"));
            span.add_property(|| ("error", "false"));
            drop(black_box(span));
        })
    });
    g.finish();
}

fn noop_span_4_attrs_builder(c: &mut Criterion) {
    let ours_noop = ours::NoopTracer::new();
    let ours_global = ours::global::tracer("bench");
    let up_noop = up::NoopTracer::new();
    let up_global = up::global::tracer("bench");

    let mut g = c.benchmark_group("noop_span_4_attrs_builder");
    g.bench_function("ours/tracer_in_hand", |b| {
        b.iter(|| builder_4_attrs_end!(ours, black_box(&ours_noop)))
    });
    g.bench_function("ours/global_tracer", |b| {
        b.iter(|| builder_4_attrs_end!(ours, black_box(&ours_global)))
    });
    g.bench_function("upstream/tracer_in_hand", |b| {
        b.iter(|| builder_4_attrs_end!(up, black_box(&up_noop)))
    });
    g.bench_function("upstream/global_tracer", |b| {
        b.iter(|| builder_4_attrs_end!(up, black_box(&up_global)))
    });
    g.bench_function("fastrace/noop", |b| {
        b.iter(|| {
            let span = fastrace::Span::noop().with_properties(|| {
                [
                    ("http.request.method", "GET"),
                    ("http.response.status_code", "200"),
                    ("server.address", "example.com"),
                    ("error", "false"),
                ]
            });
            drop(black_box(span));
        })
    });
    g.finish();
}

fn noop_span_start_end_with_parent(c: &mut Criterion) {
    let ours_noop = ours::NoopTracer::new();
    let ours_global = ours::global::tracer("bench");
    let up_noop = up::NoopTracer::new();
    let up_global = up::global::tracer("bench");

    let ours_parent = remote_parent!(ours);
    let up_parent = remote_parent!(up);

    let mut g = c.benchmark_group("noop_span_start_end_with_parent");
    {
        let _guard = ours_parent.attach();
        g.bench_function("ours/tracer_in_hand", |b| {
            b.iter(|| start_end!(ours, black_box(&ours_noop)))
        });
        g.bench_function("ours/global_tracer", |b| {
            b.iter(|| start_end!(ours, black_box(&ours_global)))
        });
    }
    {
        let _guard = up_parent.attach();
        g.bench_function("upstream/tracer_in_hand", |b| {
            b.iter(|| start_end!(up, black_box(&up_noop)))
        });
        g.bench_function("upstream/global_tracer", |b| {
            b.iter(|| start_end!(up, black_box(&up_global)))
        });
    }
    g.finish();
}

fn get_active_span(c: &mut Criterion) {
    let mut g = c.benchmark_group("get_active_span");
    g.bench_function("ours/set_attribute", |b| {
        b.iter(|| {
            ours::get_active_span(|span| {
                span.set_attribute(ours::KeyValue::new("http.response.status_code", 200_i64))
            })
        })
    });
    g.bench_function("upstream/set_attribute", |b| {
        b.iter(|| {
            up::get_active_span(|span| {
                span.set_attribute(up::KeyValue::new("http.response.status_code", 200_i64))
            })
        })
    });
    g.bench_function("fastrace/add_property", |b| {
        b.iter(|| fastrace::local::LocalSpan::add_property(|| ("http.response.status_code", "200")))
    });
    g.finish();

    let mut g = c.benchmark_group("get_active_span_with_parent");
    {
        let _guard = remote_parent!(ours).attach();
        g.bench_function("ours/set_attribute", |b| {
            b.iter(|| {
                ours::get_active_span(|span| {
                    span.set_attribute(ours::KeyValue::new("http.response.status_code", 200_i64))
                })
            })
        });
    }
    {
        let _guard = remote_parent!(up).attach();
        g.bench_function("upstream/set_attribute", |b| {
            b.iter(|| {
                up::get_active_span(|span| {
                    span.set_attribute(up::KeyValue::new("http.response.status_code", 200_i64))
                })
            })
        });
    }
    g.finish();
}

criterion_group!(
    benches,
    noop_span_start_end,
    noop_span_4_attrs_set_attribute,
    noop_span_4_attrs_builder,
    noop_span_start_end_with_parent,
    get_active_span
);
criterion_main!(benches);
