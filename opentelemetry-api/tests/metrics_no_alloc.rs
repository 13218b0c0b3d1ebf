//! Recording on no-op instruments (and on global ones before an SDK is installed) allocates
//! nothing. Counts the allocations of the current thread with a wrapping global allocator.

use opentelemetry_api::metrics::noop::NoopMeterProvider;
use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::{global, KeyValue};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; the counter is a const-initialised thread local,
// which itself never allocates.
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

fn allocations_in(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn recording_on_noop_and_uninstalled_global_instruments_does_not_allocate() {
    let noop = NoopMeterProvider::new().meter("lib");
    let counter = noop.u64_counter("c").build();
    let histogram = noop.f64_histogram("h").build();
    let bound = counter.bind(&[KeyValue::new("k", "v")]);

    let global_meter = global::meter("lib");
    let global_counter = global_meter.u64_counter("c").build();
    let global_gauge = global_meter.i64_gauge("g").build();
    let global_bound = global_counter.bind(&[KeyValue::new("k", "v")]);

    let n = allocations_in(|| {
        for i in 0..100 {
            counter.add(1, &[KeyValue::new("k", "v")]);
            histogram.record(0.5, &[KeyValue::new("k", "v"), KeyValue::new("n", i)]);
            bound.add(1);
            global_counter.add(1, &[KeyValue::new("k", "v")]);
            global_gauge.record(-1, &[KeyValue::new("k", "v")]);
            global_bound.add(1);
            assert!(!counter.enabled() && !global_counter.enabled());
        }
    });
    assert_eq!(n, 0, "recording allocated {n} times");
    // The counting is live: a real allocation is seen.
    assert_eq!(allocations_in(|| drop(std::hint::black_box(vec![1u8]))), 1);
}
