//! Environment variables of the logs SDK (process-global: nextest runs each test in its own
//! process).

mod logs_common;

use logs_common::{diagnostics, emit, record_diagnostics};
use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider};
use opentelemetry_sdk::logs::{
    BatchConfig, InMemoryLogExporter, LogRecordLimits, SdkLoggerProvider,
};
use std::time::Duration;

#[test]
fn otel_blrp_variables_set_the_batch_defaults() {
    record_diagnostics();
    let vars = [
        "OTEL_BLRP_SCHEDULE_DELAY",
        "OTEL_BLRP_EXPORT_TIMEOUT",
        "OTEL_BLRP_MAX_QUEUE_SIZE",
        "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE",
    ];
    let set = |values: [&str; 4]| {
        for (name, value) in vars.iter().zip(values) {
            std::env::set_var(name, value);
        }
    };
    set(["", "", "", ""]);
    let config = BatchConfig::default();
    assert_eq!(config.scheduled_delay(), Duration::from_millis(1000));
    assert_eq!(config.max_export_timeout(), Duration::from_millis(30000));
    assert_eq!(config.max_queue_size(), 2048);
    assert_eq!(config.max_export_batch_size(), 512);

    set(["250", "1000", "100", "40"]);
    let config = BatchConfig::default();
    assert_eq!(config.scheduled_delay(), Duration::from_millis(250));
    assert_eq!(config.max_export_timeout(), Duration::from_millis(1000));
    assert_eq!(config.max_queue_size(), 100);
    assert_eq!(config.max_export_batch_size(), 40);

    set(["-1", "soon", "0", "1.5"]);
    assert_eq!(BatchConfig::default().max_queue_size(), 2048);
    assert_eq!(diagnostics("Env.InvalidInteger").len(), 4);

    // The batch size may not exceed the queue size.
    set(["", "", "10", "20"]);
    assert_eq!(BatchConfig::default().max_export_batch_size(), 10);
}

#[test]
fn logrecord_limits_come_from_the_specific_then_the_general_variables() {
    assert_eq!(LogRecordLimits::from_env(), LogRecordLimits::default());
    std::env::set_var("OTEL_ATTRIBUTE_COUNT_LIMIT", "3");
    std::env::set_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", "5");
    assert_eq!(
        LogRecordLimits::from_env(),
        LogRecordLimits {
            attribute_count_limit: 3,
            attribute_value_length_limit: Some(5)
        }
    );
    std::env::set_var("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "1");
    std::env::set_var("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT", "2");
    let limits = LogRecordLimits::from_env();
    assert_eq!(limits.attribute_count_limit, 1);
    assert_eq!(limits.attribute_value_length_limit, Some(2));

    // The provider's default limits are the environment's.
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("t");
    let mut record = logger.create_log_record();
    record.add_attributes([("a", "abc"), ("b", "def")]);
    logger.emit(record);
    let logs = exporter.get_emitted_logs();
    assert_eq!(logs[0].record.attributes_len(), 1);
    assert_eq!(logs[0].record.dropped_attributes_count(), 1);
    assert_eq!(
        logs[0].record.attributes_iter().next().unwrap().1,
        opentelemetry_api::AnyValue::from("ab")
    );
}

#[test]
fn otel_sdk_disabled_records_nothing() {
    std::env::set_var("OTEL_SDK_DISABLED", "true");
    let exporter = InMemoryLogExporter::default();
    let provider = SdkLoggerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let logger = provider.logger("t");
    assert!(!logger.enabled(opentelemetry_api::logs::Severity::Fatal, "", None));
    emit(&logger, 1);
    assert!(exporter.get_emitted_logs().is_empty());
}
