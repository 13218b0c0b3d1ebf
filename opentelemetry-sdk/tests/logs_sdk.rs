//! The logs SDK: provider, logger, records, processors, exporters.

mod logs_common;

use logs_common::{diagnostics, emit, id_of, record_diagnostics, SharedBuf, TestExporter};
use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
use opentelemetry_api::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, Tracer, TracerProvider,
};
use opentelemetry_api::{AnyValue, Context, InstrumentationScope, Key, KeyValue};
use opentelemetry_sdk::logs::{
    BatchLogProcessor, ConsoleLogExporter, InMemoryLogExporter, LogData, LogExporter, LogProcessor,
    LogRecordLimits, SdkLogRecord, SdkLogger, SdkLoggerProvider, SimpleLogProcessor,
    StdoutLogExporter, TraceContext,
};
use opentelemetry_sdk::trace::{BoxFuture, InMemorySpanExporter, SdkTracerProvider};
use opentelemetry_sdk::{Error, Resource};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

fn simple() -> (SdkLoggerProvider, InMemoryLogExporter) {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    (provider, exporter)
}

#[test]
fn every_field_reaches_the_exporter() {
    let exporter = InMemoryLogExporter::default();
    let resource = Resource::builder_empty()
        .with_attribute(KeyValue::new("service.name", "shop"))
        .build();
    let provider = SdkLoggerProvider::builder()
        .with_resource(resource.clone())
        .with_simple_exporter(exporter.clone())
        .build();
    let scope = InstrumentationScope::builder("bridge")
        .with_version("1.2")
        .with_schema_url("https://opentelemetry.io/schemas/1.30.0")
        .with_attributes([KeyValue::new("k", "v")])
        .build();
    let logger = provider.logger_with_scope(scope.clone());
    let ts = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
    let observed = SystemTime::UNIX_EPOCH + Duration::from_secs(1_001);
    let mut record = logger.create_log_record();
    record.set_timestamp(ts);
    record.set_observed_timestamp(observed);
    record.set_severity_number(Severity::Error2);
    record.set_severity_text("E2");
    record.set_body(AnyValue::from("payment failed"));
    record.add_attribute("payment.id", "p-42");
    record.add_attributes([("retry", 3i64), ("amount_cents", 1999)]);
    record.set_event_name("payment.failed");
    record.set_target("shop::payments");
    record.set_trace_context(
        TraceId::from(7u128),
        SpanId::from(8u64),
        Some(TraceFlags::SAMPLED),
    );
    logger.emit(record);

    assert_eq!(exporter.resource(), Some(resource));
    let logs = exporter.get_emitted_logs();
    assert_eq!(logs.len(), 1);
    let LogData {
        record,
        instrumentation_scope,
    } = &logs[0];
    assert_eq!(**instrumentation_scope, scope);
    assert_eq!(record.timestamp(), Some(ts));
    assert_eq!(record.observed_timestamp(), Some(observed));
    assert_eq!(record.severity_number(), Some(Severity::Error2));
    assert_eq!(record.severity_text(), Some("E2"));
    assert_eq!(record.body(), Some(&AnyValue::from("payment failed")));
    assert_eq!(record.event_name(), Some("payment.failed"));
    assert_eq!(record.target(), Some("shop::payments"));
    assert_eq!(
        record.trace_context(),
        Some(&TraceContext {
            trace_id: TraceId::from(7u128),
            span_id: SpanId::from(8u64),
            trace_flags: Some(TraceFlags::SAMPLED),
        })
    );
    let attrs: Vec<(Key, AnyValue)> = record.attributes_iter().cloned().collect();
    assert_eq!(
        attrs,
        vec![
            (Key::from("payment.id"), AnyValue::from("p-42")),
            (Key::from("retry"), AnyValue::Int(3)),
            (Key::from("amount_cents"), AnyValue::Int(1999)),
        ]
    );
    assert_eq!(record.dropped_attributes_count(), 0);
}

#[test]
fn observed_timestamp_is_set_on_emit_when_missing() {
    let (provider, exporter) = simple();
    let logger = provider.logger("t");
    let before = SystemTime::now();
    logger.emit(logger.create_log_record());
    let logs = exporter.get_emitted_logs();
    let observed = logs[0].record.observed_timestamp().unwrap();
    assert!(observed >= before && observed <= SystemTime::now());
    assert_eq!(
        logs[0].record.timestamp(),
        None,
        "Timestamp is the source's"
    );
}

#[test]
fn logs_emitted_inside_a_span_carry_its_ids() {
    let (provider, exporter) = simple();
    let logger = provider.logger("t");
    let spans = InMemorySpanExporter::default();
    let tracer = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build()
        .tracer("t");

    emit(&logger, 1); // outside any span
    let inner_cx = tracer.in_span("outer", |_| {
        emit(&logger, 2);
        tracer.in_span("inner", |cx| {
            emit(&logger, 3);
            cx.clone()
        })
    });
    // A record with its own trace context keeps it.
    tracer.in_span("other", |_| {
        let mut record = logger.create_log_record();
        record.add_attribute("id", 4i64);
        record.set_trace_context(TraceId::from(9u128), SpanId::from(9u64), None);
        logger.emit(record);
    });
    // emit_with_context: the given context's span, not the current one.
    tracer.in_span("current", |_| {
        let mut record = logger.create_log_record();
        record.add_attribute("id", 5i64);
        logger.emit_with_context(record, &inner_cx);
    });
    // A remote, unsampled parent still correlates.
    let remote = SpanContext::new(
        TraceId::from(0xabu128),
        SpanId::from(0xcdu64),
        TraceFlags::NOT_SAMPLED,
        true,
        TraceState::NONE,
    );
    {
        let _g = Context::current()
            .with_remote_span_context(remote.clone())
            .attach();
        emit(&logger, 6);
    }

    let inner_sc = inner_cx.span().span_context().clone();
    drop(inner_cx); // ends the inner span
    let finished = spans.get_finished_spans();
    let outer = finished.iter().find(|s| s.name == "outer").unwrap();
    let inner = finished.iter().find(|s| s.name == "inner").unwrap();
    assert_eq!(inner.span_context, inner_sc);
    let logs = exporter.get_emitted_logs();
    let tc = |id: i64| {
        logs.iter()
            .find(|d| id_of(d) == id)
            .unwrap()
            .record
            .trace_context()
            .copied()
    };
    let of = |sc: &SpanContext| {
        Some(TraceContext {
            trace_id: sc.trace_id(),
            span_id: sc.span_id(),
            trace_flags: Some(sc.trace_flags()),
        })
    };
    assert_eq!(tc(1), None);
    assert_eq!(tc(2), of(&outer.span_context));
    assert_eq!(tc(3), of(&inner.span_context));
    assert_eq!(tc(4).unwrap().trace_id, TraceId::from(9u128));
    assert_eq!(tc(5), of(&inner.span_context));
    assert_eq!(tc(6), of(&remote));
}

/// Says it is enabled only for `min` and above, and counts what it is asked.
#[derive(Debug)]
struct MinSeverity {
    min: Severity,
    asked: AtomicUsize,
}

impl LogProcessor for MinSeverity {
    fn emit(&self, _record: &mut SdkLogRecord, _scope: &Arc<InstrumentationScope>) {}
    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        _event_name: Option<&str>,
        scope: &InstrumentationScope,
    ) -> bool {
        self.asked.fetch_add(1, Ordering::Relaxed);
        assert_eq!(scope.name(), "filtered");
        severity >= self.min && !target.starts_with("noisy")
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn enabled_asks_the_processors() {
    // No processor: never enabled.
    let empty = SdkLoggerProvider::builder().build();
    assert!(!empty.logger("filtered").enabled(Severity::Fatal, "", None));

    let provider = SdkLoggerProvider::builder()
        .with_log_processor(MinSeverity {
            min: Severity::Warn,
            asked: AtomicUsize::new(0),
        })
        .build();
    let logger = provider.logger("filtered");
    assert!(!logger.enabled(Severity::Info, "app", None));
    assert!(logger.enabled(Severity::Warn, "app", Some("e")));
    assert!(!logger.enabled(Severity::Error, "noisy::dep", None));

    // One processor enabled is enough; a default processor is always enabled.
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(MinSeverity {
            min: Severity::Fatal,
            asked: AtomicUsize::new(0),
        })
        .with_simple_exporter(InMemoryLogExporter::default())
        .build();
    let logger = provider.logger("filtered");
    assert!(logger.enabled(Severity::Trace, "app", None));
    {
        let _g = Context::enter_telemetry_suppressed_scope();
        assert!(!logger.enabled(Severity::Fatal, "app", None));
    }
    provider.shutdown().unwrap();
    assert!(!logger.enabled(Severity::Fatal, "app", None));
}

#[test]
fn suppressed_context_records_nothing() {
    let (provider, exporter) = simple();
    let logger = provider.logger("t");
    {
        let _g = Context::enter_telemetry_suppressed_scope();
        emit(&logger, 1);
        let mut record = logger.create_log_record();
        record.add_attribute("id", 2i64);
        logger.emit_with_context(record, &Context::new());
    }
    let mut record = logger.create_log_record();
    record.add_attribute("id", 3i64);
    logger.emit_with_context(record, &Context::new().with_telemetry_suppressed());
    emit(&logger, 4);
    let ids: Vec<i64> = exporter.get_emitted_logs().iter().map(id_of).collect();
    assert_eq!(ids, [4]);
}

/// Records what it saw and adds an attribute.
#[derive(Debug)]
struct Stamp {
    name: &'static str,
    seen: Arc<Mutex<Vec<(&'static str, usize)>>>,
}

impl LogProcessor for Stamp {
    fn emit(&self, record: &mut SdkLogRecord, _scope: &Arc<InstrumentationScope>) {
        self.seen
            .lock()
            .unwrap()
            .push((self.name, record.attributes_len()));
        record.set_attribute(self.name, true);
        record.remove_attribute(&Key::from("secret"));
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn processors_run_in_order_and_see_earlier_changes() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(Stamp {
            name: "first",
            seen: seen.clone(),
        })
        .with_log_processor(Stamp {
            name: "second",
            seen: seen.clone(),
        })
        .with_log_processor(SimpleLogProcessor::new(exporter.clone()))
        .build();
    let logger = provider.logger("t");
    let mut record = logger.create_log_record();
    record.add_attribute("secret", "hunter2");
    logger.emit(record);
    assert_eq!(*seen.lock().unwrap(), [("first", 1), ("second", 1)]);
    let logs = exporter.get_emitted_logs();
    let keys: Vec<String> = logs[0]
        .record
        .attributes_iter()
        .map(|(k, _)| k.to_string())
        .collect();
    assert_eq!(keys, ["first", "second"]);
}

#[test]
fn shutdown_is_idempotent_and_afterwards_nothing_is_recorded() {
    let exporter = TestExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("t");
    emit(&logger, 1);
    provider.force_flush().unwrap();
    assert_eq!(exporter.state().flushes, 1);
    provider.shutdown().unwrap();
    assert!(provider.is_shutdown());
    assert_eq!(provider.shutdown(), Err(Error::AlreadyShutdown));
    assert_eq!(provider.force_flush(), Err(Error::AlreadyShutdown));
    emit(&logger, 2);
    emit(&provider.logger("after"), 3);
    assert_eq!(exporter.exported(), [1]);
    assert_eq!(exporter.state().shutdowns, 1);
}

/// Counts what reaches it and fails flushing and shutting down when told to.
#[derive(Debug)]
struct Lifecycle {
    name: &'static str,
    fail: bool,
    calls: Arc<Mutex<Vec<String>>>,
}

impl LogProcessor for Lifecycle {
    fn emit(&self, _record: &mut SdkLogRecord, _scope: &Arc<InstrumentationScope>) {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{} emit", self.name));
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{} flush", self.name));
        match self.fail {
            true => Err(Error::InternalFailure(format!("{} flush", self.name))),
            false => Ok(()),
        }
    }
    fn shutdown_with_timeout(&self, timeout: Duration) -> opentelemetry_sdk::Result {
        self.calls
            .lock()
            .unwrap()
            .push(format!("{} shutdown {timeout:?}", self.name));
        match self.fail {
            true => Err(Error::InternalFailure(format!("{} shutdown", self.name))),
            false => Ok(()),
        }
    }
    fn set_resource(&mut self, resource: &Resource) {
        let service = resource.get(&Key::from("service.name"));
        self.calls
            .lock()
            .unwrap()
            .push(format!("{} resource {service:?}", self.name));
    }
}

#[test]
fn every_processor_is_emitted_to_flushed_shut_down_and_given_the_resource() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let processor = |name, fail| Lifecycle {
        name,
        fail,
        calls: calls.clone(),
    };
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(processor("a", false))
        .with_log_processor(processor("b", true))
        .with_log_processor(processor("c", true))
        .with_resource(Resource::builder_empty().with_service_name("svc").build())
        .build();
    let debug = format!("{provider:?}");
    assert!(
        debug.contains(r#"processors: [Lifecycle { name: "a""#),
        "{debug}"
    );
    assert!(debug.contains(r#"Lifecycle { name: "c""#), "{debug}");
    let logger = provider.logger("t");
    assert!(logger.enabled(Severity::Info, "", None));
    emit(&logger, 1);
    // All are flushed and shut down; the first failure is reported.
    assert_eq!(
        provider.force_flush(),
        Err(Error::InternalFailure("b flush".into()))
    );
    assert_eq!(
        provider.shutdown_with_timeout(Duration::from_secs(3)),
        Err(Error::InternalFailure("b shutdown".into()))
    );
    let resource = format!("{:?}", Some(opentelemetry_api::Value::from("svc")));
    let mut expected = Vec::new();
    for step in [
        format!("resource {resource}"),
        "emit".to_owned(),
        "flush".to_owned(),
        "shutdown 3s".to_owned(),
    ] {
        for name in ["a", "b", "c"] {
            expected.push(format!("{name} {step}"));
        }
    }
    assert_eq!(*calls.lock().unwrap(), expected);

    // One processor: still shown as a list; none: nothing enabled, nothing to fail.
    let one = SdkLoggerProvider::builder()
        .with_log_processor(processor("only", false))
        .build();
    assert!(format!("{one:?}").contains(r#"processors: [Lifecycle { name: "only""#));
    let none = SdkLoggerProvider::builder().build();
    assert!(format!("{none:?}").contains("processors: []"));
    assert!(!none.logger("t").enabled(Severity::Fatal, "", None));
    emit(&none.logger("t"), 2);
    assert_eq!(none.force_flush(), Ok(()));
    assert_eq!(none.shutdown(), Ok(()));
}

#[test]
fn dropping_the_last_handle_shuts_the_provider_down() {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("t");
    drop(provider);
    assert!(
        !exporter.is_shutdown(),
        "the logger still holds the provider"
    );
    emit(&logger, 1);
    drop(logger);
    assert!(exporter.is_shutdown());
    assert_eq!(exporter.get_emitted_logs().len(), 1);
}

#[test]
fn limits_from_the_builder_apply_and_are_reported_once_per_record() {
    record_diagnostics();
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_record_limits(LogRecordLimits {
            attribute_count_limit: 2,
            attribute_value_length_limit: Some(4),
        })
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("t");
    let mut record = logger.create_log_record();
    record.add_attributes([("a", "abcdefgh"), ("b", "xy"), ("c", "z"), ("d", "w")]);
    record.set_body(AnyValue::from("bodies are not truncated"));
    logger.emit(record);
    let logs = exporter.get_emitted_logs();
    let r = &logs[0].record;
    assert_eq!(r.attributes_len(), 2);
    assert_eq!(r.dropped_attributes_count(), 2);
    assert_eq!(
        r.get_attribute(&Key::from("a")),
        Some(&AnyValue::from("abcd"))
    );
    assert_eq!(r.body(), Some(&AnyValue::from("bodies are not truncated")));
    assert_eq!(diagnostics("LogRecord.AttributeLimitReached").len(), 1);
}

/// An exporter that logs through the provider it exports for (as an HTTP client
/// instrumented with a log bridge would).
#[derive(Debug)]
struct LoggingExporter {
    logger: Arc<OnceLock<SdkLogger>>,
    inner: InMemoryLogExporter,
}

impl LogExporter for LoggingExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        if let Some(logger) = self.logger.get() {
            emit(logger, 1_000);
        }
        self.inner.export(batch)
    }
    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        if let Some(logger) = self.logger.get() {
            emit(logger, 2_000);
        }
        Ok(())
    }
}

fn no_feedback_loop(batch: bool) {
    let cell = Arc::new(OnceLock::new());
    let inner = InMemoryLogExporter::default();
    let exporter = LoggingExporter {
        logger: cell.clone(),
        inner: inner.clone(),
    };
    let builder = SdkLoggerProvider::builder();
    let provider = if batch {
        builder.with_batch_exporter(exporter)
    } else {
        builder.with_simple_exporter(exporter)
    }
    .build();
    let logger = provider.logger("app");
    let _ = cell.set(logger.clone());
    for id in 1..=3 {
        emit(&logger, id);
    }
    provider.force_flush().unwrap();
    let ids: Vec<i64> = inner.get_emitted_logs().iter().map(id_of).collect();
    assert_eq!(ids, [1, 2, 3]);
    provider.shutdown().unwrap();
}

#[test]
fn no_feedback_loop_when_the_exporter_logs_simple() {
    no_feedback_loop(false);
}

#[test]
fn no_feedback_loop_when_the_exporter_logs_batch() {
    no_feedback_loop(true);
}

#[test]
fn batch_processor_exports_through_the_provider_with_scope_and_resource() {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::new([KeyValue::new("service.name", "b")]))
        .with_log_processor(BatchLogProcessor::builder(exporter.clone()).build())
        .build();
    let a = provider.logger("a");
    let b = provider.logger("b");
    emit(&a, 1);
    emit(&b, 2);
    provider.force_flush().unwrap();
    let logs = exporter.get_emitted_logs();
    let got: Vec<(String, i64)> = logs
        .iter()
        .map(|d| (d.instrumentation_scope.name().to_owned(), id_of(d)))
        .collect();
    assert_eq!(got, [("a".into(), 1), ("b".into(), 2)]);
    assert!(exporter.resource().is_some());
    provider.shutdown().unwrap();
    assert!(exporter.is_shutdown());
}

#[test]
fn console_exporter_prints_one_readable_line_per_record() {
    let buf = SharedBuf::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(ConsoleLogExporter::with_writer(buf.clone()))
        .build();
    let logger = provider.logger("scope-name");
    let tracer = SdkTracerProvider::default().tracer("t");
    let span_cx = tracer.in_span("s", |cx| {
        let mut record = logger.create_log_record();
        record.set_timestamp(SystemTime::UNIX_EPOCH + Duration::from_millis(1_500));
        record.set_severity_number(Severity::Warn);
        record.set_severity_text("WARN");
        record.set_target("shop::payments");
        record.set_body(AnyValue::from("card declined"));
        record.add_attribute("payment.id", "p-42");
        record.add_attribute("note", "two words");
        logger.emit(record);
        cx.span().span_context().clone()
    });
    let mut record = logger.create_log_record();
    record.set_timestamp(SystemTime::UNIX_EPOCH);
    record.set_severity_number(Severity::Info);
    record.set_event_name("app.started");
    record.set_body(AnyValue::from("up"));
    logger.emit(record);

    let text = buf.text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "1970-01-01T00:00:01.500000Z WARN   shop::payments: card declined  \
             payment.id=p-42 note=\"two words\"  trace_id={} span_id={}",
            span_cx.trace_id(),
            span_cx.span_id()
        )
    );
    assert_eq!(
        lines[1],
        "1970-01-01T00:00:00.000000Z INFO   scope-name: [app.started] up"
    );
}

#[test]
fn stdout_exporter_writes_every_field() {
    let buf = SharedBuf::default();
    let provider = SdkLoggerProvider::builder()
        .with_resource(Resource::new([KeyValue::new("service.name", "svc")]))
        .with_simple_exporter(StdoutLogExporter::with_writer(buf.clone()))
        .build();
    let logger = provider.logger("scope");
    let mut record = logger.create_log_record();
    record.set_timestamp(SystemTime::UNIX_EPOCH + Duration::from_nanos(5));
    record.set_severity_number(Severity::Error);
    record.set_severity_text("error");
    record.set_event_name("e");
    record.set_target("tgt");
    record.set_body(AnyValue::from("b"));
    record.add_attribute("k", 1i64);
    record.set_trace_context(
        TraceId::from(1u128),
        SpanId::from(2u64),
        Some(TraceFlags::SAMPLED),
    );
    logger.emit(record);
    let text = buf.text();
    for needle in [
        "timestamp_unix_nano: 5",
        "observed_timestamp_unix_nano: ",
        "severity_number: 17 (ERROR)",
        "severity_text: error",
        "event_name: e",
        "target: tgt",
        "body: b",
        "trace_id: 00000000000000000000000000000001",
        "span_id: 0000000000000002",
        "trace_flags: 01",
        "attributes: k=1",
        "scope: scope",
        "resource: service.name=svc",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

#[test]
fn loggers_are_safe_to_use_from_many_threads() {
    let exporter = TestExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(BatchLogProcessor::builder(exporter.clone()).build())
        .build();
    let logger = provider.logger("t");
    std::thread::scope(|s| {
        for t in 0..4i64 {
            let logger = logger.clone();
            let provider = provider.clone();
            s.spawn(move || {
                for i in 0..250 {
                    emit(&logger, t * 1_000 + i);
                    if i % 100 == 0 {
                        provider.force_flush().unwrap();
                    }
                }
            });
        }
    });
    provider.shutdown().unwrap();
    let mut ids = exporter.exported();
    ids.sort_unstable();
    let mut expected: Vec<i64> = (0..4)
        .flat_map(|t| (0..250).map(move |i| t * 1_000 + i))
        .collect();
    expected.sort_unstable();
    assert_eq!(ids, expected);
}

#[test]
fn an_empty_logger_name_is_reported_and_still_works() {
    record_diagnostics();
    let (provider, exporter) = simple();
    let logger = provider.logger("");
    emit(&logger, 1);
    assert_eq!(exporter.get_emitted_logs().len(), 1);
    assert_eq!(diagnostics("LoggerProvider.InvalidName").len(), 1);
}

#[test]
fn an_exception_sets_its_attributes_without_overwriting_the_callers() {
    let (provider, exporter) = simple();
    let logger = provider.logger("app");
    let error = "x1".parse::<u8>().unwrap_err();

    let mut record = logger.create_log_record();
    record.set_exception(&error);
    logger.emit(record);

    // The caller's own `exception.message` wins, whether set before or after.
    let mut record = logger.create_log_record();
    record.add_attribute("exception.message", "custom");
    record.set_exception(&error);
    logger.emit(record);
    let mut record = logger.create_log_record();
    record.set_exception(&error);
    record.add_attribute("exception.type", "MyError");
    logger.emit(record);

    let logs = exporter.get_emitted_logs();
    let attribute = |i: usize, key: &str| {
        logs[i]
            .record
            .get_attribute(&Key::from(key.to_string()))
            .map(|v| match v {
                AnyValue::String(s) => s.as_str().to_string(),
                other => panic!("not a string: {other:?}"),
            })
    };
    assert_eq!(
        attribute(0, "exception.type").as_deref(),
        Some("core::num::error::ParseIntError")
    );
    assert_eq!(attribute(0, "exception.message"), Some(error.to_string()));
    assert_eq!(attribute(1, "exception.message").as_deref(), Some("custom"));
    assert_eq!(
        attribute(1, "exception.type").as_deref(),
        Some("core::num::error::ParseIntError")
    );
    assert_eq!(attribute(2, "exception.type").as_deref(), Some("MyError"));
    assert_eq!(logs[2].record.attributes_len(), 2);
}

#[test]
fn an_exception_reaches_the_sdk_through_the_global_logger() {
    let (provider, exporter) = simple();
    opentelemetry_api::global::set_logger_provider(provider.clone());
    let logger = opentelemetry_api::global::logger("app");
    let mut record = logger.create_log_record();
    let error = std::io::Error::other("disk gone");
    record.record_exception("std::io::Error", &error);
    logger.emit(record);
    let logs = exporter.get_emitted_logs();
    assert_eq!(
        logs[0]
            .record
            .get_attribute(&Key::from("exception.message")),
        Some(&AnyValue::from("disk gone".to_string()))
    );
}

#[test]
fn emit_with_builds_in_place_and_skips_filling_when_nothing_is_recorded() {
    let (provider, exporter) = simple();
    let logger = provider.logger("t");
    let tracer = SdkTracerProvider::builder().build().tracer("t");
    let fills = AtomicUsize::new(0);
    let fill = |id: i64| {
        let fills = &fills;
        move |record: &mut SdkLogRecord| {
            fills.fetch_add(1, Ordering::Relaxed);
            record.set_severity_number(Severity::Warn);
            record.add_attribute("id", id);
        }
    };
    let span_ids = tracer.in_span("s", |cx| {
        logger.emit_with(fill(1));
        let sc = cx.span().span_context().clone();
        (sc.trace_id(), sc.span_id())
    });
    {
        let _g = Context::enter_telemetry_suppressed_scope();
        logger.emit_with(fill(2));
    }
    logger.emit_with(fill(3));
    provider.shutdown().unwrap();
    logger.emit_with(fill(4));
    assert_eq!(
        fills.load(Ordering::Relaxed),
        2,
        "suppressed and shut down: not filled"
    );
    let logs = exporter.get_emitted_logs();
    let ids: Vec<i64> = logs.iter().map(id_of).collect();
    assert_eq!(ids, [1, 3]);
    let first = &logs[0].record;
    assert_eq!(first.severity_number(), Some(Severity::Warn));
    assert!(first.observed_timestamp().is_some());
    let tc = first.trace_context().expect("taken from the active span");
    assert_eq!((tc.trace_id, tc.span_id), span_ids);
    assert_eq!(logs[1].record.trace_context(), None);
}
