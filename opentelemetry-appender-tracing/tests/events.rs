//! `tracing` events become OpenTelemetry log records.

use opentelemetry_api::logs::{LoggerProvider as _, Severity};
use opentelemetry_api::trace::{TraceContextExt, Tracer, TracerProvider};
use opentelemetry_api::{AnyValue, InstrumentationScope, Key};
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{
    InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider, SimpleLogProcessor,
};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use std::sync::Arc;
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

fn logs() -> (SdkLoggerProvider, InMemoryLogExporter) {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    (provider, exporter)
}

fn attr(record: &SdkLogRecord, key: &'static str) -> Option<AnyValue> {
    record.get_attribute(&Key::from_static_str(key)).cloned()
}

#[derive(Debug)]
struct Oops;
impl std::fmt::Display for Oops {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("oops")
    }
}
impl std::error::Error for Oops {}

#[test]
fn levels_message_fields_target_and_scope() {
    let (provider, exporter) = logs();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        tracing::error!(target: "shop::payments", "e");
        tracing::warn!("w");
        tracing::info!(
            ok = true,
            n = -3i64,
            big = u64::MAX,
            ratio = 0.5,
            user = "ann",
            dbg = ?vec![1, 2],
            shown = %"display",
            "order {} paid",
            42
        );
        let err: &(dyn std::error::Error + 'static) = &Oops;
        tracing::debug!(error = err, "d");
        tracing::trace!("t");
        tracing::info!(name: "app.started", "named");
    });
    let logs = exporter.get_emitted_logs();
    let got: Vec<(Option<Severity>, Option<&str>)> = logs
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
            (Some(Severity::Info), Some("INFO")),
        ]
    );
    assert_eq!(logs[0].record.target(), Some("shop::payments"));
    assert_eq!(logs[1].record.target(), Some(module_path!()));
    let info = &logs[2].record;
    assert_eq!(info.body(), Some(&AnyValue::from("order 42 paid")));
    assert_eq!(attr(info, "ok"), Some(AnyValue::Boolean(true)));
    assert_eq!(attr(info, "n"), Some(AnyValue::Int(-3)));
    assert_eq!(
        attr(info, "big"),
        Some(AnyValue::from(u64::MAX.to_string()))
    );
    assert_eq!(attr(info, "ratio"), Some(AnyValue::Double(0.5)));
    assert_eq!(attr(info, "user"), Some(AnyValue::from("ann")));
    assert_eq!(attr(info, "dbg"), Some(AnyValue::from("[1, 2]")));
    assert_eq!(attr(info, "shown"), Some(AnyValue::from("display")));
    assert_eq!(
        info.attributes_len(),
        7,
        "the message is the body, not an attribute"
    );
    assert_eq!(info.event_name(), None, "default names are not event names");
    assert_eq!(attr(&logs[3].record, "error"), Some(AnyValue::from("oops")));
    assert_eq!(logs[5].record.event_name(), Some("app.started"));
    assert_eq!(
        *logs[0].instrumentation_scope,
        InstrumentationScope::builder("opentelemetry-appender-tracing")
            .with_version(env!("CARGO_PKG_VERSION"))
            .build()
    );
}

#[test]
fn code_attributes_are_opt_in() {
    let (provider, exporter) = logs();
    let layer = OpenTelemetryTracingBridge::new(&provider).with_code_attributes(true);
    let line =
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            let line = line!() + 1;
            tracing::info!("x");
            line
        });
    let logs = exporter.get_emitted_logs();
    let r = &logs[0].record;
    assert_eq!(attr(r, "code.file.path"), Some(AnyValue::from(file!())));
    assert_eq!(
        attr(r, "code.line.number"),
        Some(AnyValue::Int(line as i64))
    );
    assert_eq!(
        attr(r, "code.namespace"),
        Some(AnyValue::from(module_path!()))
    );
}

#[test]
fn events_inside_an_opentelemetry_span_carry_its_ids() {
    let (provider, exporter) = logs();
    let tracer = SdkTracerProvider::default().tracer("t");
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    let sc = tracing::subscriber::with_default(subscriber, || {
        tracing::info!("outside");
        tracer.in_span("work", |cx| {
            tracing::info!("inside");
            cx.span().span_context().clone()
        })
    });
    let logs = exporter.get_emitted_logs();
    assert!(logs[0].record.trace_context().is_none());
    let tc = logs[1].record.trace_context().unwrap();
    assert_eq!((tc.trace_id, tc.span_id), (sc.trace_id(), sc.span_id()));
}

#[test]
fn events_inside_a_bridged_tracing_span_carry_its_span_ids() {
    let (provider, exporter) = logs();
    let spans = InMemorySpanExporter::default();
    let tracer = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build()
        .tracer("t");
    let layer = OpenTelemetryTracingBridge::new(&provider).with_tracer(tracer);
    tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
        let outer = tracing::info_span!("outer");
        let _g = outer.enter();
        tracing::info!("in outer");
        let inner = tracing::info_span!("inner");
        // An event with an explicit parent belongs to that span, entered or not.
        tracing::info!(parent: &inner, "in inner");
    });
    let finished = spans.get_finished_spans();
    let id = |name: &str| {
        finished
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .span_context
            .span_id()
    };
    let logs = exporter.get_emitted_logs();
    assert_eq!(logs[0].record.trace_context().unwrap().span_id, id("outer"));
    assert_eq!(logs[1].record.trace_context().unwrap().span_id, id("inner"));
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

/// Counts the records it is asked to emit.
#[derive(Debug, Default)]
struct Count(std::sync::atomic::AtomicUsize);

impl LogProcessor for Count {
    fn emit(&self, _: &mut SdkLogRecord, _: &Arc<InstrumentationScope>) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    fn enabled(&self, s: Severity, _: &str, _: Option<&str>, _: &InstrumentationScope) -> bool {
        s >= Severity::Warn
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn logger_enabled_is_honoured() {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(WarnAndAbove(SimpleLogProcessor::new(exporter.clone())))
        .build();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!("filtered");
        tracing::warn!("kept");
    });
    let logs = exporter.get_emitted_logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].record.body(), Some(&AnyValue::from("kept")));

    // A record that `enabled` filters out is never created: the processor's `emit` is not
    // reached (it would be if the bridge only relied on `emit` filtering).
    let count = Arc::new(Count::default());
    #[derive(Debug)]
    struct Shared(Arc<Count>);
    impl LogProcessor for Shared {
        fn emit(&self, r: &mut SdkLogRecord, s: &Arc<InstrumentationScope>) {
            self.0.emit(r, s)
        }
        fn enabled(&self, s: Severity, t: &str, e: Option<&str>, i: &InstrumentationScope) -> bool {
            self.0.enabled(s, t, e, i)
        }
        fn force_flush(&self) -> opentelemetry_sdk::Result {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
            Ok(())
        }
    }
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(Shared(count.clone()))
        .build();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!("no");
        tracing::error!("yes");
    });
    assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 1);
    // Through a boxed logger too.
    let boxed = opentelemetry_api::logs::BoxedLogger::new(provider.logger("boxed"));
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::from_logger(boxed));
    tracing::subscriber::with_default(subscriber, || {
        tracing::debug!("no");
        tracing::error!("yes");
    });
    assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[test]
fn suppressed_context_records_nothing() {
    let (provider, exporter) = logs();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    tracing::subscriber::with_default(subscriber, || {
        let _g = opentelemetry_api::Context::enter_telemetry_suppressed_scope();
        tracing::error!("suppressed");
    });
    assert!(exporter.get_emitted_logs().is_empty());
}

#[test]
fn short_texts_are_kept_inline_and_long_ones_whole() {
    let (provider, exporter) = logs();
    let subscriber =
        tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&provider));
    let long = "a field value well past twenty-two bytes".to_owned();
    tracing::subscriber::with_default(subscriber, || {
        tracing::info!(short = "ann", long = long.as_str(), "order {} paid", 42);
        tracing::info!(dbg = ?long, "a formatted message {} past the inline size", 42);
    });
    let logs = exporter.get_emitted_logs();
    let value = |v: Option<AnyValue>| match v {
        Some(AnyValue::String(s)) => (s.as_str().to_owned(), s.is_heap_allocated()),
        other => panic!("not a string: {other:?}"),
    };
    let first = &logs[0].record;
    assert_eq!(
        value(first.body().cloned()),
        ("order 42 paid".to_owned(), false)
    );
    assert_eq!(value(attr(first, "short")), ("ann".to_owned(), false));
    assert_eq!(value(attr(first, "long")), (long.clone(), true));
    let second = &logs[1].record;
    assert_eq!(
        value(second.body().cloned()),
        (
            "a formatted message 42 past the inline size".to_owned(),
            true
        )
    );
    assert_eq!(value(attr(second, "dbg")), (format!("{long:?}"), true));
}
