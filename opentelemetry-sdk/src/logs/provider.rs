//! The SDK logger provider and logger.

use super::batch::BatchLogProcessor;
use super::export::LogExporter;
use super::limits::LogRecordLimits;
use super::processor::{Fanout, LogProcessor, SimpleLogProcessor};
use super::record::{InlineFast, SdkLogRecord, TraceContext};
use crate::error::{Error, Result};
use crate::resource::Resource;
use opentelemetry_api::logs::{Logger, LoggerProvider, Severity};
use opentelemetry_api::metrics::{BoundCounter, Meter, MeterProvider};
use opentelemetry_api::trace::{active_span_ids, SpanId, TraceContextExt, TraceId};
use opentelemetry_api::{otel_debug, otel_warn, Context, InstrumentationScope};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The default timeout of [`SdkLoggerProvider::shutdown`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

struct ProviderInner {
    /// The only processor, or a [`Fanout`] of the processors when there are none or several
    /// (`fanout`): one dynamic call per check and per record.
    processor: Box<dyn LogProcessor>,
    fanout: bool,
    resource: Resource,
    limits: LogRecordLimits,
    /// `InlineFast::of(&limits)`, computed once instead of for every record.
    inline_fast: InlineFast,
    is_shutdown: AtomicBool,
    /// Not disabled (`OTEL_SDK_DISABLED`) and not shut down: one load on the hot paths.
    active: AtomicBool,
}

impl ProviderInner {
    fn shutdown(&self, timeout: Duration) -> Result {
        if self.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        self.active.store(false, Ordering::Release);
        self.processor.shutdown_with_timeout(timeout)
    }
}

impl Drop for ProviderInner {
    fn drop(&mut self) {
        if !self.is_shutdown.load(Ordering::Acquire) {
            if let Err(err) = self.shutdown(DEFAULT_SHUTDOWN_TIMEOUT) {
                opentelemetry_api::global::handle_error("LoggerProvider.ShutdownOnDrop", err);
            }
        }
    }
}

/// The SDK's logger provider: owns the processors, the resource and the record limits.
/// Clones share one provider; dropping the last clone (loggers hold one too) shuts it down.
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
/// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
///
/// let exporter = InMemoryLogExporter::default();
/// let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
/// let logger = provider.logger("example");
/// let mut record = logger.create_log_record();
/// record.set_severity_number(Severity::Info);
/// record.set_body("started".into());
/// logger.emit(record);
/// provider.shutdown().unwrap();
/// assert_eq!(exporter.get_emitted_logs().len(), 1);
/// ```
#[derive(Clone)]
pub struct SdkLoggerProvider {
    inner: Arc<ProviderInner>,
}

impl fmt::Debug for SdkLoggerProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkLoggerProvider")
            .field("processors", &ProcessorsDebug(&self.inner))
            .field("resource", &self.inner.resource)
            .field("limits", &self.inner.limits)
            .field("is_shutdown", &self.is_shutdown())
            .finish()
    }
}

/// Shows the processors as a list, whether there is one or a [`Fanout`] of them.
struct ProcessorsDebug<'a>(&'a ProviderInner);

impl fmt::Debug for ProcessorsDebug<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fanout {
            // A `Fanout` shows as its list.
            fmt::Debug::fmt(&self.0.processor, f)
        } else {
            f.debug_list().entry(&self.0.processor).finish()
        }
    }
}

impl Default for SdkLoggerProvider {
    fn default() -> Self {
        SdkLoggerProvider::builder().build()
    }
}

impl SdkLoggerProvider {
    /// A builder with the defaults: no processors, the default resource, and
    /// [`LogRecordLimits::from_env`].
    pub fn builder() -> LoggerProviderBuilder {
        LoggerProviderBuilder::default()
    }

    /// The provider's resource.
    pub fn resource(&self) -> &Resource {
        &self.inner.resource
    }

    /// The limits every record of this provider obeys.
    pub fn log_record_limits(&self) -> &LogRecordLimits {
        &self.inner.limits
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    #[inline]
    pub fn is_shutdown(&self) -> bool {
        self.inner.is_shutdown.load(Ordering::Relaxed)
    }

    /// Whether records are processed at all: false after shutdown or when the SDK is
    /// disabled.
    #[inline]
    fn is_active(&self) -> bool {
        self.inner.active.load(Ordering::Relaxed)
    }

    /// Exports every record the processors hold. Reports the first failure (all processors
    /// are flushed regardless).
    pub fn force_flush(&self) -> Result {
        if self.is_shutdown() {
            return Err(Error::AlreadyShutdown);
        }
        self.inner.processor.force_flush()
    }

    /// Flushes and shuts down every processor, within the default timeout (5 s). A second
    /// call returns [`Error::AlreadyShutdown`] and does nothing; afterwards loggers record
    /// nothing (they behave as no-op loggers).
    pub fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(DEFAULT_SHUTDOWN_TIMEOUT)
    }

    /// [`shutdown`](Self::shutdown) with a timeout for each processor.
    pub fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        let result = self.inner.shutdown(timeout);
        otel_debug!(
            "LoggerProvider.Shutdown",
            "logger provider shut down: {result:?}"
        );
        result
    }
}

impl LoggerProvider for SdkLoggerProvider {
    type Logger = SdkLogger;

    fn logger_with_scope(&self, scope: InstrumentationScope) -> SdkLogger {
        if scope.name().is_empty() {
            otel_warn!(
                "LoggerProvider.InvalidName",
                "a logger was requested with an empty name; a working logger is returned"
            );
        }
        SdkLogger {
            scope: Arc::new(scope),
            provider: self.clone(),
        }
    }
}

/// Builds an [`SdkLoggerProvider`].
#[derive(Default)]
pub struct LoggerProviderBuilder {
    processors: Vec<Box<dyn LogProcessor>>,
    resource: Option<Resource>,
    limits: Option<LogRecordLimits>,
    self_observability: Option<Meter>,
}

impl fmt::Debug for LoggerProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoggerProviderBuilder")
            .field("processors", &self.processors)
            .field("resource", &self.resource)
            .field("limits", &self.limits)
            .finish()
    }
}

impl LoggerProviderBuilder {
    /// Adds a processor; processors run in the order they were added.
    pub fn with_log_processor<P: LogProcessor + 'static>(mut self, processor: P) -> Self {
        self.processors.push(Box::new(processor));
        self
    }

    /// Adds a [`SimpleLogProcessor`] exporting each record as it is emitted (for tests and
    /// debugging; use a batch processor in production).
    pub fn with_simple_exporter<E: LogExporter + 'static>(self, exporter: E) -> Self {
        self.with_log_processor(SimpleLogProcessor::new(exporter))
    }

    /// Adds a [`BatchLogProcessor`] with the default configuration (the `OTEL_BLRP_*`
    /// variables apply) running on its own thread: the production choice. Use
    /// [`BatchLogProcessor::builder`] for other settings.
    pub fn with_batch_exporter<E: LogExporter + 'static>(self, exporter: E) -> Self {
        self.with_log_processor(BatchLogProcessor::builder(exporter).build())
    }

    /// Sets the resource (default: [`Resource::default`]).
    pub fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Sets the record limits (default: [`LogRecordLimits::from_env`]).
    pub fn with_log_record_limits(mut self, limits: LogRecordLimits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Turns on the SDK's self-observability metrics, recorded into `meter_provider` (any
    /// provider: a dedicated one, or [`global::meter_provider()`], which follows whatever is
    /// installed later). Off by default, and then free.
    ///
    /// The provider's loggers count `otel.sdk.log.created` (records emitted while the
    /// provider records); the SDK's processors added to it that were not given a meter
    /// provider of their own record `otel.sdk.processor.log.*` (see
    /// [`BatchLogProcessorBuilder::with_self_observability`](super::BatchLogProcessorBuilder::with_self_observability)).
    /// The meter's scope is `opentelemetry_sdk` with the crate's version and the
    /// conventions' schema URL.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_api::logs::{Logger, LoggerProvider};
    /// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
    ///
    /// let provider = SdkLoggerProvider::builder()
    ///     .with_batch_exporter(InMemoryLogExporter::default())
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// let logger = provider.logger("app");
    /// logger.emit(logger.create_log_record());
    /// # provider.shutdown().unwrap();
    /// ```
    ///
    /// [`global::meter_provider()`]: opentelemetry_api::global::meter_provider
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Builds the provider and hands every processor the resource. With
    /// `OTEL_SDK_DISABLED=true` the provider records nothing.
    pub fn build(self) -> SdkLoggerProvider {
        let disabled = crate::env::bool_var("OTEL_SDK_DISABLED");
        let resource = self.resource.unwrap_or_default();
        // The only processor directly, or all of them behind one `Fanout`.
        let (mut processor, fanout): (Box<dyn LogProcessor>, bool) =
            match <[Box<dyn LogProcessor>; 1]>::try_from(self.processors) {
                Ok([only]) => (only, false),
                Err(all) => (Box::new(Fanout(all)), true),
            };
        processor.set_resource(&resource);
        if let Some(meter) = self.self_observability {
            processor.enable_self_observability(&meter, super::processor::private::Sealed(()));
            // Counted by a processor in front of the others: without self-observability the
            // emit path is what it was, not even a branch more.
            processor = Box::new(CountCreated {
                created: crate::self_observability::log_created(&meter),
                processor,
            });
        }
        let limits = self.limits.unwrap_or_else(LogRecordLimits::from_env);
        SdkLoggerProvider {
            inner: Arc::new(ProviderInner {
                processor,
                fanout,
                resource,
                limits,
                inline_fast: InlineFast::of(&limits),
                is_shutdown: AtomicBool::new(false),
                active: AtomicBool::new(!disabled),
            }),
        }
    }
}

/// A logger of the SDK, for one instrumentation scope. Cheap to clone.
///
/// On [`emit`](Logger::emit) it sets the observed timestamp when the record has none, takes
/// the trace context from the current context's active span when the record has none, and
/// hands the record to each processor in turn. It records nothing after the provider is shut
/// down, when the SDK is disabled, or when telemetry is suppressed in the current context.
#[derive(Clone)]
pub struct SdkLogger {
    scope: Arc<InstrumentationScope>,
    provider: SdkLoggerProvider,
}

impl fmt::Debug for SdkLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkLogger")
            .field("scope", &self.scope)
            .finish()
    }
}

impl SdkLogger {
    /// The logger's instrumentation scope.
    pub fn instrumentation_scope(&self) -> &InstrumentationScope {
        &self.scope
    }

    /// The provider this logger belongs to.
    pub fn provider(&self) -> &SdkLoggerProvider {
        &self.provider
    }

    /// Whether records are recorded now: the provider is active and telemetry is not
    /// suppressed in the current context.
    #[inline(always)]
    fn should_record(&self) -> bool {
        self.provider.is_active() && !Context::is_current_telemetry_suppressed()
    }

    /// Takes the trace context from the current context's active span when the source did
    /// not set it, then runs the processors.
    #[inline(always)]
    fn complete_and_process(&self, record: &mut SdkLogRecord) {
        if record.trace_context.is_none() {
            // The IDs only, read under the thread's borrow: no span reference taken (and
            // one thread-local load when no span is active).
            if let Some((trace_id, span_id, flags)) = active_span_ids() {
                if trace_id != TraceId::INVALID && span_id != SpanId::INVALID {
                    record.trace_context = Some(TraceContext {
                        trace_id,
                        span_id,
                        trace_flags: Some(flags),
                    });
                }
            }
        }
        self.process(record)
    }

    /// Sets the observed timestamp if missing and runs the processors (in place: the record
    /// is not moved again).
    #[inline]
    fn process(&self, record: &mut SdkLogRecord) {
        if record.observed_timestamp.is_none() {
            record.observed_timestamp = Some(crate::clock::now());
        }
        self.provider.inner.processor.emit(record, &self.scope)
    }

    /// A new empty record obeying the provider's limits.
    #[inline(always)]
    fn new_record(&self) -> SdkLogRecord {
        let inner = &self.provider.inner;
        SdkLogRecord::with_inline_fast(inner.limits, inner.inline_fast)
    }
}

impl Logger for SdkLogger {
    type LogRecord = SdkLogRecord;

    #[inline]
    fn create_log_record(&self) -> SdkLogRecord {
        self.new_record()
    }

    // Always inlined: the record is large, and an out-of-line call copies it once more.
    #[inline(always)]
    fn emit(&self, mut record: SdkLogRecord) {
        if self.should_record() {
            self.complete_and_process(&mut record)
        }
    }

    /// Builds the record in place (the large record is never moved), and only when it
    /// would be recorded.
    #[inline(always)]
    fn emit_with<F: FnOnce(&mut SdkLogRecord)>(&self, fill: F) {
        if !self.should_record() {
            return;
        }
        let mut record = self.new_record();
        fill(&mut record);
        self.complete_and_process(&mut record)
    }

    fn emit_with_context(&self, mut record: SdkLogRecord, cx: &Context) {
        if !self.provider.is_active()
            || cx.is_telemetry_suppressed()
            || Context::is_current_telemetry_suppressed()
        {
            return;
        }
        // As the API documents: the context's active span wins over fields already set.
        {
            let span = cx.span();
            let sc = span.span_context();
            if sc.is_valid() {
                record.trace_context = Some(TraceContext {
                    trace_id: sc.trace_id(),
                    span_id: sc.span_id(),
                    trace_flags: Some(sc.trace_flags()),
                });
            }
        }
        self.process(&mut record)
    }

    #[inline]
    fn enabled(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        // The processors before the thread-local suppression flag: a filtered-out record
        // stops at the cheapest check.
        self.provider.is_active()
            && self
                .provider
                .inner
                .processor
                .enabled(severity, target, event_name, &self.scope)
            && !Context::is_current_telemetry_suppressed()
    }
}

/// Counts `otel.sdk.log.created` for every record the provider hands its processors, then
/// runs them: put in front of the processors when self-observability is on. Shows as the
/// processors it runs.
struct CountCreated {
    created: BoundCounter<u64>,
    processor: Box<dyn LogProcessor>,
}

impl fmt::Debug for CountCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.processor, f)
    }
}

impl LogProcessor for CountCreated {
    #[inline]
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        self.created.add(1);
        self.processor.emit(record, scope)
    }

    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        event_name: Option<&str>,
        scope: &InstrumentationScope,
    ) -> bool {
        self.processor.enabled(severity, target, event_name, scope)
    }

    fn force_flush(&self) -> Result {
        self.processor.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        self.processor.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.processor.set_resource(resource)
    }
}
