//! The stdout and console span exporters, writing into a buffer.

use opentelemetry_api::trace::{
    Span as _, SpanKind, Status, TraceContextExt, Tracer, TracerProvider,
};
use opentelemetry_api::{Context, KeyValue};
use opentelemetry_sdk::trace::{ConsoleSpanExporter, SdkTracerProvider, StdoutSpanExporter};
use opentelemetry_sdk::Resource;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn record_trace(provider: &SdkTracerProvider) {
    let tracer = provider.tracer("shop");
    let t0 = SystemTime::now();
    let ms = |n| t0 + Duration::from_millis(n);
    let mut root = tracer
        .span_builder("GET /checkout")
        .with_kind(SpanKind::Server)
        .with_start_time(ms(0))
        .with_attributes([KeyValue::new("http.request.method", "GET")])
        .start(&tracer);
    root.set_status(Status::error("payment declined"));
    let cx = Context::new().with_span(root);
    let mut auth = tracer
        .span_builder("auth")
        .with_start_time(ms(1))
        .start_with_context(&tracer, &cx);
    auth.end_with_timestamp(ms(4));
    let mut pay = tracer
        .span_builder("charge card")
        .with_kind(SpanKind::Client)
        .with_start_time(ms(5))
        .start_with_context(&tracer, &cx);
    pay.add_event_with_timestamp("retry", ms(7), vec![KeyValue::new("attempt", 2)]);
    let pay_cx = cx.with_span(pay);
    let mut db = tracer
        .span_builder("SELECT cards")
        .with_start_time(ms(6))
        .start_with_context(&tracer, &pay_cx);
    db.end_with_timestamp(ms(8));
    pay_cx.span().end_with_timestamp(ms(9));
    cx.span().end_with_timestamp(ms(10));
}

#[test]
fn console_prints_each_trace_as_a_tree_once_its_root_ends() {
    let buf = Buffer::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder_empty().with_service_name("shop").build())
        .with_simple_exporter(ConsoleSpanExporter::with_writer(buf.clone()))
        .build();
    record_trace(&provider);
    let text = buf.text();

    let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("trace ")
            && lines[0].contains("service shop")
            && lines[0].contains("4 spans"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("GET /checkout [server]")
            && lines[1].contains("10.00 ms")
            && lines[1].contains("ERROR payment declined")
    );
    let pos = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle} missing in\n{text}"))
    };
    assert!(lines[pos("├─ auth [internal]")].contains("3.00 ms"));
    assert!(pos("└─ charge card [client]") > pos("├─ auth"));
    assert!(pos("└─ SELECT cards [internal]") > pos("└─ charge card"));
    assert!(lines[pos("• +2.00 ms retry")].contains("attempt=2"));
    assert!(lines[pos("http.request.method=GET")].starts_with("│"));
    let root_bar = &lines[1][lines[1].find('|').unwrap()..];
    assert!(
        root_bar.starts_with("|████████████████████████|"),
        "root spans the whole timeline: {root_bar}"
    );
    provider.shutdown().unwrap();
}

#[test]
fn console_flush_prints_incomplete_traces() {
    let buf = Buffer::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(ConsoleSpanExporter::with_writer(buf.clone()))
        .build();
    let tracer = provider.tracer("t");
    let root = tracer.start("root still running");
    let cx = Context::new().with_span(root);
    tracer.start_with_context("finished child", &cx).end();
    assert!(buf.text().is_empty(), "held until the root ends");
    provider.force_flush().unwrap();
    assert!(buf.text().contains("finished child"));
}

#[test]
fn stdout_writes_one_block_per_span() {
    let buf = Buffer::default();
    let provider = SdkTracerProvider::builder()
        .with_resource(Resource::builder_empty().with_service_name("svc").build())
        .with_simple_exporter(StdoutSpanExporter::with_writer(buf.clone()))
        .build();
    let mut span = provider.tracer("lib").start("op");
    span.set_attribute(KeyValue::new("k", "v"));
    span.add_event("e", vec![]);
    let sc = span.span_context().clone();
    span.end();
    let text = buf.text();
    assert!(text.starts_with("Span \"op\"\n"), "{text}");
    assert!(text.contains(&format!("trace_id: {}", sc.trace_id())));
    assert!(text.contains(&format!("span_id: {}", sc.span_id())));
    assert!(text.contains("attributes: k=v"));
    assert!(text.contains("event \"e\""));
    assert!(text.contains("resource: service.name=svc"));
}
