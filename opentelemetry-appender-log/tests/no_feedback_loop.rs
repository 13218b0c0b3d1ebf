//! An exporter that logs through `log` while the bridge is the global logger: its own logs are
//! not captured (the SDK suppresses telemetry while exporting; the bridge honours it).

use opentelemetry_api::AnyValue;
use opentelemetry_appender_log::OpenTelemetryLogBridge;
use opentelemetry_sdk::logs::{InMemoryLogExporter, LogData, LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::trace::BoxFuture;

#[derive(Debug)]
struct ChattyExporter(InMemoryLogExporter);

impl LogExporter for ChattyExporter {
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        log::warn!("exporting {} records", batch.len());
        self.0.export(batch)
    }
    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        log::warn!("flushing");
        Ok(())
    }
}

#[test]
fn the_exporters_own_logs_are_not_exported() {
    let simple = InMemoryLogExporter::default();
    let batch = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(ChattyExporter(simple.clone()))
        .with_batch_exporter(ChattyExporter(batch.clone()))
        .build();
    log::set_boxed_logger(Box::new(OpenTelemetryLogBridge::new(&provider))).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    log::info!("one");
    log::info!("two");
    provider.force_flush().unwrap();
    for exporter in [&simple, &batch] {
        let bodies: Vec<AnyValue> = exporter
            .get_emitted_logs()
            .iter()
            .filter_map(|d| d.record.body().cloned())
            .collect();
        assert_eq!(bodies, [AnyValue::from("one"), AnyValue::from("two")]);
    }
    provider.shutdown().unwrap();
}
