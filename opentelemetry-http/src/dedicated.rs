//! A client driven by its own thread and tokio runtime.

use crate::{BoxFuture, Bytes, HttpClient, HttpError};
use http::{Request, Response};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

type Job = BoxFuture<'static, ()>;

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
    jobs: mpsc::UnboundedSender<Job>,
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
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("otel-http".into())
            .spawn(move || {
                runtime.block_on(async move {
                    while let Some(job) = queue.recv().await {
                        tokio::spawn(job);
                    }
                });
            })?;
        Ok(DedicatedThread {
            client: Arc::new(client),
            jobs,
            timeout: None,
        })
    }

    /// Gives up on each request after `timeout` with [`HttpError::Timeout`].
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl HttpClient for DedicatedThread {
    fn send_bytes(
        &self,
        request: Request<Bytes>,
    ) -> BoxFuture<'_, Result<Response<Bytes>, HttpError>> {
        let (reply, response) = oneshot::channel();
        let client = Arc::clone(&self.client);
        let timeout = self.timeout;
        let job: Job = Box::pin(async move {
            let sent = client.send_bytes(request);
            let result = match timeout {
                Some(limit) => tokio::time::timeout(limit, sent)
                    .await
                    .unwrap_or(Err(HttpError::Timeout(limit))),
                None => sent.await,
            };
            // The caller may have stopped waiting (its own timeout); nothing to do then.
            let _ = reply.send(result);
        });
        let queued = self.jobs.send(job).is_ok();
        Box::pin(async move {
            if !queued {
                return Err(HttpError::ClientStopped);
            }
            response.await.unwrap_or(Err(HttpError::ClientStopped))
        })
    }
}
