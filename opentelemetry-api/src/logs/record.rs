//! The log record interface: a write-only view of the data model's fields.

use super::Severity;
use crate::trace::{SpanId, TraceFlags, TraceId};
use crate::{AnyValue, Key};
use std::borrow::Cow;
use std::time::SystemTime;

/// A log record being built: one setter per field of the logs data model.
///
/// Get one from [`Logger::create_log_record`](super::Logger::create_log_record), set what the
/// source knows and hand it to [`Logger::emit`](super::Logger::emit). Every field is optional;
/// a field set twice keeps the later value (attributes are added, not replaced: an
/// implementation decides what a repeated key means). The resource and the instrumentation
/// scope come from the provider and the logger.
///
/// The trait is dyn-compatible: the required methods take concrete types, and the generic
/// conveniences ([`add_attribute`](LogRecord::add_attribute),
/// [`add_attributes`](LogRecord::add_attributes), [`set_target`](LogRecord::set_target)) are
/// provided for sized implementations on top of [`record_attribute`](LogRecord::record_attribute)
/// and [`record_target`](LogRecord::record_target).
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
/// use opentelemetry_api::logs::noop::NoopLoggerProvider;
/// use opentelemetry_api::AnyValue;
/// use std::time::SystemTime;
///
/// let logger = NoopLoggerProvider::new().logger("my-bridge");
/// let mut record = logger.create_log_record();
/// record.set_timestamp(SystemTime::now());
/// record.set_severity_number(Severity::Warn);
/// record.set_severity_text("warning");
/// record.set_body(AnyValue::from("disk almost full"));
/// record.add_attribute("disk.free_bytes", 1_024i64);
/// record.set_target("my_app::storage");
/// logger.emit(record);
/// ```
pub trait LogRecord {
    /// Sets when the event occurred, by the source's clock (`Timestamp`).
    fn set_timestamp(&mut self, timestamp: SystemTime);

    /// Sets when OpenTelemetry observed the event (`ObservedTimestamp`). When unset, an SDK
    /// sets it on emit.
    fn set_observed_timestamp(&mut self, timestamp: SystemTime);

    /// Sets the normalized severity (`SeverityNumber`).
    fn set_severity_number(&mut self, severity: Severity);

    /// Sets the severity (log level) as the source names it (`SeverityText`), for example
    /// `"WARNING"`.
    fn set_severity_text(&mut self, text: &'static str);

    /// Sets the body: a message string or structured data (`Body`).
    fn set_body(&mut self, body: AnyValue);

    /// Adds one attribute (`Attributes`). This is the dyn-compatible primitive behind
    /// [`add_attribute`](LogRecord::add_attribute).
    fn record_attribute(&mut self, key: Key, value: AnyValue);

    /// Sets the event name, which makes the record an event (`EventName`).
    fn set_event_name(&mut self, name: &'static str);

    /// Sets the trace context fields (`TraceId`, `SpanId`, `TraceFlags`).
    ///
    /// When the record has none, an SDK takes them from the context the record is emitted in
    /// (the current one, or the one given to
    /// [`Logger::emit_with_context`](super::Logger::emit_with_context)).
    fn set_trace_context(
        &mut self,
        trace_id: TraceId,
        span_id: SpanId,
        trace_flags: Option<TraceFlags>,
    );

    /// Sets the Rust-specific target: the category the source logged under (for example a
    /// module path, like `log`'s and `tracing`'s target). This is the dyn-compatible
    /// primitive behind [`set_target`](LogRecord::set_target).
    fn record_target(&mut self, target: Cow<'static, str>);

    /// Associates an error with the record: the spec's optional `Exception` parameter of
    /// Emit, as the dyn-compatible primitive behind [`set_exception`](LogRecord::set_exception).
    ///
    /// An SDK adds the exception attributes of the semantic conventions,
    /// `exception.type` (`exception_type`) and `exception.message` (the error's `Display`),
    /// but never over an attribute the caller set. Records that keep nothing ignore it.
    fn record_exception(&mut self, exception_type: &str, error: &dyn std::error::Error) {
        let _ = (exception_type, error);
    }

    /// Associates `error` with the record, with its Rust type name as `exception.type` (see
    /// [`record_exception`](LogRecord::record_exception)).
    ///
    /// ```
    /// use opentelemetry_api::logs::noop::NoopLoggerProvider;
    /// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider};
    ///
    /// let logger = NoopLoggerProvider::new().logger("app");
    /// let mut record = logger.create_log_record();
    /// let error = "x".parse::<i32>().unwrap_err();
    /// record.set_exception(&error);
    /// logger.emit(record);
    /// ```
    #[inline]
    fn set_exception<E>(&mut self, error: &E)
    where
        E: std::error::Error + 'static,
        Self: Sized,
    {
        self.record_exception(std::any::type_name::<E>(), error)
    }

    /// Adds one attribute.
    #[inline]
    fn add_attribute<K, V>(&mut self, key: K, value: V)
    where
        K: Into<Key>,
        V: Into<AnyValue>,
        Self: Sized,
    {
        self.record_attribute(key.into(), value.into())
    }

    /// Adds several attributes.
    #[inline]
    fn add_attributes<I, K, V>(&mut self, attributes: I)
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Key>,
        V: Into<AnyValue>,
        Self: Sized,
    {
        for (key, value) in attributes {
            self.record_attribute(key.into(), value.into());
        }
    }

    /// Sets the Rust-specific target (see [`record_target`](LogRecord::record_target)).
    #[inline]
    fn set_target<T>(&mut self, target: T)
    where
        T: Into<Cow<'static, str>>,
        Self: Sized,
    {
        self.record_target(target.into())
    }
}
