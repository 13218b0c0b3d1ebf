//! The no-op API allocates nothing: a counting global allocator proves it for the hot paths a
//! library calls when no SDK is installed.
//!
//! The counter is per thread (a const-initialised thread-local `Cell`, which itself never
//! allocates), so allocations made by the test harness or other threads are not counted.
//! Allocations are counted as calls to `alloc`, `alloc_zeroed` and `realloc`. No provider is
//! installed anywhere in this test binary.

use opentelemetry_api::trace::noop::NoopTracer;
use opentelemetry_api::trace::{
    get_active_span, Span, SpanBuilder, SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags,
    TraceId, TraceState, Tracer,
};
use opentelemetry_api::{global, Context, KeyValue};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;

struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: during thread teardown the thread-local may be gone; nothing to count then.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting
// touches only a thread-local `Cell<usize>`, which does not allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded as is; the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`; `ptr` and `layout` come from this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`; `ptr` and `layout` come from this allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// How many allocations `f` made on this thread (including dropping what it returns).
fn allocations<T>(f: impl FnOnce() -> T) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    drop(black_box(f()));
    ALLOCATIONS.with(Cell::get) - before
}

/// Starts a span, sets four attributes (static keys, scalar and static-string values), ends it.
fn span_with_four_attributes<T: Tracer>(tracer: &T) {
    let mut span = tracer.start("GET /users/{id}");
    span.set_attribute(KeyValue::new("http.request.method", "GET"));
    span.set_attribute(KeyValue::new("http.response.status_code", 200));
    span.set_attribute(KeyValue::new("server.address", "example.com"));
    span.set_attribute(KeyValue::new("error", false));
    span.end();
    black_box(&span);
}

fn four_attributes() -> [KeyValue; 4] {
    [
        KeyValue::new("http.request.method", "GET"),
        KeyValue::new("http.response.status_code", 200),
        KeyValue::new("server.address", "example.com"),
        KeyValue::new("error", false),
    ]
}

fn remote_parent() -> Context {
    Context::new().with_remote_span_context(SpanContext::new(
        TraceId::from(0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736_u128),
        SpanId::from(0x00f0_67aa_0ba9_02b7_u64),
        TraceFlags::SAMPLED,
        true,
        TraceState::NONE,
    ))
}

#[test]
fn the_counter_sees_allocations() {
    // Guards against a vacuous pass: a counter that never counts would make every test green.
    assert_eq!(allocations(|| Box::new(black_box(7_u64))), 1);
    assert_eq!(allocations(|| black_box(vec![1_u8; 3])), 1);
    assert_eq!(allocations(|| ()), 0);
}

#[test]
fn noop_tracer_span_with_four_attributes_allocates_nothing() {
    let tracer = NoopTracer::new();
    assert_eq!(allocations(|| span_with_four_attributes(&tracer)), 0);
}

#[test]
fn global_tracer_span_with_four_attributes_allocates_nothing() {
    // Taking the tracer allocates its shared state (today: the `Arc` and the delegate's initial
    // boxed slot, two allocations); spans from it then allocate nothing while no provider is
    // installed.
    let mut tracer = None;
    let creation = allocations(|| tracer = Some(global::tracer("my-library")));
    assert!(
        creation <= 2,
        "taking a global tracer made {creation} allocations"
    );
    let tracer = tracer.expect("set just above");
    assert_eq!(allocations(|| span_with_four_attributes(&tracer)), 0);
    // Cloning the tracer is a reference-count increment, not an allocation.
    assert_eq!(allocations(|| tracer.clone()), 0);
}

#[test]
fn context_current_with_nothing_attached_allocates_nothing() {
    assert_eq!(allocations(Context::current), 0);
    assert_eq!(allocations(Context::is_current_telemetry_suppressed), 0);
}

#[test]
fn get_active_span_with_nothing_attached_allocates_nothing() {
    let n = allocations(|| {
        get_active_span(|span| {
            span.set_attribute(KeyValue::new("http.response.status_code", 200));
            span.add_event("retry", Vec::new());
            black_box(span.span_context().is_valid())
        })
    });
    assert_eq!(n, 0);
}

#[test]
fn span_builder_allocates_only_its_attribute_vec() {
    let noop = NoopTracer::new();
    let global = global::tracer("my-library");
    let builder = |tracer: &dyn Fn(&'static str) -> SpanBuilder| {
        tracer("GET /users/{id}")
            .with_kind(SpanKind::Server)
            .with_attributes(four_attributes())
    };

    // Collecting four attributes into the builder's `Vec` is the one allocation...
    let mut built = None;
    let n = allocations(|| built = Some(builder(&|name| noop.span_builder(name))));
    assert_eq!(n, 1, "the builder's attribute Vec");
    // ...and starting and ending a span from it through the no-op tracer adds none.
    let built = built.expect("set just above");
    let n = allocations(|| {
        let mut span = built.start(&noop);
        span.end();
        span
    });
    assert_eq!(n, 0);

    // The same through the global tracer with nothing installed.
    let mut built = None;
    let n = allocations(|| built = Some(builder(&|name| global.span_builder(name))));
    assert_eq!(n, 1, "the builder's attribute Vec");
    let built = built.expect("set just above");
    let n = allocations(|| {
        let mut span = built.start(&global);
        span.end();
        span
    });
    assert_eq!(n, 0);
}

#[test]
fn span_builder_without_attributes_allocates_nothing() {
    let noop = NoopTracer::new();
    let global = global::tracer("my-library");
    let n = allocations(|| {
        let mut span = noop
            .span_builder("GET /users/{id}")
            .with_kind(SpanKind::Server)
            .start(&noop);
        span.end();
        span
    });
    assert_eq!(n, 0);
    let n = allocations(|| {
        let mut span = global
            .span_builder("GET /users/{id}")
            .with_kind(SpanKind::Server)
            .start(&global);
        span.end();
        span
    });
    assert_eq!(n, 0);
}

#[test]
fn noop_span_under_an_attached_parent_allocates_nothing() {
    let tracer = NoopTracer::new();
    let global = global::tracer("my-library");
    let _guard = remote_parent().attach();
    assert_eq!(allocations(|| span_with_four_attributes(&tracer)), 0);
    assert_eq!(allocations(|| span_with_four_attributes(&global)), 0);
    // The child carries the parent's span context (this is what the no-op path must keep).
    assert!(tracer.start("child").span_context().is_valid());
    assert_eq!(allocations(Context::current), 0);
}

#[test]
fn attach_and_detach_allocate_nothing_once_the_thread_stack_exists() {
    let cx = Context::new().with_value(7_u32);
    // The thread's first attach grows its context stack: that is the one allowed allocation.
    drop(cx.clone().attach());
    let n = allocations(|| {
        let outer = cx.clone().attach();
        drop(outer);
    });
    assert_eq!(n, 0);
}
