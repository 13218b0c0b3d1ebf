//! The periodic exporting reader: collects on a timer and pushes to an exporter from a
//! background worker (its own thread by default, or an async runtime).

use super::data::{AggregatedMetrics, Metric, MetricData, ResourceMetrics, ScopeMetrics};
use super::exporter::PushMetricExporter;
use super::filter::MetricFilter;
use super::reader::{
    collect_producers, config_from, private, Link, MetricProducer, MetricReader, ReaderConfig,
};
use crate::error::{Error, Result};
use crate::runtime::{self, Kind, Runtime, Timer};
use crate::self_observability::ReaderMetrics;
use futures_util::task::AtomicWaker;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{otel_debug, otel_error, otel_warn};
use opentelemetry_semantic_conventions::attribute::otel_component_type::PERIODIC_METRIC_READER;
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `OTEL_METRIC_EXPORT_INTERVAL`: milliseconds between the starts of two exports.
const ENV_INTERVAL: &str = "OTEL_METRIC_EXPORT_INTERVAL";
/// `OTEL_METRIC_EXPORT_TIMEOUT`: milliseconds an export may run (0: no limit).
const ENV_TIMEOUT: &str = "OTEL_METRIC_EXPORT_TIMEOUT";

const DEFAULT_INTERVAL: Duration = Duration::from_millis(60_000);
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(30_000);
/// The shortest interval used (a zero interval would make the worker spin).
const MIN_INTERVAL: Duration = Duration::from_millis(1);
const WORKER_THREAD_NAME: &str = "otel-periodic-reader";

enum Control {
    Flush(SyncSender<Result>),
    Shutdown(SyncSender<Result>),
}

#[derive(Default)]
struct ControlQueue {
    messages: VecDeque<Control>,
    /// Set when the worker stopped (or never started).
    closed: Option<Error>,
}

struct Shared {
    link: OnceLock<Link>,
    claimed: AtomicBool,
    is_shutdown: AtomicBool,
    waker: AtomicWaker,
    control: Mutex<ControlQueue>,
    /// `otel.sdk.metric_reader.collection.duration`, once self-observability is on.
    metrics: OnceLock<ReaderMetrics>,
}

impl Shared {
    fn control(&self) -> std::sync::MutexGuard<'_, ControlQueue> {
        // Nothing under this lock panics half-way through an update.
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, message: Control) -> Result {
        let mut control = self.control();
        if let Some(err) = &control.closed {
            return Err(err.clone());
        }
        control.messages.push_back(message);
        drop(control);
        self.waker.wake();
        Ok(())
    }
}

/// A [`MetricReader`] that collects every `interval` (and on `force_flush` and shutdown) and
/// passes the metrics to a [`PushMetricExporter`], one export at a time, each within
/// `timeout`.
///
/// The interval defaults to `OTEL_METRIC_EXPORT_INTERVAL` (milliseconds, default 60000) and
/// the timeout to `OTEL_METRIC_EXPORT_TIMEOUT` (milliseconds, default 30000, `0`: no limit);
/// invalid values are reported and the defaults used. The worker runs on its own thread by
/// default (no async runtime needed) or on a runtime chosen with
/// [`with_runtime`](PeriodicReaderBuilder::with_runtime). The temporality and default
/// aggregation per instrument kind come from the exporter.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
/// use std::time::Duration;
///
/// let exporter = InMemoryMetricExporter::default();
/// let reader = PeriodicReader::builder(exporter.clone())
///     .with_interval(Duration::from_secs(10))
///     .with_timeout(Duration::from_secs(5))
///     .build();
/// let provider = SdkMeterProvider::builder().with_reader(reader).build();
/// provider.meter("app").f64_histogram("latency").build().record(0.25, &[]);
/// provider.shutdown().unwrap(); // exports one last time
/// assert_eq!(exporter.get_finished_metrics().len(), 1);
/// ```
pub struct PeriodicReader {
    shared: Arc<Shared>,
    config: ReaderConfig,
    interval: Duration,
    timeout: Option<Duration>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for PeriodicReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeriodicReader")
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("registered", &self.shared.link.get().is_some())
            .finish()
    }
}

impl PeriodicReader {
    /// A builder exporting to `exporter`, with the interval and timeout from the
    /// environment (or the spec's defaults) and a dedicated worker thread.
    pub fn builder<E: PushMetricExporter>(exporter: E) -> PeriodicReaderBuilder {
        let lookup = |name: &str| std::env::var(name).ok();
        PeriodicReaderBuilder::from_lookup(Box::new(exporter), lookup)
    }

    /// The time between the starts of two exports.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// How long one export may run (`None`: no limit).
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    fn wait_limit(&self) -> Duration {
        self.timeout.map_or(Duration::MAX, |t| {
            t.saturating_mul(2).max(Duration::from_secs(1))
        })
    }
}

/// Waits for the worker's answer to a control message.
fn wait_reply(rx: &Receiver<Result>, timeout: Duration, what: &str) -> Result {
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            otel_warn!(
                "PeriodicReader.Timeout",
                "{what} did not complete within {timeout:?}; the worker goes on in the background"
            );
            Err(Error::Timeout(timeout))
        }
        Err(RecvTimeoutError::Disconnected) => Err(Error::AlreadyShutdown),
    }
}

impl private::Sealed for PeriodicReader {
    fn config(&self) -> ReaderConfig {
        self.config.clone()
    }

    fn claim(&self) -> bool {
        !self.shared.claimed.swap(true, Ordering::AcqRel)
    }

    fn attach(&self, link: Link) {
        let _ = self.shared.link.set(link);
    }

    fn force_flush(&self) -> Result {
        if self.shared.is_shutdown.load(Ordering::Acquire) {
            return Err(Error::AlreadyShutdown);
        }
        let (tx, rx) = sync_channel(1);
        self.shared.send(Control::Flush(tx))?;
        wait_reply(&rx, self.wait_limit(), "ForceFlush")
    }

    fn shutdown(&self, timeout: Duration) -> Result {
        if self.shared.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        let (tx, rx) = sync_channel(1);
        self.shared.send(Control::Shutdown(tx))?;
        let result = wait_reply(&rx, timeout, "Shutdown");
        if !matches!(result, Err(Error::Timeout(_))) {
            let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(thread) = thread {
                let _ = thread.join();
            }
        }
        result
    }

    fn enable_self_observability(&self, meter: &Meter) {
        if self.shared.metrics.get().is_none() {
            let _ = self
                .shared
                .metrics
                .set(ReaderMetrics::new(meter, PERIODIC_METRIC_READER));
        }
    }
}

impl MetricReader for PeriodicReader {}

impl Drop for PeriodicReader {
    fn drop(&mut self) {
        // A reader never registered (or whose provider did not shut it down) stops its worker.
        if !self.shared.is_shutdown.load(Ordering::Acquire) {
            let _ = private::Sealed::shutdown(self, Duration::from_secs(5));
        }
    }
}

/// Builds a [`PeriodicReader`].
pub struct PeriodicReaderBuilder {
    exporter: Box<dyn PushMetricExporter>,
    interval: Duration,
    timeout: Duration,
    runtime: Kind,
    max_export_batch_size: Option<usize>,
    cardinality_limit: Option<usize>,
    producers: Vec<Box<dyn MetricProducer>>,
    filter: Option<Box<dyn MetricFilter>>,
    self_observability: Option<Meter>,
}

impl fmt::Debug for PeriodicReaderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeriodicReaderBuilder")
            .field("exporter", &self.exporter)
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("runtime", &self.runtime)
            .finish_non_exhaustive()
    }
}

impl PeriodicReaderBuilder {
    fn from_lookup(
        exporter: Box<dyn PushMetricExporter>,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Self {
        use crate::env::parse_u64;
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let millis = |name: &'static str, default: Duration| {
            parse_u64(name, get(name).as_deref()).map_or(default, Duration::from_millis)
        };
        PeriodicReaderBuilder {
            exporter,
            interval: millis(ENV_INTERVAL, DEFAULT_INTERVAL),
            timeout: millis(ENV_TIMEOUT, DEFAULT_TIMEOUT),
            runtime: Kind::Thread,
            max_export_batch_size: None,
            cardinality_limit: None,
            producers: Vec::new(),
            filter: None,
            self_observability: None,
        }
    }

    /// Sets the time between the starts of two exports (at least 1 ms is used).
    pub fn with_interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Sets how long one export may run before it is abandoned (zero: no limit).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Splits each collection into exports of at most this many data points (the spec's
    /// `maxExportBatchSize`; default: no limit). Batches of one collection are exported in
    /// order, before the next collection's.
    pub fn with_max_export_batch_size(mut self, max: usize) -> Self {
        self.max_export_batch_size = (max > 0).then_some(max);
        self
    }

    /// Sets the cardinality limit of every stream a view does not limit (default 2000).
    pub fn with_cardinality_limit(mut self, limit: usize) -> Self {
        self.cardinality_limit = (limit > 0).then_some(limit);
        self
    }

    /// Adds a producer collected with the provider's metrics.
    pub fn with_producer(mut self, producer: impl MetricProducer) -> Self {
        self.producers.push(Box::new(producer));
        self
    }

    /// Sets the filter applied to every collection: to the provider's metrics and, through
    /// [`MetricProducer::produce_filtered`], to the producers'.
    pub fn with_metric_filter(mut self, filter: impl MetricFilter) -> Self {
        self.filter = Some(Box::new(filter));
        self
    }

    /// Records `otel.sdk.metric_reader.collection.duration` (seconds, as component
    /// `periodic_metric_reader/<n>`; with `error.type` when the collection failed) into
    /// `meter_provider` after each collection. Off by default; a provider built
    /// [`with_self_observability`](super::MeterProviderBuilder::with_self_observability)
    /// turns it on for its readers. The duration is recorded after the collection returned,
    /// so `meter_provider` may be the provider the reader collects (through
    /// [`global::meter_provider()`](opentelemetry_api::global::meter_provider), installed
    /// later): the value then shows in the next collection.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader};
    /// let reader = PeriodicReader::builder(InMemoryMetricExporter::default())
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// # drop(reader);
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Runs the worker on `runtime` instead of a dedicated thread; see
    /// [`runtime`](crate::runtime).
    pub fn with_runtime<R: Runtime>(mut self, runtime: R) -> Self {
        self.runtime = runtime::private::Sealed::kind(runtime);
        self
    }

    /// Starts the worker and returns the reader.
    pub fn build(self) -> PeriodicReader {
        let exporter = self.exporter;
        let limit = self.cardinality_limit;
        let config = config_from(
            |k| exporter.temporality(k),
            |k| exporter.aggregation(k),
            |_| limit,
        );
        let interval = self.interval.max(MIN_INTERVAL);
        let timeout = (!self.timeout.is_zero()).then_some(self.timeout);
        let shared = Arc::new(Shared {
            link: OnceLock::new(),
            claimed: AtomicBool::new(false),
            is_shutdown: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            control: Mutex::new(ControlQueue::default()),
            metrics: OnceLock::new(),
        });
        if let Some(meter) = &self.self_observability {
            let _ = shared
                .metrics
                .set(ReaderMetrics::new(meter, PERIODIC_METRIC_READER));
        }
        let worker = Worker {
            shared: shared.clone(),
            exporter,
            producers: self.producers,
            filter: self.filter,
            interval,
            timeout,
            max_export_batch_size: self.max_export_batch_size,
            buffer: ResourceMetrics::default(),
        };
        let thread = match spawn_worker(worker, self.runtime) {
            Ok(thread) => thread,
            Err(err) => {
                otel_error!(
                    "PeriodicReader.StartFailed",
                    "could not start the periodic reader's worker: {err}; nothing will be \
                     exported"
                );
                shared.control().closed = Some(Error::InternalFailure(format!(
                    "the periodic reader's worker could not start: {err}"
                )));
                None
            }
        };
        PeriodicReader {
            shared,
            config,
            interval,
            timeout,
            thread: Mutex::new(thread),
        }
    }
}

fn spawn_worker(worker: Worker, runtime: Kind) -> std::io::Result<Option<JoinHandle<()>>> {
    let on_thread = |worker: Worker| {
        std::thread::Builder::new()
            .name(WORKER_THREAD_NAME.into())
            .spawn(move || runtime::block_on(worker.run(runtime::ThreadTimer)))
            .map(Some)
    };
    match runtime {
        Kind::Thread => on_thread(worker),
        #[cfg(feature = "rt-tokio")]
        Kind::Tokio(handle) => {
            let Some(handle) = handle.or_else(|| tokio::runtime::Handle::try_current().ok()) else {
                otel_warn!(
                    "PeriodicReader.NoTokioRuntime",
                    "no tokio runtime is running: the periodic reader runs on its own thread \
                     instead"
                );
                return on_thread(worker);
            };
            drop(handle.spawn(worker.run(runtime::TokioTimer)));
            Ok(None)
        }
        #[cfg(feature = "rt-tokio-current-thread")]
        Kind::TokioCurrentThread => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            std::thread::Builder::new()
                .name(WORKER_THREAD_NAME.into())
                .spawn(move || rt.block_on(worker.run(runtime::TokioTimer)))
                .map(Some)
        }
        #[cfg(feature = "rt-async-std")]
        Kind::AsyncStd => {
            drop(async_std::task::spawn(worker.run(runtime::AsyncStdTimer)));
            Ok(None)
        }
    }
}

enum Event {
    Control(Control),
    Tick,
}

/// The worker: the only code that calls the exporter.
struct Worker {
    shared: Arc<Shared>,
    exporter: Box<dyn PushMetricExporter>,
    producers: Vec<Box<dyn MetricProducer>>,
    filter: Option<Box<dyn MetricFilter>>,
    interval: Duration,
    timeout: Option<Duration>,
    max_export_batch_size: Option<usize>,
    /// Reused by every collection.
    buffer: ResourceMetrics,
}

impl Worker {
    async fn run<T: Timer>(mut self, timer: T) {
        let mut next_tick = Instant::now().checked_add(self.interval);
        loop {
            match self.next_event(&timer, next_tick).await {
                Event::Tick => {
                    let _ = self.collect_and_export(&timer).await;
                    // Intervals run from start to start; a late tick does not pile up.
                    let now = Instant::now();
                    next_tick = next_tick
                        .and_then(|t| t.checked_add(self.interval))
                        .filter(|t| *t > now)
                        .or_else(|| now.checked_add(self.interval));
                }
                Event::Control(Control::Flush(reply)) => {
                    let exported = self.collect_and_export(&timer).await;
                    let flushed = self.call_exporter("force_flush", |e| e.force_flush());
                    let _ = reply.try_send(exported.and(flushed));
                }
                Event::Control(Control::Shutdown(reply)) => {
                    let exported = self.collect_and_export(&timer).await;
                    let shut = self.call_exporter("shutdown", |e| e.shutdown());
                    self.shared.control().closed = Some(Error::AlreadyShutdown);
                    let _ = reply.try_send(exported.and(shut));
                    return;
                }
            }
        }
    }

    async fn next_event<T: Timer>(&mut self, timer: &T, next_tick: Option<Instant>) -> Event {
        let until = next_tick.map_or(Duration::MAX, |t| {
            t.saturating_duration_since(Instant::now())
        });
        let mut tick = pin!(timer.sleep(until));
        let shared = &*self.shared;
        poll_fn(|cx| {
            shared.waker.register(cx.waker());
            if let Some(message) = shared.control().messages.pop_front() {
                return Poll::Ready(Event::Control(message));
            }
            if tick.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Event::Tick);
            }
            Poll::Pending
        })
        .await
    }

    /// Collects (runs callbacks, reads every stream, asks the producers) and exports.
    async fn collect_and_export<T: Timer>(&mut self, timer: &T) -> Result {
        let Some(link) = self.shared.link.get() else {
            otel_debug!(
                "PeriodicReader.NotRegistered",
                "the periodic reader is not registered with a meter provider: nothing to collect"
            );
            return Ok(());
        };
        let filter = self.filter.as_deref();
        let start = Instant::now();
        let collected = link.collect(&mut self.buffer, filter);
        let produced = collect_producers(&self.producers, &mut self.buffer, filter);
        if let Some(metrics) = self.shared.metrics.get() {
            // After the collection returned: the provider collected may be the one recorded
            // into.
            let result = match (&collected, &produced) {
                (Err(err), _) | (Ok(()), Err(err)) => Err(err.clone()),
                _ => Ok(()),
            };
            metrics.collected(start.elapsed(), &result);
        }
        if let Err(err) = collected {
            otel_warn!(
                "PeriodicReader.CollectFailed",
                "collecting metrics failed: {err}"
            );
            return Err(err);
        }
        if self.buffer.scope_metrics.is_empty() {
            return produced;
        }
        let mut result = produced;
        match self.max_export_batch_size {
            Some(max) if data_points(&self.buffer) > max => {
                for batch in split(&mut self.buffer, max) {
                    let r = self.export(timer, &batch).await;
                    if result.is_ok() {
                        result = r;
                    }
                }
            }
            _ => {
                let batch = std::mem::take(&mut self.buffer);
                let r = self.export(timer, &batch).await;
                self.buffer = batch;
                if result.is_ok() {
                    result = r;
                }
            }
        }
        result
    }

    fn call_exporter(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut dyn PushMetricExporter) -> Result,
    ) -> Result {
        let exporter = &mut *self.exporter;
        let result = catch_unwind(AssertUnwindSafe(|| f(exporter))).unwrap_or_else(|_| {
            Err(Error::InternalFailure(format!(
                "the exporter panicked in {what}"
            )))
        });
        if let Err(err) = &result {
            otel_error!(
                "PeriodicReader.ExporterFailed",
                "exporter {what} failed: {err}"
            );
        }
        result
    }

    /// Exports one batch within the timeout, containing panics.
    async fn export<T: Timer>(&mut self, timer: &T, batch: &ResourceMetrics) -> Result {
        let limit = self.timeout;
        let exporter = &mut *self.exporter;
        let result = match catch_unwind(AssertUnwindSafe(move || { exporter }.export(batch))) {
            Err(_) => Err(panicked()),
            Ok(mut export) => {
                let mut deadline = pin!(limit.map(|limit| timer.sleep(limit)));
                poll_fn(|cx| {
                    match catch_unwind(AssertUnwindSafe(|| export.as_mut().poll(cx))) {
                        Ok(Poll::Ready(result)) => return Poll::Ready(result),
                        Err(_) => return Poll::Ready(Err(panicked())),
                        Ok(Poll::Pending) => {}
                    }
                    if let (Some(sleep), Some(limit)) = (deadline.as_mut().as_pin_mut(), limit) {
                        if sleep.poll(cx).is_ready() {
                            return Poll::Ready(Err(Error::Timeout(limit)));
                        }
                    }
                    Poll::Pending
                })
                .await
            }
        };
        if let Err(err) = &result {
            otel_error!(
                "PeriodicReader.ExportFailed",
                "exporting metrics failed: {err}; the batch was dropped"
            );
        }
        result
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        let (pending, error) = {
            let mut control = self.shared.control();
            let error = control
                .closed
                .get_or_insert_with(|| {
                    Error::InternalFailure(
                        "the periodic reader's worker stopped (was its runtime shut down?)".into(),
                    )
                })
                .clone();
            (std::mem::take(&mut control.messages), error)
        };
        for message in pending {
            match message {
                Control::Flush(reply) | Control::Shutdown(reply) => {
                    let _ = reply.try_send(Err(error.clone()));
                }
            }
        }
    }
}

fn panicked() -> Error {
    Error::ExportFailed("the exporter panicked".into())
}

fn data_points(metrics: &ResourceMetrics) -> usize {
    metrics
        .scope_metrics
        .iter()
        .flat_map(|s| &s.metrics)
        .map(|m| m.data.data_point_count())
        .sum()
}

/// Moves the first `at` data points into a new metric, leaving the rest in `metric`.
fn split_front(metric: &mut Metric, at: usize) -> Metric {
    fn front<T>(v: &mut Vec<T>, at: usize) -> Vec<T> {
        let rest = v.split_off(at);
        std::mem::replace(v, rest)
    }
    fn data<T>(d: &mut MetricData<T>, at: usize) -> MetricData<T> {
        match d {
            MetricData::Gauge(g) => MetricData::Gauge(super::data::Gauge {
                data_points: front(&mut g.data_points, at),
            }),
            MetricData::Sum(s) => MetricData::Sum(super::data::Sum {
                data_points: front(&mut s.data_points, at),
                temporality: s.temporality,
                is_monotonic: s.is_monotonic,
            }),
            MetricData::Histogram(h) => MetricData::Histogram(super::data::Histogram {
                data_points: front(&mut h.data_points, at),
                temporality: h.temporality,
            }),
            MetricData::ExponentialHistogram(h) => {
                MetricData::ExponentialHistogram(super::data::ExponentialHistogram {
                    data_points: front(&mut h.data_points, at),
                    temporality: h.temporality,
                })
            }
        }
    }
    let data = match &mut metric.data {
        AggregatedMetrics::F64(d) => AggregatedMetrics::F64(data(d, at)),
        AggregatedMetrics::U64(d) => AggregatedMetrics::U64(data(d, at)),
        AggregatedMetrics::I64(d) => AggregatedMetrics::I64(data(d, at)),
    };
    Metric {
        name: metric.name.clone(),
        description: metric.description.clone(),
        unit: metric.unit.clone(),
        data,
    }
}

/// Splits a collection into batches of at most `max` data points, in order, filling each
/// batch before starting the next (a metric's points may span two batches).
fn split(metrics: &mut ResourceMetrics, max: usize) -> Vec<ResourceMetrics> {
    let new_batch = |resource: &crate::Resource| ResourceMetrics {
        resource: resource.clone(),
        scope_metrics: Vec::new(),
    };
    let mut batches = Vec::new();
    let mut batch = new_batch(&metrics.resource);
    let mut room = max;
    for scope in std::mem::take(&mut metrics.scope_metrics) {
        let mut scope_open = false;
        for mut metric in scope.metrics {
            loop {
                if room == 0 {
                    batches.push(std::mem::replace(&mut batch, new_batch(&metrics.resource)));
                    room = max;
                    scope_open = false;
                }
                if !scope_open {
                    batch.scope_metrics.push(ScopeMetrics {
                        scope: scope.scope.clone(),
                        metrics: Vec::new(),
                    });
                    scope_open = true;
                }
                let n = metric.data.data_point_count();
                let Some(list) = batch.scope_metrics.last_mut().map(|s| &mut s.metrics) else {
                    // A scope was pushed just above.
                    break;
                };
                if n <= room {
                    room -= n;
                    list.push(metric);
                    break;
                }
                list.push(split_front(&mut metric, room));
                room = 0;
            }
        }
    }
    if !batch.scope_metrics.is_empty() {
        batches.push(batch);
    }
    batches
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::data::{Sum, SumDataPoint, Temporality};
    use opentelemetry_api::{InstrumentationScope, KeyValue};
    use std::time::SystemTime;

    fn sum(name: &'static str, points: usize) -> Metric {
        Metric {
            name: name.into(),
            description: "".into(),
            unit: "".into(),
            data: AggregatedMetrics::U64(MetricData::Sum(Sum {
                data_points: (0..points)
                    .map(|i| SumDataPoint {
                        attributes: vec![KeyValue::new("i", i as i64)].into(),
                        start_time: SystemTime::UNIX_EPOCH,
                        time: SystemTime::UNIX_EPOCH,
                        value: i as u64,
                        exemplars: vec![],
                    })
                    .collect(),
                temporality: Temporality::Cumulative,
                is_monotonic: true,
            })),
        }
    }

    #[test]
    fn batches_are_full_and_ordered() {
        let mut metrics = ResourceMetrics {
            resource: crate::Resource::empty(),
            scope_metrics: vec![
                ScopeMetrics {
                    scope: InstrumentationScope::builder("a").build(),
                    metrics: vec![sum("x", 5), sum("y", 2)],
                },
                ScopeMetrics {
                    scope: InstrumentationScope::builder("b").build(),
                    metrics: vec![sum("z", 4)],
                },
            ],
        };
        let batches = split(&mut metrics, 3);
        type Shape = Vec<Vec<(String, Vec<(String, usize)>)>>;
        let shape: Shape = batches
            .iter()
            .map(|b| {
                b.scope_metrics
                    .iter()
                    .map(|s| {
                        (
                            s.scope.name().to_owned(),
                            s.metrics
                                .iter()
                                .map(|m| (m.name.to_string(), m.data.data_point_count()))
                                .collect(),
                        )
                    })
                    .collect()
            })
            .collect();
        let e = |s: &str, m: &[(&str, usize)]| {
            (
                s.to_owned(),
                m.iter()
                    .map(|(n, c)| (n.to_string(), *c))
                    .collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            shape,
            vec![
                vec![e("a", &[("x", 3)])],
                vec![e("a", &[("x", 2), ("y", 1)])],
                vec![e("a", &[("y", 1)]), e("b", &[("z", 2)])],
                vec![e("b", &[("z", 2)])],
            ]
        );
        assert!(batches.iter().all(|b| data_points(b) <= 3));
    }

    #[test]
    fn env_values() {
        let b = PeriodicReaderBuilder::from_lookup(
            Box::new(super::super::InMemoryMetricExporter::default()),
            |n| match n {
                ENV_INTERVAL => Some("1500".into()),
                ENV_TIMEOUT => Some("bad".into()),
                _ => None,
            },
        );
        assert_eq!(b.interval, Duration::from_millis(1500));
        assert_eq!(b.timeout, DEFAULT_TIMEOUT, "invalid values fall back");
        let d = PeriodicReaderBuilder::from_lookup(
            Box::new(super::super::InMemoryMetricExporter::default()),
            |_| None,
        );
        assert_eq!((d.interval, d.timeout), (DEFAULT_INTERVAL, DEFAULT_TIMEOUT));
    }
}
