//! The batching span processor: ended spans go into a bounded lock-free queue on the ending
//! thread; a background worker exports them in batches.

use super::export::{SpanData, SpanExporter};
use super::span::Span;
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::runtime::{self, Kind, Runtime, Timer};
use crossbeam_queue::ArrayQueue;
use futures_util::task::AtomicWaker;
use opentelemetry_api::{otel_debug, otel_error, otel_warn, Context};
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// `OTEL_BSP_SCHEDULE_DELAY`: milliseconds between two consecutive exports.
const ENV_SCHEDULE_DELAY: &str = "OTEL_BSP_SCHEDULE_DELAY";
/// `OTEL_BSP_EXPORT_TIMEOUT`: milliseconds an export may run (0: no limit).
const ENV_EXPORT_TIMEOUT: &str = "OTEL_BSP_EXPORT_TIMEOUT";
/// `OTEL_BSP_MAX_QUEUE_SIZE`: the queue's capacity.
const ENV_MAX_QUEUE_SIZE: &str = "OTEL_BSP_MAX_QUEUE_SIZE";
/// `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`: the largest batch handed to the exporter.
const ENV_MAX_EXPORT_BATCH_SIZE: &str = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";

const DEFAULT_SCHEDULE_DELAY: Duration = Duration::from_millis(5_000);
const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_millis(30_000);
const DEFAULT_MAX_QUEUE_SIZE: usize = 2_048;
const DEFAULT_MAX_EXPORT_BATCH_SIZE: usize = 512;
/// The shortest effective scheduled delay (a zero delay would make the worker spin).
const MIN_SCHEDULE_DELAY: Duration = Duration::from_millis(1);
/// The shortest time between two reports of dropped spans.
const MIN_DROP_REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// How long dropping a processor that was not shut down waits for its shutdown.
const DROP_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
const WORKER_THREAD_NAME: &str = "otel-batch-span-processor";

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
pub struct BatchConfig {
    max_queue_size: usize,
    scheduled_delay: Duration,
    max_export_batch_size: usize,
    max_export_timeout: Duration,
}

impl Default for BatchConfig {
    fn default() -> Self {
        BatchConfigBuilder::default().build()
    }
}

impl BatchConfig {
    /// The queue's capacity: spans ending while it is full are dropped.
    pub fn max_queue_size(&self) -> usize {
        self.max_queue_size
    }

    /// The longest time between two exports.
    pub fn scheduled_delay(&self) -> Duration {
        self.scheduled_delay
    }

    /// The largest batch handed to the exporter (at most the queue size).
    pub fn max_export_batch_size(&self) -> usize {
        self.max_export_batch_size
    }

    /// How long one export may run before it is cancelled; zero means no limit.
    pub fn max_export_timeout(&self) -> Duration {
        self.max_export_timeout
    }

    /// The export timeout as a limit (`None`: unlimited).
    fn export_limit(&self) -> Option<Duration> {
        (!self.max_export_timeout.is_zero()).then_some(self.max_export_timeout)
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
pub struct BatchConfigBuilder {
    max_queue_size: usize,
    scheduled_delay: Duration,
    max_export_batch_size: usize,
    max_export_timeout: Duration,
}

impl Default for BatchConfigBuilder {
    fn default() -> Self {
        BatchConfigBuilder::from_lookup(|name| std::env::var(name).ok())
    }
}

impl BatchConfigBuilder {
    /// The defaults overridden by the variables `lookup` returns.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        use crate::env::{parse_positive, parse_u64};
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let positive = |name: &'static str, default: usize| {
            parse_positive(name, get(name).as_deref())
                .map_or(default, |v| usize::try_from(v).unwrap_or(usize::MAX))
        };
        let millis = |name: &'static str, default: Duration| {
            parse_u64(name, get(name).as_deref()).map_or(default, Duration::from_millis)
        };
        BatchConfigBuilder {
            max_queue_size: positive(ENV_MAX_QUEUE_SIZE, DEFAULT_MAX_QUEUE_SIZE),
            scheduled_delay: millis(ENV_SCHEDULE_DELAY, DEFAULT_SCHEDULE_DELAY),
            max_export_batch_size: positive(
                ENV_MAX_EXPORT_BATCH_SIZE,
                DEFAULT_MAX_EXPORT_BATCH_SIZE,
            ),
            max_export_timeout: millis(ENV_EXPORT_TIMEOUT, DEFAULT_EXPORT_TIMEOUT),
        }
    }

    /// Sets the queue's capacity (positive; default 2048). Spans ending while the queue is
    /// full are dropped and counted.
    pub fn with_max_queue_size(mut self, max_queue_size: usize) -> Self {
        self.max_queue_size = max_queue_size;
        self
    }

    /// Sets the longest time between two exports (default 5 s; at least 1 ms is used).
    pub fn with_scheduled_delay(mut self, scheduled_delay: Duration) -> Self {
        self.scheduled_delay = scheduled_delay;
        self
    }

    /// Sets the largest batch handed to the exporter (positive, at most the queue size;
    /// default 512). The worker is woken as soon as this many spans are queued.
    pub fn with_max_export_batch_size(mut self, max_export_batch_size: usize) -> Self {
        self.max_export_batch_size = max_export_batch_size;
        self
    }

    /// Sets how long one export may run before it is cancelled and reported (default 30 s;
    /// zero means no limit).
    pub fn with_max_export_timeout(mut self, max_export_timeout: Duration) -> Self {
        self.max_export_timeout = max_export_timeout;
        self
    }

    /// Validates and builds: a zero size is reported and replaced by its default, and the
    /// batch size is clamped to the queue size.
    pub fn build(self) -> BatchConfig {
        let mut max_queue_size = self.max_queue_size;
        if max_queue_size == 0 {
            otel_warn!(
                "BatchSpanProcessor.InvalidConfig",
                "max_queue_size must be positive, using {DEFAULT_MAX_QUEUE_SIZE}"
            );
            max_queue_size = DEFAULT_MAX_QUEUE_SIZE;
        }
        let mut max_export_batch_size = self.max_export_batch_size;
        if max_export_batch_size == 0 {
            otel_warn!(
                "BatchSpanProcessor.InvalidConfig",
                "max_export_batch_size must be positive, using {DEFAULT_MAX_EXPORT_BATCH_SIZE}"
            );
            max_export_batch_size = DEFAULT_MAX_EXPORT_BATCH_SIZE;
        }
        if max_export_batch_size > max_queue_size {
            otel_debug!(
                "BatchSpanProcessor.BatchSizeClamped",
                "max_export_batch_size {max_export_batch_size} is larger than max_queue_size \
                 {max_queue_size}: using {max_queue_size}"
            );
            max_export_batch_size = max_queue_size;
        }
        BatchConfig {
            max_queue_size,
            scheduled_delay: self.scheduled_delay,
            max_export_batch_size,
            max_export_timeout: self.max_export_timeout,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State shared by the ending threads, the worker and the control calls.

/// Spans are accepted.
const RUNNING: u8 = 0;
/// `shutdown` was called: new spans are dropped, the worker drains the queue.
const SHUTTING_DOWN: u8 = 1;
/// The worker drained the queue for the last time: a span pushed by a thread that saw
/// `RUNNING` just before the shutdown is taken back out and counted as dropped.
const CLOSED: u8 = 2;

enum Control {
    Flush(SyncSender<Result>),
    Shutdown(SyncSender<Result>),
    SetResource(Resource),
}

#[derive(Default)]
struct ControlQueue {
    messages: VecDeque<Control>,
    /// Set when the worker stopped (or never started, with the reason).
    closed: Option<Error>,
}

struct Shared {
    queue: ArrayQueue<SpanData>,
    max_export_batch_size: usize,
    state: AtomicU8,
    /// Set by the ending thread that woke the worker for a full batch; cleared by the worker
    /// before it waits again. Keeps wake-ups to one per batch.
    notified: AtomicBool,
    waker: AtomicWaker,
    dropped: AtomicU64,
    control: Mutex<ControlQueue>,
}

impl Shared {
    fn control(&self) -> std::sync::MutexGuard<'_, ControlQueue> {
        // Nothing that runs under this lock can panic half-way through an update.
        self.control.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues a control message for the worker and wakes it.
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

    /// Takes back spans pushed after the worker's last drain, counting them as dropped.
    #[cold]
    fn reclaim_stragglers(&self) {
        while self.queue.pop().is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

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
    shared: Arc<Shared>,
    config: BatchConfig,
    /// The worker thread, when it runs on one; joined after a successful shutdown.
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl fmt::Debug for BatchSpanProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchSpanProcessor")
            .field("config", &self.config)
            .field("queued", &self.shared.queue.len())
            .field("dropped", &self.dropped_spans())
            .field("state", &self.shared.state.load(Ordering::Relaxed))
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
        }
    }

    /// The processor's configuration.
    pub fn config(&self) -> &BatchConfig {
        &self.config
    }

    /// How many sampled spans were dropped so far: because the queue was full, or because
    /// they ended after shutdown.
    pub fn dropped_spans(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Exports every span queued before the call and flushes the exporter, waiting at most
    /// `timeout`. Export failures are returned (the first one); on timeout
    /// [`Error::Timeout`] is returned while the worker goes on.
    pub fn force_flush_with_timeout(&self, timeout: Duration) -> Result {
        if self.shared.state.load(Ordering::Acquire) != RUNNING {
            return Err(Error::AlreadyShutdown);
        }
        let (tx, rx) = sync_channel(1);
        self.shared.send(Control::Flush(tx))?;
        wait_reply(&rx, timeout, "ForceFlush")
    }

    /// Starts the worker for `runtime`.
    fn start(exporter: Box<dyn SpanExporter>, config: BatchConfig, runtime: Kind) -> Self {
        let shared = Arc::new(Shared {
            queue: ArrayQueue::new(config.max_queue_size),
            max_export_batch_size: config.max_export_batch_size,
            state: AtomicU8::new(RUNNING),
            notified: AtomicBool::new(false),
            waker: AtomicWaker::new(),
            dropped: AtomicU64::new(0),
            control: Mutex::new(ControlQueue::default()),
        });
        let worker = Worker {
            shared: shared.clone(),
            exporter,
            config: config.clone(),
            batch: Vec::with_capacity(config.max_export_batch_size),
            reported_dropped: 0,
            last_drop_report: None,
        };
        let thread = match spawn_worker(worker, runtime) {
            Ok(thread) => thread,
            Err(err) => {
                otel_error!(
                    "BatchSpanProcessor.StartFailed",
                    "could not start the batch span processor's worker: {err}; spans will be \
                     dropped"
                );
                shared.control().closed = Some(Error::InternalFailure(format!(
                    "the batch span processor's worker could not start: {err}"
                )));
                None
            }
        };
        BatchSpanProcessor {
            shared,
            config,
            thread: Mutex::new(thread),
        }
    }
}

/// Waits for the worker's answer to a control message.
fn wait_reply(rx: &Receiver<Result>, timeout: Duration, what: &str) -> Result {
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            otel_warn!(
                "BatchSpanProcessor.Timeout",
                "{what} did not complete within {timeout:?}; the worker goes on in the background"
            );
            Err(Error::Timeout(timeout))
        }
        // The worker dropped the message without answering: it stopped.
        Err(RecvTimeoutError::Disconnected) => Err(Error::AlreadyShutdown),
    }
}

/// Spawns the worker; returns the thread to join, if it runs on one of its own.
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
                    "BatchSpanProcessor.NoTokioRuntime",
                    "no tokio runtime is running: the batch span processor runs on its own \
                     thread instead"
                );
                return on_thread(worker);
            };
            // The task is detached; shutdown waits for its answer, not for the handle.
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

impl super::SpanProcessor for BatchSpanProcessor {
    fn on_start(&self, _span: &mut Span, _parent_cx: &Context) {}

    fn on_end(&self, span: SpanData) {
        if !span.span_context.is_sampled() {
            return;
        }
        let shared = &*self.shared;
        if shared.state.load(Ordering::Relaxed) != RUNNING {
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if shared.queue.push(span).is_err() {
            // Full: drop. The worker reports the count, so nothing else happens here.
            shared.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        // Wake the worker once per full batch. SeqCst pairs with the worker, which clears
        // `notified` and then reads the length: one of the two sides sees the other.
        if shared.queue.len() >= shared.max_export_batch_size
            && !shared.notified.load(Ordering::SeqCst)
            && !shared.notified.swap(true, Ordering::SeqCst)
        {
            shared.waker.wake();
        }
        // The push is an SeqCst RMW: if the worker's last drain missed it, this load sees
        // CLOSED.
        if shared.state.load(Ordering::SeqCst) == CLOSED {
            shared.reclaim_stragglers();
        }
    }

    fn force_flush(&self) -> Result {
        let timeout = self.config.export_limit().unwrap_or(Duration::MAX);
        self.force_flush_with_timeout(timeout)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        if self
            .shared
            .state
            .compare_exchange(RUNNING, SHUTTING_DOWN, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            return Err(Error::AlreadyShutdown);
        }
        let (tx, rx) = sync_channel(1);
        self.shared.send(Control::Shutdown(tx))?;
        let result = wait_reply(&rx, timeout, "Shutdown");
        if !matches!(result, Err(Error::Timeout(_))) {
            // The worker answered and is returning: its thread ends right away.
            let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(thread) = thread {
                let _ = thread.join();
            }
        }
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        // The worker applies it before looking at the queue again.
        if let Err(err) = self.shared.send(Control::SetResource(resource.clone())) {
            otel_debug!(
                "BatchSpanProcessor.SetResource",
                "resource not passed to the exporter: {err}"
            );
        }
    }
}

impl Drop for BatchSpanProcessor {
    fn drop(&mut self) {
        if self.shared.state.load(Ordering::Acquire) == RUNNING {
            if let Err(err) =
                super::SpanProcessor::shutdown_with_timeout(self, DROP_SHUTDOWN_TIMEOUT)
            {
                opentelemetry_api::global::handle_error("BatchSpanProcessor.ShutdownOnDrop", err);
            }
        }
    }
}

/// Builds a [`BatchSpanProcessor`].
pub struct BatchSpanProcessorBuilder {
    exporter: Box<dyn SpanExporter>,
    config: Option<BatchConfig>,
    runtime: Kind,
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

    /// Starts the worker and returns the processor.
    pub fn build(self) -> BatchSpanProcessor {
        let config = self.config.unwrap_or_default();
        BatchSpanProcessor::start(self.exporter, config, self.runtime)
    }
}

// ---------------------------------------------------------------------------------------------
// The worker: the only code that calls the exporter.

enum Event {
    Control(Control),
    BatchReady,
    Tick,
}

struct Worker {
    shared: Arc<Shared>,
    exporter: Box<dyn SpanExporter>,
    config: BatchConfig,
    /// Reused for every export.
    batch: Vec<SpanData>,
    reported_dropped: u64,
    last_drop_report: Option<Instant>,
}

impl Worker {
    async fn run<T: Timer>(mut self, timer: T) {
        let delay = self.config.scheduled_delay.max(MIN_SCHEDULE_DELAY);
        let mut next_tick = Instant::now().checked_add(delay);
        loop {
            self.report_drops();
            let event = self.next_event(&timer, next_tick).await;
            match event {
                Event::Control(Control::SetResource(resource)) => {
                    let exporter = &mut self.exporter;
                    if catch_unwind(AssertUnwindSafe(|| exporter.set_resource(&resource))).is_err()
                    {
                        otel_error!(
                            "BatchSpanProcessor.ExporterPanicked",
                            "the exporter panicked in set_resource"
                        );
                    }
                    continue;
                }
                Event::Control(Control::Flush(reply)) => {
                    let result = self.flush(&timer).await;
                    let _ = reply.try_send(result);
                }
                Event::Control(Control::Shutdown(reply)) => {
                    let result = self.shutdown(&timer).await;
                    let _ = reply.try_send(result);
                    return;
                }
                Event::BatchReady => {
                    let _ = self.export_next_batch(&timer).await;
                }
                Event::Tick => {
                    let _ = self.export_queued(&timer).await;
                }
            }
            next_tick = Instant::now().checked_add(delay);
        }
    }

    /// Waits for a control message, a full batch in the queue, or the scheduled tick.
    async fn next_event<T: Timer>(&mut self, timer: &T, next_tick: Option<Instant>) -> Event {
        let until = next_tick.map_or(Duration::MAX, |t| {
            t.saturating_duration_since(Instant::now())
        });
        let mut tick = pin!(timer.sleep(until));
        let shared = &*self.shared;
        poll_fn(|cx| {
            shared.notified.store(false, Ordering::SeqCst);
            shared.waker.register(cx.waker());
            {
                let mut control = shared.control();
                if let Some(message) = control.messages.pop_front() {
                    return Poll::Ready(Event::Control(message));
                }
            }
            if shared.queue.len() >= shared.max_export_batch_size {
                return Poll::Ready(Event::BatchReady);
            }
            if tick.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Event::Tick);
            }
            Poll::Pending
        })
        .await
    }

    /// Reports spans dropped since the last report, at most once per scheduled delay (and
    /// at most once a second).
    fn report_drops(&mut self) {
        let dropped = self.shared.dropped.load(Ordering::Relaxed);
        if dropped == self.reported_dropped {
            return;
        }
        let now = Instant::now();
        if let Some(last) = self.last_drop_report {
            let interval = self.config.scheduled_delay.max(MIN_DROP_REPORT_INTERVAL);
            if now.saturating_duration_since(last) < interval {
                return;
            }
        }
        otel_warn!(
            "BatchSpanProcessor.SpansDropped",
            "{} spans dropped because the queue (size {}) was full ({dropped} in total)",
            dropped - self.reported_dropped,
            self.config.max_queue_size
        );
        self.reported_dropped = dropped;
        self.last_drop_report = Some(now);
    }

    /// Exports up to one batch from the queue.
    async fn export_next_batch<T: Timer>(&mut self, timer: &T) -> Result {
        while self.batch.len() < self.config.max_export_batch_size {
            match self.shared.queue.pop() {
                Some(span) => self.batch.push(span),
                None => break,
            }
        }
        self.export_batch(timer).await
    }

    /// Exports the spans queued now, in batches; returns the first failure.
    async fn export_queued<T: Timer>(&mut self, timer: &T) -> Result {
        // Only this worker pops, so at least `n` spans can be popped; spans pushed later are
        // left for the next round (the queue is FIFO).
        let mut remaining = self.shared.queue.len();
        let mut result = Ok(());
        while remaining > 0 {
            while remaining > 0 && self.batch.len() < self.config.max_export_batch_size {
                match self.shared.queue.pop() {
                    Some(span) => self.batch.push(span),
                    None => remaining = 1,
                }
                remaining -= 1;
            }
            let r = self.export_batch(timer).await;
            if result.is_ok() {
                result = r;
            }
        }
        result
    }

    /// Exports until the queue is empty; returns the first failure.
    async fn export_all<T: Timer>(&mut self, timer: &T) -> Result {
        let mut result = Ok(());
        while !self.shared.queue.is_empty() {
            let r = self.export_next_batch(timer).await;
            if result.is_ok() {
                result = r;
            }
        }
        result
    }

    async fn flush<T: Timer>(&mut self, timer: &T) -> Result {
        let exported = self.export_queued(timer).await;
        let flushed = self.call_exporter("force_flush", |e| e.force_flush());
        exported.and(flushed)
    }

    async fn shutdown<T: Timer>(&mut self, timer: &T) -> Result {
        // Spans accepted before `shutdown` are all queued: export them. Threads that saw
        // RUNNING just before may still push a few.
        let mut result = self.export_all(timer).await;
        self.shared.state.store(CLOSED, Ordering::SeqCst);
        // Anything pushed before CLOSED was visible is exported here; anything later is
        // reclaimed by the pushing thread.
        let late = self.export_all(timer).await;
        if result.is_ok() {
            result = late;
        }
        let shut = self.call_exporter("shutdown", |e| e.shutdown());
        if result.is_ok() {
            result = shut;
        }
        self.last_drop_report = None;
        self.report_drops();
        // Later control calls fail at once; pending ones are answered when the worker drops.
        self.shared.control().closed = Some(Error::AlreadyShutdown);
        result
    }

    /// Calls a synchronous exporter method, containing a panic.
    fn call_exporter(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut dyn SpanExporter) -> Result,
    ) -> Result {
        let exporter = &mut *self.exporter;
        let result = catch_unwind(AssertUnwindSafe(|| f(exporter))).unwrap_or_else(|_| {
            Err(Error::InternalFailure(format!(
                "the exporter panicked in {what}"
            )))
        });
        if let Err(err) = &result {
            otel_error!(
                "BatchSpanProcessor.ExporterFailed",
                "exporter {what} failed: {err}"
            );
        }
        result
    }

    /// Exports `self.batch` (if not empty) within the export timeout, containing panics, and
    /// clears it.
    async fn export_batch<T: Timer>(&mut self, timer: &T) -> Result {
        if self.batch.is_empty() {
            return Ok(());
        }
        let count = self.batch.len();
        let limit = self.config.export_limit();
        let exporter = &mut *self.exporter;
        let batch = &self.batch[..];
        let result = match catch_unwind(AssertUnwindSafe(move || { exporter }.export(batch))) {
            Err(_) => Err(panicked()),
            Ok(export) => {
                let mut export = export;
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
        self.batch.clear();
        match &result {
            Ok(()) => {}
            Err(Error::Timeout(limit)) => otel_error!(
                "BatchSpanProcessor.ExportTimeout",
                "exporting {count} spans did not complete within {limit:?}; the batch was dropped"
            ),
            Err(err) => otel_error!(
                "BatchSpanProcessor.ExportFailed",
                "exporting {count} spans failed: {err}"
            ),
        }
        result
    }
}

impl Drop for Worker {
    /// Closes the control queue and answers what is pending: after a shutdown, or when the
    /// worker stopped early (its runtime shut down and dropped the task).
    fn drop(&mut self) {
        let (pending, error) = {
            let mut control = self.shared.control();
            let error = control
                .closed
                .get_or_insert_with(|| {
                    Error::InternalFailure(
                        "the batch span processor's worker stopped (was its runtime shut down?)"
                            .into(),
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
                Control::SetResource(_) => {}
            }
        }
    }
}

fn panicked() -> Error {
    Error::ExportFailed("the exporter panicked".into())
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
