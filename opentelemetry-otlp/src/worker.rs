//! The exporter's own thread with a tokio runtime: sends, retries and their timers run there,
//! so an export's future can be polled by any executor (the SDK's plain background threads,
//! a user's tokio runtime, async-std) without deadlock.

use crate::error::Error;
use std::future::Future;
use tokio::sync::oneshot;

/// A current-thread tokio runtime driven by a dedicated thread; stops when dropped.
#[derive(Debug)]
pub(crate) struct Worker {
    handle: tokio::runtime::Handle,
    // Dropping it ends the thread's `block_on`; the runtime is dropped on its own thread.
    _stop: oneshot::Sender<()>,
}

impl Worker {
    pub(crate) fn start(name: &str) -> Result<Self, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                // Err just means the exporter was dropped: time to stop either way.
                let _ = runtime.block_on(stopped);
            })?;
        Ok(Worker {
            handle,
            _stop: stop,
        })
    }

    /// The runtime's handle (to build tonic channels in its context).
    #[cfg(feature = "grpc-tonic")]
    pub(crate) fn handle(&self) -> &tokio::runtime::Handle {
        &self.handle
    }

    /// Runs `job` on the worker; the returned future resolves with its output from any
    /// executor.
    pub(crate) fn run<T: Send + 'static>(
        &self,
        job: impl Future<Output = Result<T, Error>> + Send + 'static,
    ) -> impl Future<Output = Result<T, Error>> + Send + 'static {
        let task = self.handle.spawn(job);
        async move { task.await.unwrap_or(Err(Error::Shutdown)) }
    }
}
