//! Building and emitting log records through no-op loggers, and through the global logger
//! while nothing (or the no-op provider) is installed, allocates nothing.

use opentelemetry_api::logs::noop::{NoopLogRecord, NoopLoggerProvider};
use opentelemetry_api::logs::{BoxedLogger, LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry_api::{global, AnyValue};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::SystemTime;

struct CountingAlloc;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts, per thread.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn log_one(logger: &impl Logger, now: SystemTime) {
    let mut record = logger.create_log_record();
    record.set_timestamp(now);
    record.set_observed_timestamp(now);
    record.set_severity_number(Severity::Info);
    record.set_severity_text("INFO");
    record.set_body(AnyValue::from("request served"));
    record.add_attribute("http.request.method", "GET");
    record.add_attribute("http.response.status_code", 200i64);
    record.add_attribute("duration_ms", 1.5);
    record.add_attribute("cache.hit", true);
    record.set_event_name("http.served");
    record.set_target("my_app::http");
    record.set_trace_context(
        TraceId::from(1u128),
        SpanId::from(2u64),
        Some(TraceFlags::SAMPLED),
    );
    logger.emit(record);
}

#[test]
fn the_counting_allocator_counts() {
    assert!(allocations_during(|| drop(std::hint::black_box(Box::new(1u64)))) >= 1);
}

#[test]
fn noop_logger_does_not_allocate() {
    let logger = NoopLoggerProvider::new().logger("noop");
    let now = SystemTime::now();
    assert_eq!(std::mem::size_of::<NoopLogRecord>(), 0);
    assert_eq!(allocations_during(|| log_one(&logger, now)), 0);
}

#[test]
fn global_logger_does_not_allocate_while_nothing_is_installed() {
    let logger = global::logger("global");
    let now = SystemTime::now();
    let n = allocations_during(|| {
        for _ in 0..10 {
            log_one(&logger, now);
            assert!(!logger.enabled(Severity::Fatal, "my_app", None));
        }
    });
    assert_eq!(n, 0);
}

#[test]
fn global_and_boxed_loggers_do_not_allocate_over_the_noop_provider() {
    global::set_logger_provider(NoopLoggerProvider::new());
    let logger = global::logger("global");
    let now = SystemTime::now();
    log_one(&logger, now); // builds the delegate once
    assert_eq!(allocations_during(|| log_one(&logger, now)), 0);

    let boxed = BoxedLogger::new(NoopLoggerProvider::new().logger("boxed"));
    assert_eq!(allocations_during(|| log_one(&boxed, now)), 0);
}
