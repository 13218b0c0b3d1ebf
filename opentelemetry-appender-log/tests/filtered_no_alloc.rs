//! A record filtered out by `Logger::enabled` costs no allocation (counted per thread).

use log::Level;
use opentelemetry_api::logs::Severity;
use opentelemetry_api::InstrumentationScope;
use opentelemetry_appender_log::OpenTelemetryLogBridge;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

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
fn a_filtered_out_record_allocates_nothing() {
    log::set_max_level(log::LevelFilter::Trace);
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(ErrorsOnly)
        .build();
    let bridge = OpenTelemetryLogBridge::new(&provider);
    let n = 1_000;
    let value = String::from("formatted");
    // Warm up (thread locals, lazy statics).
    log::info!(logger: bridge, "x {value}");
    let before = ALLOCATIONS.with(Cell::get);
    for i in 0..n {
        log::log!(logger: bridge, Level::Info, "filtered out {value} {i}");
    }
    assert_eq!(ALLOCATIONS.with(Cell::get) - before, 0);
}
