//! Span exporters run with telemetry suppressed: a span the exporter itself starts (as an
//! instrumented HTTP client would) is not recorded, so it is not exported back into it.

use opentelemetry_api::trace::{Span as _, Tracer, TracerProvider};
use opentelemetry_sdk::trace::{
    BoxFuture, InMemorySpanExporter, SdkTracer, SdkTracerProvider, SpanData, SpanExporter,
};
use std::sync::{Arc, OnceLock};

#[derive(Debug)]
struct TracingExporter {
    tracer: Arc<OnceLock<SdkTracer>>,
    inner: InMemorySpanExporter,
}

impl SpanExporter for TracingExporter {
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        if let Some(tracer) = self.tracer.get() {
            let span = tracer.start("exporter's own request");
            assert!(
                !span.is_recording(),
                "telemetry is suppressed while exporting"
            );
        }
        self.inner.export(batch)
    }
}

fn check(batch: bool) {
    let cell = Arc::new(OnceLock::new());
    let inner = InMemorySpanExporter::default();
    let exporter = TracingExporter {
        tracer: cell.clone(),
        inner: inner.clone(),
    };
    let builder = SdkTracerProvider::builder();
    let provider = if batch {
        builder.with_batch_exporter(exporter)
    } else {
        builder.with_simple_exporter(exporter)
    }
    .build();
    let tracer = provider.tracer("app");
    let _ = cell.set(tracer.clone());
    tracer.start("work").end();
    provider.force_flush().unwrap();
    let names: Vec<String> = inner
        .get_finished_spans()
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(names, ["work"]);
    provider.shutdown().unwrap();
}

#[test]
fn simple_processor_exports_with_telemetry_suppressed() {
    check(false);
}

#[test]
fn batch_processor_exports_with_telemetry_suppressed() {
    check(true);
}
