//! The no-op logs implementation, used until an SDK is installed: records are zero-sized,
//! setting fields and emitting do nothing and allocate nothing, and `enabled` is `false`.

use super::{LogRecord, Logger, LoggerProvider, Severity};
use crate::trace::{SpanId, TraceFlags, TraceId};
use crate::{AnyValue, Context, InstrumentationScope, Key};
use std::borrow::Cow;
use std::time::SystemTime;

/// A logger provider that hands out [`NoopLogger`]s.
///
/// ```
/// use opentelemetry_api::logs::noop::NoopLoggerProvider;
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
///
/// let logger = NoopLoggerProvider::new().logger("example");
/// assert!(!logger.enabled(Severity::Fatal, "", None));
/// let mut record = logger.create_log_record();
/// record.add_attribute("ignored", true);
/// logger.emit(record);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopLoggerProvider {
    _private: (),
}

impl NoopLoggerProvider {
    /// Creates the provider.
    pub const fn new() -> Self {
        NoopLoggerProvider { _private: () }
    }
}

impl LoggerProvider for NoopLoggerProvider {
    type Logger = NoopLogger;

    #[inline]
    fn logger_with_scope(&self, _scope: InstrumentationScope) -> NoopLogger {
        NoopLogger::new()
    }

    #[inline]
    fn logger(&self, _name: impl Into<Cow<'static, str>>) -> NoopLogger {
        NoopLogger::new()
    }
}

/// A logger that is never enabled and drops every record.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopLogger {
    _private: (),
}

impl NoopLogger {
    /// Creates the logger.
    pub const fn new() -> Self {
        NoopLogger { _private: () }
    }
}

impl Logger for NoopLogger {
    type LogRecord = NoopLogRecord;

    #[inline]
    fn create_log_record(&self) -> NoopLogRecord {
        NoopLogRecord::new()
    }

    #[inline]
    fn emit(&self, _record: NoopLogRecord) {}

    #[inline]
    fn enabled(&self, _severity: Severity, _target: &str, _event_name: Option<&str>) -> bool {
        false
    }

    #[inline]
    fn emit_with_context(&self, _record: NoopLogRecord, _cx: &Context) {}
}

/// A zero-sized record that ignores every field.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoopLogRecord {
    _private: (),
}

impl NoopLogRecord {
    /// Creates the record.
    pub const fn new() -> Self {
        NoopLogRecord { _private: () }
    }
}

impl LogRecord for NoopLogRecord {
    #[inline]
    fn set_timestamp(&mut self, _timestamp: SystemTime) {}
    #[inline]
    fn set_observed_timestamp(&mut self, _timestamp: SystemTime) {}
    #[inline]
    fn set_severity_number(&mut self, _severity: Severity) {}
    #[inline]
    fn set_severity_text(&mut self, _text: &'static str) {}
    #[inline]
    fn set_body(&mut self, _body: AnyValue) {}
    #[inline]
    fn record_attribute(&mut self, _key: Key, _value: AnyValue) {}
    #[inline]
    fn set_event_name(&mut self, _name: &'static str) {}
    #[inline]
    fn set_trace_context(&mut self, _: TraceId, _: SpanId, _: Option<TraceFlags>) {}
    #[inline]
    fn record_target(&mut self, _target: Cow<'static, str>) {}

    // The conversions are skipped too: turning an owned `String` into a `Key` can reallocate.
    #[inline]
    fn add_attribute<K: Into<Key>, V: Into<AnyValue>>(&mut self, _key: K, _value: V) {}
    #[inline]
    fn add_attributes<I, K, V>(&mut self, _attributes: I)
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<Key>,
        V: Into<AnyValue>,
    {
    }
    #[inline]
    fn set_target<T: Into<Cow<'static, str>>>(&mut self, _target: T) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noop_logger_is_disabled_and_its_record_is_zero_sized() {
        assert_eq!(std::mem::size_of::<NoopLogRecord>(), 0);
        let logger = NoopLoggerProvider::new().logger("t");
        for n in 1..=24 {
            let severity = Severity::from_number(n).unwrap();
            assert!(!logger.enabled(severity, "target", Some("event")));
        }
        let mut record = logger.create_log_record();
        record.set_timestamp(SystemTime::now());
        record.set_severity_number(Severity::Error);
        record.set_body(AnyValue::from("body"));
        record.add_attributes([("a", 1i64), ("b", 2)]);
        record.set_trace_context(TraceId::from(1u128), SpanId::from(2u64), None);
        assert_eq!(record, NoopLogRecord::new());
        logger.emit(record);
        logger.emit_with_context(NoopLogRecord::new(), &Context::new());
    }

    #[test]
    fn noop_record_works_as_a_trait_object() {
        let mut record = NoopLogRecord::new();
        let dyn_record: &mut dyn LogRecord = &mut record;
        dyn_record.record_attribute(Key::from("k"), AnyValue::from(1i64));
        dyn_record.record_target(Cow::Borrowed("t"));
        dyn_record.set_event_name("e");
    }
}
