//! The global logger provider: loggers taken before an SDK is installed start emitting once
//! one is, follow a replaced provider, delegate `enabled`, and deliver every field intact.
//! (Each test runs in its own process under nextest.)

use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
};
use opentelemetry_api::{global, AnyValue, Context, InstrumentationScope, Key};
use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// Everything the data model lets a source set, as the recording SDK saw it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Recorded {
    provider: &'static str,
    scope: String,
    timestamp: Option<SystemTime>,
    observed_timestamp: Option<SystemTime>,
    severity_number: Option<Severity>,
    severity_text: Option<&'static str>,
    body: Option<AnyValue>,
    attributes: Vec<(Key, AnyValue)>,
    event_name: Option<&'static str>,
    trace_context: Option<(TraceId, SpanId, Option<TraceFlags>)>,
    target: Option<Cow<'static, str>>,
}

impl LogRecord for Recorded {
    fn set_timestamp(&mut self, timestamp: SystemTime) {
        self.timestamp = Some(timestamp);
    }
    fn set_observed_timestamp(&mut self, timestamp: SystemTime) {
        self.observed_timestamp = Some(timestamp);
    }
    fn set_severity_number(&mut self, severity: Severity) {
        self.severity_number = Some(severity);
    }
    fn set_severity_text(&mut self, text: &'static str) {
        self.severity_text = Some(text);
    }
    fn set_body(&mut self, body: AnyValue) {
        self.body = Some(body);
    }
    fn record_attribute(&mut self, key: Key, value: AnyValue) {
        self.attributes.push((key, value));
    }
    fn set_event_name(&mut self, name: &'static str) {
        self.event_name = Some(name);
    }
    fn set_trace_context(&mut self, t: TraceId, s: SpanId, f: Option<TraceFlags>) {
        self.trace_context = Some((t, s, f));
    }
    fn record_target(&mut self, target: Cow<'static, str>) {
        self.target = Some(target);
    }
}

/// A provider that keeps every emitted record, enabled for `min_severity` and above.
#[derive(Clone)]
struct RecordingProvider {
    label: &'static str,
    min_severity: Severity,
    emitted: Arc<Mutex<Vec<Recorded>>>,
}

impl RecordingProvider {
    fn new(label: &'static str, min_severity: Severity) -> Self {
        RecordingProvider {
            label,
            min_severity,
            emitted: Arc::default(),
        }
    }

    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.emitted.lock().unwrap())
    }
}

struct RecordingLogger {
    provider: RecordingProvider,
    scope: InstrumentationScope,
}

impl LoggerProvider for RecordingProvider {
    type Logger = RecordingLogger;
    fn logger_with_scope(&self, scope: InstrumentationScope) -> RecordingLogger {
        RecordingLogger {
            provider: self.clone(),
            scope,
        }
    }
}

impl Logger for RecordingLogger {
    type LogRecord = Recorded;

    fn create_log_record(&self) -> Recorded {
        Recorded {
            provider: self.provider.label,
            scope: self.scope.name().to_string(),
            ..Recorded::default()
        }
    }

    fn emit(&self, mut record: Recorded) {
        // What an SDK does: the trace context comes from the current context when unset.
        if record.trace_context.is_none() {
            let cx = Context::current();
            let sc = cx.span().span_context().clone();
            if sc.is_valid() {
                record.trace_context = Some((sc.trace_id(), sc.span_id(), Some(sc.trace_flags())));
            }
        }
        self.provider.emitted.lock().unwrap().push(record);
    }

    fn enabled(&self, severity: Severity, target: &str, event_name: Option<&str>) -> bool {
        severity >= self.provider.min_severity
            && !target.starts_with("noisy")
            && event_name != Some("blocked")
    }
}

fn emit_message(logger: &impl Logger, message: &'static str) {
    let mut record = logger.create_log_record();
    record.set_body(AnyValue::from(message));
    logger.emit(record);
}

fn bodies(records: &[Recorded]) -> Vec<(&'static str, String, Option<AnyValue>)> {
    records
        .iter()
        .map(|r| (r.provider, r.scope.clone(), r.body.clone()))
        .collect()
}

#[test]
fn logger_taken_before_install_emits_after_install_and_follows_replacement() {
    let early = global::logger("early");
    let scoped = global::logger_with_scope(
        InstrumentationScope::builder("scoped")
            .with_version("1.2.3")
            .build(),
    );
    let record = early.create_log_record();
    assert!(record.is_noop());
    emit_message(&early, "dropped: nothing installed");
    assert!(!early.enabled(Severity::Fatal4, "", None));

    let first = RecordingProvider::new("first", Severity::Trace);
    global::set_logger_provider(first.clone());
    emit_message(&early, "one");
    emit_message(&scoped, "two");
    // A record created before the install is a no-op record and stays dropped.
    early.emit(record);
    assert_eq!(
        bodies(&first.take()),
        vec![
            ("first", "early".to_string(), Some(AnyValue::from("one"))),
            ("first", "scoped".to_string(), Some(AnyValue::from("two"))),
        ]
    );

    let second = RecordingProvider::new("second", Severity::Trace);
    global::set_logger_provider(second.clone());
    emit_message(&early, "three");
    emit_message(&global::logger("late"), "four");
    emit_message(&global::logger_provider().logger("via-provider"), "five");
    assert!(first.take().is_empty());
    assert_eq!(
        bodies(&second.take()),
        vec![
            ("second", "early".to_string(), Some(AnyValue::from("three"))),
            ("second", "late".to_string(), Some(AnyValue::from("four"))),
            (
                "second",
                "via-provider".to_string(),
                Some(AnyValue::from("five"))
            ),
        ]
    );
}

#[test]
fn record_created_before_a_replacement_is_not_misdelivered() {
    let logger = global::logger("x");
    let first = RecordingProvider::new("first", Severity::Trace);
    global::set_logger_provider(first.clone());
    let mut record = logger.create_log_record();
    record.set_body(AnyValue::from("made under first"));
    // The replacement has the same record type: the record reaches the current provider.
    let second = RecordingProvider::new("second", Severity::Trace);
    global::set_logger_provider(second.clone());
    logger.emit(record);
    let got = second.take();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].body, Some(AnyValue::from("made under first")));

    // A replacement with another record type drops it rather than panicking.
    let mut record = logger.create_log_record();
    record.set_body(AnyValue::from("made under second"));
    global::set_logger_provider(opentelemetry_api::logs::noop::NoopLoggerProvider::new());
    logger.emit(record);
    assert!(second.take().is_empty());
    assert!(first.take().is_empty());
}

#[test]
fn enabled_is_delegated() {
    let logger = global::logger("enabled");
    assert!(!logger.enabled(Severity::Error, "app", None));

    global::set_logger_provider(RecordingProvider::new("p", Severity::Warn));
    assert!(logger.enabled(Severity::Warn, "app", None));
    assert!(logger.enabled(Severity::Fatal, "app", Some("allowed")));
    assert!(!logger.enabled(Severity::Info4, "app", None));
    assert!(!logger.enabled(Severity::Error, "noisy::module", None));
    assert!(!logger.enabled(Severity::Error, "app", Some("blocked")));

    global::set_logger_provider(RecordingProvider::new("q", Severity::Trace));
    assert!(logger.enabled(Severity::Trace, "app", None));

    global::set_logger_provider(opentelemetry_api::logs::noop::NoopLoggerProvider::new());
    assert!(!logger.enabled(Severity::Fatal4, "app", None));
}

#[test]
fn every_field_arrives_intact() {
    let provider = RecordingProvider::new("p", Severity::Trace);
    let logger = global::logger("fields");
    global::set_logger_provider(provider.clone());

    let timestamp = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123_456_789);
    let observed = timestamp + Duration::from_millis(5);
    let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
    let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
    let body: AnyValue = [
        ("message", AnyValue::from("disk almost full")),
        ("mounts", ["/", "/home"].into_iter().collect::<AnyValue>()),
    ]
    .into_iter()
    .collect();

    let mut record = logger.create_log_record();
    record.set_timestamp(timestamp);
    record.set_observed_timestamp(observed);
    record.set_severity_number(Severity::Warn2);
    record.set_severity_text("warning");
    record.set_body(body.clone());
    record.add_attribute("disk.free_bytes", 1024i64);
    record.add_attribute(String::from("owned.key"), String::from("owned value"));
    record.add_attributes([
        ("ratio", AnyValue::Double(0.5)),
        ("ok", AnyValue::from(false)),
    ]);
    record.record_attribute(Key::from("bytes"), AnyValue::from(vec![1u8, 2, 3]));
    record.set_event_name("disk.low");
    record.set_trace_context(trace_id, span_id, Some(TraceFlags::SAMPLED));
    record.set_target("my_app::storage");
    logger.emit(record);

    let got = provider.take();
    assert_eq!(
        got,
        vec![Recorded {
            provider: "p",
            scope: "fields".to_string(),
            timestamp: Some(timestamp),
            observed_timestamp: Some(observed),
            severity_number: Some(Severity::Warn2),
            severity_text: Some("warning"),
            body: Some(body),
            attributes: vec![
                (Key::from("disk.free_bytes"), AnyValue::Int(1024)),
                (Key::from("owned.key"), AnyValue::from("owned value")),
                (Key::from("ratio"), AnyValue::Double(0.5)),
                (Key::from("ok"), AnyValue::Boolean(false)),
                (Key::from("bytes"), AnyValue::Bytes(Box::new(vec![1, 2, 3]))),
            ],
            event_name: Some("disk.low"),
            trace_context: Some((trace_id, span_id, Some(TraceFlags::SAMPLED))),
            target: Some(Cow::Borrowed("my_app::storage")),
        }]
    );
}

#[test]
fn trace_context_comes_from_the_current_or_the_given_context() {
    let provider = RecordingProvider::new("p", Severity::Trace);
    global::set_logger_provider(provider.clone());
    let logger = global::logger("cx");
    let span_context = |t: u128, s: u64| {
        SpanContext::new(
            TraceId::from(t),
            SpanId::from(s),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        )
    };

    let current = Context::new().with_remote_span_context(span_context(1, 2));
    let explicit = Context::new().with_remote_span_context(span_context(3, 4));
    {
        let _guard = current.attach();
        emit_message(&logger, "implicit");
        logger.emit_with_context(logger.create_log_record(), &explicit);
    }
    let got = provider.take();
    assert_eq!(
        got[0].trace_context,
        Some((
            TraceId::from(1u128),
            SpanId::from(2u64),
            Some(TraceFlags::SAMPLED)
        ))
    );
    assert_eq!(
        got[1].trace_context,
        Some((
            TraceId::from(3u128),
            SpanId::from(4u64),
            Some(TraceFlags::SAMPLED)
        ))
    );
}

#[test]
fn installing_the_global_provider_into_itself_is_refused() {
    let provider = RecordingProvider::new("p", Severity::Trace);
    global::set_logger_provider(provider.clone());
    global::set_logger_provider(global::logger_provider());
    emit_message(&global::logger("still-works"), "kept");
    assert_eq!(provider.take().len(), 1);
}
