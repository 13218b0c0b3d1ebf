//! Type-erased loggers and records, for providers chosen at run time and for the global.

use super::noop::NoopLogRecord;
use super::{LogRecord, Logger, LoggerProvider, Severity};
use crate::trace::{SpanId, TraceFlags, TraceId};
use crate::{AnyValue, InstrumentationScope, Key};
use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

/// Moves `value` out as a `U` when `T` and `U` are the same type.
#[inline]
fn cast<T: 'static, U: 'static>(value: T) -> Result<U, T> {
    let mut slot = Some(value);
    if let Some(same) = (&mut slot as &mut dyn Any).downcast_mut::<Option<U>>() {
        // Infallible: `slot` was just set to `Some` and is taken only here.
        return Ok(same.take().expect("slot holds the value"));
    }
    // Infallible: the value was not taken above.
    Err(slot.expect("slot holds the value"))
}

/// A record of any implementation, as the record type of [`BoxedLogger`] and of the global
/// logger. A no-op record is kept inline (no allocation); any other record is boxed.
pub struct BoxedLogRecord(Repr);

enum Repr {
    Noop,
    Boxed(Box<dyn AnyLogRecord>),
}

/// A record that can be turned back into its concrete type.
trait AnyLogRecord: LogRecord + Send {
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

impl<R: LogRecord + Send + 'static> AnyLogRecord for R {
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

impl BoxedLogRecord {
    /// The no-op record, held inline.
    pub const NOOP: BoxedLogRecord = BoxedLogRecord(Repr::Noop);

    /// Erases the type of `record`. A [`NoopLogRecord`] is not allocated, and a
    /// `BoxedLogRecord` is passed through rather than boxed again.
    #[inline]
    pub fn new<R: LogRecord + Send + 'static>(record: R) -> Self {
        if TypeId::of::<R>() == TypeId::of::<NoopLogRecord>() {
            return BoxedLogRecord::NOOP;
        }
        match cast::<R, BoxedLogRecord>(record) {
            Ok(boxed) => boxed,
            Err(record) => BoxedLogRecord(Repr::Boxed(Box::new(record))),
        }
    }

    /// Whether this is the no-op record (everything set on it is dropped).
    #[inline]
    pub fn is_noop(&self) -> bool {
        matches!(self.0, Repr::Noop)
    }

    /// The record as its concrete type `R`, or `None` when it is of another type.
    pub(crate) fn downcast<R: LogRecord + 'static>(self) -> Option<R> {
        let this = match cast::<BoxedLogRecord, R>(self) {
            Ok(same) => return Some(same),
            Err(this) => this,
        };
        match this.0 {
            Repr::Noop => cast::<NoopLogRecord, R>(NoopLogRecord::new()).ok(),
            Repr::Boxed(record) => record.into_any().downcast::<R>().ok().map(|r| *r),
        }
    }
}

impl fmt::Debug for BoxedLogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedLogRecord")
            .field("noop", &self.is_noop())
            .finish()
    }
}

impl LogRecord for BoxedLogRecord {
    #[inline]
    fn set_timestamp(&mut self, timestamp: SystemTime) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_timestamp(timestamp)
        }
    }
    #[inline]
    fn set_observed_timestamp(&mut self, timestamp: SystemTime) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_observed_timestamp(timestamp)
        }
    }
    #[inline]
    fn set_severity_number(&mut self, severity: Severity) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_severity_number(severity)
        }
    }
    #[inline]
    fn set_severity_text(&mut self, text: &'static str) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_severity_text(text)
        }
    }
    #[inline]
    fn set_body(&mut self, body: AnyValue) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_body(body)
        }
    }
    #[inline]
    fn record_attribute(&mut self, key: Key, value: AnyValue) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.record_attribute(key, value)
        }
    }
    #[inline]
    fn set_event_name(&mut self, name: &'static str) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_event_name(name)
        }
    }
    #[inline]
    fn set_trace_context(&mut self, trace_id: TraceId, span_id: SpanId, flags: Option<TraceFlags>) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.set_trace_context(trace_id, span_id, flags)
        }
    }
    #[inline]
    fn record_target(&mut self, target: Cow<'static, str>) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.record_target(target)
        }
    }

    #[inline]
    fn record_exception(&mut self, exception_type: &str, error: &dyn std::error::Error) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.record_exception(exception_type, error)
        }
    }

    // Overridden so a no-op record skips the conversions too.
    #[inline]
    fn add_attribute<K: Into<Key>, V: Into<AnyValue>>(&mut self, key: K, value: V) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.record_attribute(key.into(), value.into())
        }
    }
    #[inline]
    fn add_attributes<I, K, V>(&mut self, attributes: I)
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Key>,
        V: Into<AnyValue>,
    {
        if let Repr::Boxed(r) = &mut self.0 {
            for (key, value) in attributes {
                r.record_attribute(key.into(), value.into());
            }
        }
    }
    #[inline]
    fn set_target<T: Into<Cow<'static, str>>>(&mut self, target: T) {
        if let Repr::Boxed(r) = &mut self.0 {
            r.record_target(target.into())
        }
    }
}

/// The dyn-compatible form of [`Logger`], implemented for every logger whose records are
/// `Send + 'static`.
pub trait ObjectSafeLogger: Send + Sync {
    /// Creates a record and erases its type.
    fn create_log_record_boxed(&self) -> BoxedLogRecord;

    /// Emits a record created by [`create_log_record_boxed`](Self::create_log_record_boxed)
    /// of this logger; a record of another type is dropped.
    fn emit_boxed(&self, record: BoxedLogRecord);

    /// Whether the logger is enabled for these arguments (see [`Logger::enabled`]).
    fn enabled_boxed(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool;
}

impl<L> ObjectSafeLogger for L
where
    L: Logger + Send + Sync,
    L::LogRecord: Send + 'static,
{
    #[inline]
    fn create_log_record_boxed(&self) -> BoxedLogRecord {
        BoxedLogRecord::new(self.create_log_record())
    }

    #[inline]
    fn emit_boxed(&self, record: BoxedLogRecord) {
        if record.is_noop() && TypeId::of::<L::LogRecord>() != TypeId::of::<BoxedLogRecord>() {
            // A record created while nothing was installed: nothing to emit.
            return;
        }
        match record.downcast::<L::LogRecord>() {
            Some(record) => self.emit(record),
            None => crate::otel_debug!(
                "Logger.ForeignRecord",
                "dropped a log record created by a logger of another type"
            ),
        }
    }

    #[inline]
    fn enabled_boxed(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        self.enabled(severity, target, event_name)
    }
}

/// A logger of any implementation.
///
/// ```
/// use opentelemetry_api::logs::{BoxedLogger, LogRecord, Logger, LoggerProvider};
/// use opentelemetry_api::logs::noop::NoopLoggerProvider;
///
/// let logger = BoxedLogger::new(NoopLoggerProvider::new().logger("example"));
/// let mut record = logger.create_log_record();
/// assert!(record.is_noop()); // no-op records are not allocated
/// record.add_attribute("k", "v");
/// logger.emit(record);
/// ```
pub struct BoxedLogger(Box<dyn ObjectSafeLogger>);

impl BoxedLogger {
    /// Erases the type of `logger`.
    pub fn new<L: ObjectSafeLogger + 'static>(logger: L) -> Self {
        BoxedLogger(Box::new(logger))
    }
}

impl fmt::Debug for BoxedLogger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoxedLogger")
    }
}

impl Logger for BoxedLogger {
    type LogRecord = BoxedLogRecord;

    #[inline]
    fn create_log_record(&self) -> BoxedLogRecord {
        self.0.create_log_record_boxed()
    }

    #[inline]
    fn emit(&self, record: BoxedLogRecord) {
        self.0.emit_boxed(record)
    }

    #[inline]
    fn enabled(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        self.0.enabled_boxed(severity, target, event_name)
    }
}

/// The dyn-compatible form of [`LoggerProvider`], implemented for every provider whose
/// loggers are `Send + Sync + 'static` and whose records are `Send + 'static`.
pub trait ObjectSafeLoggerProvider: Send + Sync {
    /// A type-erased logger for the scope.
    fn boxed_logger(&self, scope: InstrumentationScope) -> BoxedLogger;
}

impl<P> ObjectSafeLoggerProvider for P
where
    P: LoggerProvider + Send + Sync,
    P::Logger: Send + Sync + 'static,
    <P::Logger as Logger>::LogRecord: Send + 'static,
{
    fn boxed_logger(&self, scope: InstrumentationScope) -> BoxedLogger {
        BoxedLogger::new(self.logger_with_scope(scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::noop::NoopLogger;
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Rec {
        attributes: Vec<(Key, AnyValue)>,
        target: Option<Cow<'static, str>>,
    }

    impl LogRecord for Rec {
        fn set_timestamp(&mut self, _: SystemTime) {}
        fn set_observed_timestamp(&mut self, _: SystemTime) {}
        fn set_severity_number(&mut self, _: Severity) {}
        fn set_severity_text(&mut self, _: &'static str) {}
        fn set_body(&mut self, _: AnyValue) {}
        fn record_attribute(&mut self, key: Key, value: AnyValue) {
            self.attributes.push((key, value));
        }
        fn set_event_name(&mut self, _: &'static str) {}
        fn set_trace_context(&mut self, _: TraceId, _: SpanId, _: Option<TraceFlags>) {}
        fn record_target(&mut self, target: Cow<'static, str>) {
            self.target = Some(target);
        }
    }

    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<Rec>>>);

    impl Logger for Sink {
        type LogRecord = Rec;
        fn create_log_record(&self) -> Rec {
            Rec::default()
        }
        fn emit(&self, record: Rec) {
            self.0.lock().unwrap().push(record);
        }
    }

    #[test]
    fn noop_records_stay_inline_and_boxed_records_are_not_boxed_twice() {
        assert!(BoxedLogRecord::new(NoopLogRecord::new()).is_noop());
        assert!(BoxedLogRecord::new(BoxedLogRecord::NOOP).is_noop());
        assert!(!BoxedLogRecord::new(BoxedLogRecord::new(Rec::default())).is_noop());
        assert!(BoxedLogRecord::new(Rec::default())
            .downcast::<Rec>()
            .is_some());
        assert!(BoxedLogRecord::new(BoxedLogRecord::new(Rec::default()))
            .downcast::<Rec>()
            .is_some());
        assert!(BoxedLogRecord::NOOP.downcast::<NoopLogRecord>().is_some());
        assert!(BoxedLogRecord::NOOP.downcast::<Rec>().is_none());
        assert!(BoxedLogRecord::new(Rec::default())
            .downcast::<NoopLogRecord>()
            .is_none());
    }

    #[test]
    fn boxed_logger_delivers_the_concrete_record() {
        let sink = Sink::default();
        let logger = BoxedLogger::new(sink.clone());
        assert!(logger.enabled(Severity::Trace, "", None));
        let mut record = logger.create_log_record();
        record.add_attributes([("a", 1i64), ("b", 2)]);
        record.set_target(String::from("my::target"));
        logger.emit(record);
        // A boxed logger boxed again still reaches the real one.
        let twice = BoxedLogger::new(BoxedLogger::new(sink.clone()));
        let mut record = twice.create_log_record();
        record.add_attribute("c", "three");
        twice.emit(record);

        let got = sink.0.lock().unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[0].attributes,
            vec![
                (Key::from("a"), AnyValue::Int(1)),
                (Key::from("b"), AnyValue::Int(2))
            ]
        );
        assert_eq!(got[0].target.as_deref(), Some("my::target"));
        assert_eq!(
            got[1].attributes,
            vec![(Key::from("c"), AnyValue::from("three"))]
        );
    }

    #[test]
    fn foreign_records_are_dropped() {
        let sink = Sink::default();
        let logger = BoxedLogger::new(sink.clone());
        logger.emit(BoxedLogger::new(NoopLogger::new()).create_log_record());
        logger.emit(BoxedLogRecord::new(NoopLogRecord::new()));
        assert!(sink.0.lock().unwrap().is_empty());
        let noop = BoxedLogger::new(NoopLogger::new());
        assert!(!noop.enabled(Severity::Fatal4, "", None));
        noop.emit(logger.create_log_record());
    }
}
