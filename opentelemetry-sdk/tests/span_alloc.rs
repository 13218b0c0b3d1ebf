//! Allocations per span on the application thread, through the batch processor (the worker
//! thread's own allocations are not counted: the counter is per thread).
//!
//! The budget the SDK keeps: a sampled span with no attributes allocates nothing; with
//! attributes given to the builder, the only allocation is the builder's `Vec`, and none at
//! all once the batch processor recycles the attribute buffers of exported spans; a
//! non-sampled span allocates nothing. Through the type-erased global tracer a recording span
//! is boxed: one allocation more.

use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
use opentelemetry_api::{global, KeyValue};
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, BoxFuture, Sampler, SdkTracerProvider, SpanData,
    SpanExporter,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised thread local,
// which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|a| a.set(a.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations_per(n: usize, mut f: impl FnMut()) -> f64 {
    let before = ALLOCATIONS.with(Cell::get);
    for _ in 0..n {
        f();
    }
    (ALLOCATIONS.with(Cell::get) - before) as f64 / n as f64
}

#[derive(Debug)]
struct NoopExporter;

impl SpanExporter for NoopExporter {
    fn export<'a>(
        &'a mut self,
        _batch: &'a [SpanData],
    ) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        Box::pin(std::future::ready(Ok(())))
    }
}

fn provider(sampler: Sampler) -> SdkTracerProvider {
    let config = BatchConfigBuilder::default()
        .with_max_queue_size(1 << 16)
        .build();
    SdkTracerProvider::builder()
        .with_sampler(sampler)
        .with_span_processor(
            BatchSpanProcessor::builder(NoopExporter)
                .with_batch_config(config)
                .build(),
        )
        .build()
}

const N: usize = 2_000;

#[test]
fn sampled_span_without_attributes_allocates_nothing() {
    let provider = provider(Sampler::AlwaysOn);
    let tracer = provider.tracer("t");
    tracer.start("warm-up").end();
    let per_span = allocations_per(N, || tracer.start("span").end());
    assert_eq!(per_span, 0.0);
    provider.shutdown().unwrap();
}

#[test]
fn sampled_span_with_builder_attributes_allocates_at_most_the_builders_vec() {
    let provider = provider(Sampler::AlwaysOn);
    let tracer = provider.tracer("t");
    tracer.start("warm-up").end();
    const KEYS: [&str; 8] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7"];
    let span = || {
        tracer
            .span_builder("span")
            .with_attributes((0..8).map(|i| KeyValue::new(KEYS[i], i as i64)))
            .start(&tracer)
            .end()
    };
    // Before any export: a new `Vec` per span, at most.
    let cold = allocations_per(N, span);
    assert!(cold <= 1.0, "{cold}");
    // Once exported spans' buffers are back, none: at least a batch (512) of them was in
    // flight before the first export, so 256 spans (which wake no export) find one each.
    provider.force_flush().unwrap();
    let warm = allocations_per(256, span);
    assert_eq!(warm, 0.0);
    provider.shutdown().unwrap();
}

#[test]
fn non_sampled_span_allocates_nothing() {
    let provider = provider(Sampler::AlwaysOff);
    let tracer = provider.tracer("t");
    tracer.start("warm-up").end();
    let per_span = allocations_per(N, || {
        let mut span = tracer.start("span");
        span.set_attribute(KeyValue::new("ignored", 1));
        span.end();
    });
    assert_eq!(per_span, 0.0);
}

#[test]
fn global_tracer_boxes_a_recording_span_once() {
    let provider = provider(Sampler::AlwaysOn);
    global::set_tracer_provider(provider.clone());
    let tracer = global::tracer("t");
    tracer.start("warm-up").end();
    let per_span = allocations_per(N, || tracer.start("span").end());
    assert_eq!(per_span, 1.0);
    provider.shutdown().unwrap();
}

#[test]
fn composite_sampler_allocates_only_for_a_new_threshold() {
    use opentelemetry_api::trace::TraceContextExt;
    use opentelemetry_sdk::trace::{ComposableAlwaysOn, ComposableParentThreshold};
    let provider = provider(Sampler::composite(ComposableParentThreshold::new(
        ComposableAlwaysOn,
    )));
    let tracer = provider.tracer("t");
    tracer.start("warm-up").end();
    // A root span gets `ot=th:0`: a new trace state (its key, value, entry list and the
    // list's shared copy); the `ot` value itself is built on the stack.
    let root = tracer.start("root");
    assert_eq!(root.span_context().trace_state().header(), "ot=th:0");
    let per_root = allocations_per(N, || tracer.start("root").end());
    assert!(per_root <= 4.0, "{per_root}");
    // Its children keep the parent's threshold: the parent's trace state is shared as it is.
    let cx = opentelemetry_api::Context::new().with_span(root);
    let per_child = allocations_per(N, || tracer.start_with_context("child", &cx).end());
    assert_eq!(per_child, 0.0);
    provider.shutdown().unwrap();
}
