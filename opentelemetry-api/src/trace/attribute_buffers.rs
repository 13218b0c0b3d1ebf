//! Where [`SpanBuilder::with_attributes`](super::SpanBuilder::with_attributes) gets its `Vec`.
//!
//! An SDK that recycles the attribute `Vec`s of exported spans (the batch span processor of
//! `opentelemetry_sdk` does: otherwise its worker thread would free, on its own thread,
//! memory the application thread allocated, which defeats the allocator's per-thread caches)
//! registers where to take an empty one from. The builder then collects the attributes
//! straight into a recycled buffer instead of a new allocation, when one with room is at
//! hand.

use crate::KeyValue;
use std::sync::OnceLock;

/// The registered source of empty attribute buffers.
static SOURCE: OnceLock<fn() -> Option<Vec<KeyValue>>> = OnceLock::new();

/// Registers `take` as the source of empty attribute buffers for
/// [`SpanBuilder::with_attributes`](super::SpanBuilder::with_attributes): it returns an empty
/// `Vec` with some capacity, or `None`. The first registration in a process wins.
///
/// For SDKs (the SDK of this project registers its pool when its batch span processor
/// first recycles a buffer); applications have no reason to call it.
#[doc(hidden)]
pub fn set_attribute_buffer_source(take: fn() -> Option<Vec<KeyValue>>) {
    let _ = SOURCE.set(take);
}

/// `attributes` in a `Vec`: a recycled one when the source has one with room for them (the
/// attributes are moved into it), a new one otherwise.
#[inline]
pub(crate) fn collect<I: IntoIterator<Item = KeyValue>>(attributes: I) -> Vec<KeyValue> {
    match SOURCE.get() {
        // No source (no SDK recycles buffers): exactly `collect`, the iterator untouched.
        None => attributes.into_iter().collect(),
        Some(take) => collect_from(*take, attributes),
    }
}

#[inline]
fn collect_from<I: IntoIterator<Item = KeyValue>>(
    take: fn() -> Option<Vec<KeyValue>>,
    attributes: I,
) -> Vec<KeyValue> {
    let attributes = attributes.into_iter();
    if let Some(mut buffer) = take() {
        if buffer.capacity() >= attributes.size_hint().0 {
            if !buffer.is_empty() {
                buffer.clear(); // a source hands out empty buffers; this makes sure of it
            }
            buffer.extend(attributes);
            return buffer;
        }
    }
    attributes.collect()
}
