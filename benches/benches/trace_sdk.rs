//! Trace SDK benchmarks: the cost of spans when an SDK records them.
//!
//! Feature set: `opentelemetry_api` and `opentelemetry_sdk` (ours) with their default features
//! (the batch processor's worker runs on its own thread, no async runtime); upstream
//! `opentelemetry` 0.33 (`features = ["trace"]`) and upstream `opentelemetry_sdk` 0.33
//! (`default-features = false, features = ["trace"]`: its batch processor also runs on its own
//! thread).
//!
//! Compared, in each group, side by side in one process: `ours/...` (our SDK) and
//! `upstream/...` (upstream's), each set up the same way:
//! - the same sampler (`AlwaysOn`, or `AlwaysOff` where stated), the default span limits and
//!   the default `RandomIdGenerator`;
//! - a no-op exporter that only adds the batch length to an atomic counter (so that drops can
//!   be counted) and returns a ready `Ok`;
//! - for the batch processor: queue 262 144 (large, so that spans are not dropped while the
//!   worker competes for a core), batch 512, scheduled delay 5 s, the same on both sides.
//!   After each batch group both providers are shut down (which exports what is queued) and
//!   the number of spans ended, exported and dropped (ended − exported) is printed to stderr.
//!
//! Differences that cannot be removed, as both are the exporters' interfaces: our
//! `SpanExporter::export` borrows the batch (`&[SpanData]`) and returns a boxed future (one
//! allocation per export call); upstream's takes the batch by value (`Vec<SpanData>`) and
//! returns an unboxed `impl Future`. With the batch processor that is one call per 512 spans;
//! with the simple processor one call per span on both sides (upstream also allocates a
//! one-element `Vec` per span there).
//!
//! Groups:
//! - `sdk_span_start_end`: start a span by name on a tracer in hand and end it (no parent,
//!   nothing attached): `batch` (batch processor), `simple` (simple processor, which exports
//!   on the ending thread), and `global_batch` (the same through `global::tracer(..)` with
//!   the batch provider installed as the global provider).
//! - `sdk_span_8_attrs_builder`: eight attributes (strings, integers, a bool, a float) given
//!   to the span builder, start, end; batch processor.
//! - `sdk_span_not_sampled`: start + end with the `AlwaysOff` sampler (a non-recording span;
//!   nothing reaches the processor's queue).
//! - `sdk_id_generation`: one trace ID and one span ID from `RandomIdGenerator`.
//!
//! Ratios, not absolute times, are what to read from these: see `benches/ratios.py`.

// `criterion_group!` generates a public function that cannot carry a doc comment.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::cell::Cell;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const MAX_QUEUE_SIZE: usize = 262_144;
const MAX_EXPORT_BATCH_SIZE: usize = 512;
const SCHEDULED_DELAY: Duration = Duration::from_secs(5);

mod ours {
    pub use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
    pub use opentelemetry_api::{global, KeyValue};
    pub use opentelemetry_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, BoxFuture, IdGenerator, RandomIdGenerator, Sampler,
        SdkTracerProvider, SimpleSpanProcessor, SpanData, SpanExporter,
    };
}

mod up {
    pub use upstream::trace::{Span, Tracer, TracerProvider};
    pub use upstream::{global, KeyValue};
    pub use upstream_sdk::error::OTelSdkResult;
    pub use upstream_sdk::trace::{
        BatchConfigBuilder, BatchSpanProcessor, IdGenerator, RandomIdGenerator, Sampler,
        SdkTracerProvider, SimpleSpanProcessor, SpanData, SpanExporter,
    };
}

/// Our no-op exporter: counts what it is given.
#[derive(Debug, Clone, Default)]
struct OursNoopExporter(Arc<AtomicU64>);

impl ours::SpanExporter for OursNoopExporter {
    fn export<'a>(
        &'a mut self,
        batch: &'a [ours::SpanData],
    ) -> ours::BoxFuture<'a, opentelemetry_sdk::Result> {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        Box::pin(std::future::ready(Ok(())))
    }
}

/// Upstream's no-op exporter: counts what it is given.
#[derive(Debug, Clone, Default)]
struct UpNoopExporter(Arc<AtomicU64>);

impl up::SpanExporter for UpNoopExporter {
    fn export(
        &self,
        batch: Vec<up::SpanData>,
    ) -> impl std::future::Future<Output = up::OTelSdkResult> + Send {
        self.0.fetch_add(batch.len() as u64, Ordering::Relaxed);
        std::future::ready(Ok(()))
    }
}

/// An SDK provider of one side, with its exporter's counter.
struct Setup<P> {
    provider: P,
    exported: Arc<AtomicU64>,
}

fn ours_batch(sampler: ours::Sampler) -> Setup<ours::SdkTracerProvider> {
    let exporter = OursNoopExporter::default();
    let exported = exporter.0.clone();
    let processor = ours::BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            ours::BatchConfigBuilder::default()
                .with_max_queue_size(MAX_QUEUE_SIZE)
                .with_max_export_batch_size(MAX_EXPORT_BATCH_SIZE)
                .with_scheduled_delay(SCHEDULED_DELAY)
                .build(),
        )
        .build();
    let provider = ours::SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_span_processor(processor)
        .build();
    Setup { provider, exported }
}

fn up_batch(sampler: up::Sampler) -> Setup<up::SdkTracerProvider> {
    let exporter = UpNoopExporter::default();
    let exported = exporter.0.clone();
    let processor = up::BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            up::BatchConfigBuilder::default()
                .with_max_queue_size(MAX_QUEUE_SIZE)
                .with_max_export_batch_size(MAX_EXPORT_BATCH_SIZE)
                .with_scheduled_delay(SCHEDULED_DELAY)
                .build(),
        )
        .build();
    let provider = up::SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_span_processor(processor)
        .build();
    Setup { provider, exported }
}

fn ours_simple() -> Setup<ours::SdkTracerProvider> {
    let exporter = OursNoopExporter::default();
    let exported = exporter.0.clone();
    let provider = ours::SdkTracerProvider::builder()
        .with_sampler(ours::Sampler::AlwaysOn)
        .with_span_processor(ours::SimpleSpanProcessor::new(exporter))
        .build();
    Setup { provider, exported }
}

fn up_simple() -> Setup<up::SdkTracerProvider> {
    let exporter = UpNoopExporter::default();
    let exported = exporter.0.clone();
    let provider = up::SdkTracerProvider::builder()
        .with_sampler(up::Sampler::AlwaysOn)
        .with_span_processor(up::SimpleSpanProcessor::new(exporter))
        .build();
    Setup { provider, exported }
}

/// Shuts a provider down (exporting what is queued) and prints ended / exported / dropped.
macro_rules! report {
    ($what:expr, $setup:expr, $ended:expr) => {{
        let setup = $setup;
        if let Err(err) = setup.provider.shutdown() {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("{}: shutdown failed: {err:?}", $what);
            }
        }
        let ended: u64 = $ended.get();
        let exported = setup.exported.load(Ordering::Relaxed);
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "{}: {ended} spans ended, {exported} exported, {} dropped",
                $what,
                ended.saturating_sub(exported)
            );
        }
    }};
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

macro_rules! builder_8_attrs_end {
    ($api:ident, $tracer:expr) => {{
        use $api::{KeyValue, Span as _, Tracer as _};
        let tracer = $tracer;
        let mut span = tracer
            .span_builder("span")
            .with_attributes(otel_benches::eight_attributes!())
            .start(tracer);
        span.end();
        black_box(&span);
    }};
}

fn sdk_span_start_end(c: &mut Criterion) {
    let mut g = c.benchmark_group("sdk_span_start_end");

    // Batch processor, tracer in hand.
    let ours_setup = ours_batch(ours::Sampler::AlwaysOn);
    let up_setup = up_batch(up::Sampler::AlwaysOn);
    let ours_tracer = ours::TracerProvider::tracer(&ours_setup.provider, "bench");
    let up_tracer = up::TracerProvider::tracer(&up_setup.provider, "bench");
    let (ours_ended, up_ended) = (Cell::new(0_u64), Cell::new(0_u64));
    g.bench_function("ours/batch", |b| {
        b.iter(|| {
            start_end!(ours, black_box(&ours_tracer));
            ours_ended.set(ours_ended.get() + 1);
        })
    });
    g.bench_function("upstream/batch", |b| {
        b.iter(|| {
            start_end!(up, black_box(&up_tracer));
            up_ended.set(up_ended.get() + 1);
        })
    });
    report!("sdk_span_start_end ours/batch", ours_setup, ours_ended);
    report!("sdk_span_start_end upstream/batch", up_setup, up_ended);

    // Simple processor.
    let ours_setup = ours_simple();
    let up_setup = up_simple();
    let ours_tracer = ours::TracerProvider::tracer(&ours_setup.provider, "bench");
    let up_tracer = up::TracerProvider::tracer(&up_setup.provider, "bench");
    g.bench_function("ours/simple", |b| {
        b.iter(|| start_end!(ours, black_box(&ours_tracer)))
    });
    g.bench_function("upstream/simple", |b| {
        b.iter(|| start_end!(up, black_box(&up_tracer)))
    });
    drop((ours_tracer, up_tracer));
    let _ = ours_setup.provider.shutdown();
    let _ = up_setup.provider.shutdown();

    // Batch processor, through the global tracer.
    let ours_setup = ours_batch(ours::Sampler::AlwaysOn);
    let up_setup = up_batch(up::Sampler::AlwaysOn);
    ours::global::set_tracer_provider(ours_setup.provider.clone());
    up::global::set_tracer_provider(up_setup.provider.clone());
    let ours_tracer = ours::global::tracer("bench");
    let up_tracer = up::global::tracer("bench");
    let (ours_ended, up_ended) = (Cell::new(0_u64), Cell::new(0_u64));
    g.bench_function("ours/global_batch", |b| {
        b.iter(|| {
            start_end!(ours, black_box(&ours_tracer));
            ours_ended.set(ours_ended.get() + 1);
        })
    });
    g.bench_function("upstream/global_batch", |b| {
        b.iter(|| {
            start_end!(up, black_box(&up_tracer));
            up_ended.set(up_ended.get() + 1);
        })
    });
    g.finish();
    report!(
        "sdk_span_start_end ours/global_batch",
        ours_setup,
        ours_ended
    );
    report!(
        "sdk_span_start_end upstream/global_batch",
        up_setup,
        up_ended
    );
}

fn sdk_span_8_attrs_builder(c: &mut Criterion) {
    let ours_setup = ours_batch(ours::Sampler::AlwaysOn);
    let up_setup = up_batch(up::Sampler::AlwaysOn);
    let ours_tracer = ours::TracerProvider::tracer(&ours_setup.provider, "bench");
    let up_tracer = up::TracerProvider::tracer(&up_setup.provider, "bench");
    let (ours_ended, up_ended) = (Cell::new(0_u64), Cell::new(0_u64));

    let mut g = c.benchmark_group("sdk_span_8_attrs_builder");
    g.bench_function("ours/batch", |b| {
        b.iter(|| {
            builder_8_attrs_end!(ours, black_box(&ours_tracer));
            ours_ended.set(ours_ended.get() + 1);
        })
    });
    g.bench_function("upstream/batch", |b| {
        b.iter(|| {
            builder_8_attrs_end!(up, black_box(&up_tracer));
            up_ended.set(up_ended.get() + 1);
        })
    });
    g.finish();
    report!(
        "sdk_span_8_attrs_builder ours/batch",
        ours_setup,
        ours_ended
    );
    report!(
        "sdk_span_8_attrs_builder upstream/batch",
        up_setup,
        up_ended
    );
}

fn sdk_span_not_sampled(c: &mut Criterion) {
    let ours_setup = ours_batch(ours::Sampler::AlwaysOff);
    let up_setup = up_batch(up::Sampler::AlwaysOff);
    let ours_tracer = ours::TracerProvider::tracer(&ours_setup.provider, "bench");
    let up_tracer = up::TracerProvider::tracer(&up_setup.provider, "bench");

    let mut g = c.benchmark_group("sdk_span_not_sampled");
    g.bench_function("ours", |b| {
        b.iter(|| start_end!(ours, black_box(&ours_tracer)))
    });
    g.bench_function("upstream", |b| {
        b.iter(|| start_end!(up, black_box(&up_tracer)))
    });
    g.finish();
    let _ = ours_setup.provider.shutdown();
    let _ = up_setup.provider.shutdown();
    // Nothing may reach an exporter from an `AlwaysOff` sampler.
    assert_eq!(ours_setup.exported.load(Ordering::Relaxed), 0);
    assert_eq!(up_setup.exported.load(Ordering::Relaxed), 0);
}

fn sdk_id_generation(c: &mut Criterion) {
    let ours_gen = ours::RandomIdGenerator::default();
    let up_gen = up::RandomIdGenerator::default();

    let mut g = c.benchmark_group("sdk_id_generation");
    g.bench_function("ours", |b| {
        b.iter(|| {
            use ours::IdGenerator as _;
            let g = black_box(&ours_gen);
            black_box((g.new_trace_id(), g.new_span_id()))
        })
    });
    g.bench_function("upstream", |b| {
        b.iter(|| {
            use up::IdGenerator as _;
            let g = black_box(&up_gen);
            black_box((g.new_trace_id(), g.new_span_id()))
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    sdk_span_start_end,
    sdk_span_8_attrs_builder,
    sdk_span_not_sampled,
    sdk_id_generation
);
criterion_main!(benches);
