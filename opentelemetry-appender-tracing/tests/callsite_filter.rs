//! `with_callsite_filter`: the logger is asked once per callsite, filtered-out callsites are
//! skipped for the bridge only, and what the logger accepts is still checked on each event.

use opentelemetry_api::logs::Severity;
use opentelemetry_api::{AnyValue, Context, InstrumentationScope};
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{LogProcessor, SdkLogRecord, SdkLoggerProvider};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

/// Keeps the bodies of WARN and above (while `open`), and counts how often it is asked.
#[derive(Debug, Default)]
struct Recorder {
    asked: AtomicUsize,
    closed: AtomicBool,
    bodies: Mutex<Vec<AnyValue>>,
}

#[derive(Debug)]
struct Shared(Arc<Recorder>);

impl LogProcessor for Shared {
    fn emit(&self, record: &mut SdkLogRecord, _: &Arc<InstrumentationScope>) {
        if let Some(body) = record.body() {
            self.0.bodies.lock().unwrap().push(body.clone());
        }
    }
    fn enabled(&self, s: Severity, _: &str, _: Option<&str>, _: &InstrumentationScope) -> bool {
        self.0.asked.fetch_add(1, Ordering::Relaxed);
        s >= Severity::Warn && !self.0.closed.load(Ordering::Relaxed)
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

/// A second layer that counts every event it sees.
struct Counting(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Counting {
    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn filtered_out_callsites_are_skipped_for_the_bridge_only() {
    let recorder = Arc::new(Recorder::default());
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(Shared(recorder.clone()))
        .build();
    let seen_by_other = Arc::new(AtomicUsize::new(0));
    let subscriber = tracing_subscriber::registry()
        .with(OpenTelemetryTracingBridge::new(&provider).with_callsite_filter())
        .with(Counting(seen_by_other.clone()));
    tracing::subscriber::with_default(subscriber, || {
        for i in 0..10 {
            tracing::debug!("debug {i}");
        }
        tracing::warn!("kept");
    });
    let bodies = recorder.bodies.lock().unwrap().clone();
    assert_eq!(bodies, [AnyValue::from("kept")]);
    // The other layer saw every event: the bridge's filter is its own.
    assert_eq!(seen_by_other.load(Ordering::Relaxed), 11);
}

#[test]
fn the_logger_is_asked_once_per_filtered_out_callsite() {
    let recorder = Arc::new(Recorder::default());
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(Shared(recorder.clone()))
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(OpenTelemetryTracingBridge::new(&provider).with_callsite_filter());
    tracing::subscriber::with_default(subscriber, || {
        let before = recorder.asked.load(Ordering::Relaxed);
        for i in 0..100 {
            tracing::debug!("debug {i}");
        }
        let asked = recorder.asked.load(Ordering::Relaxed) - before;
        assert!(asked <= 2, "asked {asked} times for one disabled callsite");
    });
}

#[test]
fn enabled_callsites_are_still_checked_on_each_event() {
    let recorder = Arc::new(Recorder::default());
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(Shared(recorder.clone()))
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(OpenTelemetryTracingBridge::new(&provider).with_callsite_filter());
    tracing::subscriber::with_default(subscriber, || {
        let warn = |n: usize| tracing::warn!("warn {n}");
        // The callsite is first hit inside a suppressed scope: suppression is not cached.
        {
            let _suppressed = Context::enter_telemetry_suppressed_scope();
            warn(0);
        }
        warn(1);
        recorder.closed.store(true, Ordering::Relaxed);
        warn(2);
    });
    let bodies = recorder.bodies.lock().unwrap().clone();
    assert_eq!(bodies, [AnyValue::from("warn 1")]);
}
