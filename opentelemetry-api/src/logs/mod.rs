//! The logs API: loggers, logger providers and log records, for log bridges and
//! instrumentation.
//!
//! The logs API is mostly used by log bridges (appenders) that forward the records of an
//! existing logging library (`log`, `tracing`, ...) into OpenTelemetry; applications keep
//! logging with their library. Until an SDK is installed, every logger is a no-op that is
//! never enabled and allocates nothing. Code that emits events itself can use the
//! [`emit_event!`](crate::emit_event) macro (the ergonomic API).
//!
//! ```
//! use opentelemetry_api::logs::{LogRecord, Logger, Severity};
//! use opentelemetry_api::trace::{SpanId, TraceFlags, TraceId};
//! use opentelemetry_api::{global, AnyValue};
//! use std::time::SystemTime;
//!
//! let logger = global::logger("my-log-bridge");
//! let mut record = logger.create_log_record();
//! record.set_timestamp(SystemTime::now());
//! record.set_observed_timestamp(SystemTime::now());
//! record.set_severity_number(Severity::Error);
//! record.set_severity_text("ERROR");
//! record.set_body(AnyValue::from("payment failed"));
//! record.add_attribute("payment.id", "p-42");
//! record.add_attributes([("retry", 3i64), ("amount_cents", 1999)]);
//! record.set_event_name("payment.failed");
//! record.set_target("shop::payments");
//! record.set_trace_context(TraceId::from(1u128), SpanId::from(2u64), Some(TraceFlags::SAMPLED));
//! logger.emit(record);
//! ```

mod boxed;
mod event;
mod logger;
pub mod noop;
mod record;
mod severity;

pub use boxed::{BoxedLogRecord, BoxedLogger, ObjectSafeLogger, ObjectSafeLoggerProvider};
pub use logger::{Logger, LoggerProvider};
pub use record::LogRecord;
pub use severity::Severity;
