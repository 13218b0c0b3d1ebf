//! Log record processors: what happens when a record is emitted.

use super::export::{LogData, LogExporter};
use super::record::SdkLogRecord;
use crate::error::{first_error, Error, Result};
use crate::resource::Resource;
use crate::self_observability::{Dropped, ProcessorMetrics, LOG_PROCESSOR};
use opentelemetry_api::logs::Severity;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{otel_error, InstrumentationScope};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Hooks into log record emission (the spec's `LogRecordProcessor`). Processors run
/// synchronously on the emitting thread, in the order they were added, and must not block.
///
/// A processor may modify the record in [`emit`](LogProcessor::emit): later processors see
/// the change. A processor that keeps the record (to export it later) clones it. The scope is
/// passed as an `Arc` so that keeping it costs a reference count, not a deep copy.
///
/// A filtering processor wraps the processor it filters for, and filters in both `emit`
/// and `enabled` (callers need not ask `enabled` first):
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
/// use opentelemetry_api::InstrumentationScope;
/// use opentelemetry_sdk::logs::{
///     InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider, SimpleLogProcessor,
/// };
/// use std::sync::Arc;
///
/// /// Passes WARN and above on to the wrapped processor, with an attribute added.
/// #[derive(Debug)]
/// struct WarnAndAbove<P>(P);
///
/// impl<P: LogProcessor> LogProcessor for WarnAndAbove<P> {
///     fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
///         if record.severity_number().is_some_and(|s| s >= Severity::Warn) {
///             record.set_attribute("deployment", "blue");
///             self.0.emit(record, scope);
///         }
///     }
///     fn enabled(&self, severity: Severity, target: &str, name: Option<&str>, scope: &InstrumentationScope) -> bool {
///         severity >= Severity::Warn && self.0.enabled(severity, target, name, scope)
///     }
///     fn force_flush(&self) -> opentelemetry_sdk::Result { self.0.force_flush() }
///     fn shutdown_with_timeout(&self, t: std::time::Duration) -> opentelemetry_sdk::Result {
///         self.0.shutdown_with_timeout(t)
///     }
/// }
///
/// let exporter = InMemoryLogExporter::default();
/// let provider = SdkLoggerProvider::builder()
///     .with_log_processor(WarnAndAbove(SimpleLogProcessor::new(exporter.clone())))
///     .build();
/// let logger = provider.logger("example");
/// assert!(!logger.enabled(Severity::Info, "", None));
/// assert!(logger.enabled(Severity::Error, "", None));
/// for severity in [Severity::Info, Severity::Error] {
///     let mut record = logger.create_log_record();
///     record.set_severity_number(severity);
///     logger.emit(record);
/// }
/// let logs = exporter.get_emitted_logs();
/// assert_eq!(logs.len(), 1);
/// assert_eq!(logs[0].record.attributes_len(), 1);
/// ```
pub trait LogProcessor: Send + Sync + Debug {
    /// Called with each emitted record (`OnEmit`), after the SDK filled the observed
    /// timestamp and the trace context. Changes to `record` are seen by later processors.
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>);

    /// Whether a record with these properties would be processed (`Enabled`), for the
    /// current context. Only a hint for callers of `Logger::enabled`: `emit` must still
    /// filter on its own. The default is `true`.
    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        event_name: Option<&str>,
        scope: &InstrumentationScope,
    ) -> bool {
        let _ = (severity, target, event_name, scope);
        true
    }

    /// Exports everything received so far; returns when done or failed.
    fn force_flush(&self) -> Result;

    /// Flushes and shuts down within `timeout`; later calls return
    /// [`Error::AlreadyShutdown`].
    fn shutdown_with_timeout(&self, timeout: Duration) -> Result;

    /// Flushes and shuts down within 5 seconds.
    fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(Duration::from_secs(5))
    }

    /// Receives the provider's resource when the provider is built.
    fn set_resource(&mut self, _resource: &Resource) {}

    /// Receives the self-observability meter of a provider built
    /// [`with_self_observability`](super::LoggerProviderBuilder::with_self_observability):
    /// the SDK's processors record their `otel.sdk.processor.log.*` metrics with it, unless
    /// they were given a meter provider of their own. Its argument's type cannot be named
    /// outside the SDK.
    #[doc(hidden)]
    fn enable_self_observability(&mut self, _meter: &Meter, _: private::Sealed) {}
}

pub(crate) mod private {
    /// A token only the SDK can make: methods taking it cannot be implemented outside.
    #[derive(Clone, Copy, Debug)]
    pub struct Sealed(pub(crate) ());
}

/// Exports each record as soon as it is emitted, one export at a time, on the emitting thread
/// (which waits for the export). For tests, debugging and exporters that only hand data to a
/// local buffer; use [`BatchLogProcessor`](super::BatchLogProcessor) in production.
///
/// ```
/// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider, SimpleLogProcessor};
/// let provider = SdkLoggerProvider::builder()
///     .with_log_processor(SimpleLogProcessor::new(InMemoryLogExporter::default()))
///     .build();
/// # drop(provider);
/// ```
#[derive(Debug)]
pub struct SimpleLogProcessor {
    exporter: Mutex<Box<dyn LogExporter>>,
    is_shutdown: AtomicBool,
    metrics: Option<ProcessorMetrics>,
}

impl SimpleLogProcessor {
    /// A processor that exports to `exporter`.
    pub fn new<E: LogExporter + 'static>(exporter: E) -> Self {
        SimpleLogProcessor {
            exporter: Mutex::new(Box::new(exporter)),
            is_shutdown: AtomicBool::new(false),
            metrics: None,
        }
    }

    /// Records `otel.sdk.processor.log.processed` into `meter_provider`, as component
    /// `simple_log_processor/<n>`: a record counts when it is handed to the exporter, or
    /// with `error.type` `already_shutdown` when it is emitted after shutdown. Off by
    /// default; a provider built
    /// [`with_self_observability`](super::LoggerProviderBuilder::with_self_observability)
    /// turns it on for the processors it was given without one.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::logs::{InMemoryLogExporter, SimpleLogProcessor};
    /// let processor = SimpleLogProcessor::new(InMemoryLogExporter::default())
    ///     .with_self_observability(&global::meter_provider());
    /// # drop(processor);
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.enable(&crate::self_observability::meter(meter_provider));
        self
    }

    fn enable(&mut self, meter: &Meter) {
        self.metrics = Some(ProcessorMetrics::new(
            meter,
            &LOG_PROCESSOR,
            opentelemetry_semantic_conventions::attribute::otel_component_type::SIMPLE_LOG_PROCESSOR,
            None,
        ));
    }

    fn exporter(&self) -> std::sync::MutexGuard<'_, Box<dyn LogExporter>> {
        // A panic during an export is contained; the exporter stays usable.
        self.exporter.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl LogProcessor for SimpleLogProcessor {
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        if self.is_shutdown.load(Ordering::Relaxed) {
            if let Some(metrics) = &self.metrics {
                metrics.dropped(Dropped::AlreadyShutdown);
            }
            return;
        }
        let data = LogData {
            record: record.clone(),
            instrumentation_scope: scope.clone(),
        };
        let mut exporter = self.exporter();
        if let Some(metrics) = &self.metrics {
            metrics.processed(1);
        }
        let batch = std::slice::from_ref(&data);
        if let Err(err) = crate::export::run_export_blocking(|| exporter.export(batch)) {
            otel_error!(
                "SimpleLogProcessor.ExportFailed",
                "log record export failed: {err}"
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

    fn enable_self_observability(&mut self, meter: &Meter, _: private::Sealed) {
        if self.metrics.is_none() {
            self.enable(meter);
        }
    }
}

/// The processors of a provider that has other than exactly one, as one processor: `emit`
/// runs each in order, `enabled` asks until one says yes (none: never enabled), flushing
/// and shutting down reach every processor and report the first failure. A provider
/// dispatches through a single `dyn LogProcessor` (its only processor, or this), so that the
/// checks inlined into every bridge make one call and hold no loop.
pub(crate) struct Fanout(pub(crate) Vec<Box<dyn LogProcessor>>);

impl Debug for Fanout {
    /// The list of processors (what a provider shows as its processors).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(&self.0).finish()
    }
}

impl LogProcessor for Fanout {
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        for processor in &self.0 {
            processor.emit(record, scope);
        }
    }

    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        event_name: Option<&str>,
        scope: &InstrumentationScope,
    ) -> bool {
        self.0
            .iter()
            .any(|p| p.enabled(severity, target, event_name, scope))
    }

    fn force_flush(&self) -> Result {
        first_error(self.0.iter().map(|p| p.force_flush()))
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        first_error(self.0.iter().map(|p| p.shutdown_with_timeout(timeout)))
    }

    fn set_resource(&mut self, resource: &Resource) {
        for processor in &mut self.0 {
            processor.set_resource(resource);
        }
    }

    fn enable_self_observability(&mut self, meter: &Meter, token: private::Sealed) {
        for processor in &mut self.0 {
            processor.enable_self_observability(meter, token);
        }
    }
}
