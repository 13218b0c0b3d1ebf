//! Allocations per measurement on an existing series, counted per thread: recording
//! allocates nothing, whatever the number or order of attributes, bound or not, for every
//! aggregation.

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::KeyValue;
use opentelemetry_sdk::metrics::{
    ManualReader, ResourceMetrics, SdkMeterProvider, TemporalityPreference,
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

const N: usize = 5_000;

fn attributes(n: usize) -> Vec<KeyValue> {
    (0..n)
        .map(|i| KeyValue::new(format!("key{i:02}"), format!("value{i}")))
        .collect()
}

fn provider(preference: TemporalityPreference) -> (SdkMeterProvider, ManualReader) {
    let reader = ManualReader::builder().with_temporality(preference).build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .build();
    (provider, reader)
}

#[test]
fn counter_add_on_an_existing_series_allocates_nothing() {
    for preference in [
        TemporalityPreference::Cumulative,
        TemporalityPreference::Delta,
    ] {
        let (provider, reader) = provider(preference);
        let counter = provider.meter("m").u64_counter("c").build();
        for n in [0, 3, 10] {
            let sorted = attributes(n);
            let mut reversed = sorted.clone();
            reversed.reverse();
            counter.add(1, &sorted); // creates the series
            assert_eq!(
                allocations_per(N, || counter.add(1, &sorted)),
                0.0,
                "{n} sorted"
            );
            assert_eq!(
                allocations_per(N, || counter.add(1, &reversed)),
                0.0,
                "{n} in another order"
            );
        }
        let mut metrics = ResourceMetrics::default();
        reader.collect(&mut metrics).unwrap();
    }
}

#[test]
fn histogram_gauge_and_float_counter_allocate_nothing() {
    let (provider, _reader) = provider(TemporalityPreference::Cumulative);
    let meter = provider.meter("m");
    let attrs = attributes(3);
    let histogram = meter.f64_histogram("h").build();
    let gauge = meter.i64_gauge("g").build();
    let counter = meter.f64_counter("f").build();
    let updown = meter.i64_up_down_counter("u").build();
    histogram.record(1.0, &attrs);
    gauge.record(1, &attrs);
    counter.add(1.0, &attrs);
    updown.add(1, &attrs);
    assert_eq!(allocations_per(N, || histogram.record(12.5, &attrs)), 0.0);
    assert_eq!(allocations_per(N, || gauge.record(-4, &attrs)), 0.0);
    assert_eq!(allocations_per(N, || counter.add(0.5, &attrs)), 0.0);
    assert_eq!(allocations_per(N, || updown.add(-1, &attrs)), 0.0);
}

#[test]
fn bound_instruments_allocate_nothing() {
    let (provider, _reader) = provider(TemporalityPreference::Delta);
    let meter = provider.meter("m");
    let counter = meter.u64_counter("c").build().bind(&attributes(3));
    let histogram = meter.u64_histogram("h").build().bind(&attributes(3));
    assert_eq!(allocations_per(N, || counter.add(1)), 0.0);
    assert_eq!(allocations_per(N, || histogram.record(7)), 0.0);
}

#[test]
fn views_with_attribute_filters_allocate_nothing_on_existing_series() {
    use opentelemetry_sdk::metrics::{InstrumentSelector, Stream, View};
    let reader = ManualReader::builder().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(reader)
        .with_view(View::new(
            InstrumentSelector::new().with_name("c"),
            Stream::new().with_allowed_attribute_keys(["key01"]),
        ))
        .build();
    let counter = provider.meter("m").u64_counter("c").build();
    let attrs = attributes(10);
    counter.add(1, &attrs);
    assert_eq!(allocations_per(N, || counter.add(1, &attrs)), 0.0);
}
