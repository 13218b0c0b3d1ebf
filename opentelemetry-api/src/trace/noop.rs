//! The no-op trace implementation: used until an SDK is installed. It records nothing but keeps
//! propagating the parent's span context, as the API specification requires.

use super::{Span, SpanBuilder, SpanContext, Status, Tracer, TracerProvider};
use crate::{Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::time::SystemTime;

/// A tracer provider that hands out [`NoopTracer`]s.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopTracerProvider {
    _private: (),
}

impl NoopTracerProvider {
    /// Creates the provider.
    pub const fn new() -> Self {
        NoopTracerProvider { _private: () }
    }
}

impl TracerProvider for NoopTracerProvider {
    type Tracer = NoopTracer;

    fn tracer_with_scope(&self, _scope: InstrumentationScope) -> NoopTracer {
        NoopTracer::new()
    }
}

/// A tracer whose spans record nothing and carry their parent's span context.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopTracer {
    _private: (),
}

impl NoopTracer {
    /// Creates the tracer.
    pub const fn new() -> Self {
        NoopTracer { _private: () }
    }
}

impl Tracer for NoopTracer {
    type Span = NoopSpan;

    #[inline]
    fn build_with_context(&self, _builder: SpanBuilder, parent_cx: &Context) -> NoopSpan {
        NoopSpan::from_parent(parent_cx)
    }

    #[inline]
    fn enabled(&self) -> bool {
        false
    }

    #[inline]
    fn start<T: Into<Cow<'static, str>>>(&self, _name: T) -> NoopSpan {
        match Context::current_span_context() {
            Some(span_context) => NoopSpan::new(span_context),
            None => NoopSpan::DEFAULT,
        }
    }
}

/// A span that records nothing. It carries a span context so that propagation keeps working:
/// its parent's, or one given explicitly (a remote context placed in a [`Context`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NoopSpan {
    span_context: SpanContext,
}

impl NoopSpan {
    /// The no-op span with an invalid span context.
    pub const DEFAULT: NoopSpan = NoopSpan {
        span_context: SpanContext::NONE,
    };

    /// A no-op span with the given span context.
    #[inline]
    pub fn new(span_context: SpanContext) -> Self {
        NoopSpan { span_context }
    }

    /// A no-op span carrying the span context of `parent_cx`'s active span.
    #[inline]
    pub fn from_parent(parent_cx: &Context) -> Self {
        match &parent_cx.span {
            Some(parent) => NoopSpan::new(parent.span_context().clone()),
            None => NoopSpan::DEFAULT,
        }
    }
}

impl Span for NoopSpan {
    #[inline]
    fn span_context(&self) -> &SpanContext {
        &self.span_context
    }
    #[inline]
    fn is_recording(&self) -> bool {
        false
    }
    #[inline]
    fn set_attribute(&mut self, _attribute: KeyValue) {}
    #[inline]
    fn set_status(&mut self, _status: Status) {}
    #[inline]
    fn record_event(&mut self, _: Cow<'static, str>, _: Option<SystemTime>, _: Vec<KeyValue>) {}
    #[inline]
    fn add_link(&mut self, _span_context: SpanContext, _attributes: Vec<KeyValue>) {}
    #[inline]
    fn rename(&mut self, _new_name: Cow<'static, str>) {}
    #[inline]
    fn end_at(&mut self, _timestamp: Option<SystemTime>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::{SpanId, TraceContextExt, TraceFlags, TraceId, TraceState};

    #[test]
    fn noop_spans_propagate_the_parent_span_context() {
        let parent = SpanContext::new(
            TraceId::from(7u128),
            SpanId::from(9u64),
            TraceFlags::SAMPLED,
            true,
            TraceState::from_key_value([("k", "v")]).unwrap(),
        );
        let cx = Context::new().with_remote_span_context(parent.clone());
        let tracer = NoopTracerProvider::new().tracer("t");
        assert_eq!(
            tracer.start_with_context("child", &cx).span_context(),
            &parent
        );
        let _g = cx.attach();
        let span = tracer.start("implicit");
        assert_eq!(span.span_context(), &parent);
        assert!(!span.is_recording());
        assert!(!tracer.start("x").is_recording());
    }

    #[test]
    fn root_noop_span_is_invalid() {
        let span = NoopTracer::new().start("root");
        assert!(!span.span_context().is_valid());
    }
}
