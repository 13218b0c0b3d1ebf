//! Type-erased tracers and spans, for providers chosen at run time and for the globals.

use super::noop::NoopSpan;
use super::{Span, SpanBuilder, SpanContext, Status, Tracer, TracerProvider};
use crate::{Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

/// A span of any implementation. A span that is not recording is kept inline (no allocation);
/// a recording one is boxed.
pub enum BoxedSpan {
    /// A non-recording span: only its span context matters.
    NonRecording(NoopSpan),
    /// A recording span of some implementation.
    Recording(Box<dyn Span + Send + Sync>),
}

impl BoxedSpan {
    /// Erases the type of `span`; a non-recording span is not allocated.
    #[inline]
    pub fn new<S: Span + Send + Sync + 'static>(span: S) -> Self {
        if span.is_recording() {
            BoxedSpan::Recording(Box::new(span))
        } else {
            BoxedSpan::NonRecording(NoopSpan::new(span.span_context().clone()))
        }
    }
}

impl fmt::Debug for BoxedSpan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BoxedSpan")
            .field("span_context", self.span_context())
            .field("recording", &self.is_recording())
            .finish()
    }
}

macro_rules! delegate {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            BoxedSpan::NonRecording($s) => $e,
            BoxedSpan::Recording($s) => $e,
        }
    };
}

impl Span for BoxedSpan {
    #[inline]
    fn span_context(&self) -> &SpanContext {
        delegate!(self, s => s.span_context())
    }
    #[inline]
    fn is_recording(&self) -> bool {
        delegate!(self, s => s.is_recording())
    }
    #[inline]
    fn set_attribute(&mut self, attribute: KeyValue) {
        if let BoxedSpan::Recording(s) = self {
            s.set_attribute(attribute)
        }
    }
    #[inline]
    fn set_status(&mut self, status: Status) {
        if let BoxedSpan::Recording(s) = self {
            s.set_status(status)
        }
    }
    #[inline]
    fn record_event(&mut self, name: Cow<'static, str>, ts: Option<SystemTime>, a: Vec<KeyValue>) {
        if let BoxedSpan::Recording(s) = self {
            s.record_event(name, ts, a)
        }
    }
    #[inline]
    fn add_link(&mut self, span_context: SpanContext, attributes: Vec<KeyValue>) {
        if let BoxedSpan::Recording(s) = self {
            s.add_link(span_context, attributes)
        }
    }
    #[inline]
    fn rename(&mut self, new_name: Cow<'static, str>) {
        if let BoxedSpan::Recording(s) = self {
            s.rename(new_name)
        }
    }
    #[inline]
    fn end_at(&mut self, timestamp: Option<SystemTime>) {
        if let BoxedSpan::Recording(s) = self {
            s.end_at(timestamp)
        }
    }
}

/// The dyn-compatible form of [`Tracer`], implemented for every tracer.
pub trait ObjectSafeTracer: Send + Sync {
    /// Starts a span and erases its type.
    fn build_with_context_boxed(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan;

    /// Whether the tracer may record.
    fn enabled_boxed(&self) -> bool;
}

impl<T> ObjectSafeTracer for T
where
    T: Tracer,
{
    #[inline]
    fn build_with_context_boxed(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan {
        BoxedSpan::new(self.build_with_context(builder, parent_cx))
    }

    fn enabled_boxed(&self) -> bool {
        self.enabled()
    }
}

/// A tracer of any implementation.
pub struct BoxedTracer(Box<dyn ObjectSafeTracer>);

impl BoxedTracer {
    /// Erases the type of `tracer`.
    pub fn new<T: ObjectSafeTracer + 'static>(tracer: T) -> Self {
        BoxedTracer(Box::new(tracer))
    }
}

impl fmt::Debug for BoxedTracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BoxedTracer")
    }
}

impl Tracer for BoxedTracer {
    type Span = BoxedSpan;

    #[inline]
    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan {
        self.0.build_with_context_boxed(builder, parent_cx)
    }

    fn enabled(&self) -> bool {
        self.0.enabled_boxed()
    }
}

/// The dyn-compatible form of [`TracerProvider`], implemented for every provider.
pub trait ObjectSafeTracerProvider: Send + Sync {
    /// A type-erased tracer for the scope.
    fn boxed_tracer(&self, scope: InstrumentationScope) -> BoxedTracer;
}

impl<P> ObjectSafeTracerProvider for P
where
    P: TracerProvider,
    P::Tracer: 'static,
{
    fn boxed_tracer(&self, scope: InstrumentationScope) -> BoxedTracer {
        BoxedTracer::new(self.tracer_with_scope(scope))
    }
}
