//! An exporter that uses `tracing` while the bridge is the global subscriber (so the batch
//! worker's thread sees it too): its own events and spans are not captured.

use opentelemetry_api::trace::TracerProvider as _;
use opentelemetry_api::AnyValue;
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogData, LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::trace::{BoxFuture, InMemorySpanExporter, SdkTracerProvider};
use tracing_subscriber::layer::SubscriberExt;

#[derive(Debug)]
struct ChattyExporter(InMemoryLogExporter);

impl LogExporter for ChattyExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let _span = tracing::info_span!("export").entered();
        tracing::warn!(records = batch.len(), "exporting");
        self.0.export(batch)
    }
}

#[test]
fn the_exporters_own_events_and_spans_are_not_exported() {
    let simple = InMemoryLogExporter::default();
    let batch = InMemoryLogExporter::default();
    let spans = InMemorySpanExporter::default();
    let logger_provider = SdkLoggerProvider::builder()
        .with_simple_exporter(ChattyExporter(simple.clone()))
        .with_batch_exporter(ChattyExporter(batch.clone()))
        .build();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    let layer =
        OpenTelemetryTracingBridge::new(&logger_provider).with_tracer(tracer_provider.tracer("t"));
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(layer)).unwrap();

    {
        let _span = tracing::info_span!("request").entered();
        tracing::info!("one");
        tracing::info!("two");
    }
    logger_provider.force_flush().unwrap();
    for exporter in [&simple, &batch] {
        let bodies: Vec<AnyValue> = exporter
            .get_emitted_logs()
            .iter()
            .filter_map(|d| d.record.body().cloned())
            .collect();
        assert_eq!(bodies, [AnyValue::from("one"), AnyValue::from("two")]);
    }
    let names: Vec<String> = spans
        .get_finished_spans()
        .iter()
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(names, ["request"]);
    logger_provider.shutdown().unwrap();
}
