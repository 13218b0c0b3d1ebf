//! Recycled span attribute buffers.
//!
//! A span's attributes usually arrive in a `Vec` allocated on the application's thread
//! (`SpanBuilder::with_attributes`), and with the batch processor that `Vec` used to be freed
//! by the worker thread after the export. An allocation freed on another thread defeats the
//! allocator's per-thread caches: the application thread's next allocation of that size then
//! takes the allocator's shared (locked) path, and with glibc the freed memory comes back as a
//! block at the top of the heap that is trimmed and faulted in again, batch after batch.
//!
//! So the batch worker, instead of freeing an exported span's attribute `Vec`, empties it and
//! puts it in a bounded process-wide pool, which it registers with the API as the source of
//! [`SpanBuilder::with_attributes`](opentelemetry_api::trace::SpanBuilder::with_attributes)'s
//! `Vec`s (and a span's first [`set_attribute`](opentelemetry_api::trace::Span::set_attribute)
//! takes one too): the attributes of the next spans are collected straight into emptied
//! buffers, and nothing is allocated or freed per span. When the pool is empty a new `Vec` is
//! allocated as before, and the worker adds it to the pool after its export: the buffers in
//! circulation adjust themselves to the number of spans in flight, up to [`POOL_CAPACITY`] at
//! rest.
//!
//! What the pool keeps at most: [`POOL_CAPACITY`] empty buffers (as many as the default queue
//! of the batch processor holds spans) of at most [`MAX_RECYCLED_CAPACITY`] attributes each
//! (larger ones are freed).

use crate::export::queue::Queue;
use opentelemetry_api::{KeyValue, Value};
use std::sync::OnceLock;

/// How many empty buffers the pool holds at most (the default queue size of the batch
/// processor, well above the default export batch of 512 spans, which the worker returns at
/// once).
const POOL_CAPACITY: usize = 2048;

/// The largest buffer (in attributes) kept in the pool.
const MAX_RECYCLED_CAPACITY: usize = 32;

/// The empty buffers, created by the first batch worker that returns one.
static POOL: OnceLock<Queue<Vec<KeyValue>>> = OnceLock::new();

/// An empty buffer from the pool, if one is at hand.
#[inline]
pub(crate) fn take() -> Option<Vec<KeyValue>> {
    POOL.get()?.try_pop()
}

/// Empties an exported span's attribute `Vec` and keeps it in the pool when there is room;
/// frees it otherwise.
pub(crate) fn recycle(attributes: Vec<KeyValue>) {
    if !worth_keeping(attributes.capacity()) {
        return; // nothing to keep, or too large to keep
    }
    let pool = POOL.get_or_init(|| {
        opentelemetry_api::trace::set_attribute_buffer_source(take);
        Queue::new(POOL_CAPACITY)
    });
    recycle_into(pool, attributes);
}

/// Whether a buffer of `capacity` attributes is kept: not an empty one (no allocation), not
/// a large one.
#[inline]
fn worth_keeping(capacity: usize) -> bool {
    capacity != 0 && capacity <= MAX_RECYCLED_CAPACITY
}

fn recycle_into(pool: &Queue<Vec<KeyValue>>, mut attributes: Vec<KeyValue>) {
    clear(&mut attributes);
    // When the pool is full the buffer is freed.
    pool.push(attributes);
}

/// Drops the attributes, leaving the capacity: only those that own heap data are dropped
/// (static and inline keys and strings, numbers and booleans need no work).
fn clear(attributes: &mut Vec<KeyValue>) {
    let len = attributes.len();
    // SAFETY: the length is 0 before any element is dropped, so each element is dropped at
    // most once (a panic in a drop leaks the rest, never drops one twice); `base.add(i)` for
    // `i < len` points to an initialised element the vector no longer owns.
    unsafe {
        attributes.set_len(0);
        let base = attributes.as_mut_ptr();
        for i in 0..len {
            let kv = base.add(i);
            if owns_heap_data(&*kv) {
                std::ptr::drop_in_place(kv);
            }
        }
    }
}

/// Whether dropping `kv` frees or releases anything.
#[inline]
fn owns_heap_data(kv: &KeyValue) -> bool {
    kv.key.is_heap_allocated()
        || match &kv.value {
            Value::Bool(_) | Value::I64(_) | Value::F64(_) => false,
            Value::String(s) => s.is_heap_allocated(),
            Value::Array(_) => true,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::{Array, Key, StringValue};
    use std::sync::Arc;

    fn attributes(shared: &Arc<str>) -> Vec<KeyValue> {
        vec![
            KeyValue::new("static", "text"),
            KeyValue::new(Key::copied("inline key"), StringValue::copied("inline")),
            KeyValue::new("n", 7_i64),
            KeyValue::new("f", 0.5),
            KeyValue::new("b", true),
            KeyValue::new(Arc::clone(shared), "shared key"),
            KeyValue::new("shared value", Arc::clone(shared)),
            KeyValue::new("owned", String::from("owned text")),
            KeyValue::new(
                "array",
                Array::from(vec![StringValue::from(Arc::clone(shared))]),
            ),
        ]
    }

    #[test]
    fn clearing_drops_exactly_the_attributes_that_own_something() {
        let shared: Arc<str> = Arc::from("shared");
        let mut attrs = attributes(&shared);
        assert_eq!(Arc::strong_count(&shared), 4);
        let owning: Vec<bool> = attrs.iter().map(owns_heap_data).collect();
        assert_eq!(
            owning,
            [false, false, false, false, false, true, true, true, true]
        );
        let capacity = attrs.capacity();
        clear(&mut attrs);
        assert!(attrs.is_empty());
        assert_eq!(attrs.capacity(), capacity);
        assert_eq!(
            Arc::strong_count(&shared),
            1,
            "every shared string released"
        );
    }

    #[test]
    fn a_recycled_buffer_comes_back_empty_with_its_capacity() {
        let pool = Queue::new(2);
        let shared: Arc<str> = Arc::from("shared");
        let exported = attributes(&shared);
        let (buffer, capacity) = (exported.as_ptr(), exported.capacity());
        recycle_into(&pool, exported);
        assert_eq!(Arc::strong_count(&shared), 1);
        let recycled = pool.try_pop().expect("kept");
        assert!(recycled.is_empty());
        assert_eq!((recycled.as_ptr(), recycled.capacity()), (buffer, capacity));
        assert!(pool.try_pop().is_none());
    }

    #[test]
    fn the_batch_worker_returns_exported_attribute_buffers_to_the_pool() {
        use crate::trace::{BatchSpanProcessor, InMemorySpanExporter, SdkTracerProvider};
        use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter.clone()).build())
            .build();
        let tracer = provider.tracer("t");
        for i in 0..10_i64 {
            tracer
                .span_builder("s")
                .with_attributes([KeyValue::new("i", i), KeyValue::new("k", "v")])
                .start(&tracer)
                .end();
        }
        provider.force_flush().unwrap();
        let pool = POOL.get().expect("the worker created the pool");
        let buffer = pool.try_pop().expect("a buffer was returned");
        assert!(buffer.is_empty() && buffer.capacity() >= 2);
        let spans = exporter.get_finished_spans();
        assert_eq!(spans.len(), 10);
        assert_eq!(spans[9].attributes[0], KeyValue::new("i", 9_i64));

        // The builder now collects attributes into the recycled buffers.
        let (ptr, capacity) = (buffer.as_ptr(), buffer.capacity());
        assert!(pool.push(buffer));
        let mut seen = false;
        for _ in 0..POOL_CAPACITY {
            let builder = tracer
                .span_builder("s")
                .with_attributes([KeyValue::new("a", 1_i64)]);
            let attributes = builder.attributes.as_ref().unwrap();
            assert_eq!(attributes, &[KeyValue::new("a", 1_i64)]);
            if attributes.as_ptr() == ptr && attributes.capacity() == capacity {
                seen = true;
                break;
            }
            if pool.is_empty() {
                break;
            }
        }
        assert!(seen, "the pooled buffer was handed to the builder");

        // A span's first `set_attribute` takes one too.
        assert!(pool.push(Vec::with_capacity(5)));
        let mut span = tracer.start("set");
        span.set_attribute(KeyValue::new("k", "v"));
        span.end();
        provider.force_flush().unwrap();
        let spans = exporter.get_finished_spans();
        assert_eq!(spans.last().unwrap().attributes, [KeyValue::new("k", "v")]);
        provider.shutdown().unwrap();
    }

    #[test]
    fn the_pool_keeps_a_bounded_number_of_bounded_buffers() {
        let pool = Queue::new(2);
        for _ in 0..3 {
            recycle_into(&pool, Vec::with_capacity(4));
        }
        assert_eq!(pool.len(), 2, "the third buffer was freed");
        assert!(!worth_keeping(0));
        assert!(worth_keeping(1));
        assert!(worth_keeping(MAX_RECYCLED_CAPACITY));
        assert!(!worth_keeping(MAX_RECYCLED_CAPACITY + 1));
    }
}
