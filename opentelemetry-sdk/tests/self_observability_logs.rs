//! SDK self-observability of the logs SDK: `otel.sdk.log.created` and
//! `otel.sdk.processor.log.*`, recorded into a meter provider read by a manual reader.

mod logs_common;
mod self_observability_common;

use logs_common::{emit, Behaviour, TestExporter};
use opentelemetry_api::logs::LoggerProvider as _;
use opentelemetry_api::Context;
use opentelemetry_sdk::logs::{
    BatchConfigBuilder, BatchLogProcessor, BatchLogProcessorBuilder, InMemoryLogExporter,
    SdkLoggerProvider, SimpleLogProcessor,
};
use self_observability_common::{collect, component, component_name, counter, recorder, up_down};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);
const UNIT: &str = "{log_record}";

fn batch(exporter: &TestExporter, queue: usize, batch: usize) -> BatchLogProcessorBuilder {
    BatchLogProcessor::builder(exporter.clone()).with_batch_config(
        BatchConfigBuilder::default()
            .with_max_queue_size(queue)
            .with_max_export_batch_size(batch)
            .with_scheduled_delay(HOUR)
            .with_max_export_timeout(Duration::from_secs(30))
            .build(),
    )
}

#[test]
fn log_created_counts_records_emitted_to_enabled_loggers() {
    let (meters, reader) = recorder();
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .with_self_observability(&meters)
        .build();
    let logger = provider.logger("app");
    let other = provider.logger("other");
    for id in 0..3 {
        emit(&logger, id);
    }
    emit(&other, 3);
    // Suppressed: not submitted, not counted.
    {
        let _guard = Context::enter_telemetry_suppressed_scope();
        emit(&logger, 4);
    }
    let metrics = collect(&reader);
    let created = counter(&metrics, "otel.sdk.log.created", UNIT);
    assert_eq!(created, [(Default::default(), 4)].into(), "no attributes");
    provider.shutdown().unwrap();
    // After shutdown the loggers are disabled: not counted.
    emit(&logger, 5);
    let created = counter(&collect(&reader), "otel.sdk.log.created", UNIT);
    assert_eq!(created, [(Default::default(), 4)].into());
    assert_eq!(exporter.get_emitted_logs().len(), 4);
}

#[test]
fn off_by_default_nothing_is_recorded() {
    let (_meters, reader) = recorder();
    let provider = SdkLoggerProvider::builder()
        .with_batch_exporter(InMemoryLogExporter::default())
        .build();
    emit(&provider.logger("app"), 1);
    provider.force_flush().unwrap();
    assert!(collect(&reader).is_empty());
    provider.shutdown().unwrap();
}

#[test]
fn batching_processor_queue_size_capacity_and_processed_with_queue_full_drops() {
    let (meters, reader) = recorder();
    let exporter = TestExporter::scripted([Behaviour::Block]);
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(batch(&exporter, 4, 2).build())
        .with_self_observability(&meters)
        .build();
    let logger = provider.logger("app");
    // The first batch is taken by the worker, whose export blocks: 2 processed.
    emit(&logger, 1);
    emit(&logger, 2);
    exporter.wait_calls(1);
    // 3..=6 fill the queue, 7..=8 are dropped.
    for id in 3..=8 {
        emit(&logger, id);
    }
    let metrics = collect(&reader);
    let size = up_down(&metrics, "otel.sdk.processor.log.queue.size", UNIT);
    let name = component_name(&size, "batching_log_processor");
    let me = component("batching_log_processor", &name, None);
    let full = component("batching_log_processor", &name, Some("queue_full"));
    let shut = component("batching_log_processor", &name, Some("already_shutdown"));
    assert_eq!(size, [(me.clone(), 4)].into());
    let capacity = up_down(&metrics, "otel.sdk.processor.log.queue.capacity", UNIT);
    assert_eq!(capacity, [(me.clone(), 4)].into());
    let processed = counter(&metrics, "otel.sdk.processor.log.processed", UNIT);
    assert_eq!(processed.get(&me), Some(&2), "{processed:?}");
    assert_eq!(processed.get(&full), Some(&2), "{processed:?}");
    assert_eq!(processed.get(&shut).copied().unwrap_or(0), 0);
    let created = counter(&metrics, "otel.sdk.log.created", UNIT);
    assert_eq!(created.values().sum::<u64>(), 8);

    exporter.release();
    provider.force_flush().unwrap();
    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.log.processed", UNIT);
    assert_eq!(processed.get(&me), Some(&6), "{processed:?}");
    let size = up_down(&metrics, "otel.sdk.processor.log.queue.size", UNIT);
    assert_eq!(size, [(me.clone(), 0)].into());
    provider.shutdown().unwrap();
    assert_eq!(exporter.exported(), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn batching_processor_counts_records_after_shutdown_as_already_shutdown() {
    use opentelemetry_api::logs::Logger as _;
    use opentelemetry_sdk::logs::LogProcessor as _;
    let (meters, reader) = recorder();
    let exporter = TestExporter::default();
    let processor = batch(&exporter, 16, 4)
        .with_self_observability(&meters)
        .build();
    let provider = SdkLoggerProvider::default();
    let mut record = provider.logger("app").create_log_record();
    opentelemetry_api::logs::LogRecord::add_attribute(&mut record, "id", 1);
    let scope = std::sync::Arc::new(opentelemetry_api::InstrumentationScope::builder("s").build());
    processor.emit(&mut record, &scope);
    processor.shutdown().unwrap();
    processor.emit(&mut record, &scope);
    processor.emit(&mut record, &scope);
    assert_eq!(processor.dropped_logs(), 2);

    let processed = counter(&collect(&reader), "otel.sdk.processor.log.processed", UNIT);
    let name = component_name(&processed, "batching_log_processor");
    assert_eq!(
        processed,
        [
            // Exported by the shutdown.
            (component("batching_log_processor", &name, None), 1),
            (
                component("batching_log_processor", &name, Some("already_shutdown")),
                2
            ),
        ]
        .into()
    );
}

#[test]
fn simple_processor_counts_exported_records_and_drops_after_shutdown() {
    let (meters, reader) = recorder();
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_log_processor(
            SimpleLogProcessor::new(exporter.clone()).with_self_observability(&meters),
        )
        .build();
    let logger = provider.logger("app");
    for id in 0..3 {
        emit(&logger, id);
    }
    let metrics = collect(&reader);
    let processed = counter(&metrics, "otel.sdk.processor.log.processed", UNIT);
    let name = component_name(&processed, "simple_log_processor");
    let me = component("simple_log_processor", &name, None);
    assert_eq!(processed.get(&me), Some(&3), "{processed:?}");
    // The provider was not built with self-observability: no log.created.
    assert!(!metrics.iter().any(|m| m.name == "otel.sdk.log.created"));
    assert!(!metrics
        .iter()
        .any(|m| m.name.starts_with("otel.sdk.processor.log.queue")));
    provider.shutdown().unwrap();
    assert_eq!(exporter.get_emitted_logs().len(), 3);
}

#[test]
fn simple_processor_after_shutdown_counts_already_shutdown() {
    use opentelemetry_api::logs::Logger as _;
    use opentelemetry_sdk::logs::LogProcessor as _;
    let (meters, reader) = recorder();
    let processor =
        SimpleLogProcessor::new(InMemoryLogExporter::default()).with_self_observability(&meters);
    let provider = SdkLoggerProvider::default();
    let mut record = provider.logger("app").create_log_record();
    let scope = std::sync::Arc::new(opentelemetry_api::InstrumentationScope::builder("s").build());
    processor.emit(&mut record, &scope);
    processor.shutdown().unwrap();
    processor.emit(&mut record, &scope);
    processor.emit(&mut record, &scope);
    let processed = counter(&collect(&reader), "otel.sdk.processor.log.processed", UNIT);
    let name = component_name(&processed, "simple_log_processor");
    assert_eq!(
        processed,
        [
            (component("simple_log_processor", &name, None), 1),
            (
                component("simple_log_processor", &name, Some("already_shutdown")),
                2
            ),
        ]
        .into()
    );
}
