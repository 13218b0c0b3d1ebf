//! Logs API promises named by rows of the compliance ledger (`compliance/rust.yaml`) that no
//! other test proves directly. (Each test runs in its own process under nextest.)

use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry_api::{global, AnyValue, InstrumentationScope, Key, KeyValue};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// A record that keeps nothing: only its delivery matters here.
#[derive(Default)]
struct Record;

impl LogRecord for Record {
    fn set_timestamp(&mut self, _: SystemTime) {}
    fn set_observed_timestamp(&mut self, _: SystemTime) {}
    fn set_severity_number(&mut self, _: Severity) {}
    fn set_severity_text(&mut self, _: &'static str) {}
    fn set_body(&mut self, _: AnyValue) {}
    fn record_attribute(&mut self, _: Key, _: AnyValue) {}
    fn set_event_name(&mut self, _: &'static str) {}
    fn set_trace_context(&mut self, _: TraceId, _: SpanId, _: Option<TraceFlags>) {}
    fn record_target(&mut self, _: Cow<'static, str>) {}
}

/// A provider that remembers the scope of every logger asked for and of every emitted record.
#[derive(Clone, Default)]
struct Recording {
    scopes: Arc<Mutex<Vec<InstrumentationScope>>>,
    emitted_by: Arc<Mutex<Vec<InstrumentationScope>>>,
}

struct RecordingLogger {
    recording: Recording,
    scope: InstrumentationScope,
}

impl LoggerProvider for Recording {
    type Logger = RecordingLogger;
    fn logger_with_scope(&self, scope: InstrumentationScope) -> RecordingLogger {
        self.scopes.lock().unwrap().push(scope.clone());
        RecordingLogger {
            recording: self.clone(),
            scope,
        }
    }
}

impl Logger for RecordingLogger {
    type LogRecord = Record;
    fn create_log_record(&self) -> Record {
        Record
    }
    fn emit(&self, _record: Record) {
        let scope = self.scope.clone();
        self.recording.emitted_by.lock().unwrap().push(scope);
    }
}

#[test]
fn get_logger_accepts_name_version_schema_url_and_attributes() {
    let recording = Recording::default();
    global::set_logger_provider(recording.clone());

    let scope = InstrumentationScope::builder("my-bridge")
        .with_version("0.4.0")
        .with_schema_url("https://opentelemetry.io/schemas/1.44.0")
        .with_attributes([
            KeyValue::new("logger.kind", "appender"),
            KeyValue::new("shard", 3),
        ])
        .build();
    let logger = global::logger_with_scope(scope.clone());
    logger.emit(logger.create_log_record());
    // Everything but the name is optional.
    let plain = global::logger("plain");
    plain.emit(plain.create_log_record());
    let no_attributes = InstrumentationScope::builder("no-attributes")
        .with_attributes([])
        .build();
    let empty = global::logger_with_scope(no_attributes.clone());
    empty.emit(empty.create_log_record());

    let plain_scope = InstrumentationScope::builder("plain").build();
    let expected = vec![scope.clone(), plain_scope, no_attributes];
    assert_eq!(*recording.scopes.lock().unwrap(), expected);
    assert_eq!(*recording.emitted_by.lock().unwrap(), expected);
    let seen = recording.scopes.lock().unwrap()[0].clone();
    assert_eq!(seen.name(), "my-bridge");
    assert_eq!(seen.version(), Some("0.4.0"));
    assert_eq!(
        seen.schema_url(),
        Some("https://opentelemetry.io/schemas/1.44.0")
    );
    assert_eq!(
        seen.attributes().cloned().collect::<Vec<_>>(),
        vec![
            KeyValue::new("logger.kind", "appender"),
            KeyValue::new("shard", 3)
        ]
    );
    // A provider used directly receives the scope as given too.
    let direct = Recording::default();
    direct.logger_with_scope(scope.clone());
    assert_eq!(*direct.scopes.lock().unwrap(), vec![scope]);
}
