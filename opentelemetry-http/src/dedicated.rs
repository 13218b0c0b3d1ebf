//! A client driven by its own thread and tokio runtime.

use crate::{BoxFuture, Bytes, HttpClient, HttpError};
use http::{Request, Response};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;

/// A single-threaded tokio runtime driven by a thread of its own, for exporters whose work
/// (I/O, retries, their timers) must run on tokio while their callers may be any executor:
/// the SDK's plain background threads, a user's tokio runtime of either flavour, async-std.
///
/// [`run`](Self::run) hands a future to the thread and returns one that any executor can
/// await. The thread ends when this value is dropped; work still running is then cancelled.
///
/// ```
/// use opentelemetry_http::RuntimeThread;
///
/// let thread = RuntimeThread::start("example").expect("a thread and a runtime");
/// let answer = thread.run(async {
///     tokio::time::sleep(std::time::Duration::from_millis(1)).await;
///     42
/// });
/// // Awaited without any tokio runtime here.
/// assert_eq!(futures_executor::block_on(answer), Some(42));
/// ```
#[derive(Debug)]
pub struct RuntimeThread {
    handle: tokio::runtime::Handle,
    // Dropping it ends the thread's `block_on`; the runtime is dropped on its own thread.
    _stop: oneshot::Sender<()>,
}

impl RuntimeThread {
    /// Starts the thread, named `name`, and its runtime (with I/O and timers).
    ///
    /// # Errors
    ///
    /// When the runtime or the thread cannot be created.
    pub fn start(name: &str) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // Err just means the owner was dropped: time to stop either way.
                let _ = runtime.block_on(stopped);
            })?;
        Ok(RuntimeThread {
            handle,
            _stop: stop,
        })
    }

    /// The runtime's handle, for work that must be set up in its context (a tonic channel).
    pub fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    /// Runs `job` on the thread; the returned future gives its output, or `None` when the
    /// thread stopped (or the job panicked) first.
    pub fn run<F>(&self, job: F) -> impl Future<Output = Option<F::Output>> + Send + 'static
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = self.handle.spawn(job);
        async move { task.await.ok() }
    }
}

/// Drives an async client (reqwest's, hyper's) on a dedicated thread with its own
/// single-threaded tokio runtime, and hands the responses back through channels that any
/// executor can wait on.
///
/// This is what makes an exporter work the same under the SDK's default background thread
/// (no runtime at all), inside a user's tokio runtime (the exporter never blocks one of its
/// workers, whatever its flavour), and under async-std. Requests run concurrently on the
/// thread; each is limited by the timeout, if one is set. The thread ends when the last clone
/// of this value is dropped (a request's future borrows the client, so none is then in
/// flight).
///
/// ```
/// # #[cfg(feature = "hyper")] {
/// use opentelemetry_http::{DedicatedThread, HttpClient, HyperClient};
/// use std::time::Duration;
///
/// let client = DedicatedThread::new(HyperClient::new())
///     .expect("a thread and a runtime")
///     .with_timeout(Duration::from_secs(10));
/// // Nothing listens on port 9: the error comes back through the thread.
/// let request = http::Request::post("http://127.0.0.1:9/").body(Default::default()).unwrap();
/// assert!(futures_executor::block_on(client.send_bytes(request)).is_err());
/// # }
/// ```
#[derive(Clone)]
pub struct DedicatedThread {
    client: Arc<dyn HttpClient>,
    thread: Arc<RuntimeThread>,
    timeout: Option<Duration>,
}

impl fmt::Debug for DedicatedThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DedicatedThread")
            .field("client", &self.client)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl DedicatedThread {
    /// Starts the thread (named `otel-http`) that drives `client`.
    ///
    /// # Errors
    ///
    /// When the runtime or the thread cannot be created.
    pub fn new(client: impl HttpClient + 'static) -> std::io::Result<Self> {
        Ok(DedicatedThread {
            client: Arc::new(client),
            thread: Arc::new(RuntimeThread::start("otel-http")?),
            timeout: None,
        })
    }

    /// Gives up on each request after `timeout` with [`HttpError::Timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl DedicatedThread {
    /// Runs the request on the thread, within the timeout, with the body limit if any.
    fn send(
        &self,
        request: Request<Bytes>,
        limit: Option<usize>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let client = Arc::clone(&self.client);
        let timeout = self.timeout;
        let response = self.thread.run(async move {
            let sent = match limit {
                Some(limit) => client.send_bytes_with_limit(request, limit),
                None => client.send_bytes(request),
            };
            match timeout {
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .unwrap_or(Err(HttpError::Timeout(limit))),
                None => sent.await,
            }
        });
        Box::pin(async move { response.await.unwrap_or(Err(HttpError::ClientStopped)) })
    }
}

impl HttpClient for DedicatedThread {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        self.send(request, None)
    }

    /// The wrapped client's `send_bytes_with_limit`, on the thread.
    fn send_bytes_with_limit(
        &self,
        request: Request<Bytes>,
        limit: usize,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        self.send(request, Some(limit))
    }
}
