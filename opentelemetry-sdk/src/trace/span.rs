//! The SDK's recording span.

use super::export::{Event, SpanData};
use super::limits::SpanLimits;
use super::processor::private::EndedSpan;
use super::tracer::SdkTracer;
use opentelemetry_api::trace::{Link, SpanContext, Status};
use opentelemetry_api::{otel_warn, Array, KeyValue, StringValue, Value};
use std::borrow::Cow;
use std::time::SystemTime;

/// A span created by the SDK. It records while sampled and not ended; dropping it ends it.
///
/// Setting attributes, events and links on a span you hold takes no lock: the span is owned
/// by its holder (put it in a `Context` to share it, which wraps it in a mutex).
#[derive(Debug)]
pub struct Span {
    state: State,
    tracer: SdkTracer,
}

/// A recording span keeps the data it will export in place from start to end (it is moved
/// once, when the span ends); a non-recording or ended span only keeps its context.
// Boxing the large variant would cost an allocation per span: the point is to avoid it.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    Recording(Recording),
    Done(SpanContext),
}

/// What a recording span has collected so far.
#[derive(Debug)]
pub(crate) struct Recording {
    pub(crate) data: SpanData,
    /// Whether a limit was already reported for this span (the spec allows one message per span).
    pub(crate) limit_reported: bool,
}

impl Span {
    #[inline]
    pub(crate) fn recording(data: SpanData, limit_reported: bool, tracer: SdkTracer) -> Self {
        Span {
            state: State::Recording(Recording {
                data,
                limit_reported,
            }),
            tracer,
        }
    }

    #[inline]
    pub(crate) fn non_recording(span_context: SpanContext, tracer: SdkTracer) -> Self {
        Span {
            state: State::Done(span_context),
            tracer,
        }
    }

    /// The data recorded so far, as exporters would see it if the span ended now (`None` for
    /// a non-recording or ended span).
    pub fn exported_data(&self) -> Option<SpanData> {
        let State::Recording(r) = &self.state else {
            return None;
        };
        let mut data = r.data.clone();
        data.end_time = crate::clock::now();
        Some(data)
    }

    #[inline]
    fn record_mut(&mut self) -> Option<&mut Recording> {
        match &mut self.state {
            State::Recording(r) => Some(r),
            State::Done(_) => None,
        }
    }

    fn limits(&self) -> &SpanLimits {
        self.tracer.provider().span_limits()
    }

    fn finish(&mut self, end_time: Option<SystemTime>) {
        let State::Recording(r) = &mut self.state else {
            return;
        };
        r.data.end_time = end_time.unwrap_or_else(crate::clock::now);
        let provider = self.tracer.provider();
        if let Some(metrics) = provider.metrics() {
            metrics.ended(r.data.span_context.is_sampled());
        }
        let processors = provider.processors();
        if !processors.is_empty() {
            let before = Lengths::of(&r.data);
            for p in processors {
                p.on_ending(&mut r.data);
            }
            // What `on_ending` added or changed is held to the same limits as the rest.
            let limits = provider.span_limits();
            if (Lengths::of(&r.data) != before || limits.max_attribute_value_length.is_some())
                && r.enforce_limits_after_ending(before, limits)
            {
                r.report_limit("attributes, events or links added while ending");
            }
        }
        let done = State::Done(r.data.span_context.clone());
        if let [only] = processors {
            // The usual case, one processor: the ~240-byte data is handed over where it is,
            // so that a processor that moves it on (the batch processor, into its queue)
            // copies it once.
            let state: *mut State = &mut self.state;
            // Writes `Done` over the state without dropping it, once the processor is done
            // with the data (also if it panics): the data then belongs to the processor.
            struct Finish {
                state: *mut State,
                done: std::mem::ManuallyDrop<State>,
            }
            impl Drop for Finish {
                fn drop(&mut self) {
                    // SAFETY: `state` points to the span's state, whose data was given up
                    // (moved out or dropped by the processor's `EndedSpan`): overwritten
                    // without a drop. `done` is taken once.
                    unsafe {
                        std::ptr::write(self.state, std::mem::ManuallyDrop::take(&mut self.done))
                    }
                }
            }
            let finish = Finish {
                state,
                done: std::mem::ManuallyDrop::new(done),
            };
            // SAFETY: the state is `Recording` (checked above); its data is valid, and owned
            // by the `EndedSpan` from here on: `finish` overwrites the state without dropping
            // it when the call returns or unwinds (after the `EndedSpan`, which the callee
            // owns, is gone), and nothing else touches the state before that. `Recording`'s
            // other field is a `bool` (no drop).
            unsafe {
                if let State::Recording(r) = &mut *state {
                    only.on_end_in_place(EndedSpan::new(&mut r.data));
                }
            }
            drop(finish);
            return;
        }
        let State::Recording(Recording { data, .. }) = std::mem::replace(&mut self.state, done)
        else {
            return; // unreachable: the state was checked above
        };
        if let [rest @ .., last] = processors {
            for p in rest {
                p.on_end(data.clone());
            }
            last.on_end(data);
        }
    }
}

/// Holds a span's events or links (`items`, with their `dropped` count) to the `max` count,
/// and the attributes of those added after the first `before` to `max_attributes` (those of
/// the earlier ones only to the value length): `on_ending`'s additions. Returns whether
/// anything was dropped.
fn limit_items<T>(
    items: &mut Vec<T>,
    dropped: &mut u32,
    max: u32,
    before: usize,
    max_attributes: u32,
    value_len: Option<u32>,
    attributes_of: impl Fn(&mut T) -> (&mut Vec<KeyValue>, &mut u32),
) -> bool {
    let mut dropped_any = false;
    let max = max as usize;
    if items.len() > max {
        let excess = items.len() - max;
        items.truncate(max);
        *dropped = dropped.saturating_add(u32::try_from(excess).unwrap_or(u32::MAX));
        dropped_any = true;
    }
    for (i, item) in items.iter_mut().enumerate() {
        let (attributes, attributes_dropped) = attributes_of(item);
        if i >= before {
            let n = limit_attributes(attributes, max_attributes, value_len);
            *attributes_dropped = attributes_dropped.saturating_add(n);
            dropped_any |= n > 0;
        } else if value_len.is_some() {
            for kv in attributes.iter_mut() {
                truncate_value(&mut kv.value, value_len);
            }
        }
    }
    dropped_any
}

/// The numbers of attributes, events and links of a span's data, before `on_ending`.
#[derive(Clone, Copy, PartialEq)]
struct Lengths {
    attributes: usize,
    events: usize,
    links: usize,
}

impl Lengths {
    #[inline]
    fn of(data: &SpanData) -> Self {
        Lengths {
            attributes: data.attributes.len(),
            events: data.events.events.len(),
            links: data.links.links.len(),
        }
    }
}

impl Recording {
    /// Applies the span limits to what the processors' `on_ending` changed: attributes
    /// (unique keys, count, value length), events and links (count; the attributes of the
    /// ones added). Called only when something was added, or when a value length limit is
    /// set (then every string value is checked: a value may have been replaced in place).
    /// Returns whether anything was dropped.
    #[cold]
    #[inline(never)]
    fn enforce_limits_after_ending(&mut self, before: Lengths, limits: &SpanLimits) -> bool {
        let data = &mut self.data;
        let value_len = limits.max_attribute_value_length;
        let mut dropped_any = false;
        let dropped = limit_attributes(
            &mut data.attributes,
            limits.max_attributes_per_span,
            value_len,
        );
        data.dropped_attributes_count = data.dropped_attributes_count.saturating_add(dropped);
        dropped_any |= dropped > 0;

        dropped_any |= limit_items(
            &mut data.events.events,
            &mut data.events.dropped_count,
            limits.max_events_per_span,
            before.events,
            limits.max_attributes_per_event,
            value_len,
            |e| (&mut e.attributes, &mut e.dropped_attributes_count),
        );
        dropped_any |= limit_items(
            &mut data.links.links,
            &mut data.links.dropped_count,
            limits.max_links_per_span,
            before.links,
            limits.max_attributes_per_link,
            value_len,
            |l| (&mut l.attributes, &mut l.dropped_attributes_count),
        );
        dropped_any
    }

    fn report_limit(&mut self, what: &str) {
        if !self.limit_reported {
            self.limit_reported = true;
            otel_warn!(
                "Span.LimitReached",
                "span {:?}: {what} dropped by span limits (reported once per span)",
                self.data.name
            );
        }
    }
}

/// Cuts string values to `limit` characters (on a character boundary).
pub(crate) fn truncate_value(value: &mut Value, limit: Option<u32>) {
    let Some(limit) = limit else { return };
    let limit = limit as usize;
    fn cut(s: &StringValue, limit: usize) -> Option<StringValue> {
        let text = s.as_str();
        if text.len() <= limit {
            return None; // byte length bounds char count: nothing to cut
        }
        let end = text.char_indices().nth(limit).map(|(i, _)| i)?;
        Some(StringValue::from(text[..end].to_owned()))
    }
    match value {
        Value::String(s) => {
            if let Some(t) = cut(s, limit) {
                *s = t;
            }
        }
        Value::Array(Array::String(items)) => {
            for s in items.iter_mut() {
                if let Some(t) = cut(s, limit) {
                    *s = t;
                }
            }
        }
        _ => {}
    }
}

/// Applies a count and value-length limit to an attribute list, keeping the last value of a
/// repeated key; returns how many were dropped.
// Not inlined: it would weigh on the register use of span creation without attributes.
#[inline(never)]
pub(crate) fn limit_attributes(attrs: &mut Vec<KeyValue>, max: u32, value_len: Option<u32>) -> u32 {
    // The usual case, unique keys within the limit, moves nothing.
    if attrs.len() <= max as usize && !has_repeated_keys(attrs) {
        if value_len.is_some() {
            for kv in attrs.iter_mut() {
                truncate_value(&mut kv.value, value_len);
            }
        }
        return 0;
    }
    dedup_and_limit(attrs, max, value_len)
}

/// [`limit_attributes`] when a key repeats or there are too many.
#[inline(never)]
fn dedup_and_limit(attrs: &mut Vec<KeyValue>, max: u32, value_len: Option<u32>) -> u32 {
    let mut kept: usize = 0;
    let mut dropped = 0u32;
    for i in 0..attrs.len() {
        let (head, tail) = attrs.split_at_mut(i);
        let kv = &mut tail[0];
        if let Some(existing) = head[..kept].iter_mut().find(|e| e.key == kv.key) {
            std::mem::swap(&mut existing.value, &mut kv.value);
            truncate_value(&mut existing.value, value_len);
            continue;
        }
        if kept < max as usize {
            truncate_value(&mut kv.value, value_len);
            if kept != i {
                attrs.swap(kept, i);
            }
            kept += 1;
        } else {
            dropped += 1;
        }
    }
    attrs.truncate(kept);
    dropped
}

/// Whether a key occurs more than once.
///
/// Only the keys' lengths are read at first: each sets one bit of a 128-bit filter, and only
/// a key whose length was seen before is compared, as text, with the earlier keys (keys of
/// many lengths, as attribute keys usually are, are told apart without reading their text).
#[inline(never)]
fn has_repeated_keys(attrs: &[KeyValue]) -> bool {
    let mut seen = [0u64; 2];
    for (i, kv) in attrs.iter().enumerate() {
        let index = kv.key.as_str().len() & 127;
        let (word, bit) = (index >> 6, 1u64 << (index & 63));
        if seen[word] & bit != 0 && repeats_an_earlier_key(attrs, i) {
            return true;
        }
        seen[word] |= bit;
    }
    false
}

/// Whether the key of `attrs[i]` is the key of an attribute before it.
#[cold]
#[inline(never)]
fn repeats_an_earlier_key(attrs: &[KeyValue], i: usize) -> bool {
    let key = attrs[i].key.as_str();
    attrs[..i].iter().any(|e| e.key.as_str() == key)
}

impl opentelemetry_api::trace::Span for Span {
    #[inline]
    fn span_context(&self) -> &SpanContext {
        match &self.state {
            State::Recording(r) => &r.data.span_context,
            State::Done(span_context) => span_context,
        }
    }

    #[inline]
    fn is_recording(&self) -> bool {
        matches!(self.state, State::Recording(_))
    }

    fn set_attribute(&mut self, mut attribute: KeyValue) {
        let limits = *self.limits();
        let Some(r) = self.record_mut() else {
            return;
        };
        truncate_value(&mut attribute.value, limits.max_attribute_value_length);
        let attributes = &mut r.data.attributes;
        if let Some(existing) = attributes.iter_mut().find(|kv| kv.key == attribute.key) {
            existing.value = attribute.value;
        } else if attributes.len() < limits.max_attributes_per_span as usize {
            if attributes.capacity() == 0 {
                // The first attribute: into a recycled buffer when one is at hand.
                if let Some(buffer) = super::recycle::take() {
                    *attributes = buffer;
                }
            }
            attributes.push(attribute);
        } else {
            r.data.dropped_attributes_count += 1;
            r.report_limit("attributes");
        }
    }

    fn set_status(&mut self, status: Status) {
        if let Some(r) = self.record_mut() {
            r.data.status.update(status);
        }
    }

    fn record_event(
        &mut self,
        name: Cow<'static, str>,
        timestamp: Option<SystemTime>,
        mut attributes: Vec<KeyValue>,
    ) {
        let limits = *self.limits();
        let Some(r) = self.record_mut() else {
            return;
        };
        if r.data.events.events.len() >= limits.max_events_per_span as usize {
            r.data.events.dropped_count += 1;
            r.report_limit("events");
            return;
        }
        let dropped = limit_attributes(
            &mut attributes,
            limits.max_attributes_per_event,
            limits.max_attribute_value_length,
        );
        r.data.events.events.push(Event {
            name,
            timestamp: timestamp.unwrap_or_else(crate::clock::now),
            attributes,
            dropped_attributes_count: dropped,
        });
    }

    fn add_link(&mut self, span_context: SpanContext, mut attributes: Vec<KeyValue>) {
        if !super::tracer::keep_link(&span_context, &attributes) {
            return;
        }
        let limits = *self.limits();
        let Some(r) = self.record_mut() else {
            return;
        };
        if r.data.links.links.len() >= limits.max_links_per_span as usize {
            r.data.links.dropped_count += 1;
            r.report_limit("links");
            return;
        }
        let dropped = limit_attributes(
            &mut attributes,
            limits.max_attributes_per_link,
            limits.max_attribute_value_length,
        );
        r.data.links.links.push(Link {
            span_context,
            attributes,
            dropped_attributes_count: dropped,
        });
    }

    fn rename(&mut self, new_name: Cow<'static, str>) {
        if let Some(r) = self.record_mut() {
            r.data.name = new_name;
        }
    }

    fn end_at(&mut self, timestamp: Option<SystemTime>) {
        self.finish(timestamp)
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        self.finish(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_attributes_dedups_keeps_last_and_counts_drops() {
        let mut attrs = vec![
            KeyValue::new("a", 1),
            KeyValue::new("b", 2),
            KeyValue::new("a", 3),
            KeyValue::new("c", 4),
            KeyValue::new("d", 5),
        ];
        let dropped = limit_attributes(&mut attrs, 2, None);
        assert_eq!(attrs, vec![KeyValue::new("a", 3), KeyValue::new("b", 2)]);
        assert_eq!(dropped, 2);
    }

    #[test]
    fn limit_attributes_unique_keys_within_limit_only_truncates() {
        let mut attrs = vec![
            KeyValue::new("ab", "long value"),
            KeyValue::new("a", "x"),
            KeyValue::new("ba", 7),
        ];
        assert_eq!(limit_attributes(&mut attrs, 3, Some(4)), 0);
        assert_eq!(
            attrs,
            vec![
                KeyValue::new("ab", "long"),
                KeyValue::new("a", "x"),
                KeyValue::new("ba", 7)
            ]
        );
        assert_eq!(limit_attributes(&mut attrs, 3, None), 0);
        assert_eq!(attrs.len(), 3);
        // Over the count limit: the first ones are kept.
        assert_eq!(limit_attributes(&mut attrs, 2, None), 1);
        assert_eq!(
            attrs,
            vec![KeyValue::new("ab", "long"), KeyValue::new("a", "x")]
        );
    }

    /// The plain definition: some pair of keys is equal.
    fn naive_repeated(attrs: &[KeyValue]) -> bool {
        attrs
            .iter()
            .enumerate()
            .any(|(i, kv)| attrs[..i].iter().any(|e| e.key == kv.key))
    }

    #[test]
    fn repeated_keys_are_found_wherever_they_are() {
        use opentelemetry_api::Key;
        let names: Vec<String> = (0..150)
            .map(|i| format!("attr.{i:03}{}", "x".repeat(i % 140)))
            .collect();
        let unique: Vec<KeyValue> = names
            .iter()
            .map(|n| KeyValue::new(Key::copied(n), 1_i64))
            .collect();
        // Lengths beyond 127 share bits with shorter ones; many keys fill the filter.
        for n in [0, 1, 2, 8, 32, 64, 127, 128, 129, 150] {
            assert!(!has_repeated_keys(&unique[..n]), "{n} unique keys");
        }
        for n in [2, 9, 33, 70, 140] {
            for (i, name) in names.iter().enumerate().take(n) {
                for j in (i + 1)..n {
                    let mut attrs = unique[..n].to_vec();
                    // The same text in another kind of storage.
                    attrs[j] = KeyValue::new(name.clone(), 2_i64);
                    assert!(has_repeated_keys(&attrs), "{n} keys, {i} == {j}");
                }
            }
        }
        // Equal lengths, different text.
        let same_print: Vec<KeyValue> = ["axbyc", "apbqc", "a.b.c", "a-b-c"]
            .into_iter()
            .map(|k| KeyValue::new(k, true))
            .collect();
        assert!(!has_repeated_keys(&same_print));
        let mut with_repeat = same_print.clone();
        with_repeat.push(KeyValue::new("a.b.c", false));
        assert!(has_repeated_keys(&with_repeat));
        assert!(has_repeated_keys(&[
            KeyValue::new("", 1_i64),
            KeyValue::new("", 2_i64)
        ]));
    }

    #[test]
    fn repeated_key_detection_agrees_with_comparing_every_pair() {
        // Every list of up to five keys from a small alphabet of similar keys.
        let alphabet = ["", "a", "b", "ab", "ba", "aab", "abb", "a.b", "b.a"];
        let mut lists = vec![Vec::new()];
        for _ in 0..5 {
            let mut longer = Vec::new();
            for list in &lists {
                for k in alphabet {
                    let mut l: Vec<KeyValue> = list.clone();
                    l.push(KeyValue::new(k, 0_i64));
                    longer.push(l);
                }
            }
            for l in &longer {
                assert_eq!(has_repeated_keys(l), naive_repeated(l), "{l:?}");
            }
            // Keep the search small: only lists without a repeat grow further.
            lists = longer.into_iter().filter(|l| !naive_repeated(l)).collect();
        }
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let mut v = Value::from("héllo wörld".to_owned());
        truncate_value(&mut v, Some(4));
        assert_eq!(v, Value::from("héll"));
        let mut arr = Value::Array(Array::String(vec!["abcdef".into(), "ab".into()]));
        truncate_value(&mut arr, Some(3));
        assert_eq!(
            arr,
            Value::Array(Array::String(vec!["abc".into(), "ab".into()]))
        );
        let mut n = Value::from(12345i64);
        truncate_value(&mut n, Some(1));
        assert_eq!(n, Value::from(12345i64));
    }
}

#[cfg(test)]
mod end_in_place_tests {
    use super::super::{
        BatchSpanProcessor, InMemorySpanExporter, SdkTracerProvider, SpanProcessor,
    };
    use super::*;
    use crate::error::Result;
    use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
    use opentelemetry_api::Context;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    /// Counts drops of what it is attached to (as a span attribute value's owner).
    #[derive(Debug)]
    struct Panics;

    impl SpanProcessor for Panics {
        fn on_start(&self, _: &mut Span, _: &Context) {}
        fn on_end(&self, _: SpanData) {
            panic!("processor panics in on_end");
        }
        fn force_flush(&self) -> Result {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> Result {
            Ok(())
        }
    }

    #[test]
    fn a_sole_processor_panicking_in_on_end_leaves_the_span_ended_and_dropped_once() {
        let provider = SdkTracerProvider::builder()
            .with_span_processor(Panics)
            .build();
        let mut span = provider.tracer("t").start("s");
        // An owned attribute: a double drop of the data would free it twice.
        span.set_attribute(opentelemetry_api::KeyValue::new("k", "owned".to_owned()));
        let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| span.end()));
        assert!(ended.is_err());
        assert!(!span.is_recording());
        assert!(span.span_context().is_valid());
        drop(span); // ends nothing more
    }

    /// Records the starts it sees.
    #[derive(Debug, Default)]
    struct Starts(Arc<AtomicUsize>);

    impl SpanProcessor for Starts {
        fn on_start(&self, span: &mut Span, _: &Context) {
            self.0.fetch_add(1, Ordering::Relaxed);
            span.set_attribute(opentelemetry_api::KeyValue::new("started", true));
        }
        fn on_end(&self, _: SpanData) {}
        fn force_flush(&self) -> Result {
            Ok(())
        }
        fn shutdown_with_timeout(&self, _: Duration) -> Result {
            Ok(())
        }
    }

    #[test]
    fn on_start_is_skipped_only_when_every_processor_ignores_it() {
        let starts = Arc::new(AtomicUsize::new(0));
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter.clone()).build())
            .with_span_processor(Starts(starts.clone()))
            .build();
        assert!(provider.calls_on_start());
        provider.tracer("t").start("s").end();
        provider.force_flush().unwrap();
        assert_eq!(starts.load(Ordering::Relaxed), 1);
        let spans = exporter.get_finished_spans();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].attributes.len(), 1);

        let batch_only = SdkTracerProvider::builder()
            .with_span_processor(
                BatchSpanProcessor::builder(InMemorySpanExporter::default()).build(),
            )
            .build();
        assert!(!batch_only.calls_on_start());

        // The simple processor exports the span from where the span kept it.
        let exporter = InMemorySpanExporter::default();
        let simple_only = SdkTracerProvider::builder()
            .with_span_processor(super::super::SimpleSpanProcessor::new(exporter.clone()))
            .build();
        assert!(!simple_only.calls_on_start());
        let mut span = simple_only.tracer("t").start("simple");
        span.set_attribute(opentelemetry_api::KeyValue::new("k", "v".to_owned()));
        span.end();
        let spans = exporter.get_finished_spans();
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].name, "simple");
        assert_eq!(
            spans[0].attributes,
            vec![opentelemetry_api::KeyValue::new("k", "v")]
        );
    }

    #[test]
    fn spans_the_batch_processor_refuses_are_dropped_in_place() {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter.clone()).build())
            .build();
        let tracer = provider.tracer("t");
        let mut spans: Vec<Span> = (0..4)
            .map(|i| {
                let mut span = tracer.start(format!("span {i}"));
                span.set_attribute(opentelemetry_api::KeyValue::new("i", format!("{i}")));
                span
            })
            .collect();
        spans.remove(0).end();
        provider.shutdown().unwrap();
        // After shutdown the processor refuses them: their owned data is dropped in place.
        for mut span in spans {
            span.end();
            assert!(!span.is_recording());
        }
        let exported = exporter.get_finished_spans();
        assert_eq!(exported.len(), 1);
        assert_eq!(exported[0].name, "span 0");
        assert_eq!(exported[0].attributes.len(), 1);
    }
}
