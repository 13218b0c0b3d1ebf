//! The batching span processor: ended spans go into a bounded lock-free queue on the ending
//! thread; a background worker exports them in batches. The machinery is shared with the log
//! batch processor (`crate::export::batch`); this file holds the span-specific parts.

use super::export::{BoxFuture, SpanData, SpanExporter};
use super::processor::private::{EndedSpan, Sealed};
use super::span::Span;
use crate::error::Result;
use crate::export::batch::{
    batch_config_methods, BatchExporter, Batcher, Diagnostics, Settings, Signal,
};
use crate::resource::Resource;
use crate::runtime::{self, Kind, Runtime};
use crate::self_observability::SPAN_PROCESSOR;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::Context;
use opentelemetry_semantic_conventions::attribute::otel_component_type::BATCHING_SPAN_PROCESSOR;
use std::fmt;
use std::time::Duration;

/// `OTEL_BSP_SCHEDULE_DELAY`: milliseconds between two consecutive exports.
const ENV_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
/// `OTEL_BSP_EXPORT_TIMEOUT`: milliseconds an export may run (0: no limit).
const ENV_EXPORT_TIMEOUT: &str = "OTEL_BSP_EXPORT_TIMEOUT";
/// `OTEL_BSP_MAX_QUEUE_SIZE`: the queue's capacity.
const ENV_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`: the largest batch handed to the exporter.
const ENV_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";

/// The span processor's names and defaults for the shared batching machinery.
static SPANS: Signal = Signal {
    items: "spans",
    thread_name: "otel-batch-span-processor",
    env_schedule_delay: ENV_SCHEDULE_DELAY,
    env_export_timeout: ENV_EXPORT_TIMEOUT,
    env_max_queue_size: ENV_MAX_QUEUE_SIZE,
    env_max_export_batch_size: ENV_MAX_EXPORT_BATCH_SIZE,
    default_schedule_delay: Duration::from_millis(5_000),
    diag: Diagnostics {
        dropped: "BatchSpanProcessor.SpansDropped",
        invalid_config: "BatchSpanProcessor.InvalidConfig",
        batch_size_clamped: "BatchSpanProcessor.BatchSizeClamped",
        exporter_panicked: "BatchSpanProcessor.ExporterPanicked",
        exporter_failed: "BatchSpanProcessor.ExporterFailed",
        export_timeout: "BatchSpanProcessor.ExportTimeout",
        export_failed: "BatchSpanProcessor.ExportFailed",
        timeout: "BatchSpanProcessor.Timeout",
        start_failed: "BatchSpanProcessor.StartFailed",
        no_tokio_runtime: "BatchSpanProcessor.NoTokioRuntime",
        set_resource: "BatchSpanProcessor.SetResource",
        shutdown_on_drop: "BatchSpanProcessor.ShutdownOnDrop",
    },
};

/// The span exporter as the batch worker sees it.
impl BatchExporter for Box<dyn SpanExporter> {
    type Item = SpanData;
    fn export<'a>(&'a mut self, batch: &'a [SpanData]) -> BoxFuture<'a, Result> {
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
    /// Drops only the spans that own something: most exported spans (no attributes, events,
    /// links, owned name or status description, trace state) need no drop work at all, and
    /// the worker shares the cores with the application. Attribute `Vec`s are emptied and
    /// recycled for spans to come rather than freed (see `super::recycle`).
    fn clear(batch: &mut Vec<SpanData>) {
        let len = batch.len();
        // SAFETY: the length is 0 before any item is dropped, so each item is dropped at most
        // once (a panic in a drop leaks the rest, never drops one twice); `base.add(i)` for
        // `i < len` points to an initialised item the vector no longer owns.
        unsafe {
            batch.set_len(0);
            let base = batch.as_mut_ptr();
            for i in 0..len {
                let span = base.add(i);
                if (*span).attributes.capacity() != 0 {
                    super::recycle::recycle(std::mem::take(&mut (*span).attributes));
                }
                if (*span).owns_heap_data() {
                    std::ptr::drop_in_place(span);
                }
            }
        }
    }
}

/// The configuration of a [`BatchSpanProcessor`]. Build it with [`BatchConfigBuilder`];
/// `BatchConfig::default()` is the builder's default (the spec's defaults, overridden by the
/// `OTEL_BSP_*` environment variables).
///
/// ```
/// use opentelemetry_sdk::trace::BatchConfigBuilder;
/// use std::time::Duration;
///
/// let config = BatchConfigBuilder::default()
///     .with_max_queue_size(4096)
///     .with_max_export_batch_size(1024)
///     .with_scheduled_delay(Duration::from_secs(1))
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

impl BatchConfig {
    /// The export timeout as a limit (`None`: unlimited).
    #[cfg(test)]
    fn export_limit(&self) -> Option<Duration> {
        self.0.export_limit()
    }
}

/// Builds a [`BatchConfig`]. `default()` starts from the spec's defaults (queue 2048,
/// scheduled delay 5 s, export timeout 30 s, batch 512), each overridden by its environment
/// variable when that is set to a valid value: `OTEL_BSP_MAX_QUEUE_SIZE`,
/// `OTEL_BSP_SCHEDULE_DELAY` (ms), `OTEL_BSP_EXPORT_TIMEOUT` (ms, `0` = no limit) and
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`. An invalid value is reported as a diagnostic and the
/// default is used; an empty one counts as unset. Values set in code override the
/// environment.
///
/// ```
/// use opentelemetry_sdk::trace::BatchConfigBuilder;
/// use std::time::Duration;
///
/// let config = BatchConfigBuilder::default()
///     .with_max_queue_size(100)
///     .with_max_export_batch_size(500) // clamped to the queue size
///     .with_max_export_timeout(Duration::from_secs(10))
///     .build();
/// assert_eq!(config.max_export_batch_size(), 100);
/// ```
#[derive(Clone, Debug)]
pub struct BatchConfigBuilder(Settings);

impl Default for BatchConfigBuilder {
    fn default() -> Self {
        BatchConfigBuilder(Settings::from_env(&SPANS))
    }
}

impl BatchConfigBuilder {
    /// The defaults overridden by the variables `lookup` returns.
    #[cfg(test)]
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        BatchConfigBuilder(Settings::from_lookup(&SPANS, lookup))
    }
}

batch_config_methods!(signal: SPANS, items: "spans", Items: "Spans", verb: "ending", delay: "5 s");

/// A [`SpanProcessor`](super::SpanProcessor) that queues sampled spans as they end and exports
/// them in batches from a background worker: when `max_export_batch_size` spans are queued,
/// every `scheduled_delay`, on [`force_flush`](super::SpanProcessor::force_flush) and on
/// shutdown. The production choice.
///
/// Ending a span never blocks: the span goes into a bounded lock-free queue (the
/// ending thread only wakes the worker when the queue reaches a full batch); when the queue is
/// full the span is dropped and counted ([`dropped_spans`](Self::dropped_spans)), and drops are
/// reported as a `BatchSpanProcessor.SpansDropped` diagnostic at most once per scheduled delay
/// (and at most once a second).
///
/// The worker runs on its own thread by default (no async runtime needed) or on an async
/// runtime chosen with [`with_runtime`](BatchSpanProcessorBuilder::with_runtime). It calls the
/// exporter from one task at a time, never concurrently, gives each export
/// `max_export_timeout`, and contains exporter failures and panics (reported as diagnostics).
/// Dropping the processor shuts it down.
///
/// ```
/// use opentelemetry_api::trace::{Span, Tracer, TracerProvider};
/// use opentelemetry_sdk::trace::{
///     BatchConfigBuilder, BatchSpanProcessor, InMemorySpanExporter, SdkTracerProvider,
/// };
/// use std::time::Duration;
///
/// let exporter = InMemorySpanExporter::default();
/// let processor = BatchSpanProcessor::builder(exporter.clone())
///     .with_batch_config(
///         BatchConfigBuilder::default()
///             .with_max_queue_size(4096)
///             .with_scheduled_delay(Duration::from_millis(500))
///             .with_max_export_batch_size(256)
///             .with_max_export_timeout(Duration::from_secs(10))
///             .build(),
///     )
///     .build();
/// let provider = SdkTracerProvider::builder().with_span_processor(processor).build();
///
/// provider.tracer("example").start("work").end();
/// provider.force_flush().unwrap();
/// assert_eq!(exporter.get_finished_spans()[0].name, "work");
/// provider.shutdown().unwrap();
/// ```
pub struct BatchSpanProcessor {
    batcher: Batcher<SpanData>,
    config: BatchConfig,
}

impl fmt::Debug for BatchSpanProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchSpanProcessor")
            .field("config", &self.config)
            .field("batcher", &self.batcher)
            .finish()
    }
}

impl BatchSpanProcessor {
    /// A builder exporting to `exporter`, with `BatchConfig::default()` and a dedicated
    /// worker thread.
    pub fn builder<E: SpanExporter + 'static>(exporter: E) -> BatchSpanProcessorBuilder {
        BatchSpanProcessorBuilder {
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

    /// How many sampled spans were dropped so far: because the queue was full, or because
    /// they ended after shutdown.
    pub fn dropped_spans(&self) -> u64 {
        self.batcher.dropped()
    }

    /// Exports every span queued before the call and flushes the exporter, waiting at most
    /// `timeout`. Export failures are returned (the first one); on timeout
    /// [`Error::Timeout`](crate::Error::Timeout) is returned while the worker goes on.
    pub fn force_flush_with_timeout(&self, timeout: Duration) -> Result {
        self.batcher.force_flush_with_timeout(timeout)
    }
}

impl super::SpanProcessor for BatchSpanProcessor {
    fn on_start(&self, _span: &mut Span, _parent_cx: &Context) {}

    fn ignores_start(&self, _: Sealed) -> bool {
        true
    }

    #[inline]
    fn on_end(&self, mut span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        // Moved from the argument straight into the queue: the span is copied once.
        // SAFETY: the span is forgotten when it was moved into the queue, dropped otherwise.
        if unsafe { self.batcher.push_from(&mut span) } {
            std::mem::forget(span);
        }
    }

    #[inline]
    fn on_end_in_place(&self, span: EndedSpan<'_>) {
        if !span.get().span_context.is_sampled() {
            return; // dropped in place
        }
        // Copied from where the span kept it straight into the queue.
        // SAFETY: `push_from` returns true exactly when it moved the item into the queue.
        unsafe { span.move_out_if(|data| self.batcher.push_from(&mut *data)) }
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
            .enable_metrics(meter, &SPAN_PROCESSOR, BATCHING_SPAN_PROCESSOR);
    }
}

/// Builds a [`BatchSpanProcessor`].
pub struct BatchSpanProcessorBuilder {
    exporter: Box<dyn SpanExporter>,
    config: Option<BatchConfig>,
    runtime: Kind,
    self_observability: Option<Meter>,
}

impl fmt::Debug for BatchSpanProcessorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchSpanProcessorBuilder")
            .field("exporter", &self.exporter)
            .field("config", &self.config)
            .field("runtime", &self.runtime)
            .finish()
    }
}

impl BatchSpanProcessorBuilder {
    /// Sets the configuration (default: `BatchConfig::default()`, which reads the
    /// `OTEL_BSP_*` variables).
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

    /// Records the processor's `otel.sdk.processor.span.*` metrics into `meter_provider`,
    /// as component `batching_span_processor/<n>`: `queue.size` and `queue.capacity` (observed at
    /// each collection), and `processed`, counted when spans are handed to the exporter
    /// (whatever the export's outcome), or with `error.type` `queue_full` or
    /// `already_shutdown` when they are dropped. Off by default; a provider built
    /// [`with_self_observability`](super::TracerProviderBuilder::with_self_observability) turns it on for the processors it was
    /// given without one.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::trace::{BatchSpanProcessor, InMemorySpanExporter};
    ///
    /// let processor = BatchSpanProcessor::builder(InMemorySpanExporter::default())
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
    pub fn build(self) -> BatchSpanProcessor {
        let config = self.config.unwrap_or_default();
        let batcher = Batcher::start(self.exporter, config.0.clone(), self.runtime, &SPANS);
        if let Some(meter) = &self.self_observability {
            batcher.enable_metrics(meter, &SPAN_PROCESSOR, BATCHING_SPAN_PROCESSOR);
        }
        BatchSpanProcessor { batcher, config }
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
        BatchConfigBuilder::from_lookup(|name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .build()
    }

    #[test]
    fn spec_defaults() {
        let config = from(&[]);
        assert_eq!(config.max_queue_size(), 2048);
        assert_eq!(config.scheduled_delay(), Duration::from_secs(5));
        assert_eq!(config.max_export_timeout(), Duration::from_secs(30));
        assert_eq!(config.max_export_batch_size(), 512);
        assert_eq!(config.export_limit(), Some(Duration::from_secs(30)));
    }

    #[test]
    fn valid_env_values_override_defaults() {
        let config = from(&[
            (ENV_MAX_QUEUE_SIZE, "4096"),
            (ENV_SCHEDULE_DELAY, "100"),
            (ENV_EXPORT_TIMEOUT, "0"),
            (ENV_MAX_EXPORT_BATCH_SIZE, "1024"),
        ]);
        assert_eq!(config.max_queue_size(), 4096);
        assert_eq!(config.scheduled_delay(), Duration::from_millis(100));
        assert_eq!(config.max_export_timeout(), Duration::ZERO);
        assert_eq!(config.export_limit(), None, "0 means no limit");
        assert_eq!(config.max_export_batch_size(), 1024);
    }

    #[test]
    fn invalid_or_empty_env_values_use_defaults() {
        for bad in ["", "  ", "-5", "abc", "1e3", "99999999999999999999999"] {
            let config = from(&[
                (ENV_MAX_QUEUE_SIZE, bad),
                (ENV_SCHEDULE_DELAY, bad),
                (ENV_EXPORT_TIMEOUT, bad),
                (ENV_MAX_EXPORT_BATCH_SIZE, bad),
            ]);
            assert_eq!(config, from(&[]), "value {bad:?}");
        }
        // Sizes must be positive.
        let config = from(&[(ENV_MAX_QUEUE_SIZE, "0"), (ENV_MAX_EXPORT_BATCH_SIZE, "0")]);
        assert_eq!(config.max_queue_size(), 2048);
        assert_eq!(config.max_export_batch_size(), 512);
    }

    #[test]
    fn batch_size_is_clamped_to_queue_size() {
        let config = from(&[(ENV_MAX_QUEUE_SIZE, "100")]);
        assert_eq!(config.max_export_batch_size(), 100);
        let config = BatchConfigBuilder::from_lookup(|_| None)
            .with_max_queue_size(0)
            .with_max_export_batch_size(0)
            .build();
        assert_eq!(
            (config.max_queue_size(), config.max_export_batch_size()),
            (2048, 512)
        );
    }

    #[test]
    fn code_overrides_env() {
        let config = BatchConfigBuilder::from_lookup(|_| Some("10".into()))
            .with_max_queue_size(50)
            .with_max_export_batch_size(20)
            .with_scheduled_delay(Duration::from_millis(7))
            .with_max_export_timeout(Duration::from_millis(8))
            .build();
        assert_eq!(config.max_queue_size(), 50);
        assert_eq!(config.max_export_batch_size(), 20);
        assert_eq!(config.scheduled_delay(), Duration::from_millis(7));
        assert_eq!(config.max_export_timeout(), Duration::from_millis(8));
    }
}
