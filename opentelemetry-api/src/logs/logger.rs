//! Loggers and logger providers.

use super::{LogRecord, Severity};
use crate::trace::TraceContextExt;
use crate::{Context, InstrumentationScope};
use std::borrow::Cow;

/// Emits log records, for one instrumentation scope.
///
/// Log bridges (appenders for `log`, `tracing` and the like) and instrumentation use it the
/// same way: create a record, set the fields the source knows, emit it. Implementations must
/// be safe to use from many threads at once.
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, Severity};
/// use opentelemetry_api::{global, AnyValue};
/// use std::time::SystemTime;
///
/// // What a bridge does for each record of the source logging library.
/// fn bridge(logger: &impl Logger, level: Severity, target: &'static str, message: String) {
///     if !logger.enabled(level, target, None) {
///         return;
///     }
///     let mut record = logger.create_log_record();
///     record.set_observed_timestamp(SystemTime::now());
///     record.set_severity_number(level);
///     record.set_severity_text(level.name());
///     record.set_target(target);
///     record.set_body(AnyValue::from(message));
///     logger.emit(record);
/// }
///
/// bridge(&global::logger("my-bridge"), Severity::Info, "my_app::db", "connected".into());
/// ```
pub trait Logger {
    /// The record type this logger creates and emits.
    type LogRecord: LogRecord;

    /// A new, empty record to fill and pass to [`emit`](Logger::emit).
    fn create_log_record(&self) -> Self::LogRecord;

    /// Emits a record created by this logger into the processing pipeline.
    ///
    /// The record belongs to the current [`Context`]: when its trace context fields were not
    /// set, an implementation takes them from the current context's active span.
    fn emit(&self, record: Self::LogRecord);

    /// Creates a record, lets `fill` set its fields, and emits it: the same as
    /// [`create_log_record`](Logger::create_log_record), `fill`, [`emit`](Logger::emit), but
    /// an implementation may build the record in place and never move it (the SDK's does:
    /// its records are large), and may skip `fill` entirely when it would record nothing
    /// (after shutdown, or while telemetry is suppressed). `fill` should only set fields.
    ///
    /// ```
    /// use opentelemetry_api::logs::{LogRecord, Logger, Severity};
    /// use opentelemetry_api::global;
    ///
    /// let logger = global::logger("my-bridge");
    /// logger.emit_with(|record| {
    ///     record.set_severity_number(Severity::Warn);
    ///     record.set_body("disk almost full".into());
    ///     record.add_attribute("disk.free_bytes", 1_024i64);
    /// });
    /// ```
    #[inline]
    fn emit_with<F: FnOnce(&mut Self::LogRecord)>(&self, fill: F)
    where
        Self: Sized,
    {
        let mut record = self.create_log_record();
        fill(&mut record);
        self.emit(record)
    }

    /// Whether a record with this severity, target and event name would be processed.
    ///
    /// Calling it is optional and never required before [`emit`](Logger::emit): it only
    /// helps skip expensive work (computing a body or attributes) when the answer is `false`.
    /// The answer applies to the current [`Context`] and can change over time (for example
    /// when the configuration changes), so do not cache it. `target` is the Rust-specific
    /// category (see [`LogRecord::set_target`]); pass `""` when there is none.
    ///
    /// The default implementation returns `true`.
    fn enabled(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        let _ = (severity, target, event_name);
        true
    }

    /// Emits a record that belongs to `cx` rather than to the current context: the trace
    /// context fields are set from `cx`'s active span when it has a valid one.
    fn emit_with_context(&self, mut record: Self::LogRecord, cx: &Context) {
        let span = cx.span();
        let span_context = span.span_context();
        if span_context.is_valid() {
            record.set_trace_context(
                span_context.trace_id(),
                span_context.span_id(),
                Some(span_context.trace_flags()),
            );
        }
        self.emit(record)
    }
}

/// Hands out loggers, one per instrumentation scope. Implementations must be safe to use from
/// many threads at once.
///
/// For a log source that has logger names (like Java's), the logger name is the scope name.
///
/// ```
/// use opentelemetry_api::logs::{noop::NoopLoggerProvider, LoggerProvider};
/// use opentelemetry_api::InstrumentationScope;
///
/// let provider = NoopLoggerProvider::new();
/// let scope = InstrumentationScope::builder("my-bridge").with_version("1.0").build();
/// let _logger = provider.logger_with_scope(scope);
/// let _simple = provider.logger("my-library");
/// ```
pub trait LoggerProvider {
    /// The logger type.
    type Logger: Logger;

    /// A logger for the given scope.
    fn logger_with_scope(&self, scope: InstrumentationScope) -> Self::Logger;

    /// A logger for a scope with only a name.
    fn logger(&self, name: impl Into<Cow<'static, str>>) -> Self::Logger {
        self.logger_with_scope(InstrumentationScope::builder(name).build())
    }
}
