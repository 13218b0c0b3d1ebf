//! How spans live in a [`Context`]: the active span, and access to it.

use super::{noop::NoopSpan, Span, SpanContext, Status};
use crate::{Context, ContextGuard, KeyValue};
use std::borrow::Cow;
use std::sync::Mutex;
use std::time::SystemTime;

/// A span placed in a context: its span context read without a lock, the span behind one.
pub(crate) struct ActiveSpanInner<S: ?Sized> {
    span_context: SpanContext,
    recording: bool,
    span: Mutex<S>,
}

/// A span of any type placed in a context (one allocation: the span is unsized in place).
pub(crate) type ActiveSpan = ActiveSpanInner<dyn Span + Send + Sync>;

impl ActiveSpan {
    #[inline]
    pub(crate) fn span_context(&self) -> &SpanContext {
        &self.span_context
    }

    #[inline]
    pub(crate) fn is_recording_at_start(&self) -> bool {
        self.recording
    }
}

// Inlined, like `with_span`: the span (large for an SDK span) is then moved into the
// allocation once, not first into this function's argument.
#[inline]
fn active<S: Span + Send + Sync + 'static>(span: S) -> std::sync::Arc<ActiveSpan> {
    std::sync::Arc::new(ActiveSpanInner {
        span_context: span.span_context().clone(),
        recording: span.is_recording(),
        span: Mutex::new(span),
    })
}

/// The current context's active span, taken out of the thread's borrow.
pub(crate) enum CurrentSpan {
    None,
    NonRecording(SpanContext),
    Recording(std::sync::Arc<ActiveSpan>),
}

/// Methods on [`Context`] for the active span.
///
/// ```
/// use opentelemetry_api::trace::{SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};
/// use opentelemetry_api::Context;
///
/// let remote = SpanContext::new(TraceId::from(1u128), SpanId::from(2u64),
///     TraceFlags::SAMPLED, true, TraceState::NONE);
/// let cx = Context::new().with_remote_span_context(remote.clone());
/// assert!(cx.has_active_span());
/// assert_eq!(cx.span().span_context(), &remote);
/// ```
pub trait TraceContextExt {
    /// The current context with `span` as its active span.
    fn current_with_span<T: Span + Send + Sync + 'static>(span: T) -> Self;

    /// A copy of this context with `span` as its active span.
    fn with_span<T: Span + Send + Sync + 'static>(&self, span: T) -> Self;

    /// A reference to the active span (a no-op, invalid span when there is none).
    fn span(&self) -> SpanRef<'_>;

    /// Whether the context has an active span.
    fn has_active_span(&self) -> bool;

    /// A copy of this context whose active span is a non-recording span with the given
    /// (usually extracted, remote) span context.
    fn with_remote_span_context(&self, span_context: SpanContext) -> Self;
}

impl TraceContextExt for Context {
    fn current_with_span<T: Span + Send + Sync + 'static>(span: T) -> Self {
        Context::current().with_span(span)
    }

    #[inline]
    fn with_span<T: Span + Send + Sync + 'static>(&self, span: T) -> Self {
        let mut cx = self.clone();
        cx.span = Some(active(span));
        cx
    }

    #[inline]
    fn span(&self) -> SpanRef<'_> {
        match self.span.as_deref() {
            Some(active) => SpanRef::active(active),
            None => SpanRef::NONE,
        }
    }

    #[inline]
    fn has_active_span(&self) -> bool {
        self.span.is_some()
    }

    fn with_remote_span_context(&self, span_context: SpanContext) -> Self {
        self.with_span(NoopSpan::new(span_context))
    }
}

/// A reference to a context's active span; every method locks the span for its duration.
#[derive(Clone, Copy)]
pub struct SpanRef<'a> {
    span_context: &'a SpanContext,
    /// The span, only when it was recording when placed in the context.
    span: Option<&'a Mutex<dyn Span + Send + Sync>>,
}

impl<'a> SpanRef<'a> {
    const NONE: SpanRef<'static> = SpanRef {
        span_context: &SpanContext::NONE,
        span: None,
    };

    #[inline]
    fn active(active: &'a ActiveSpan) -> Self {
        SpanRef {
            span_context: &active.span_context,
            span: if active.recording {
                Some(&active.span)
            } else {
                None
            },
        }
    }
}

impl std::fmt::Debug for SpanRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("SpanRef").field(self.span_context()).finish()
    }
}

impl<'a> SpanRef<'a> {
    #[inline]
    fn with<T: Default>(&self, f: impl FnOnce(&mut (dyn Span + Send + Sync)) -> T) -> T {
        match self.span {
            Some(m) => f(&mut *m.lock().unwrap_or_else(|p| p.into_inner())),
            None => T::default(),
        }
    }

    /// The span's context (no lock taken); it borrows from the context, not from the `SpanRef`.
    pub fn span_context(&self) -> &'a SpanContext {
        self.span_context
    }

    /// Whether the span is recording.
    pub fn is_recording(&self) -> bool {
        self.with(|s| s.is_recording())
    }

    /// Sets one attribute.
    #[inline]
    pub fn set_attribute(&self, attribute: KeyValue) {
        if let Some(m) = self.span {
            m.lock()
                .unwrap_or_else(|p| p.into_inner())
                .set_attribute(attribute)
        }
    }

    /// Sets several attributes.
    pub fn set_attributes(&self, attributes: impl IntoIterator<Item = KeyValue>) {
        self.with(|s| {
            if s.is_recording() {
                attributes.into_iter().for_each(|kv| s.set_attribute(kv))
            }
        })
    }

    /// Sets the status (with the spec's precedence).
    pub fn set_status(&self, status: Status) {
        self.with(|s| s.set_status(status))
    }

    /// Records an event now.
    pub fn add_event<T: Into<Cow<'static, str>>>(&self, name: T, attributes: Vec<KeyValue>) {
        self.with(|s| s.record_event(name.into(), None, attributes))
    }

    /// Records an event at a given time.
    pub fn add_event_with_timestamp<T: Into<Cow<'static, str>>>(
        &self,
        name: T,
        timestamp: SystemTime,
        attributes: Vec<KeyValue>,
    ) {
        self.with(|s| s.record_event(name.into(), Some(timestamp), attributes))
    }

    /// Adds a link.
    pub fn add_link(&self, span_context: SpanContext, attributes: Vec<KeyValue>) {
        self.with(|s| s.add_link(span_context, attributes))
    }

    /// Records an exception event.
    pub fn record_exception(&self, error: &dyn std::error::Error, attributes: Vec<KeyValue>) {
        self.with(|s| s.record_exception(error, attributes))
    }

    /// Renames the span.
    pub fn update_name<T: Into<Cow<'static, str>>>(&self, new_name: T) {
        self.with(|s| s.rename(new_name.into()))
    }

    /// Ends the span now.
    pub fn end(&self) {
        self.with(|s| s.end_at(None))
    }

    /// Ends the span at a given time.
    pub fn end_with_timestamp(&self, timestamp: SystemTime) {
        self.with(|s| s.end_at(Some(timestamp)))
    }
}

/// Calls `f` with the current context's active span.
///
/// ```
/// use opentelemetry_api::trace::get_active_span;
/// use opentelemetry_api::KeyValue;
/// get_active_span(|span| span.set_attribute(KeyValue::new("user.id", 7)));
/// ```
pub fn get_active_span<F, T>(f: F) -> T
where
    F: FnOnce(SpanRef<'_>) -> T,
{
    match Context::current_span_for_ref() {
        CurrentSpan::None => f(SpanRef::NONE),
        CurrentSpan::NonRecording(span_context) => f(SpanRef {
            span_context: &span_context,
            span: None,
        }),
        CurrentSpan::Recording(active) => f(SpanRef::active(&active)),
    }
}

/// The trace ID, span ID and trace flags of the current context's active span, or `None`
/// when no span is active.
///
/// A cheap read for SDKs that only correlate other signals with the active span (metric
/// exemplars, log records): no reference count is touched and the trace state is not copied.
///
/// ```
/// use opentelemetry_api::trace::{
///     active_span_ids, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState,
/// };
/// use opentelemetry_api::Context;
///
/// assert_eq!(active_span_ids(), None);
/// let remote = SpanContext::new(TraceId::from(1u128), SpanId::from(2u64),
///     TraceFlags::SAMPLED, true, TraceState::NONE);
/// let _guard = Context::new().with_remote_span_context(remote).attach();
/// assert_eq!(
///     active_span_ids(),
///     Some((TraceId::from(1u128), SpanId::from(2u64), TraceFlags::SAMPLED))
/// );
/// ```
#[inline]
pub fn active_span_ids() -> Option<(super::TraceId, super::SpanId, super::TraceFlags)> {
    Context::current_span_ids()
}

/// Whether the current context's active span is sampled (`false` when no span is active).
///
/// One thread-local load: cheap enough for every metric measurement (trace-based exemplar
/// filtering checks it before reading the IDs with [`active_span_ids`]).
///
/// ```
/// use opentelemetry_api::trace::{
///     active_span_is_sampled, SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId,
///     TraceState,
/// };
/// use opentelemetry_api::Context;
///
/// assert!(!active_span_is_sampled());
/// let sampled = SpanContext::new(TraceId::from(1u128), SpanId::from(2u64),
///     TraceFlags::SAMPLED, true, TraceState::NONE);
/// {
///     let _guard = Context::new().with_remote_span_context(sampled).attach();
///     assert!(active_span_is_sampled());
/// }
/// assert!(!active_span_is_sampled());
/// ```
#[inline]
pub fn active_span_is_sampled() -> bool {
    Context::current_span_sampled()
}

/// Makes `span` the active span of a new current context until the guard is dropped.
///
/// ```
/// use opentelemetry_api::trace::{mark_span_as_active, Tracer, noop::NoopTracer};
/// let _guard = mark_span_as_active(NoopTracer::new().start("work"));
/// ```
pub fn mark_span_as_active<T: Span + Send + Sync + 'static>(span: T) -> ContextGuard {
    Context::current_with_span(span).attach()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{SpanId, TraceFlags, TraceId, TraceState};

    fn remote() -> SpanContext {
        SpanContext::new(
            TraceId::from(0xabu128),
            SpanId::from(0xcdu64),
            TraceFlags::SAMPLED,
            true,
            TraceState::NONE,
        )
    }

    #[test]
    fn active_span_follows_attach() {
        assert!(!Context::current().has_active_span());
        get_active_span(|s| assert_eq!(s.span_context(), &SpanContext::NONE));
        let _g = Context::new().with_remote_span_context(remote()).attach();
        get_active_span(|s| assert_eq!(s.span_context(), &remote()));
        assert_eq!(
            Context::current().span().span_context().trace_id(),
            TraceId::from(0xabu128)
        );
        assert!(!Context::current().span().is_recording());
    }

    #[test]
    fn span_ref_methods_are_safe_without_a_span() {
        let cx = Context::new();
        let s = cx.span();
        s.set_attribute(KeyValue::new("a", 1));
        s.add_event("e", vec![]);
        s.set_status(Status::Ok);
        s.end();
        assert!(!s.is_recording());
    }
}
