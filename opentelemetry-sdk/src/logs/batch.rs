//! The batching log record processor: the shared batching machinery
//! (`crate::export::batch`) with the log signal's names, defaults and `OTEL_BLRP_*`
//! variables.

use super::export::{LogData, LogExporter};
use super::processor::private::Sealed;
use super::processor::LogProcessor;
use super::record::SdkLogRecord;
use crate::error::Result;
use crate::export::batch::{
    batch_config_methods, BatchExporter, Batcher, Diagnostics, Settings, Signal,
};
use crate::resource::Resource;
use crate::runtime::{self, Kind, Runtime};
use crate::self_observability::LOG_PROCESSOR;
use crate::trace::BoxFuture;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::InstrumentationScope;
use opentelemetry_semantic_conventions::attribute::otel_component_type::BATCHING_LOG_PROCESSOR;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// `OTEL_BLRP_SCHEDULE_DELAY`: milliseconds between two consecutive exports.
const ENV_SCHEDULE_DELAY: &str = "OTEL_BLRP_SCHEDULE_DELAY";
/// `OTEL_BLRP_EXPORT_TIMEOUT`: milliseconds an export may run (0: no limit).
const ENV_EXPORT_TIMEOUT: &str = "OTEL_BLRP_EXPORT_TIMEOUT";
/// `OTEL_BLRP_MAX_QUEUE_SIZE`: the queue's capacity.
const ENV_MAX_QUEUE_SIZE: &str = "OTEL_BLRP_MAX_QUEUE_SIZE";
/// `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`: the largest batch handed to the exporter.
const ENV_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE";

/// The log processor's names and defaults for the shared batching machinery.
static LOGS: Signal = Signal {
    items: "log records",
    thread_name: "otel-batch-log-processor",
    env_schedule_delay: ENV_SCHEDULE_DELAY,
    env_export_timeout: ENV_EXPORT_TIMEOUT,
    env_max_queue_size: ENV_MAX_QUEUE_SIZE,
    env_max_export_batch_size: ENV_MAX_EXPORT_BATCH_SIZE,
    default_schedule_delay: Duration::from_millis(1_000),
    diag: Diagnostics {
        dropped: "BatchLogProcessor.LogsDropped",
        invalid_config: "BatchLogProcessor.InvalidConfig",
        batch_size_clamped: "BatchLogProcessor.BatchSizeClamped",
        exporter_panicked: "BatchLogProcessor.ExporterPanicked",
        exporter_failed: "BatchLogProcessor.ExporterFailed",
        export_timeout: "BatchLogProcessor.ExportTimeout",
        export_failed: "BatchLogProcessor.ExportFailed",
        timeout: "BatchLogProcessor.Timeout",
        start_failed: "BatchLogProcessor.StartFailed",
        no_tokio_runtime: "BatchLogProcessor.NoTokioRuntime",
        set_resource: "BatchLogProcessor.SetResource",
        shutdown_on_drop: "BatchLogProcessor.ShutdownOnDrop",
    },
};

/// The log exporter as the batch worker sees it.
impl BatchExporter for Box<dyn LogExporter> {
    type Item = LogData;
    fn export<'a>(&'a mut self, batch: &'a [LogData]) -> BoxFuture<'a, Result> {
        (**self).export(batch)
    }
    fn force_flush(&mut self) -> Result {
        (**self).force_flush()
    }
    fn shutdown(&mut self) -> Result {
        (**self).shutdown()
    }
    fn set_resource(&mut self, resource: &Resource) {
        (**self).set_resource(resource)
    }
}

/// The configuration of a [`BatchLogProcessor`]. Build it with [`BatchConfigBuilder`];
/// `BatchConfig::default()` is the builder's default (the spec's defaults, overridden by the
/// `OTEL_BLRP_*` environment variables).
///
/// ```
/// use opentelemetry_sdk::logs::BatchConfigBuilder;
/// use std::time::Duration;
///
/// let config = BatchConfigBuilder::default()
///     .with_max_queue_size(4096)
///     .with_max_export_batch_size(1024)
///     .with_scheduled_delay(Duration::from_millis(200))
///     .build();
/// assert_eq!(config.max_export_batch_size(), 1024);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchConfig(Settings);

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfigBuilder::default().build()
    }
}

/// Builds a [`BatchConfig`]. `default()` starts from the spec's defaults (queue 2048,
/// scheduled delay 1 s, export timeout 30 s, batch 512), each overridden by its environment
/// variable when that is set to a valid value: `OTEL_BLRP_MAX_QUEUE_SIZE`,
/// `OTEL_BLRP_SCHEDULE_DELAY` (ms), `OTEL_BLRP_EXPORT_TIMEOUT` (ms, `0` = no limit) and
/// `OTEL_BLRP_MAX_EXPORT_BATCH_SIZE`. An invalid value is reported as a diagnostic and the
/// default is used; an empty one counts as unset. Values set in code override the
/// environment.
///
/// ```
/// use opentelemetry_sdk::logs::BatchConfigBuilder;
///
/// let config = BatchConfigBuilder::default()
///     .with_max_queue_size(100)
///     .with_max_export_batch_size(500) // clamped to the queue size
///     .build();
/// assert_eq!(config.max_export_batch_size(), 100);
/// ```
#[derive(Clone, Debug)]
pub struct BatchConfigBuilder(Settings);

impl Default for BatchConfigBuilder {
    fn default() -> Self {
        BatchConfigBuilder(Settings::from_env(&LOGS))
    }
}

batch_config_methods!(signal: LOGS, items: "records", Items: "Records", verb: "emitted", delay: "1 s");

/// A [`LogProcessor`] that queues a copy of each emitted record and exports them in batches
/// from a background worker: when `max_export_batch_size` records are queued, every
/// `scheduled_delay`, on [`force_flush`](LogProcessor::force_flush) and on shutdown. The
/// production choice.
///
/// Emitting never blocks: the record goes into a bounded lock-free queue (the emitting thread
/// only wakes the worker when the queue reaches a full batch); when the queue is full the
/// record is dropped and counted ([`dropped_logs`](Self::dropped_logs)), and drops are
/// reported as a `BatchLogProcessor.LogsDropped` diagnostic at most once per scheduled delay
/// (and at most once a second).
///
/// The worker runs on its own thread by default (no async runtime needed) or on an async
/// runtime chosen with [`with_runtime`](BatchLogProcessorBuilder::with_runtime). It calls the
/// exporter from one task at a time, never concurrently, with telemetry suppressed, gives
/// each export `max_export_timeout`, and contains exporter failures and panics (reported as
/// diagnostics). Dropping the processor shuts it down.
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider};
/// use opentelemetry_sdk::logs::{
///     BatchConfigBuilder, BatchLogProcessor, InMemoryLogExporter, SdkLoggerProvider,
/// };
/// use std::time::Duration;
///
/// let exporter = InMemoryLogExporter::default();
/// let processor = BatchLogProcessor::builder(exporter.clone())
///     .with_batch_config(
///         BatchConfigBuilder::default()
///             .with_scheduled_delay(Duration::from_millis(500))
///             .build(),
///     )
///     .build();
/// let provider = SdkLoggerProvider::builder().with_log_processor(processor).build();
///
/// let logger = provider.logger("example");
/// let mut record = logger.create_log_record();
/// record.set_body("hello".into());
/// logger.emit(record);
/// provider.force_flush().unwrap();
/// assert_eq!(exporter.get_emitted_logs().len(), 1);
/// provider.shutdown().unwrap();
/// ```
pub struct BatchLogProcessor {
    batcher: Batcher<LogData>,
    config: BatchConfig,
}

impl fmt::Debug for BatchLogProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchLogProcessor")
            .field("config", &self.config)
            .field("batcher", &self.batcher)
            .finish()
    }
}

impl BatchLogProcessor {
    /// A builder exporting to `exporter`, with `BatchConfig::default()` and a dedicated
    /// worker thread.
    pub fn builder<E: LogExporter + 'static>(exporter: E) -> BatchLogProcessorBuilder {
        BatchLogProcessorBuilder {
            exporter: Box::new(exporter),
            config: None,
            runtime: Kind::Thread,
            self_observability: None,
        }
    }

    /// The processor's configuration.
    pub fn config(&self) -> &BatchConfig {
        &self.config
    }

    /// How many records were dropped so far: because the queue was full, or because they
    /// were emitted after shutdown.
    pub fn dropped_logs(&self) -> u64 {
        self.batcher.dropped()
    }

    /// Exports every record queued before the call and flushes the exporter, waiting at
    /// most `timeout`. Export failures are returned (the first one); on timeout
    /// [`Error::Timeout`](crate::Error::Timeout) is returned while the worker goes on.
    pub fn force_flush_with_timeout(&self, timeout: Duration) -> Result {
        self.batcher.force_flush_with_timeout(timeout)
    }
}

impl LogProcessor for BatchLogProcessor {
    #[inline]
    fn emit(&self, record: &mut SdkLogRecord, scope: &Arc<InstrumentationScope>) {
        self.batcher.push(LogData {
            record: record.clone(),
            instrumentation_scope: scope.clone(),
        });
    }

    fn force_flush(&self) -> Result {
        self.batcher.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        self.batcher.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.batcher.set_resource(resource)
    }

    fn enable_self_observability(&mut self, meter: &Meter, _: Sealed) {
        self.batcher
            .enable_metrics(meter, &LOG_PROCESSOR, BATCHING_LOG_PROCESSOR);
    }
}

/// Builds a [`BatchLogProcessor`].
pub struct BatchLogProcessorBuilder {
    exporter: Box<dyn LogExporter>,
    config: Option<BatchConfig>,
    runtime: Kind,
    self_observability: Option<Meter>,
}

impl fmt::Debug for BatchLogProcessorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchLogProcessorBuilder")
            .field("exporter", &self.exporter)
            .field("config", &self.config)
            .field("runtime", &self.runtime)
            .finish()
    }
}

impl BatchLogProcessorBuilder {
    /// Sets the configuration (default: `BatchConfig::default()`, which reads the
    /// `OTEL_BLRP_*` variables).
    pub fn with_batch_config(mut self, config: BatchConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Runs the worker on `runtime` instead of a dedicated thread; see
    /// [`runtime`](crate::runtime) for the choices and their features.
    pub fn with_runtime<R: Runtime>(mut self, runtime: R) -> Self {
        self.runtime = runtime::private::Sealed::kind(runtime);
        self
    }

    /// Records the processor's `otel.sdk.processor.log.*` metrics into `meter_provider`,
    /// as component `batching_log_processor/<n>`: `queue.size` and `queue.capacity` (observed at
    /// each collection), and `processed`, counted when log records are handed to the exporter
    /// (whatever the export's outcome), or with `error.type` `queue_full` or
    /// `already_shutdown` when they are dropped. Off by default; a provider built
    /// [`with_self_observability`](super::LoggerProviderBuilder::with_self_observability) turns it on for the processors it was
    /// given without one.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::logs::{BatchLogProcessor, InMemoryLogExporter};
    ///
    /// let processor = BatchLogProcessor::builder(InMemoryLogExporter::default())
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// # drop(processor);
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Starts the worker and returns the processor.
    pub fn build(self) -> BatchLogProcessor {
        let config = self.config.unwrap_or_default();
        let batcher = Batcher::start(self.exporter, config.0.clone(), self.runtime, &LOGS);
        if let Some(meter) = &self.self_observability {
            batcher.enable_metrics(meter, &LOG_PROCESSOR, BATCHING_LOG_PROCESSOR);
        }
        BatchLogProcessor { batcher, config }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> BatchConfig {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        BatchConfig(
            Settings::from_lookup(&LOGS, |name| {
                vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
            })
            .validated(&LOGS),
        )
    }

    #[test]
    fn spec_defaults() {
        let config = from(&[]);
        assert_eq!(config.max_queue_size(), 2048);
        assert_eq!(config.scheduled_delay(), Duration::from_secs(1));
        assert_eq!(config.max_export_timeout(), Duration::from_secs(30));
        assert_eq!(config.max_export_batch_size(), 512);
    }

    #[test]
    fn blrp_env_values_override_defaults_and_invalid_ones_are_ignored() {
        let config = from(&[
            (ENV_MAX_QUEUE_SIZE, "4096"),
            (ENV_SCHEDULE_DELAY, "100"),
            (ENV_EXPORT_TIMEOUT, "0"),
            (ENV_MAX_EXPORT_BATCH_SIZE, "1024"),
        ]);
        assert_eq!(config.max_queue_size(), 4096);
        assert_eq!(config.scheduled_delay(), Duration::from_millis(100));
        assert_eq!(config.max_export_timeout(), Duration::ZERO);
        assert_eq!(config.max_export_batch_size(), 1024);
        // The span processor's variables do not apply.
        assert_eq!(from(&[("OTEL_BSP_SCHEDULE_DELAY", "7")]), from(&[]));
        for bad in ["", "-5", "abc", "0"] {
            let config = from(&[(ENV_MAX_QUEUE_SIZE, bad), (ENV_MAX_EXPORT_BATCH_SIZE, bad)]);
            assert_eq!(config, from(&[]), "value {bad:?}");
        }
        // The batch size is clamped to the queue size.
        assert_eq!(
            from(&[(ENV_MAX_QUEUE_SIZE, "100")]).max_export_batch_size(),
            100
        );
    }
}
