//! Carrying a context into futures (and streams, with the `futures` feature).

use super::Context;
use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

pin_project! {
    /// A future or stream that runs each poll with its context attached.
    #[derive(Clone, Debug)]
    pub struct WithContext<T> {
        #[pin]
        inner: T,
        otel_cx: Context,
    }
}

impl<T: Future> Future for WithContext<T> {
    type Output = T::Output;

    fn poll(self: Pin<&mut Self>, task_cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _guard = this.otel_cx.clone().attach();
        this.inner.poll(task_cx)
    }
}

#[cfg(feature = "futures")]
impl<T: futures_core::Stream> futures_core::Stream for WithContext<T> {
    type Item = T::Item;

    fn poll_next(self: Pin<&mut Self>, task_cx: &mut TaskContext<'_>) -> Poll<Option<T::Item>> {
        let this = self.project();
        let _guard = this.otel_cx.clone().attach();
        this.inner.poll_next(task_cx)
    }
}

/// Attaches a context to a future (or stream) for every poll.
///
/// ```
/// use opentelemetry_api::context::FutureExt;
/// use opentelemetry_api::Context;
///
/// #[derive(Debug, PartialEq)]
/// struct Tenant(&'static str);
///
/// let fut = async { Context::current().get::<Tenant>().map(|t| t.0) };
/// let cx = Context::new().with_value(Tenant("acme"));
/// let out = futures_executor::block_on(fut.with_context(cx));
/// assert_eq!(out, Some("acme"));
/// ```
pub trait FutureExt: Sized {
    /// Runs every poll of `self` with `otel_cx` attached.
    fn with_context(self, otel_cx: Context) -> WithContext<Self> {
        WithContext {
            inner: self,
            otel_cx,
        }
    }

    /// Runs every poll of `self` with the context current now attached.
    fn with_current_context(self) -> WithContext<Self> {
        self.with_context(Context::current())
    }
}

impl<T: Sized> FutureExt for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct V(u8);

    #[test]
    fn with_current_context_captures_at_creation() {
        let fut = {
            let _g = Context::new().with_value(V(1)).attach();
            async { Context::current().get::<V>().map(|v| v.0) }.with_current_context()
        };
        assert_eq!(futures_executor::block_on(fut), Some(1));
        assert!(Context::current().get::<V>().is_none());
    }
}
