//! An event filtered out by `Logger::enabled` costs no allocation (counted per thread).

use opentelemetry_api::logs::Severity;
use opentelemetry_api::InstrumentationScope;
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

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

#[derive(Debug)]
struct ErrorsOnly;

impl LogProcessor for ErrorsOnly {
    fn emit(&self, _: &mut SdkLogRecord, _: &Arc<InstrumentationScope>) {}
    fn enabled(&self, s: Severity, _: &str, _: Option<&str>, _: &InstrumentationScope) -> bool {
        s >= Severity::Error
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn a_filtered_out_event_allocates_nothing() {
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(ErrorsOnly)
        .build();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        let value = String::from("formatted");
        tracing::info!(value, "warm up {value}");
        let before = ALLOCATIONS.with(Cell::get);
        for i in 0..1_000 {
            tracing::info!(i, user = "ann", value, "filtered out {value} {i}");
        }
        assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
    });
}
