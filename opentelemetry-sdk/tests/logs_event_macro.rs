//! The ergonomic logs API (`emit_event!`) through the SDK: the record it emits, the logger
//! asked first, and nothing evaluated when the logger would not record the event.

use opentelemetry_api::logs::{LoggerProvider as _, Severity};
use opentelemetry_api::trace::{Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_api::{emit_event, AnyValue, Context, InstrumentationScope, Key};
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogProcessor, SdkLogRecord, SdkLoggerProvider};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::cell::Cell;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[test]
fn an_event_carries_its_name_severity_target_body_attributes_and_span() {
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("shop");
    let tracer_provider = SdkTracerProvider::builder().build();
    let span = tracer_provider.tracer("shop").start("checkout");
    let span_context = span.span_context().clone();
    let cx = Context::current_with_span(span);
    {
        let _guard = cx.clone().attach();
        emit_event!(
            logger,
            "shop.payment.declined",
            severity: Severity::Warn,
            body: "card declined",
            "order.id" = 42,
            "card.network" = "visa",
        );
    }
    emit_event!(logger, "shop.order.placed", "order.id" = 7);
    cx.span().end();

    let logs = exporter.get_emitted_logs();
    assert_eq!(logs.len(), 2);
    let declined = &logs[0].record;
    assert_eq!(declined.event_name(), Some("shop.payment.declined"));
    assert_eq!(declined.severity_number(), Some(Severity::Warn));
    assert_eq!(declined.severity_text(), Some("WARN"));
    assert_eq!(declined.target(), Some(module_path!()));
    assert_eq!(declined.body(), Some(&AnyValue::from("card declined")));
    let attributes: Vec<_> = declined.attributes_iter().cloned().collect();
    assert_eq!(
        attributes,
        [
            (Key::from("order.id"), AnyValue::Int(42)),
            (Key::from("card.network"), AnyValue::from("visa")),
        ]
    );
    let trace = declined
        .trace_context()
        .expect("correlated with the active span");
    assert_eq!(trace.trace_id, span_context.trace_id());
    assert_eq!(trace.span_id, span_context.span_id());

    // No severity given: INFO; no body; outside the span.
    let placed = &logs[1].record;
    assert_eq!(placed.event_name(), Some("shop.order.placed"));
    assert_eq!(placed.severity_number(), Some(Severity::Info));
    assert_eq!(placed.body(), None);
    assert!(placed.trace_context().is_none());
    assert_eq!(placed.attributes_len(), 1);
}

/// Accepts only events of severity WARN and above (and checks what it is asked about); keeps
/// the names of the events it gets.
#[derive(Debug, Default)]
struct WarnAndAbove(Mutex<Vec<&'static str>>);

impl LogProcessor for WarnAndAbove {
    fn emit(&self, record: &mut SdkLogRecord, _: &Arc<InstrumentationScope>) {
        self.0.lock().unwrap().extend(record.event_name());
    }
    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        event_name: Option<&str>,
        _: &InstrumentationScope,
    ) -> bool {
        assert_eq!(target, module_path!());
        assert!(event_name.is_some_and(|n| n.starts_with("shop.")));
        severity >= Severity::Warn
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}

#[test]
fn nothing_is_evaluated_for_an_event_the_logger_would_not_record() {
    let processor = Arc::new(WarnAndAbove::default());
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(SharedProcessor(processor.clone()))
        .build();
    let logger = provider.logger("shop");
    let evaluated = Cell::new(0);
    let count = || {
        evaluated.set(evaluated.get() + 1);
        evaluated.get()
    };
    emit_event!(logger, "shop.debug", severity: Severity::Debug, body: count(), "n" = count());
    assert_eq!(evaluated.get(), 0, "a filtered-out event's expressions ran");
    emit_event!(logger, "shop.alert", severity: Severity::Error, body: count(), "n" = count());
    assert_eq!(evaluated.get(), 2);
    assert_eq!(*processor.0.lock().unwrap(), ["shop.alert"]);
}

#[derive(Debug)]
struct SharedProcessor(Arc<WarnAndAbove>);

impl LogProcessor for SharedProcessor {
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        self.0.emit(record, scope)
    }
    fn enabled(
        &self,
        severity: Severity,
        target: &str,
        event_name: Option<&str>,
        scope: &InstrumentationScope,
    ) -> bool {
        self.0.enabled(severity, target, event_name, scope)
    }
    fn force_flush(&self) -> opentelemetry_sdk::Result {
        Ok(())
    }
    fn shutdown_with_timeout(&self, _: Duration) -> opentelemetry_sdk::Result {
        Ok(())
    }
}
