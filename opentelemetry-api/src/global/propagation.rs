//! The global text map propagator.

use super::slot::GlobalSlot;
use crate::propagation::{NoopTextMapPropagator, TextMapPropagator};

static NOOP: NoopTextMapPropagator = NoopTextMapPropagator::new();
static SLOT: GlobalSlot<Box<dyn TextMapPropagator>> = GlobalSlot::new();

/// Installs `propagator` as the global text map propagator (usually a
/// [`TextMapCompositePropagator`](crate::propagation::TextMapCompositePropagator) of the
/// W3C trace context and baggage propagators).
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::propagation::TraceContextPropagator;
/// global::set_text_map_propagator(TraceContextPropagator::new());
/// ```
pub fn set_text_map_propagator<P: TextMapPropagator + 'static>(propagator: P) {
    SLOT.install(Box::new(propagator));
}

/// Calls `f` with the global text map propagator: a no-op until one is set. Lock-free.
///
/// ```
/// use opentelemetry_api::global;
/// use std::collections::HashMap;
/// let mut headers = HashMap::new();
/// global::get_text_map_propagator(|propagator| propagator.inject(&mut headers));
/// ```
#[inline]
pub fn get_text_map_propagator<T, F>(f: F) -> T
where
    F: FnOnce(&dyn TextMapPropagator) -> T,
{
    match SLOT.get() {
        Some(propagator) => f(propagator.as_ref()),
        None => f(&NOOP),
    }
}
