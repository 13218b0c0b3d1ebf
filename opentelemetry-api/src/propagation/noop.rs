//! The no-op propagator: the global propagator until one is set.

use super::{Extractor, FieldIter, Injector, TextMapPropagator};
use crate::Context;

/// A propagator that injects nothing and extracts nothing (the returned context is the one
/// given).
///
/// ```
/// use opentelemetry_api::propagation::{NoopTextMapPropagator, TextMapPropagator};
/// use std::collections::HashMap;
/// let mut headers = HashMap::new();
/// NoopTextMapPropagator::new().inject(&mut headers);
/// assert!(headers.is_empty());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopTextMapPropagator {
    _private: (),
}

impl NoopTextMapPropagator {
    /// Creates the propagator.
    pub const fn new() -> Self {
        NoopTextMapPropagator { _private: () }
    }
}

impl TextMapPropagator for NoopTextMapPropagator {
    #[inline]
    fn inject_context(&self, _cx: &Context, _injector: &mut dyn Injector) {}

    #[inline]
    fn extract_with_context(&self, cx: &Context, _extractor: &dyn Extractor) -> Context {
        cx.clone()
    }

    fn fields(&self) -> FieldIter<'_> {
        FieldIter::from_static(&[])
    }
}
