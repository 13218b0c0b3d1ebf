//! The global tracer provider.

use super::slot::{GlobalSlot, ScopedDelegate};
use crate::trace::noop::{NoopSpan, NoopTracer};
use crate::trace::{
    BoxedSpan, BoxedTracer, ObjectSafeTracerProvider, SpanBuilder, Tracer, TracerProvider,
};
use crate::{Context, InstrumentationScope};
use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

static SLOT: GlobalSlot<Arc<dyn ObjectSafeTracerProvider>> = GlobalSlot::new();

/// Installs `provider` as the global tracer provider.
///
/// Tracers taken from [`tracer`] or [`tracer_provider`] before this call start using the new
/// provider from their next span on. Replacing a provider does not shut the old one down: keep
/// a handle to it and shut it down yourself. Installing the global provider itself is refused
/// (it would delegate to itself).
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::trace::noop::NoopTracerProvider;
/// global::set_tracer_provider(NoopTracerProvider::new());
/// ```
pub fn set_tracer_provider<P>(provider: P)
where
    P: ObjectSafeTracerProvider + 'static,
{
    if TypeId::of::<P>() == TypeId::of::<GlobalTracerProvider>() {
        crate::otel_warn!(
            "GlobalTracerProvider.SelfInstall",
            "ignored an attempt to install the global tracer provider as the global provider"
        );
        return;
    }
    SLOT.install(Arc::new(provider));
}

/// The global tracer provider: a handle that always delegates to the installed one.
pub fn tracer_provider() -> GlobalTracerProvider {
    GlobalTracerProvider { _private: () }
}

/// A tracer from the global provider, for a scope with only a name.
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::trace::{Span, Tracer};
/// let tracer = global::tracer("my-library");
/// let mut span = tracer.start("work");
/// span.end();
/// ```
pub fn tracer(name: impl Into<Cow<'static, str>>) -> GlobalTracer {
    tracer_provider().tracer(name)
}

/// A tracer from the global provider, for a full instrumentation scope.
pub fn tracer_with_scope(scope: InstrumentationScope) -> GlobalTracer {
    tracer_provider().tracer_with_scope(scope)
}

/// The global tracer provider (see [`tracer_provider`]).
#[derive(Clone, Copy, Debug)]
pub struct GlobalTracerProvider {
    _private: (),
}

impl TracerProvider for GlobalTracerProvider {
    type Tracer = GlobalTracer;

    fn tracer_with_scope(&self, scope: InstrumentationScope) -> GlobalTracer {
        GlobalTracer {
            inner: Arc::new(ScopedDelegate::new(scope)),
        }
    }
}

/// A tracer taken from the global provider. Until a provider is installed it is a no-op
/// (no allocation, no lock); afterwards it delegates to a tracer of the installed provider,
/// created on first use and re-created if the global provider is replaced.
#[derive(Clone)]
pub struct GlobalTracer {
    inner: Arc<ScopedDelegate<BoxedTracer>>,
}

impl fmt::Debug for GlobalTracer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GlobalTracer")
            .field("scope", &self.inner.scope)
            .finish()
    }
}

impl GlobalTracer {
    #[inline]
    fn delegate(&self) -> Option<&BoxedTracer> {
        self.inner.get(&SLOT, |provider, scope| {
            provider.boxed_tracer(scope.clone())
        })
    }
}

impl Tracer for GlobalTracer {
    type Span = BoxedSpan;

    #[inline]
    fn build_with_context(&self, builder: SpanBuilder, parent_cx: &Context) -> BoxedSpan {
        match self.delegate() {
            Some(tracer) => tracer.build_with_context(builder, parent_cx),
            None => BoxedSpan::NonRecording(NoopSpan::from_parent(parent_cx)),
        }
    }

    #[inline]
    fn start<T: Into<Cow<'static, str>>>(&self, name: T) -> BoxedSpan {
        match self.delegate() {
            Some(tracer) => tracer.start(name),
            None => BoxedSpan::NonRecording(NoopTracer::new().start(name)),
        }
    }

    fn enabled(&self) -> bool {
        self.delegate().is_some_and(|t| t.enabled())
    }
}
