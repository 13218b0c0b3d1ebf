//! Span processors: what happens when spans start and end.

use super::export::{SpanData, SpanExporter};
use super::span::Span;
use crate::error::{Error, Result};
use crate::resource::Resource;
use opentelemetry_api::{otel_error, Context};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Hooks into span start and end. Processors run synchronously on the thread that starts or
/// ends the span, in the order they were added, and only for recording spans; they must not
/// block.
///
/// ```
/// use opentelemetry_api::Context;
/// use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// /// Counts ended spans.
/// #[derive(Debug, Default)]
/// struct Counter(AtomicUsize);
///
/// impl SpanProcessor for Counter {
///     fn on_start(&self, _span: &mut Span, _parent: &Context) {}
///     fn on_end(&self, _span: SpanData) { self.0.fetch_add(1, Ordering::Relaxed); }
///     fn force_flush(&self) -> opentelemetry_sdk::Result { Ok(()) }
///     fn shutdown_with_timeout(&self, _t: std::time::Duration) -> opentelemetry_sdk::Result { Ok(()) }
/// }
/// ```
pub trait SpanProcessor: Send + Sync + Debug {
    /// Called when a recording span starts, with the parent context the SDK determined. The
    /// span may be modified (e.g. attributes added).
    fn on_start(&self, span: &mut Span, parent_cx: &Context);

    /// Called while the span ends, after its end time is set and before any `on_end`; the
    /// span's data may still be modified.
    fn on_ending(&self, _span: &mut SpanData) {}

    /// Called with the ended span.
    fn on_end(&self, span: SpanData);

    /// Exports everything received so far; returns when done or failed.
    fn force_flush(&self) -> Result;

    /// Flushes and shuts down within `timeout`; later calls are ignored.
    fn shutdown_with_timeout(&self, timeout: Duration) -> Result;

    /// Flushes and shuts down within 5 seconds.
    fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(Duration::from_secs(5))
    }

    /// Receives the provider's resource when the provider is built.
    fn set_resource(&mut self, _resource: &Resource) {}
}

/// Runs an export to completion with telemetry suppressed, containing a panic in the exporter.
pub(crate) fn run_export(exporter: &mut dyn SpanExporter, batch: &[SpanData]) -> Result {
    crate::export::run_export_blocking(|| exporter.export(batch))
}

/// Exports each sampled span as soon as it ends, one export at a time. Simple and
/// synchronous (the ending thread waits for the export): for tests, debugging and exporters
/// that only hand data to a local buffer. Use a batch processor in production.
///
/// ```
/// use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SimpleSpanProcessor};
/// let provider = SdkTracerProvider::builder()
///     .with_span_processor(SimpleSpanProcessor::new(InMemorySpanExporter::default()))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct SimpleSpanProcessor {
    exporter: Mutex<Box<dyn SpanExporter>>,
    is_shutdown: AtomicBool,
}

impl SimpleSpanProcessor {
    /// A processor that exports to `exporter`.
    pub fn new<E: SpanExporter + 'static>(exporter: E) -> Self {
        SimpleSpanProcessor {
            exporter: Mutex::new(Box::new(exporter)),
            is_shutdown: AtomicBool::new(false),
        }
    }

    fn exporter(&self) -> std::sync::MutexGuard<'_, Box<dyn SpanExporter>> {
        // A panic during an export is contained in `run_export`; the exporter stays usable.
        self.exporter.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl SpanProcessor for SimpleSpanProcessor {
    fn on_start(&self, _span: &mut Span, _parent_cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() || self.is_shutdown.load(Ordering::Relaxed) {
            return;
        }
        let mut exporter = self.exporter();
        if let Err(err) = run_export(&mut **exporter, std::slice::from_ref(&span)) {
            otel_error!(
                "SimpleSpanProcessor.ExportFailed",
                "span export failed: {err}"
            );
        }
    }

    fn force_flush(&self) -> Result {
        if self.is_shutdown.load(Ordering::Relaxed) {
            return Err(Error::AlreadyShutdown);
        }
        let mut exporter = self.exporter();
        crate::export::suppressed(|| exporter.force_flush())
    }

    fn shutdown_with_timeout(&self, _timeout: Duration) -> Result {
        if self.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        let mut exporter = self.exporter();
        crate::export::suppressed(|| exporter.shutdown())
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.exporter
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .set_resource(resource);
    }
}
