//! Where batch processors run their background worker.
//!
//! By default a [`BatchSpanProcessor`](crate::trace::BatchSpanProcessor) or a
//! [`BatchLogProcessor`](crate::logs::BatchLogProcessor) runs on its own named thread and needs
//! no async runtime. With one of the `rt-*` features enabled it can run on an async runtime
//! instead, chosen with
//! [`with_runtime`](crate::trace::BatchSpanProcessorBuilder::with_runtime) (or the log
//! processor's [`with_runtime`](crate::logs::BatchLogProcessorBuilder::with_runtime)):
//!
//! | type | feature | where the worker runs |
//! | --- | --- | --- |
//! | [`Thread`] | (always) | a dedicated thread (the default) |
//! | `Tokio` | `rt-tokio` | a task spawned on the current tokio runtime |
//! | `TokioHandle` | `rt-tokio` | a task spawned on the given tokio runtime |
//! | `TokioCurrentThread` | `rt-tokio-current-thread` | a dedicated thread running a current-thread tokio runtime |
//! | `AsyncStd` | `rt-async-std` | an async-std task |
//!
//! On a tokio runtime the worker uses tokio timers, so the runtime must have time enabled
//! (`enable_all()` or `enable_time()`). `force_flush` and `shutdown` block the calling thread
//! until the worker answers or their timeout passes: on a tokio runtime call them from outside
//! the runtime's worker threads (or via `spawn_blocking`), or use `TokioCurrentThread`.

use std::cell::Cell;
use std::fmt::Debug;
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::{Duration, Instant};

/// A place a batch processor's worker can run on. Implemented by the types of this module
/// only.
pub trait Runtime: private::Sealed + Debug + Send + 'static {}

pub(crate) mod private {
    /// Seals [`Runtime`](super::Runtime): only this crate's runtimes implement it.
    pub trait Sealed {
        /// Which runtime this is.
        fn kind(self) -> Kind;
    }

    /// The runtimes the SDK knows.
    #[derive(Debug)]
    pub enum Kind {
        /// A dedicated thread driving the worker with [`super::block_on`].
        Thread,
        /// A task on the given tokio runtime, or the current one.
        #[cfg(feature = "rt-tokio")]
        Tokio(Option<tokio::runtime::Handle>),
        /// A dedicated thread running a current-thread tokio runtime.
        #[cfg(feature = "rt-tokio-current-thread")]
        TokioCurrentThread,
        /// An async-std task.
        #[cfg(feature = "rt-async-std")]
        AsyncStd,
    }
}

pub(crate) use private::Kind;

/// Runs the worker on a dedicated, named thread (the default). Needs no async runtime: the
/// exporter's futures are driven by a minimal executor on that thread, so an exporter whose
/// future needs a specific runtime's reactor must be used with that runtime instead.
#[derive(Clone, Copy, Debug, Default)]
pub struct Thread;

impl private::Sealed for Thread {
    fn kind(self) -> Kind {
        Kind::Thread
    }
}
impl Runtime for Thread {}

/// Runs the worker as a task on the tokio runtime current when the processor is built (a
/// multi-thread runtime is expected; timers must be enabled). Without a current runtime the
/// processor reports a diagnostic and falls back to a dedicated thread.
#[cfg(feature = "rt-tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "rt-tokio")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct Tokio;

#[cfg(feature = "rt-tokio")]
impl private::Sealed for Tokio {
    fn kind(self) -> Kind {
        Kind::Tokio(None)
    }
}
#[cfg(feature = "rt-tokio")]
impl Runtime for Tokio {}

/// Runs the worker as a task on the given tokio runtime (timers must be enabled).
#[cfg(feature = "rt-tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "rt-tokio")))]
#[derive(Clone, Debug)]
pub struct TokioHandle(pub tokio::runtime::Handle);

#[cfg(feature = "rt-tokio")]
impl private::Sealed for TokioHandle {
    fn kind(self) -> Kind {
        Kind::Tokio(Some(self.0))
    }
}
#[cfg(feature = "rt-tokio")]
impl Runtime for TokioHandle {}

/// Runs the worker on a dedicated thread that runs its own current-thread tokio runtime (with
/// timers and I/O): for exporters that need tokio, in programs that may not run one.
#[cfg(feature = "rt-tokio-current-thread")]
#[cfg_attr(docsrs, doc(cfg(feature = "rt-tokio-current-thread")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioCurrentThread;

#[cfg(feature = "rt-tokio-current-thread")]
impl private::Sealed for TokioCurrentThread {
    fn kind(self) -> Kind {
        Kind::TokioCurrentThread
    }
}
#[cfg(feature = "rt-tokio-current-thread")]
impl Runtime for TokioCurrentThread {}

/// Runs the worker as an async-std task.
#[cfg(feature = "rt-async-std")]
#[cfg_attr(docsrs, doc(cfg(feature = "rt-async-std")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct AsyncStd;

#[cfg(feature = "rt-async-std")]
impl private::Sealed for AsyncStd {
    fn kind(self) -> Kind {
        Kind::AsyncStd
    }
}
#[cfg(feature = "rt-async-std")]
impl Runtime for AsyncStd {}

/// Sleeps on some runtime: what a worker needs besides being polled.
pub(crate) trait Timer: Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static;
}

// ---------------------------------------------------------------------------------------------
// The dedicated-thread executor: polls one future, parking the thread between wake-ups and
// until the earliest deadline of the `Deadline` futures polled last.

thread_local! {
    /// The earliest deadline registered by a [`Deadline`] during the current poll.
    static NEXT_DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

struct ThreadWaker(thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Drives `future` to completion on the current thread. Supports [`ThreadTimer`] sleeps;
/// any other future must be woken through its waker (which unparks this thread).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        NEXT_DEADLINE.with(|d| d.set(None));
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // A spurious return from park just leads to one more poll, which is always allowed.
        match NEXT_DEADLINE.with(Cell::get) {
            Some(deadline) => {
                let now = Instant::now();
                if deadline > now {
                    thread::park_timeout(deadline - now);
                }
            }
            None => thread::park(),
        }
    }
}

/// Completes at an instant; only under [`block_on`], which wakes up for it.
struct Deadline(Option<Instant>);

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        // `None`: too far in the future to represent, never completes.
        let Some(at) = self.0 else {
            return Poll::Pending;
        };
        if Instant::now() >= at {
            return Poll::Ready(());
        }
        NEXT_DEADLINE.with(|d| {
            if d.get().map_or(true, |cur| at < cur) {
                d.set(Some(at));
            }
        });
        Poll::Pending
    }
}

/// Timers for [`block_on`].
#[derive(Debug)]
pub(crate) struct ThreadTimer;

impl Timer for ThreadTimer {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        Deadline(Instant::now().checked_add(duration))
    }
}

// ---------------------------------------------------------------------------------------------
// Async runtimes.

/// Tokio timers; the runtime running the worker must have time enabled. If it does not, the
/// sleep never completes (reported once), so only size-triggered, flush and shutdown exports
/// happen.
#[cfg(any(feature = "rt-tokio", feature = "rt-tokio-current-thread"))]
#[derive(Debug)]
pub(crate) struct TokioTimer;

#[cfg(any(feature = "rt-tokio", feature = "rt-tokio-current-thread"))]
impl Timer for TokioTimer {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        use std::sync::atomic::{AtomicBool, Ordering};
        static REPORTED: AtomicBool = AtomicBool::new(false);
        // `tokio::time::sleep` panics when the runtime has no timer: degrade instead.
        match std::panic::catch_unwind(|| tokio::time::sleep(duration)) {
            Ok(sleep) => futures_util::future::Either::Left(sleep),
            Err(_) => {
                if !REPORTED.swap(true, Ordering::Relaxed) {
                    opentelemetry_api::otel_error!(
                        "BatchSpanProcessor.NoTimer",
                        "the tokio runtime has no timer (build it with enable_all() or \
                         enable_time()): scheduled exports and export timeouts are disabled"
                    );
                }
                futures_util::future::Either::Right(std::future::pending())
            }
        }
    }
}

/// async-std timers.
#[cfg(feature = "rt-async-std")]
#[derive(Debug)]
pub(crate) struct AsyncStdTimer;

#[cfg(feature = "rt-async-std")]
impl Timer for AsyncStdTimer {
    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send + 'static {
        async_std::task::sleep(duration)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_on_sleeps_until_deadline() {
        let start = Instant::now();
        block_on(ThreadTimer.sleep(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn block_on_is_woken_by_other_threads() {
        let (tx, rx) = std::sync::mpsc::channel::<Waker>();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let done2 = done.clone();
        let helper = thread::spawn(move || {
            let waker = rx.recv().expect("waker");
            done2.store(true, std::sync::atomic::Ordering::SeqCst);
            waker.wake();
        });
        let mut sent = false;
        let value = block_on(std::future::poll_fn(|cx| {
            if done.load(std::sync::atomic::Ordering::SeqCst) {
                return Poll::Ready(7);
            }
            if !sent {
                sent = true;
                tx.send(cx.waker().clone()).expect("send");
            }
            Poll::Pending
        }));
        assert_eq!(value, 7);
        helper.join().expect("join");
    }

    #[test]
    fn unrepresentable_deadline_never_completes() {
        let mut sleep = pin!(ThreadTimer.sleep(Duration::MAX));
        let waker = futures_util::task::noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(sleep.as_mut().poll(&mut cx).is_pending());
    }
}
