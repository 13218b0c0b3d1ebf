//! The global text map propagator.

use super::swap::SwapCell;
use crate::propagation::{NoopTextMapPropagator, TextMapPropagator};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static NOOP: NoopTextMapPropagator = NoopTextMapPropagator::new();
static IS_SET: AtomicBool = AtomicBool::new(false);
static PROPAGATOR: OnceLock<SwapCell<Box<dyn TextMapPropagator>>> = OnceLock::new();

fn cell() -> &'static SwapCell<Box<dyn TextMapPropagator>> {
    PROPAGATOR.get_or_init(|| SwapCell::new(Box::new(NoopTextMapPropagator::new())))
}

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
    cell().store(Box::new(propagator));
    IS_SET.store(true, Ordering::Release);
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
    if IS_SET.load(Ordering::Acquire) {
        f(cell().load().as_ref())
    } else {
        f(&NOOP)
    }
}
