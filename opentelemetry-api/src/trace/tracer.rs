//! Tracers, tracer providers and the span builder.

use super::{Link, Span, SpanKind};
use crate::trace::TraceContextExt;
use crate::{Context, InstrumentationScope, KeyValue};
use std::borrow::Cow;
use std::time::SystemTime;

/// Creates spans.
///
/// A tracer is safe for concurrent use, as the specification requires: the trait has
/// `Send + Sync` as supertraits, so one tracer can be shared between threads (behind an `Arc`
/// or a `static`) and every method called from many threads at once.
///
/// ```
/// use opentelemetry_api::trace::{Span, TraceContextExt, Tracer, TracerProvider};
/// use opentelemetry_api::{global, KeyValue};
///
/// let tracer = global::tracer("my-library");
/// let answer = tracer.in_span("compute", |cx| {
///     cx.span().set_attribute(KeyValue::new("input", 41));
///     41 + 1
/// });
/// assert_eq!(answer, 42);
/// ```
pub trait Tracer: Send + Sync {
    /// The span type this tracer creates.
    type Span: Span + Send + Sync + 'static;

    /// Starts a span from a builder, as a child of the span in `parent_cx` (or a root span
    /// when it has none). This is the one method an implementation must provide.
    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> Self::Span;

    /// Whether spans from this tracer may be recorded (lets callers skip expensive work).
    fn enabled(&self) -> bool {
        true
    }

    /// Starts a span as a child of the current context's active span.
    fn start<T: Into<Cow<'static, str>>>(&self, name: T) -> Self::Span {
        Context::map_current(|cx| self.build_with_context(SpanBuilder::from_name(name), cx))
    }

    /// Starts a span as a child of the active span in `parent_cx`.
    fn start_with_context<T: Into<Cow<'static, str>>>(
        &self,
        name: T,
        parent_cx: &Context,
    ) -> Self::Span {
        self.build_with_context(SpanBuilder::from_name(name), parent_cx)
    }

    /// A builder for a span with kind, attributes, links or start time.
    fn span_builder<T: Into<Cow<'static, str>>>(&self, name: T) -> SpanBuilder {
        SpanBuilder::from_name(name)
    }

    /// Starts a span from a builder as a child of the current context's active span.
    fn build(&self, builder: SpanBuilder) -> Self::Span {
        Context::map_current(|cx| self.build_with_context(builder, cx))
    }

    /// Runs `f` inside a new span made active for its duration, and ends the span when `f`
    /// returns (a context clone kept beyond that still refers to the ended span).
    fn in_span<T, F, N>(&self, name: N, f: F) -> T
    where
        F: FnOnce(Context) -> T,
        N: Into<Cow<'static, str>>,
        Self::Span: Send + Sync + 'static,
    {
        let span = self.start(name);
        let cx = Context::current_with_span(span);
        let guard = cx.clone().attach();
        let result = f(cx.clone());
        drop(guard);
        cx.span().end();
        result
    }
}

/// Hands out tracers, one per instrumentation scope.
///
/// A tracer provider is safe for concurrent use, as the specification requires: the trait has
/// `Send + Sync` as supertraits, so one provider can be shared between threads and asked for
/// tracers from many threads at once.
///
/// ```
/// use opentelemetry_api::trace::{noop::NoopTracerProvider, TracerProvider};
/// use opentelemetry_api::InstrumentationScope;
///
/// let provider = NoopTracerProvider::new();
/// let scope = InstrumentationScope::builder("my-library").with_version("1.0").build();
/// let _tracer = provider.tracer_with_scope(scope);
/// ```
pub trait TracerProvider: Send + Sync {
    /// The tracer type.
    type Tracer: Tracer;

    /// A tracer for the given scope.
    fn tracer_with_scope(&self, scope: InstrumentationScope) -> Self::Tracer;

    /// A tracer for a scope with only a name.
    fn tracer(&self, name: impl Into<Cow<'static, str>>) -> Self::Tracer {
        self.tracer_with_scope(InstrumentationScope::builder(name).build())
    }
}

/// What a span starts with: name, kind, attributes, links and start time.
///
/// Attributes given here, rather than set after start, are seen by samplers: prefer them.
///
/// ```
/// use opentelemetry_api::trace::{SpanBuilder, SpanKind, Tracer, noop::NoopTracer};
/// use opentelemetry_api::KeyValue;
///
/// let span = SpanBuilder::from_name("GET /users")
///     .with_kind(SpanKind::Server)
///     .with_attributes([KeyValue::new("http.request.method", "GET")])
///     .start(&NoopTracer::new());
/// # drop(span);
/// ```
#[derive(Clone, Debug, Default)]
pub struct SpanBuilder {
    /// The span's name.
    pub name: Cow<'static, str>,
    /// The span's kind (`Internal` when unset).
    pub span_kind: Option<SpanKind>,
    /// Attributes known at start.
    pub attributes: Option<Vec<KeyValue>>,
    /// Links known at start.
    pub links: Option<Vec<Link>>,
    /// An explicit start time (now when unset).
    pub start_time: Option<SystemTime>,
}

impl SpanBuilder {
    /// A builder with a name.
    pub fn from_name<T: Into<Cow<'static, str>>>(name: T) -> Self {
        SpanBuilder {
            name: name.into(),
            ..Default::default()
        }
    }

    /// Sets the kind.
    pub fn with_kind(self, span_kind: SpanKind) -> Self {
        SpanBuilder {
            span_kind: Some(span_kind),
            ..self
        }
    }

    /// Sets the attributes.
    pub fn with_attributes<I: IntoIterator<Item = KeyValue>>(self, attributes: I) -> Self {
        SpanBuilder {
            attributes: Some(super::attribute_buffers::collect(attributes)),
            ..self
        }
    }

    /// Sets the links.
    pub fn with_links(self, links: Vec<Link>) -> Self {
        SpanBuilder {
            links: Some(links),
            ..self
        }
    }

    /// Sets the start time.
    pub fn with_start_time<T: Into<SystemTime>>(self, start_time: T) -> Self {
        SpanBuilder {
            start_time: Some(start_time.into()),
            ..self
        }
    }

    /// Starts the span with `tracer`, as a child of the current context's active span.
    pub fn start<T: Tracer + ?Sized>(self, tracer: &T) -> T::Span {
        Context::map_current(|cx| tracer.build_with_context(self, cx))
    }

    /// Starts the span with `tracer`, as a child of the active span in `parent_cx`.
    pub fn start_with_context<T: Tracer + ?Sized>(
        self,
        tracer: &T,
        parent_cx: &Context,
    ) -> T::Span {
        tracer.build_with_context(self, parent_cx)
    }
}
