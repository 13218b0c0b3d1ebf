//! The batching machinery shared by the span and log batch processors.
//!
//! Items (ended spans, emitted log records) go into a bounded lock-free queue on the producing
//! thread; a background worker exports them in batches: when a full batch is queued (the
//! producer that completes it wakes the worker, once per batch), every scheduled delay, on
//! force-flush and on shutdown. Everything here is generic over the item type and over a
//! [`BatchExporter`] adaptor; a signal supplies its names and defaults in a [`Signal`].
//!
//! The worker is the only code that calls the exporter: never concurrently, each export within
//! the export timeout, with panics contained and telemetry suppressed (so that an exporter
//! that logs or traces does not feed its own output back into the pipeline).

use super::queue::Queue;
use crate::error::{Error, Result};
use crate::resource::Resource;
use crate::runtime::{self, Kind, Timer};
use crate::self_observability::{Dropped, ProcessorMetrics, ProcessorNames};
use crate::trace::BoxFuture;
use futures_util::task::AtomicWaker;
use opentelemetry_api::{otel_debug, otel_error, otel_warn, Context};
use std::collections::VecDeque;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The exporter of one signal, as the batch worker sees it.
pub(crate) trait BatchExporter: Send + 'static {
    /// What is queued and exported.
    type Item: Send + 'static;
    /// Exports a batch.
    fn export<'a>(&'a mut self, batch: &'a [Self::Item]) -> BoxFuture<'a, Result>;
    /// Flushes what the exporter buffered.
    fn force_flush(&mut self) -> Result;
    /// Shuts the exporter down.
    fn shutdown(&mut self) -> Result;
    /// Hands the exporter the provider's resource.
    fn set_resource(&mut self, resource: &Resource);
    /// Empties an exported batch (keeping its capacity): drops the items.
    #[inline]
    fn clear(batch: &mut Vec<Self::Item>) {
        batch.clear()
    }
}

/// The names and defaults of one signal's batch processor.
#[derive(Debug)]
pub(crate) struct Signal {
    /// What the items are called in messages, e.g. `"spans"`.
    pub(crate) items: &'static str,
    /// The worker thread's name.
    pub(crate) thread_name: &'static str,
    pub(crate) env_schedule_delay: &'static str,
    pub(crate) env_export_timeout: &'static str,
    pub(crate) env_max_queue_size: &'static str,
    pub(crate) env_max_export_batch_size: &'static str,
    pub(crate) default_schedule_delay: Duration,
    /// Diagnostic names, `Component.Event`.
    pub(crate) diag: Diagnostics,
}

/// The diagnostic names a batch processor reports under.
#[derive(Debug)]
pub(crate) struct Diagnostics {
    pub(crate) dropped: &'static str,
    pub(crate) invalid_config: &'static str,
    pub(crate) batch_size_clamped: &'static str,
    pub(crate) exporter_panicked: &'static str,
    pub(crate) exporter_failed: &'static str,
    pub(crate) export_timeout: &'static str,
    pub(crate) export_failed: &'static str,
    pub(crate) timeout: &'static str,
    pub(crate) start_failed: &'static str,
    #[cfg_attr(not(feature = "rt-tokio"), allow(dead_code))]
    pub(crate) no_tokio_runtime: &'static str,
    pub(crate) set_resource: &'static str,
    pub(crate) shutdown_on_drop: &'static str,
}

pub(crate) const DEFAULT_EXPORT_TIMEOUT: Duration = Duration::from_millis(30_000);
pub(crate) const DEFAULT_MAX_QUEUE_SIZE: usize = 2_048;
pub(crate) const DEFAULT_MAX_EXPORT_BATCH_SIZE: usize = 512;
/// The shortest effective scheduled delay (a zero delay would make the worker spin).
const MIN_SCHEDULE_DELAY: Duration = Duration::from_millis(1);
/// The shortest time between two reports of dropped items.
const MIN_DROP_REPORT_INTERVAL: Duration = Duration::from_secs(1);
/// How long dropping a processor that was not shut down waits for its shutdown.
const DROP_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// The accessors of a signal's `BatchConfig` and the setters and `build` of its
/// `BatchConfigBuilder` (both newtypes over [`Settings`]): the same for every signal but for
/// the words in their docs and the signal's names and defaults.
macro_rules! batch_config_methods {
    (signal: $signal:expr, items: $items:literal, Items: $items_cap:literal, verb: $verb:literal, delay: $delay:literal) => {
        impl BatchConfig {
            #[doc = concat!("The queue's capacity: ", $items, " ", $verb, " while it is full are dropped.")]
            pub fn max_queue_size(&self) -> usize {
                self.0.max_queue_size
            }

            /// The longest time between two exports.
            pub fn scheduled_delay(&self) -> Duration {
                self.0.scheduled_delay
            }

            /// The largest batch handed to the exporter (at most the queue size).
            pub fn max_export_batch_size(&self) -> usize {
                self.0.max_export_batch_size
            }

            /// How long one export may run before it is cancelled; zero means no limit.
            pub fn max_export_timeout(&self) -> Duration {
                self.0.max_export_timeout
            }
        }

        impl BatchConfigBuilder {
            #[doc = concat!("Sets the queue's capacity (positive; default 2048). ", $items_cap, " ", $verb, " while the queue is full are dropped and counted.")]
            pub fn with_max_queue_size(mut self, max_queue_size: usize) -> Self {
                self.0.max_queue_size = max_queue_size;
                self
            }

            #[doc = concat!("Sets the longest time between two exports (default ", $delay, "; at least 1 ms is used).")]
            pub fn with_scheduled_delay(mut self, scheduled_delay: Duration) -> Self {
                self.0.scheduled_delay = scheduled_delay;
                self
            }

            #[doc = concat!("Sets the largest batch handed to the exporter (positive, at most the queue size; default 512). The worker is woken as soon as this many ", $items, " are queued.")]
            pub fn with_max_export_batch_size(mut self, max_export_batch_size: usize) -> Self {
                self.0.max_export_batch_size = max_export_batch_size;
                self
            }

            /// Sets how long one export may run before it is cancelled and reported (default
            /// 30 s; zero means no limit).
            pub fn with_max_export_timeout(mut self, max_export_timeout: Duration) -> Self {
                self.0.max_export_timeout = max_export_timeout;
                self
            }

            /// Validates and builds: a zero size is reported and replaced by its default, and
            /// the batch size is clamped to the queue size.
            pub fn build(self) -> BatchConfig {
                BatchConfig(self.0.validated(&$signal))
            }
        }
    };
}
pub(crate) use batch_config_methods;

/// A batch processor's settings (the public `BatchConfig` types wrap it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Settings {
    pub(crate) max_queue_size: usize,
    pub(crate) scheduled_delay: Duration,
    pub(crate) max_export_batch_size: usize,
    pub(crate) max_export_timeout: Duration,
}

impl Settings {
    /// The spec's defaults for `signal`, each overridden by its variable as `lookup` returns
    /// it (empty is unset; invalid is reported and ignored).
    pub(crate) fn from_lookup(signal: &Signal, lookup: impl Fn(&str) -> Option<String>) -> Self {
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
        Settings {
            max_queue_size: positive(signal.env_max_queue_size, DEFAULT_MAX_QUEUE_SIZE),
            scheduled_delay: millis(signal.env_schedule_delay, signal.default_schedule_delay),
            max_export_batch_size: positive(
                signal.env_max_export_batch_size,
                DEFAULT_MAX_EXPORT_BATCH_SIZE,
            ),
            max_export_timeout: millis(signal.env_export_timeout, DEFAULT_EXPORT_TIMEOUT),
        }
    }

    /// The defaults overridden by the process environment.
    pub(crate) fn from_env(signal: &Signal) -> Self {
        Settings::from_lookup(signal, |name| std::env::var(name).ok())
    }

    /// Validates: a zero size is reported and replaced by its default, and the batch size is
    /// clamped to the queue size.
    pub(crate) fn validated(mut self, signal: &Signal) -> Self {
        if self.max_queue_size == 0 {
            otel_warn!(
                signal.diag.invalid_config,
                "max_queue_size must be positive, using {DEFAULT_MAX_QUEUE_SIZE}"
            );
            self.max_queue_size = DEFAULT_MAX_QUEUE_SIZE;
        }
        if self.max_export_batch_size == 0 {
            otel_warn!(
                signal.diag.invalid_config,
                "max_export_batch_size must be positive, using {DEFAULT_MAX_EXPORT_BATCH_SIZE}"
            );
            self.max_export_batch_size = DEFAULT_MAX_EXPORT_BATCH_SIZE;
        }
        if self.max_export_batch_size > self.max_queue_size {
            otel_debug!(
                signal.diag.batch_size_clamped,
                "max_export_batch_size {} is larger than max_queue_size {}: using {}",
                self.max_export_batch_size,
                self.max_queue_size,
                self.max_queue_size
            );
            self.max_export_batch_size = self.max_queue_size;
        }
        self
    }

    /// The export timeout as a limit (`None`: unlimited).
    pub(crate) fn export_limit(&self) -> Option<Duration> {
        (!self.max_export_timeout.is_zero()).then_some(self.max_export_timeout)
    }
}

// ---------------------------------------------------------------------------------------------
// State shared by the producing threads, the worker and the control calls.

/// `wake_at` when no producer is to wake the worker.
const NO_WAKE: usize = usize::MAX;
/// Half the sequence number space: `a.wrapping_sub(b) < HALF` means `a` is at or after `b`.
const HALF: usize = usize::MAX / 2;

/// Items are accepted.
const RUNNING: u8 = 0;
/// `shutdown` was called: new items are dropped, the worker drains the queue.
const SHUTTING_DOWN: u8 = 1;
/// The worker drained the queue for the last time: an item pushed by a thread that saw
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

struct Shared<T> {
    queue: Queue<T>,
    max_export_batch_size: usize,
    state: AtomicU8,
    /// The sequence number of the item that completes a full batch, set by the worker before
    /// it waits; the producer that pushes that item (or a later one) takes it (sets `NO_WAKE`)
    /// and wakes the worker. Keeps wake-ups to one per batch without producers reading the
    /// head of the queue, which the worker writes.
    wake_at: AtomicUsize,
    waker: AtomicWaker,
    dropped: AtomicU64,
    control: Mutex<ControlQueue>,
    /// `otel.sdk.processor.*`, once self-observability is turned on.
    metrics: OnceLock<ProcessorMetrics>,
}

impl<T> Shared<T> {
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

    /// Takes back items pushed after the worker's last drain, counting them as dropped.
    #[cold]
    fn reclaim_stragglers(&self) {
        while self.queue.pop().is_some() {
            self.count_drop(Dropped::AlreadyShutdown);
        }
    }

    /// Counts a dropped item (and records it when self-observability is on).
    #[cold]
    #[inline(never)]
    fn count_drop(&self, why: Dropped) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
        if let Some(metrics) = self.metrics.get() {
            metrics.dropped(why);
        }
    }
}

/// The producer side of a batch processor: the queue, the worker's control channel, and the
/// worker's thread when it has one. Dropping it shuts the worker down.
pub(crate) struct Batcher<T: Send + 'static> {
    shared: Arc<Shared<T>>,
    settings: Settings,
    signal: &'static Signal,
    /// The worker thread, when it runs on one; joined after a successful shutdown.
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<T: Send + 'static> fmt::Debug for Batcher<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Batcher")
            .field("queued", &self.shared.queue.len())
            .field("dropped", &self.dropped())
            .field("state", &self.shared.state.load(Ordering::Relaxed))
            .finish()
    }
}

impl<T: Send + 'static> Batcher<T> {
    /// Starts the worker for `runtime`.
    pub(crate) fn start<E>(
        exporter: E,
        settings: Settings,
        runtime: Kind,
        signal: &'static Signal,
    ) -> Self
    where
        E: BatchExporter<Item = T>,
    {
        let shared = Arc::new(Shared {
            queue: Queue::new(settings.max_queue_size),
            max_export_batch_size: settings.max_export_batch_size,
            state: AtomicU8::new(RUNNING),
            wake_at: AtomicUsize::new(NO_WAKE),
            waker: AtomicWaker::new(),
            dropped: AtomicU64::new(0),
            control: Mutex::new(ControlQueue::default()),
            metrics: OnceLock::new(),
        });
        let worker = Worker {
            shared: shared.clone(),
            exporter,
            settings: settings.clone(),
            signal,
            batch: Vec::with_capacity(settings.max_export_batch_size),
            reported_dropped: 0,
            last_drop_report: None,
        };
        let thread = match spawn_worker(worker, runtime) {
            Ok(thread) => thread,
            Err(err) => {
                otel_error!(
                    signal.diag.start_failed,
                    "could not start the batch processor's worker: {err}; {} will be dropped",
                    signal.items
                );
                shared.control().closed = Some(Error::InternalFailure(format!(
                    "the batch processor's worker could not start: {err}"
                )));
                None
            }
        };
        Batcher {
            shared,
            settings,
            signal,
            thread: Mutex::new(thread),
        }
    }

    /// Turns self-observability on (once: a later call is ignored): the processor's
    /// `processed` counter, and its queue's size and capacity observed at each collection.
    pub(crate) fn enable_metrics(
        &self,
        meter: &opentelemetry_api::metrics::Meter,
        names: &'static ProcessorNames,
        component_type: &'static str,
    ) {
        if self.shared.metrics.get().is_some() {
            return;
        }
        // Weak: the recording provider keeps the callback; it must not keep the queue.
        let shared = Arc::downgrade(&self.shared);
        let queue = move || {
            shared
                .upgrade()
                .map(|shared| (shared.queue.len(), shared.queue.capacity()))
        };
        let metrics = ProcessorMetrics::new(meter, names, component_type, Some(Box::new(queue)));
        // Lost a race with another call: `metrics` is dropped (its callback unregistered).
        let _ = self.shared.metrics.set(metrics);
    }

    /// How many items were dropped so far (queue full, or after shutdown).
    pub(crate) fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Queues `item` without blocking; drops and counts it when the queue is full or the
    /// processor is shut down.
    #[inline]
    pub(crate) fn push(&self, mut item: T) {
        // SAFETY: `item` is forgotten when it was moved into the queue.
        if unsafe { self.push_from(&mut item) } {
            std::mem::forget(item);
        }
    }

    /// Queues `*item` without blocking, copying it once, straight into the queue; returns
    /// false, leaving the item to the caller (to drop), when the queue is full or the
    /// processor is shut down (the item is counted as dropped).
    ///
    /// # Safety
    /// When this returns true the item was moved into the queue: the caller must neither use
    /// nor drop `*item` afterwards (forget it).
    #[inline]
    pub(crate) unsafe fn push_from(&self, item: &mut T) -> bool {
        let shared = &*self.shared;
        if shared.state.load(Ordering::Relaxed) != RUNNING {
            shared.count_drop(Dropped::AlreadyShutdown);
            return false;
        }
        // SAFETY: the caller's contract is the queue's.
        let Some(sequence) = (unsafe { shared.queue.push_from(item) }) else {
            // Full: drop. The worker reports the count, so nothing else happens here.
            shared.count_drop(Dropped::QueueFull);
            return false;
        };
        // Wake the worker once per full batch. The push is a SeqCst RMW and this load is
        // SeqCst; the worker stores `wake_at` and then reads the queue's length, both SeqCst:
        // one of the two sides sees the other.
        let wake_at = shared.wake_at.load(Ordering::SeqCst);
        if wake_at != NO_WAKE
            && sequence.wrapping_sub(wake_at) < HALF
            && shared.wake_at.swap(NO_WAKE, Ordering::SeqCst) != NO_WAKE
        {
            shared.waker.wake();
        }
        // The push is an SeqCst RMW: if the worker's last drain missed it, this load sees
        // CLOSED.
        if shared.state.load(Ordering::SeqCst) == CLOSED {
            shared.reclaim_stragglers();
        }
        true
    }

    /// Exports every item queued before the call and flushes the exporter, waiting at most
    /// `timeout`.
    pub(crate) fn force_flush_with_timeout(&self, timeout: Duration) -> Result {
        if self.shared.state.load(Ordering::Acquire) != RUNNING {
            return Err(Error::AlreadyShutdown);
        }
        let (tx, rx) = sync_channel(1);
        self.shared.send(Control::Flush(tx))?;
        wait_reply(&rx, timeout, "ForceFlush", self.signal)
    }

    /// [`force_flush_with_timeout`](Self::force_flush_with_timeout) within the export
    /// timeout (unlimited when that is zero).
    pub(crate) fn force_flush(&self) -> Result {
        let timeout = self.settings.export_limit().unwrap_or(Duration::MAX);
        self.force_flush_with_timeout(timeout)
    }

    /// Exports what is queued, shuts the exporter down and stops the worker, waiting at most
    /// `timeout`. A second call returns [`Error::AlreadyShutdown`].
    pub(crate) fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
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
        let result = wait_reply(&rx, timeout, "Shutdown", self.signal);
        if !matches!(result, Err(Error::Timeout(_))) {
            // The worker answered and is returning: its thread ends right away.
            let thread = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
            if let Some(thread) = thread {
                let _ = thread.join();
            }
        }
        result
    }

    /// Hands the exporter the resource (the worker applies it before its next export).
    pub(crate) fn set_resource(&self, resource: &Resource) {
        if let Err(err) = self.shared.send(Control::SetResource(resource.clone())) {
            otel_debug!(
                self.signal.diag.set_resource,
                "resource not passed to the exporter: {err}"
            );
        }
    }
}

impl<T: Send + 'static> Drop for Batcher<T> {
    fn drop(&mut self) {
        if self.shared.state.load(Ordering::Acquire) == RUNNING {
            if let Err(err) = self.shutdown_with_timeout(DROP_SHUTDOWN_TIMEOUT) {
                opentelemetry_api::global::handle_error(self.signal.diag.shutdown_on_drop, err);
            }
        }
    }
}

/// Waits for the worker's answer to a control message.
fn wait_reply(rx: &Receiver<Result>, timeout: Duration, what: &str, signal: &Signal) -> Result {
    match rx.recv_timeout(timeout) {
        Ok(result) => result,
        Err(RecvTimeoutError::Timeout) => {
            otel_warn!(
                signal.diag.timeout,
                "{what} did not complete within {timeout:?}; the worker goes on in the background"
            );
            Err(Error::Timeout(timeout))
        }
        // The worker dropped the message without answering: it stopped.
        Err(RecvTimeoutError::Disconnected) => Err(Error::AlreadyShutdown),
    }
}

/// Spawns the worker; returns the thread to join, if it runs on one of its own.
fn spawn_worker<E: BatchExporter>(
    worker: Worker<E>,
    runtime: Kind,
) -> std::io::Result<Option<JoinHandle<()>>> {
    let thread_name = worker.signal.thread_name;
    let on_thread = |worker: Worker<E>| {
        std::thread::Builder::new()
            .name(thread_name.into())
            .spawn(move || runtime::block_on(worker.run(runtime::ThreadTimer)))
            .map(Some)
    };
    match runtime {
        Kind::Thread => on_thread(worker),
        #[cfg(feature = "rt-tokio")]
        Kind::Tokio(handle) => {
            let Some(handle) = handle.or_else(|| tokio::runtime::Handle::try_current().ok()) else {
                otel_warn!(
                    worker.signal.diag.no_tokio_runtime,
                    "no tokio runtime is running: the batch processor runs on its own thread \
                     instead"
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
                .name(thread_name.into())
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

// ---------------------------------------------------------------------------------------------
// The worker: the only code that calls the exporter.

enum Event {
    Control(Control),
    BatchReady,
    Tick,
}

struct Worker<E: BatchExporter> {
    shared: Arc<Shared<E::Item>>,
    exporter: E,
    settings: Settings,
    signal: &'static Signal,
    /// Reused for every export.
    batch: Vec<E::Item>,
    reported_dropped: u64,
    last_drop_report: Option<Instant>,
}

impl<E: BatchExporter> Worker<E> {
    async fn run<T: Timer>(mut self, timer: T) {
        let delay = self.settings.scheduled_delay.max(MIN_SCHEDULE_DELAY);
        let mut next_tick = Instant::now().checked_add(delay);
        loop {
            self.report_drops();
            let event = self.next_event(&timer, next_tick).await;
            match event {
                Event::Control(Control::SetResource(resource)) => {
                    let exporter = &mut self.exporter;
                    let call = || super::suppressed(|| exporter.set_resource(&resource));
                    if catch_unwind(AssertUnwindSafe(call)).is_err() {
                        otel_error!(
                            self.signal.diag.exporter_panicked,
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
            // Wake me when the item that completes a batch is pushed (`wrapping_add`: sequence
            // numbers wrap).
            let complete = shared
                .queue
                .head_sequence()
                .wrapping_add(shared.max_export_batch_size - 1);
            shared.wake_at.store(complete, Ordering::SeqCst);
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

    /// Reports items dropped since the last report, at most once per scheduled delay (and
    /// at most once a second).
    fn report_drops(&mut self) {
        let dropped = self.shared.dropped.load(Ordering::Relaxed);
        if dropped == self.reported_dropped {
            return;
        }
        let now = Instant::now();
        if let Some(last) = self.last_drop_report {
            let interval = self.settings.scheduled_delay.max(MIN_DROP_REPORT_INTERVAL);
            if now.saturating_duration_since(last) < interval {
                return;
            }
        }
        otel_warn!(
            self.signal.diag.dropped,
            "{} {} dropped because the queue (size {}) was full ({dropped} in total)",
            dropped - self.reported_dropped,
            self.signal.items,
            self.settings.max_queue_size
        );
        self.reported_dropped = dropped;
        self.last_drop_report = Some(now);
    }

    /// Exports up to one batch from the queue.
    async fn export_next_batch<T: Timer>(&mut self, timer: &T) -> Result {
        let room = self
            .settings
            .max_export_batch_size
            .saturating_sub(self.batch.len());
        self.shared.queue.pop_into(&mut self.batch, room);
        self.export_batch(timer).await
    }

    /// Exports the items queued now, in batches; returns the first failure.
    async fn export_queued<T: Timer>(&mut self, timer: &T) -> Result {
        // Only this worker pops, so at least `n` items can be popped; items pushed later are
        // left for the next round (the queue is FIFO).
        let mut remaining = self.shared.queue.len();
        let mut result = Ok(());
        while remaining > 0 {
            let room = self
                .settings
                .max_export_batch_size
                .saturating_sub(self.batch.len())
                .min(remaining);
            let moved = self.shared.queue.pop_into(&mut self.batch, room);
            remaining = if moved < room { 0 } else { remaining - moved };
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
        // Items accepted before `shutdown` are all queued: export them. Threads that saw
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

    /// Calls a synchronous exporter method with telemetry suppressed, containing a panic.
    fn call_exporter(&mut self, what: &str, f: impl FnOnce(&mut E) -> Result) -> Result {
        let exporter = &mut self.exporter;
        let result = catch_unwind(AssertUnwindSafe(|| super::suppressed(|| f(exporter))))
            .unwrap_or_else(|_| {
                Err(Error::InternalFailure(format!(
                    "the exporter panicked in {what}"
                )))
            });
        if let Err(err) = &result {
            otel_error!(
                self.signal.diag.exporter_failed,
                "exporter {what} failed: {err}"
            );
        }
        result
    }

    /// Exports `self.batch` (if not empty) within the export timeout, with telemetry
    /// suppressed while the exporter runs, containing panics, and clears it.
    async fn export_batch<T: Timer>(&mut self, timer: &T) -> Result {
        if self.batch.is_empty() {
            return Ok(());
        }
        let count = self.batch.len();
        // Counted as processed when handed to the exporter, whatever the outcome.
        if let Some(metrics) = self.shared.metrics.get() {
            metrics.processed(count as u64);
        }
        let limit = self.settings.export_limit();
        let exporter = &mut self.exporter;
        let batch = &self.batch[..];
        let start = move || super::suppressed(|| { exporter }.export(batch));
        let result = match catch_unwind(AssertUnwindSafe(start)) {
            Err(_) => Err(panicked()),
            Ok(export) => {
                let mut export = export;
                let mut deadline = pin!(limit.map(|limit| timer.sleep(limit)));
                poll_fn(|cx| {
                    // Entered around each poll (not held across awaits): the worker may move
                    // between threads on an async runtime.
                    let polled = {
                        let _suppressed = Context::enter_telemetry_suppressed_scope();
                        catch_unwind(AssertUnwindSafe(|| export.as_mut().poll(cx)))
                    };
                    match polled {
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
        E::clear(&mut self.batch);
        match &result {
            Ok(()) => {}
            Err(Error::Timeout(limit)) => otel_error!(
                self.signal.diag.export_timeout,
                "exporting {count} {} did not complete within {limit:?}; the batch was dropped",
                self.signal.items
            ),
            Err(err) => otel_error!(
                self.signal.diag.export_failed,
                "exporting {count} {} failed: {err}",
                self.signal.items
            ),
        }
        result
    }
}

impl<E: BatchExporter> Drop for Worker<E> {
    /// Closes the control queue and answers what is pending: after a shutdown, or when the
    /// worker stopped early (its runtime shut down and dropped the task).
    fn drop(&mut self) {
        let (pending, error) = {
            let mut control = self.shared.control();
            let error = control
                .closed
                .get_or_insert_with(|| {
                    Error::InternalFailure(
                        "the batch processor's worker stopped (was its runtime shut down?)".into(),
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
