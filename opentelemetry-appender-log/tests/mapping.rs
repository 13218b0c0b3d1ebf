//! How `log` records map to OpenTelemetry log records.

use log::Level;
use opentelemetry_api::logs::{LoggerProvider, Severity};
use opentelemetry_api::trace::{Tracer, TracerProvider};
use opentelemetry_api::{AnyValue, InstrumentationScope, Key};
use opentelemetry_appender_log::OpenTelemetryLogBridge;
use opentelemetry_sdk::logs::{
    InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider, SimpleLogProcessor,
};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::sync::Arc;
use std::time::Duration;

fn setup() -> (
    OpenTelemetryLogBridge<opentelemetry_sdk::logs::SdkLogger>,
    InMemoryLogExporter,
    SdkLoggerProvider,
) {
    log::set_max_level(log::LevelFilter::Trace);
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    (OpenTelemetryLogBridge::new(&provider), exporter, provider)
}

fn attr(record: &SdkLogRecord, key: &'static str) -> Option<AnyValue> {
    record.get_attribute(&Key::from_static_str(key)).cloned()
}

#[test]
fn levels_map_to_severities_and_texts() {
    let (bridge, exporter, _p) = setup();
    for level in [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ] {
        log::log!(logger: bridge, level, "at {level}");
    }
    let got: Vec<(Option<Severity>, Option<&str>)> = exporter
        .get_emitted_logs()
        .iter()
        .map(|d| (d.record.severity_number(), d.record.severity_text()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(Severity::Error), Some("ERROR")),
            (Some(Severity::Warn), Some("WARN")),
            (Some(Severity::Info), Some("INFO")),
            (Some(Severity::Debug), Some("DEBUG")),
            (Some(Severity::Trace), Some("TRACE")),
        ]
    );
}

#[test]
fn message_target_scope_and_code_attributes() {
    let (bridge, exporter, _p) = setup();
    let line = line!() + 1;
    log::info!(logger: bridge, "order {} paid", 42);
    log::warn!(logger: bridge, target: "shop::audit", "plain literal");
    let logs = exporter.get_emitted_logs();
    let (a, b) = (&logs[0].record, &logs[1].record);
    assert_eq!(a.body(), Some(&AnyValue::from("order 42 paid")));
    assert_eq!(a.target(), Some(module_path!()));
    assert_eq!(attr(a, "code.file.path"), Some(AnyValue::from(file!())));
    assert_eq!(
        attr(a, "code.line.number"),
        Some(AnyValue::Int(line as i64))
    );
    assert_eq!(
        attr(a, "code.namespace"),
        Some(AnyValue::from(module_path!()))
    );
    assert_eq!(b.body(), Some(&AnyValue::from("plain literal")));
    assert_eq!(b.target(), Some("shop::audit"));
    assert_eq!(
        *logs[0].instrumentation_scope,
        InstrumentationScope::builder("opentelemetry-appender-log")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build()
    );

    // Without code attributes.
    let bridge = OpenTelemetryLogBridge::new(
        &SdkLoggerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build(),
    )
    .with_code_attributes(false);
    exporter.reset();
    log::info!(logger: bridge, "x");
    assert_eq!(exporter.get_emitted_logs()[0].record.attributes_len(), 0);
}

#[test]
fn records_logged_inside_a_span_carry_its_ids() {
    let (bridge, exporter, _p) = setup();
    let tracer = SdkTracerProvider::default().tracer("t");
    let sc = tracer.in_span("work", |cx| {
        use opentelemetry_api::trace::TraceContextExt;
        log::info!(logger: bridge, "inside");
        cx.span().span_context().clone()
    });
    log::info!(logger: bridge, "outside");
    let logs = exporter.get_emitted_logs();
    let tc = logs[0].record.trace_context().unwrap();
    assert_eq!((tc.trace_id, tc.span_id), (sc.trace_id(), sc.span_id()));
    assert!(logs[1].record.trace_context().is_none());
}

/// Passes WARN and above to the wrapped processor.
#[derive(Debug)]
struct WarnAndAbove<P>(P);

impl<P: LogProcessor> LogProcessor for WarnAndAbove<P> {
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        if record.severity_number() >= Some(Severity::Warn) {
            self.0.emit(record, scope)
        }
    }
    fn enabled(&self, s: Severity, t: &str, e: Option<&str>, scope: &InstrumentationScope) -> bool {
        s >= Severity::Warn && self.0.enabled(s, t, e, scope)
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        self.0.force_flush()
    }
    fn shutdown_with_timeout(&self, t: Duration) -> opentelemetry_sdk::Result {
        self.0.shutdown_with_timeout(t)
    }
}

#[test]
fn enabled_is_honoured() {
    log::set_max_level(log::LevelFilter::Trace);
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(WarnAndAbove(SimpleLogProcessor::new(exporter.clone())))
        .build();
    let bridge = OpenTelemetryLogBridge::new(&provider);
    use log::Log as _;
    let meta = |level| log::Metadata::builder().level(level).target("t").build();
    assert!(!bridge.enabled(&meta(Level::Info)));
    assert!(bridge.enabled(&meta(Level::Warn)));
    log::info!(logger: bridge, "dropped");
    log::error!(logger: bridge, "kept");
    let logs = exporter.get_emitted_logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].record.body(), Some(&AnyValue::from("kept")));
    // Works through a boxed logger too.
    let boxed = OpenTelemetryLogBridge::from_logger(opentelemetry_api::logs::BoxedLogger::new(
        provider.logger("boxed"),
    ));
    assert!(!boxed.enabled(&meta(Level::Debug)));
    log::error!(logger: boxed, "boxed");
    assert_eq!(exporter.get_emitted_logs().len(), 2);
}

#[cfg(feature = "with-kv")]
#[test]
fn key_values_become_typed_attributes() {
    let (bridge, exporter, _p) = setup();
    let display = std::net::Ipv4Addr::LOCALHOST;
    log::info!(logger: bridge, ok = true, n = -3, big = u64::MAX, ratio = 0.5, user = "ann",
        ip:% = display; "with kvs");
    let logs = exporter.get_emitted_logs();
    let r = &logs[0].record;
    assert_eq!(attr(r, "ok"), Some(AnyValue::Boolean(true)));
    assert_eq!(attr(r, "n"), Some(AnyValue::Int(-3)));
    assert_eq!(attr(r, "big"), Some(AnyValue::from(u64::MAX.to_string())));
    assert_eq!(attr(r, "ratio"), Some(AnyValue::Double(0.5)));
    assert_eq!(attr(r, "user"), Some(AnyValue::from("ann")));
    assert_eq!(attr(r, "ip"), Some(AnyValue::from("127.0.0.1")));
    assert_eq!(r.body(), Some(&AnyValue::from("with kvs")));
}

#[test]
fn formatted_bodies_short_inline_and_long_whole() {
    let (bridge, exporter, _p) = setup();
    // Not a literal: formatted at run time (literal arguments are folded into the text).
    let n = std::hint::black_box(42);
    log::info!(logger: bridge, "order {} paid", n);
    log::info!(logger: bridge, "order {} paid, and a long tail after it", n);
    let logs = exporter.get_emitted_logs();
    let body = |i: usize| match logs[i].record.body() {
        Some(AnyValue::String(s)) => (s.as_str().to_owned(), s.is_heap_allocated()),
        other => panic!("not a string: {other:?}"),
    };
    assert_eq!(body(0), ("order 42 paid".to_owned(), false));
    assert_eq!(
        body(1),
        ("order 42 paid, and a long tail after it".to_owned(), true)
    );
}
