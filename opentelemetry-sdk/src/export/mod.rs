//! Machinery shared by the exporting processors of every signal.

pub(crate) mod batch;
pub(crate) mod queue;

use crate::error::{Error, Result};
use opentelemetry_api::Context;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::task::{Context as TaskContext, Poll};

/// Runs `f` (a call into an exporter) with telemetry suppressed on this thread, so that
/// whatever the exporter itself logs or traces is not captured and exported back into it.
#[inline]
pub(crate) fn suppressed<T>(f: impl FnOnce() -> T) -> T {
    let _guard = Context::enter_telemetry_suppressed_scope();
    f()
}

/// Runs a synchronous export to completion on the calling thread, with telemetry suppressed
/// and a panic in the exporter contained.
pub(crate) fn run_export_blocking<'a, F>(start: impl FnOnce() -> F + 'a) -> Result
where
    F: Future<Output = Result> + 'a,
{
    catch_unwind(AssertUnwindSafe(|| {
        suppressed(|| {
            let mut export = pin!(start());
            // A synchronous exporter is ready at the first poll: no executor needed. Otherwise
            // the executor polls again at once, registering its own waker.
            let mut cx = TaskContext::from_waker(futures_util::task::noop_waker_ref());
            match export.as_mut().poll(&mut cx) {
                Poll::Ready(result) => result,
                Poll::Pending => futures_executor::block_on(export),
            }
        })
    }))
    .unwrap_or_else(|_| Err(Error::ExportFailed("the exporter panicked".into())))
}
