//! The SDK's log record: every field of the logs data model, readable and writable.

use super::limits::LogRecordLimits;
use opentelemetry_api::logs::{LogRecord, Severity};
use opentelemetry_api::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry_api::{otel_warn, AnyValue, Key, StringValue};
use std::borrow::Cow;
use std::time::SystemTime;

/// Attributes kept inline, without allocating; more spill into a `Vec`.
const INLINE_ATTRIBUTES: usize = 5;

/// The trace context fields of a log record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceContext {
    /// The trace ID (`TraceId`).
    pub trace_id: TraceId,
    /// The span ID (`SpanId`).
    pub span_id: SpanId,
    /// The trace flags (`TraceFlags`), when known.
    pub trace_flags: Option<TraceFlags>,
}

/// A log record of the SDK: what a bridge fills through the API's
/// [`LogRecord`] setters, what processors read and modify (the spec's
/// `ReadWriteLogRecord`), and what exporters receive inside a [`LogData`](super::LogData).
///
/// Attributes have unique keys (setting a key again replaces its value) and obey the
/// provider's [`LogRecordLimits`]: an attribute beyond the count limit is dropped and counted
/// in [`dropped_attributes_count`](Self::dropped_attributes_count), and string and byte values
/// longer than the length limit are truncated. The first five attributes are stored inline:
/// a record with at most five attributes allocates nothing for them.
///
/// ```
/// use opentelemetry_api::logs::{LogRecord, Logger, LoggerProvider, Severity};
/// use opentelemetry_api::{AnyValue, Key};
/// use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
///
/// let exporter = InMemoryLogExporter::default();
/// let provider = SdkLoggerProvider::builder().with_simple_exporter(exporter.clone()).build();
/// let logger = provider.logger("example");
/// let mut record = logger.create_log_record();
/// record.set_severity_number(Severity::Warn);
/// record.set_body(AnyValue::from("disk almost full"));
/// record.add_attribute("disk.free_bytes", 1_024i64);
/// record.add_attribute("disk.free_bytes", 512i64); // replaces the first value
/// logger.emit(record);
///
/// let logs = exporter.get_emitted_logs();
/// let record = &logs[0].record;
/// assert_eq!(record.severity_number(), Some(Severity::Warn));
/// assert_eq!(record.attributes_len(), 1);
/// assert_eq!(record.get_attribute(&Key::from("disk.free_bytes")), Some(&AnyValue::Int(512)));
/// assert!(record.observed_timestamp().is_some(), "set on emit");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SdkLogRecord {
    pub(crate) event_name: Option<&'static str>,
    pub(crate) target: Option<Cow<'static, str>>,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) observed_timestamp: Option<SystemTime>,
    pub(crate) trace_context: Option<TraceContext>,
    pub(crate) severity_text: Option<&'static str>,
    pub(crate) severity_number: Option<Severity>,
    pub(crate) body: Option<AnyValue>,
    inline: [Option<(Key, AnyValue)>; INLINE_ATTRIBUTES],
    inline_len: u8,
    overflow: Vec<(Key, AnyValue)>,
    dropped_attributes_count: u32,
    limits: LogRecordLimits,
    limit_reported: bool,
}

impl Default for SdkLogRecord {
    fn default() -> Self {
        SdkLogRecord::new(LogRecordLimits::default())
    }
}

impl SdkLogRecord {
    /// An empty record obeying `limits`.
    #[inline]
    pub fn new(limits: LogRecordLimits) -> Self {
        SdkLogRecord {
            event_name: None,
            target: None,
            timestamp: None,
            observed_timestamp: None,
            trace_context: None,
            severity_text: None,
            severity_number: None,
            body: None,
            inline: [const { None }; INLINE_ATTRIBUTES],
            inline_len: 0,
            overflow: Vec::new(),
            dropped_attributes_count: 0,
            limits,
            limit_reported: false,
        }
    }

    /// When the event occurred (`Timestamp`).
    pub fn timestamp(&self) -> Option<SystemTime> {
        self.timestamp
    }

    /// When OpenTelemetry observed the event (`ObservedTimestamp`); set on emit when the
    /// source did not set it.
    pub fn observed_timestamp(&self) -> Option<SystemTime> {
        self.observed_timestamp
    }

    /// The severity (`SeverityNumber`); `None` is the unspecified severity (0).
    pub fn severity_number(&self) -> Option<Severity> {
        self.severity_number
    }

    /// The source's name for the severity (`SeverityText`).
    pub fn severity_text(&self) -> Option<&'static str> {
        self.severity_text
    }

    /// The body (`Body`).
    pub fn body(&self) -> Option<&AnyValue> {
        self.body.as_ref()
    }

    /// The event name (`EventName`), which makes the record an event.
    pub fn event_name(&self) -> Option<&'static str> {
        self.event_name
    }

    /// The Rust-specific target (the category the source logged under).
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// The trace context fields: set by the source, or taken from the context the record
    /// was emitted in.
    pub fn trace_context(&self) -> Option<&TraceContext> {
        self.trace_context.as_ref()
    }

    /// The attributes, in the order they were first set.
    pub fn attributes_iter(&self) -> impl Iterator<Item = &(Key, AnyValue)> + '_ {
        self.inline[..self.inline_len as usize]
            .iter()
            .filter_map(Option::as_ref)
            .chain(self.overflow.iter())
    }

    /// How many attributes the record holds.
    pub fn attributes_len(&self) -> usize {
        self.inline_len as usize + self.overflow.len()
    }

    /// The value of the attribute `key`, if set.
    pub fn get_attribute(&self, key: &Key) -> Option<&AnyValue> {
        self.attributes_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// How many attributes were dropped by the count limit.
    pub fn dropped_attributes_count(&self) -> u32 {
        self.dropped_attributes_count
    }

    /// The limits this record obeys.
    pub fn limits(&self) -> &LogRecordLimits {
        &self.limits
    }

    /// Sets or replaces an attribute (the limits apply).
    pub fn set_attribute(&mut self, key: impl Into<Key>, value: impl Into<AnyValue>) {
        self.insert(key.into(), value.into())
    }

    /// Removes the attribute `key`; returns its value if it was set.
    pub fn remove_attribute(&mut self, key: &Key) -> Option<AnyValue> {
        let len = self.inline_len as usize;
        if let Some(i) = self.inline[..len]
            .iter()
            .position(|slot| slot.as_ref().is_some_and(|(k, _)| k == key))
        {
            // Keep the order: shift the later inline ones down, then pull one from overflow.
            let removed = self.inline[i].take();
            self.inline[i..len].rotate_left(1);
            if self.overflow.is_empty() {
                self.inline_len -= 1;
            } else {
                self.inline[len - 1] = Some(self.overflow.remove(0));
            }
            return removed.map(|(_, v)| v);
        }
        let i = self.overflow.iter().position(|(k, _)| k == key)?;
        Some(self.overflow.remove(i).1)
    }

    /// Sets or clears the trace context fields.
    pub fn set_trace_context_fields(&mut self, trace_context: Option<TraceContext>) {
        self.trace_context = trace_context;
    }

    /// Sets an attribute. The common case (a new key, room inline, no length limit) is
    /// inlined into the caller; everything else goes through [`insert_slow`](Self::insert_slow).
    #[inline(always)]
    fn insert(&mut self, key: Key, value: AnyValue) {
        let len = self.inline_len as usize;
        if len < INLINE_ATTRIBUTES
            && len < self.limits.attribute_count_limit as usize
            && self.limits.attribute_value_length_limit.is_none()
            && !self.inline[..len]
                .iter()
                .any(|slot| slot.as_ref().is_some_and(|(k, _)| *k == key))
        {
            // Below `inline_len` every slot is `Some` and from it on `None` (the overflow is
            // empty while the inline slots are not full).
            self.inline[len] = Some((key, value));
            self.inline_len += 1;
            return;
        }
        self.insert_slow(key, value)
    }

    #[inline(never)]
    fn insert_slow(&mut self, key: Key, mut value: AnyValue) {
        if let Some(limit) = self.limits.attribute_value_length_limit {
            truncate(&mut value, limit as usize);
        }
        let len = self.inline_len as usize;
        for (k, v) in self.inline[..len].iter_mut().flatten() {
            if *k == key {
                *v = value;
                return;
            }
        }
        if let Some((_, v)) = self.overflow.iter_mut().find(|(k, _)| *k == key) {
            *v = value;
            return;
        }
        if self.attributes_len() >= self.limits.attribute_count_limit as usize {
            self.dropped_attributes_count = self.dropped_attributes_count.saturating_add(1);
            if !self.limit_reported {
                self.limit_reported = true;
                otel_warn!(
                    "LogRecord.AttributeLimitReached",
                    "a log record reached its attribute count limit ({}): attribute {key} and \
                     any further ones are dropped (reported once per record)",
                    self.limits.attribute_count_limit
                );
            }
            return;
        }
        if len < INLINE_ATTRIBUTES {
            self.inline[len] = Some((key, value));
            self.inline_len += 1;
        } else {
            self.overflow.push((key, value));
        }
    }
}

/// Truncates strings and byte arrays to `limit` (characters, bytes), recursively in lists
/// and maps.
fn truncate(value: &mut AnyValue, limit: usize) {
    match value {
        AnyValue::String(s) => {
            let text = s.as_str();
            // The byte length bounds the character count: most values need no scan.
            if text.len() > limit {
                if let Some((end, _)) = text.char_indices().nth(limit) {
                    *s = StringValue::from(text[..end].to_owned());
                }
            }
        }
        AnyValue::Bytes(b) => b.truncate(limit),
        AnyValue::ListAny(items) => items.iter_mut().for_each(|v| truncate(v, limit)),
        AnyValue::Map(entries) => entries.iter_mut().for_each(|(_, v)| truncate(v, limit)),
        // Numbers, booleans, and any kind added later: nothing to truncate.
        _ => {}
    }
}

impl LogRecord for SdkLogRecord {
    #[inline]
    fn set_timestamp(&mut self, timestamp: SystemTime) {
        self.timestamp = Some(timestamp);
    }

    #[inline]
    fn set_observed_timestamp(&mut self, timestamp: SystemTime) {
        self.observed_timestamp = Some(timestamp);
    }

    #[inline]
    fn set_severity_number(&mut self, severity: Severity) {
        self.severity_number = Some(severity);
    }

    #[inline]
    fn set_severity_text(&mut self, text: &'static str) {
        self.severity_text = Some(text);
    }

    #[inline]
    fn set_body(&mut self, body: AnyValue) {
        self.body = Some(body);
    }

    // Always inlined: passing a key and a value by value to an out-of-line call costs more
    // than the common-case insert itself (the callee reloads them from the stack).
    #[inline(always)]
    fn record_attribute(&mut self, key: Key, value: AnyValue) {
        self.insert(key, value)
    }

    #[inline]
    fn set_event_name(&mut self, name: &'static str) {
        self.event_name = Some(name);
    }

    #[inline]
    fn set_trace_context(
        &mut self,
        trace_id: TraceId,
        span_id: SpanId,
        trace_flags: Option<TraceFlags>,
    ) {
        self.trace_context = Some(TraceContext {
            trace_id,
            span_id,
            trace_flags,
        });
    }

    #[inline]
    fn record_target(&mut self, target: Cow<'static, str>) {
        self.target = Some(target);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(count: u32, len: Option<u32>) -> LogRecordLimits {
        LogRecordLimits {
            attribute_count_limit: count,
            attribute_value_length_limit: len,
        }
    }

    #[test]
    fn attributes_are_unique_ordered_and_spill_past_the_inline_ones() {
        let mut r = SdkLogRecord::new(limits(128, None));
        for i in 0..8i64 {
            r.add_attribute(format!("k{i}"), i);
        }
        r.add_attribute("k2", 20i64);
        r.add_attribute("k6", 60i64);
        assert_eq!(r.attributes_len(), 8);
        let values: Vec<_> = r.attributes_iter().map(|(_, v)| v.clone()).collect();
        let expected: Vec<AnyValue> = [0, 1, 20, 3, 4, 5, 60, 7]
            .into_iter()
            .map(AnyValue::Int)
            .collect();
        assert_eq!(values, expected);
        assert_eq!(r.remove_attribute(&Key::from("k1")), Some(AnyValue::Int(1)));
        assert_eq!(r.remove_attribute(&Key::from("k7")), Some(AnyValue::Int(7)));
        assert_eq!(r.remove_attribute(&Key::from("nope")), None);
        let keys: Vec<_> = r.attributes_iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ["k0", "k2", "k3", "k4", "k5", "k6"]);
        for key in keys {
            assert!(r.remove_attribute(&Key::from(key)).is_some());
        }
        assert_eq!(r.attributes_len(), 0);
    }

    #[test]
    fn count_limit_drops_and_counts_but_replacing_is_allowed() {
        let mut r = SdkLogRecord::new(limits(2, None));
        r.add_attribute("a", 1i64);
        r.add_attribute("b", 2i64);
        r.add_attribute("c", 3i64);
        r.add_attribute("a", 10i64);
        r.add_attribute("d", 4i64);
        assert_eq!(r.attributes_len(), 2);
        assert_eq!(r.dropped_attributes_count(), 2);
        assert_eq!(r.get_attribute(&Key::from("a")), Some(&AnyValue::Int(10)));
        let mut zero = SdkLogRecord::new(limits(0, None));
        zero.add_attribute("a", 1i64);
        assert_eq!(
            (zero.attributes_len(), zero.dropped_attributes_count()),
            (0, 1)
        );
    }

    #[test]
    fn value_length_limit_truncates_strings_and_bytes_recursively() {
        let mut r = SdkLogRecord::new(limits(128, Some(3)));
        r.add_attribute("s", "héllo");
        r.add_attribute("short", "ab");
        r.add_attribute("bytes", vec![1u8, 2, 3, 4, 5]);
        r.add_attribute("n", 123456i64);
        let list: AnyValue = ["abcdef", "xy"].into_iter().collect();
        r.add_attribute("list", list);
        let map: AnyValue = [("inner", "abcdef")].into_iter().collect();
        r.add_attribute("map", map);
        let get = |k: &str| r.get_attribute(&Key::from(k.to_owned())).cloned();
        assert_eq!(get("s"), Some(AnyValue::from("hél")));
        assert_eq!(get("short"), Some(AnyValue::from("ab")));
        assert_eq!(get("bytes"), Some(AnyValue::from(vec![1u8, 2, 3])));
        assert_eq!(get("n"), Some(AnyValue::Int(123456)));
        assert_eq!(get("list"), Some(["abc", "xy"].into_iter().collect()));
        assert_eq!(get("map"), Some([("inner", "abc")].into_iter().collect()));
        // The body is not an attribute: never truncated.
        r.set_body(AnyValue::from("a long body"));
        assert_eq!(r.body(), Some(&AnyValue::from("a long body")));
    }
}
