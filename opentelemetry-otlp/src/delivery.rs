//! Asynchronous delivery, when the user opts in: up to N requests in flight per destination
//! (`with_max_concurrent_requests`), and one signal exported to several destinations
//! (`with_additional_destination`), each with its own queue, in-flight window and retries,
//! the queues referencing the same encoded bytes.
//!
//! Every request handed to a destination is counted as pending until its outcome is known
//! (delivered, failed for good, or cancelled at shutdown): `force_flush` and `shutdown` wait
//! for that count to reach zero, within the export timeout. Outcomes are reported through the
//! diagnostics and counted per destination.

use crate::error::Error;
use crate::self_observability::Export;
use crate::transport::{Format, Route, Transport};
use bytes::Bytes;
use opentelemetry_api::{otel_debug, otel_error, otel_warn};
use opentelemetry_http::RuntimeThread;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Instant;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

/// How many encoded requests may wait for a destination's in-flight window, by default, in
/// multi-destination exporting.
pub(crate) const DEFAULT_MAX_QUEUED_REQUESTS: usize = 32;

/// Requests handed to a destination (queued or in flight) whose outcome is not known yet.
#[derive(Debug, Default)]
struct Pending {
    count: Mutex<usize>,
    idle: Condvar,
}

impl Pending {
    /// Counts one more request, until the guard is dropped.
    fn enter(self: &Arc<Self>) -> PendingGuard {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        PendingGuard(Arc::clone(self))
    }

    /// Waits until nothing is pending, or until `deadline`; returns how many still are.
    fn wait_idle(&self, deadline: Instant) -> usize {
        let mut count = self.count.lock().unwrap_or_else(PoisonError::into_inner);
        while *count > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            count = self
                .idle
                .wait_timeout(count, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *count
    }
}

/// One pending request; dropping it (outcome known, or the request cancelled) uncounts it.
#[derive(Debug)]
struct PendingGuard(Arc<Pending>);

impl Drop for PendingGuard {
    fn drop(&mut self) {
        let mut count = self.0.count.lock().unwrap_or_else(PoisonError::into_inner);
        *count = count.saturating_sub(1);
        if *count == 0 {
            self.0.idle.notify_all();
        }
    }
}

/// A destination's outcomes so far.
#[derive(Debug, Default)]
struct Stats {
    delivered: AtomicU64,
    /// Sent, and failed for good (retries included).
    failed: AtomicU64,
    /// Never sent: queue full, no free slot within the timeout, cancelled at shutdown.
    dropped: AtomicU64,
}

impl Stats {
    /// Counts and reports the outcome of a request.
    fn record(&self, route: &Route, outcome: Result<(), Error>) {
        match outcome {
            Ok(()) => {
                let delivered = self.delivered.fetch_add(1, Ordering::Relaxed) + 1;
                otel_debug!(
                    "Otlp.Delivered",
                    "{} request acknowledged by {} ({delivered} so far)",
                    route.signal_name(),
                    route.endpoint()
                );
            }
            Err(error) => {
                let failed = self.failed.fetch_add(1, Ordering::Relaxed) + 1;
                otel_error!(
                    "Otlp.ExportFailed",
                    "{} export to {} failed, its data is lost: {error} ({failed} request(s) \
                     failed so far, {} delivered)",
                    route.signal_name(),
                    route.endpoint(),
                    self.delivered.load(Ordering::Relaxed)
                );
            }
        }
    }

    /// Counts `n` dropped requests; returns the destination's total.
    fn drop_requests(&self, n: usize) -> u64 {
        self.dropped.fetch_add(n as u64, Ordering::Relaxed) + n as u64
    }
}

/// An encoded request waiting in a destination's queue.
struct Queued {
    /// The encoded request, shared with the other destinations (never copied).
    raw: Bytes,
    pending: PendingGuard,
    /// Its self-observability record (when on).
    export: Option<Export>,
}

/// A destination's asynchronous delivery: at most `limit` requests in flight, and in
/// multi-destination exporting a bounded queue in front of them.
#[derive(Debug)]
pub(crate) struct Window {
    slots: Arc<Semaphore>,
    limit: usize,
    pending: Arc<Pending>,
    stats: Arc<Stats>,
    /// The queue's sending side and capacity (multi-destination exporting).
    queue: Option<(mpsc::Sender<Queued>, usize)>,
}

impl std::fmt::Debug for Queued {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Queued({} bytes)", self.raw.len())
    }
}

impl Window {
    /// A window of `limit` requests in flight, without queue: an export waits for a slot.
    pub(crate) fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Window {
            slots: Arc::new(Semaphore::new(limit)),
            limit,
            pending: Arc::default(),
            stats: Arc::default(),
            queue: None,
        }
    }

    /// A window with a queue of `capacity` requests (at least 1) in front of it, drained on
    /// `worker` into the window by a task of its own.
    pub(crate) fn with_queue(
        worker: &RuntimeThread,
        route: &Route,
        limit: usize,
        capacity: usize,
    ) -> Self {
        let capacity = capacity.max(1);
        let mut window = Window::new(limit);
        let (sender, receiver) = mpsc::channel(capacity);
        worker.handle().spawn(dispatch(
            receiver,
            Arc::clone(&window.slots),
            route.clone(),
            Arc::clone(&window.stats),
        ));
        window.queue = Some((sender, capacity));
        window
    }

    /// Admits the request `job` (counted as pending from now on): the returned future, run
    /// on the worker, waits for a slot within the export timeout and is ready once the
    /// request is in flight; its outcome is then recorded by a task of its own.
    pub(crate) fn admit(
        &self,
        route: Route,
        job: crate::BoxFuture<'static, Result<(), Error>>,
    ) -> impl Future<Output = Result<(), Error>> + Send + 'static {
        // Counted on the caller's thread: a flush right after the export sees it.
        let pending = self.pending.enter();
        let slots = Arc::clone(&self.slots);
        let stats = Arc::clone(&self.stats);
        let limit = self.limit;
        async move {
            let waited = route.timeout();
            let permit = match tokio::time::timeout(waited, slots.acquire_owned()).await {
                Ok(Ok(permit)) => permit,
                // The semaphore is never closed.
                Ok(Err(_)) => return Err(Error::Shutdown),
                Err(_) => {
                    let dropped = stats.drop_requests(1);
                    let error = Error::Busy { limit, waited };
                    otel_warn!(
                        "Otlp.Busy",
                        "{} batch for {} dropped: {error} ({dropped} dropped so far)",
                        route.signal_name(),
                        route.endpoint()
                    );
                    return Err(error);
                }
            };
            tokio::spawn(finish(job, route, stats, permit, pending));
            Ok(())
        }
    }

    /// Queues `raw` for this destination; a full queue drops it, for this destination only
    /// (counted and reported).
    pub(crate) fn enqueue(
        &self,
        route: &Route,
        raw: Bytes,
        export: Option<Export>,
    ) -> Result<(), Error> {
        let Some((queue, capacity)) = &self.queue else {
            if let Some(export) = export {
                export.failed(&Error::Shutdown);
            }
            return Err(Error::Shutdown);
        };
        let item = Queued {
            raw,
            pending: self.pending.enter(),
            export,
        };
        match queue.try_send(item) {
            Ok(()) => Ok(()),
            // The rejected item's guard uncounts it as it drops.
            Err(TrySendError::Full(item)) => {
                let dropped = self.stats.drop_requests(1);
                let error = Error::QueueFull {
                    endpoint: route.endpoint().to_owned(),
                    capacity: *capacity,
                };
                otel_warn!(
                    "Otlp.QueueFull",
                    "{} batch dropped: {error} ({dropped} dropped so far for this destination)",
                    route.signal_name()
                );
                if let Some(export) = item.export {
                    export.failed(&error);
                }
                Err(error)
            }
            Err(TrySendError::Closed(item)) => {
                if let Some(export) = item.export {
                    export.failed(&Error::Shutdown);
                }
                Err(Error::Shutdown)
            }
        }
    }

    /// Waits until every request handed over has its outcome, or until `deadline`.
    pub(crate) fn wait(&self, route: &Route, deadline: Instant) -> Result<(), Error> {
        let started = Instant::now();
        match self.pending.wait_idle(deadline) {
            0 => Ok(()),
            requests => Err(Error::Unacknowledged {
                requests,
                endpoint: route.endpoint().to_owned(),
                waited: started.elapsed(),
            }),
        }
    }

    /// Reports the destination's outcomes at shutdown: a warning when requests were lost.
    pub(crate) fn summarize(&self, route: &Route) {
        let delivered = self.stats.delivered.load(Ordering::Relaxed);
        let failed = self.stats.failed.load(Ordering::Relaxed);
        let dropped = self.stats.dropped.load(Ordering::Relaxed);
        if failed + dropped > 0 {
            otel_warn!(
                "Otlp.DeliverySummary",
                "{} exporter to {} shut down: {delivered} request(s) delivered, {failed} \
                 failed, {dropped} dropped",
                route.signal_name(),
                route.endpoint()
            );
        } else {
            otel_debug!(
                "Otlp.DeliverySummary",
                "{} exporter to {} shut down: {delivered} request(s) delivered, none lost",
                route.signal_name(),
                route.endpoint()
            );
        }
    }

    /// Reports and counts `requests` still pending at shutdown, about to be cancelled.
    pub(crate) fn abandon(&self, route: &Route, requests: usize) {
        let dropped = self.stats.drop_requests(requests);
        otel_error!(
            "Otlp.Undelivered",
            "{} exporter shut down with {requests} request(s) to {} unacknowledged: cancelled, \
             their data is lost ({dropped} request(s) dropped in all for this destination)",
            route.signal_name(),
            route.endpoint()
        );
    }
}

/// Sends one request holding a slot, then records its outcome and frees the slot.
async fn finish(
    job: crate::BoxFuture<'static, Result<(), Error>>,
    route: Route,
    stats: Arc<Stats>,
    permit: OwnedSemaphorePermit,
    pending: PendingGuard,
) {
    let outcome = job.await;
    stats.record(&route, outcome);
    drop(permit);
    // Last: whoever waits for the pending count finds the outcome recorded.
    drop(pending);
}

/// Drains a destination's queue into its window: takes a slot, then the next request.
async fn dispatch(
    mut queue: mpsc::Receiver<Queued>,
    slots: Arc<Semaphore>,
    route: Route,
    stats: Arc<Stats>,
) {
    loop {
        let Ok(permit) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let Some(Queued {
            raw,
            pending,
            export,
        }) = queue.recv().await
        else {
            return;
        };
        let job = route.send(raw, true, export);
        tokio::spawn(finish(
            job,
            route.clone(),
            Arc::clone(&stats),
            permit,
            pending,
        ));
    }
}

/// One signal exported to several destinations: each batch is encoded once per encoding the
/// destinations take, and the same bytes are queued for every destination.
#[derive(Debug)]
pub(crate) struct Fanout {
    destinations: Vec<Transport>,
}

impl Fanout {
    /// Destinations built with a queue (`Transport::build(.., fanout: true)`).
    pub(crate) fn new(destinations: Vec<Transport>) -> Self {
        Fanout { destinations }
    }

    /// Encodes the batch (once per encoding) and queues it for every destination; `Ok` when
    /// at least one destination queued it (the others' drops are reported), never waiting
    /// for any destination.
    pub(crate) fn export(
        &self,
        items: usize,
        encode: impl Fn(Format, &mut Vec<u8>),
    ) -> Result<(), Error> {
        let mut encoded: [Option<Bytes>; 2] = [None, None];
        let mut queued = false;
        let mut last_error = None;
        for destination in &self.destinations {
            let format = destination.format();
            let raw = encoded[format as usize]
                .get_or_insert_with(|| {
                    let mut raw = Vec::with_capacity(destination.capacity_hint());
                    encode(format, &mut raw);
                    Bytes::from(raw)
                })
                .clone();
            match destination.enqueue(items, raw) {
                Ok(()) => queued = true,
                Err(e) => last_error = Some(e),
            }
        }
        match (queued, last_error) {
            (false, Some(e)) => Err(e),
            _ => Ok(()),
        }
    }

    /// Waits for every destination's requests, each within its export timeout (all from
    /// now, so the destinations' waits overlap; a little more for timer resolution).
    pub(crate) fn flush(&self) -> Result<(), Error> {
        let started = Instant::now();
        let mut outcome = Ok(());
        for destination in &self.destinations {
            let waited = destination.flush_until(started + destination.wait_limit());
            if outcome.is_ok() {
                outcome = waited;
            }
        }
        outcome
    }

    /// Waits like [`flush`](Self::flush), then stops every destination (what is still
    /// pending is reported, counted and cancelled).
    pub(crate) fn shutdown(self) -> Result<(), Error> {
        let started = Instant::now();
        let mut outcome = Ok(());
        for destination in self.destinations {
            let deadline = started + destination.wait_limit();
            let stopped = destination.shutdown_until(deadline);
            if outcome.is_ok() {
                outcome = stopped;
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Protocol, Settings, Signal};
    use crate::retry::RetryPolicy;
    use std::time::Duration;

    #[test]
    fn pending_requests_are_waited_for_until_the_deadline() {
        let pending = Arc::new(Pending::default());
        let (a, b) = (pending.enter(), pending.enter());
        let soon = Instant::now() + Duration::from_millis(30);
        assert_eq!(pending.wait_idle(soon), 2);
        let finisher = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            drop(a);
            std::thread::sleep(Duration::from_millis(50));
            drop(b);
        });
        let started = Instant::now();
        assert_eq!(pending.wait_idle(started + Duration::from_secs(10)), 0);
        assert!(started.elapsed() < Duration::from_secs(5));
        finisher.join().unwrap();
        // Nothing pending: no wait at all.
        assert_eq!(pending.wait_idle(Instant::now()), 0);
    }

    #[cfg(all(feature = "grpc-tonic", feature = "http-json"))]
    fn destination(protocol: Protocol, endpoint: &str) -> Transport {
        destination_with_timeout(protocol, endpoint, Duration::from_millis(200))
    }

    fn destination_with_timeout(
        protocol: Protocol,
        endpoint: &str,
        timeout: Duration,
    ) -> Transport {
        let mut settings = Settings::default();
        settings.export.endpoint = Some(endpoint.to_owned());
        settings.export.timeout = Some(timeout);
        settings.retry = Some(RetryPolicy::none());
        Transport::build(&settings, Signal::Traces, protocol, true).unwrap()
    }

    #[test]
    #[cfg(all(feature = "grpc-tonic", feature = "http-json"))]
    fn a_batch_is_encoded_once_per_encoding() {
        use std::sync::atomic::AtomicUsize;
        // Nothing listens on port 9: the requests fail, which does not matter here.
        let fanout = Fanout::new(vec![
            destination(Protocol::HttpBinary, "http://127.0.0.1:9/v1/traces"),
            destination(Protocol::Grpc, "http://127.0.0.1:9"),
            destination(Protocol::HttpJson, "http://127.0.0.1:9/v1/traces"),
            destination(Protocol::HttpBinary, "http://127.0.0.1:9/other"),
        ]);
        let calls = AtomicUsize::new(0);
        let formats = Mutex::new(Vec::new());
        fanout
            .export(1, |format, out| {
                calls.fetch_add(1, Ordering::Relaxed);
                formats.lock().unwrap().push(format);
                out.extend_from_slice(b"request");
            })
            .unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        assert_eq!(*formats.lock().unwrap(), [Format::Protobuf, Format::Json]);
        // Every request ends (refused, not retried) within its timeout.
        fanout.flush().unwrap();
    }

    #[test]
    fn a_full_queue_drops_for_its_destination_only() {
        // Accepts connections (the OS's backlog) and never answers.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let fanout = Fanout::new(vec![
            destination_with_timeout(
                Protocol::HttpBinary,
                &format!("http://127.0.0.1:{port}/v1/traces"),
                Duration::from_secs(2),
            ),
            destination_with_timeout(
                Protocol::HttpBinary,
                &format!("http://127.0.0.1:{port}/v1/logs"),
                Duration::from_secs(2),
            ),
        ]);
        // One request in flight and 32 queued per destination: the rest are dropped, and an
        // export fails once every destination dropped it.
        let outcomes: Vec<_> = (0..100)
            .map(|_| fanout.export(1, |_, out| out.push(1)))
            .collect();
        // (33 by a destination whose drain took its first request before its queue filled;
        // 34 when the two destinations took their 33rd from different exports.)
        let queued = outcomes.iter().filter(|r| r.is_ok()).count();
        assert!((32..=34).contains(&queued), "{queued}");
        assert!(outcomes
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, Error::QueueFull { capacity: 32, .. })));
        let started = Instant::now();
        // Shutdown waits up to the timeout, then gives up on what is left: about 33 requests
        // (fewer when the machine is so loaded that the first ones already timed out and the
        // queue moved on before the shutdown began).
        let result = fanout.shutdown();
        assert!(
            matches!(
                result,
                Err(Error::Unacknowledged { requests, .. }) if (1..=34).contains(&requests)
            ),
            "{result:?}"
        );
        assert!(started.elapsed() >= Duration::from_millis(1500));
        drop(silent);
    }
}
