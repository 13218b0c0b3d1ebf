//! `OTEL_BSP_*` environment variables (process-global: one test in its own file).

mod common;

use common::{diagnostics, record_diagnostics};
use opentelemetry_sdk::trace::{BatchConfig, BatchConfigBuilder};
use std::time::Duration;

const VARS: [&str; 4] = [
    "OTEL_BSP_SCHEDULE_DELAY",
    "OTEL_BSP_EXPORT_TIMEOUT",
    "OTEL_BSP_MAX_QUEUE_SIZE",
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
];

fn set(values: [&str; 4]) {
    for (name, value) in VARS.iter().zip(values) {
        std::env::set_var(name, value);
    }
}

#[test]
fn env_vars_set_the_defaults() {
    record_diagnostics();

    set(["", "", "", ""]);
    let config = BatchConfig::default();
    assert_eq!(config.scheduled_delay(), Duration::from_millis(5000));
    assert_eq!(config.max_export_timeout(), Duration::from_millis(30000));
    assert_eq!(config.max_queue_size(), 2048);
    assert_eq!(config.max_export_batch_size(), 512);
    assert!(diagnostics("Env.InvalidInteger").is_empty());

    set(["250", "1000", "100", " 40 "]);
    let config = BatchConfig::default();
    assert_eq!(config.scheduled_delay(), Duration::from_millis(250));
    assert_eq!(config.max_export_timeout(), Duration::from_millis(1000));
    assert_eq!(config.max_queue_size(), 100);
    assert_eq!(config.max_export_batch_size(), 40);

    // Code overrides the environment.
    let config = BatchConfigBuilder::default().with_max_queue_size(7).build();
    assert_eq!(config.max_queue_size(), 7);
    assert_eq!(config.max_export_batch_size(), 7);

    set(["-1", "soon", "0", "1.5"]);
    let config = BatchConfig::default();
    assert_eq!(config.scheduled_delay(), Duration::from_millis(5000));
    assert_eq!(config.max_export_timeout(), Duration::from_millis(30000));
    assert_eq!(config.max_queue_size(), 2048);
    assert_eq!(config.max_export_batch_size(), 512);
    let reports = diagnostics("Env.InvalidInteger");
    assert_eq!(reports.len(), 4, "{reports:?}");
    assert!(reports
        .iter()
        .any(|m| m.contains("OTEL_BSP_SCHEDULE_DELAY=\"-1\"")));
    assert!(reports
        .iter()
        .any(|m| m.contains("OTEL_BSP_MAX_QUEUE_SIZE=\"0\"")));

    // A zero export timeout means no limit; a batch size above the queue size is clamped.
    set(["", "0", "10", "20"]);
    let config = BatchConfig::default();
    assert_eq!(config.max_export_timeout(), Duration::ZERO);
    assert_eq!(config.max_export_batch_size(), 10);
}
