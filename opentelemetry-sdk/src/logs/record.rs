//! The SDK's log record: every field of the logs data model, readable and writable.

use super::limits::LogRecordLimits;
use opentelemetry_api::logs::{LogRecord, Severity};
use opentelemetry_api::trace::{SpanId, TraceFlags, TraceId};
use opentelemetry_api::{otel_warn, AnyValue, Key, StringValue};
use std::borrow::Cow;
use std::fmt;
use std::mem::{ManuallyDrop, MaybeUninit};
use std::time::SystemTime;

/// Attributes kept inline, without allocating; more spill into a `Vec`.
const INLINE_ATTRIBUTES: usize = 5;

type Attribute = (Key, AnyValue);

/// An unused inline slot: creating a record writes nothing into its slots.
const UNSET: MaybeUninit<Attribute> = MaybeUninit::uninit();

/// The bit of a key in a record's key filter: set for every key the record holds, so that a
/// key whose bit is clear is certainly new (no comparison needed).
#[inline(always)]
fn key_bit(key: &Key) -> u64 {
    let s = key.as_str().as_bytes();
    let last = s.last().copied().unwrap_or(0) as usize;
    1u64 << ((s.len().wrapping_mul(7) ^ last) & 63)
}

/// How many inline slots new keys may take on the fast path of a record obeying some limits:
/// `INLINE_ATTRIBUTES` capped by the count limit, none when values must be truncated.
/// Invariant: at most `INLINE_ATTRIBUTES` (the only constructor is [`InlineFast::of`]), which
/// the unchecked fast-path write relies on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InlineFast(u8);

impl InlineFast {
    /// The value for `limits` (the provider computes it once, not for every record).
    #[inline]
    pub(crate) fn of(limits: &LogRecordLimits) -> Self {
        InlineFast(if limits.attribute_value_length_limit.is_none() {
            // At most `INLINE_ATTRIBUTES` (5): fits a `u8`.
            limits.attribute_count_limit.min(INLINE_ATTRIBUTES as u32) as u8
        } else {
            0
        })
    }
}

/// Whether dropping `value` has work to do (it owns or shares memory). Folds to a constant
/// for a value built in place from a number, a boolean or a static string.
#[inline(always)]
fn value_owns(value: &AnyValue) -> bool {
    match value {
        AnyValue::Int(_) | AnyValue::Double(_) | AnyValue::Boolean(_) => false,
        AnyValue::String(s) => s.is_heap_allocated(),
        _ => true,
    }
}

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
pub struct SdkLogRecord {
    pub(crate) event_name: Option<&'static str>,
    pub(crate) target: Option<Cow<'static, str>>,
    pub(crate) timestamp: Option<SystemTime>,
    pub(crate) observed_timestamp: Option<SystemTime>,
    pub(crate) trace_context: Option<TraceContext>,
    pub(crate) severity_text: Option<&'static str>,
    pub(crate) severity_number: Option<Severity>,
    // The drop glue of these three is replaced by `Drop for SdkLogRecord`, which skips what
    // owns nothing (most attributes of a record are numbers, booleans and static strings).
    body: ManuallyDrop<Option<AnyValue>>,
    /// Invariant: `inline[..inline_len]` are initialized attributes (`inline_len <=
    /// INLINE_ATTRIBUTES`), the rest uninitialized. Uninitialized slots cost nothing to
    /// create (a record is created for every log call).
    inline: [MaybeUninit<Attribute>; INLINE_ATTRIBUTES],
    overflow: ManuallyDrop<Vec<(Key, AnyValue)>>,
    inline_len: u8,
    /// How many inline slots a new key may take without the slow path: `INLINE_ATTRIBUTES`
    /// capped by the count limit, 0 when values must be truncated. Invariant: at most
    /// `INLINE_ATTRIBUTES` (taken from an [`InlineFast`], copied by `clone`).
    inline_fast: u8,
    limit_reported: bool,
    dropped_attributes_count: u32,
    /// `key_bit` of every key held (a key whose bit is clear is new).
    key_filter: u64,
    /// Whether the body or an attribute may own memory, or attributes spilled into
    /// `overflow`: when not, dropping the record releases nothing of them (set whenever one
    /// that owns is stored, and on the first spill; never cleared).
    owns: bool,
    limits: LogRecordLimits,
}

impl Drop for SdkLogRecord {
    // Always inlined: for the common record (numbers, booleans, static and inline strings,
    // at most five attributes) dropping is one test of `owns`.
    #[inline(always)]
    fn drop(&mut self) {
        if self.owns {
            self.release();
        }
    }
}

impl PartialEq for SdkLogRecord {
    fn eq(&self, other: &Self) -> bool {
        self.event_name == other.event_name
            && self.target == other.target
            && self.timestamp == other.timestamp
            && self.observed_timestamp == other.observed_timestamp
            && self.trace_context == other.trace_context
            && self.severity_text == other.severity_text
            && self.severity_number == other.severity_number
            && *self.body == *other.body
            && self.inline_ref() == other.inline_ref()
            && *self.overflow == *other.overflow
            && self.dropped_attributes_count == other.dropped_attributes_count
            && self.limits == other.limits
    }
}

impl Clone for SdkLogRecord {
    fn clone(&self) -> Self {
        if !self.owns {
            // The common record (what processors clone to keep): no attribute to walk.
            return self.clone_plain();
        }
        let mut inline = [UNSET; INLINE_ATTRIBUTES];
        for (slot, attribute) in inline.iter_mut().zip(self.inline_ref()) {
            slot.write(attribute.clone());
        }
        // A clone panicking above leaks the clones made so far (nothing unsound): the
        // record below, which would drop them, does not exist yet.
        SdkLogRecord {
            event_name: self.event_name,
            target: self.target.clone(),
            timestamp: self.timestamp,
            observed_timestamp: self.observed_timestamp,
            trace_context: self.trace_context,
            severity_text: self.severity_text,
            severity_number: self.severity_number,
            body: self.body.clone(),
            inline,
            overflow: self.overflow.clone(),
            inline_len: self.inline_len,
            inline_fast: self.inline_fast,
            limit_reported: self.limit_reported,
            dropped_attributes_count: self.dropped_attributes_count,
            key_filter: self.key_filter,
            owns: self.owns,
            limits: self.limits,
        }
    }
}

impl fmt::Debug for SdkLogRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkLogRecord")
            .field("event_name", &self.event_name)
            .field("target", &self.target)
            .field("timestamp", &self.timestamp)
            .field("observed_timestamp", &self.observed_timestamp)
            .field("trace_context", &self.trace_context)
            .field("severity_text", &self.severity_text)
            .field("severity_number", &self.severity_number)
            .field("body", &*self.body)
            .field("attributes", &self.attributes_iter().collect::<Vec<_>>())
            .field("dropped_attributes_count", &self.dropped_attributes_count)
            .field("limits", &self.limits)
            .finish()
    }
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
        SdkLogRecord::with_inline_fast(limits, InlineFast::of(&limits))
    }

    /// An empty record obeying `limits`, with `inline_fast` computed beforehand from the same
    /// limits (the provider does it once).
    #[inline(always)]
    pub(crate) fn with_inline_fast(limits: LogRecordLimits, inline_fast: InlineFast) -> Self {
        SdkLogRecord {
            event_name: None,
            target: None,
            timestamp: None,
            observed_timestamp: None,
            trace_context: None,
            severity_text: None,
            severity_number: None,
            body: ManuallyDrop::new(None),
            inline: [UNSET; INLINE_ATTRIBUTES],
            overflow: ManuallyDrop::new(Vec::new()),
            inline_len: 0,
            inline_fast: inline_fast.0,
            limit_reported: false,
            dropped_attributes_count: 0,
            key_filter: 0,
            owns: false,
            limits,
        }
    }

    /// A clone of a record that owns nothing (`!owns`): the body and the inline attributes
    /// are copied bit for bit instead of value by value.
    #[inline]
    fn clone_plain(&self) -> Self {
        debug_assert!(!self.owns && self.overflow.capacity() == 0);
        // SAFETY: the record does not `own`: its body and its initialized inline attributes
        // are numbers, booleans, and static or inline strings (keys too): values that hold
        // no memory and whose drop does nothing, so a bit-for-bit copy is an independent
        // value equal to the original (what `clone` would build), and two copies never
        // release anything twice. The uninitialized slots are copied as the uninitialized
        // `MaybeUninit`s they are (the copy's `inline_len` covers the same initialized
        // ones). The copy does not `own` either: its drop releases nothing of them.
        let (body, inline) = unsafe { (std::ptr::read(&self.body), std::ptr::read(&self.inline)) };
        SdkLogRecord {
            event_name: self.event_name,
            target: self.target.clone(),
            timestamp: self.timestamp,
            observed_timestamp: self.observed_timestamp,
            trace_context: self.trace_context,
            severity_text: self.severity_text,
            severity_number: self.severity_number,
            body,
            inline,
            // Never allocated: a spill sets `owns`.
            overflow: ManuallyDrop::new(Vec::new()),
            inline_len: self.inline_len,
            inline_fast: self.inline_fast,
            limit_reported: self.limit_reported,
            dropped_attributes_count: self.dropped_attributes_count,
            key_filter: self.key_filter,
            owns: false,
            limits: self.limits,
        }
    }

    /// Releases what the body and the attributes own: the work of `drop` for a record that
    /// may own memory. Called once, from `drop`.
    #[inline(never)]
    fn release(&mut self) {
        // SAFETY: called only from `drop` (once): `body` is dropped once, here, and not
        // used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.body) };
        let attributes: *mut [Attribute] = self.inline_mut();
        // SAFETY: the slice covers exactly the initialized slots (the invariant of
        // `inline`), which are dropped once, here, and not used afterwards.
        unsafe { std::ptr::drop_in_place(attributes) };
        // SAFETY: as for `body`.
        unsafe { ManuallyDrop::drop(&mut self.overflow) };
    }

    /// The initialized inline attributes.
    #[inline(always)]
    fn inline_ref(&self) -> &[Attribute] {
        let len = (self.inline_len as usize).min(INLINE_ATTRIBUTES);
        // SAFETY: `inline[..inline_len]` are initialized (the invariant of `inline`), and
        // `MaybeUninit<T>` has the layout of `T`.
        unsafe { std::slice::from_raw_parts(self.inline.as_ptr().cast::<Attribute>(), len) }
    }

    /// The initialized inline attributes, mutably.
    #[inline(always)]
    fn inline_mut(&mut self) -> &mut [Attribute] {
        let len = (self.inline_len as usize).min(INLINE_ATTRIBUTES);
        // SAFETY: as in `inline_ref`; the borrow of `self` is exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.inline.as_mut_ptr().cast::<Attribute>(), len) }
    }

    /// Stores `attribute` in the first unused inline slot. The caller checked that one is
    /// left (`inline_len < INLINE_ATTRIBUTES`); if not, nothing is stored (and the
    /// attribute is dropped).
    #[inline(always)]
    fn push_inline(&mut self, attribute: Attribute) {
        if let Some(slot) = self.inline.get_mut(self.inline_len as usize) {
            // The slot is unused (past `inline_len`): writing leaks nothing.
            slot.write(attribute);
            self.inline_len += 1;
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
        self.inline_ref().iter().chain(self.overflow.iter())
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
        if let Some(i) = self.inline_ref().iter().position(|(k, _)| k == key) {
            // Keep the order: shift the later inline ones down, then pull one from overflow.
            // SAFETY: slot `i < inline_len` is initialized; it is moved out here and, by the
            // rotation, ends up at `len - 1`, which is then either refilled or excluded by
            // decrementing `inline_len`: no slot is read or dropped twice.
            let (_, removed) = unsafe { self.inline[i].assume_init_read() };
            self.inline[i..len].rotate_left(1);
            self.inline_len -= 1;
            if !self.overflow.is_empty() {
                let next = self.overflow.remove(0);
                self.push_inline(next);
            }
            return Some(removed);
        }
        let i = self.overflow.iter().position(|(k, _)| k == key)?;
        Some(self.overflow.remove(i).1)
    }

    /// Sets or clears the trace context fields.
    pub fn set_trace_context_fields(&mut self, trace_context: Option<TraceContext>) {
        self.trace_context = trace_context;
    }

    /// Sets an attribute. The common case (a key that is certainly new, room inline, no
    /// length limit) is inlined into the caller: no key comparison, no drop. Everything else
    /// goes through [`insert_slow`](Self::insert_slow).
    #[inline(always)]
    fn insert(&mut self, key: Key, value: AnyValue) {
        let len = self.inline_len as usize;
        let bit = key_bit(&key);
        if len < self.inline_fast as usize && self.key_filter & bit == 0 {
            self.key_filter |= bit;
            self.owns |= key.is_heap_allocated() || value_owns(&value);
            debug_assert!(len < INLINE_ATTRIBUTES);
            // SAFETY: `len < inline_fast <= INLINE_ATTRIBUTES` (the invariant of
            // `inline_fast`), so the slot exists; it is past `inline_len`, hence unused:
            // writing leaks nothing, and counting it in `inline_len` right after keeps the
            // invariant of `inline`. Unchecked: the attribute is then built straight into
            // its slot, not copied there.
            unsafe { self.inline.get_unchecked_mut(len).write((key, value)) };
            self.inline_len += 1;
            return;
        }
        self.insert_slow(key, value, bit)
    }

    #[inline(never)]
    fn insert_slow(&mut self, key: Key, mut value: AnyValue, bit: u64) {
        if let Some(limit) = self.limits.attribute_value_length_limit {
            truncate(&mut value, limit as usize);
        }
        let len = self.inline_len as usize;
        // Conservative: an attribute that is replaced, dropped or spilled sets it too.
        self.owns |= key.is_heap_allocated() || value_owns(&value);
        if self.key_filter & bit != 0 {
            for (k, v) in self.inline_mut().iter_mut() {
                if *k == key {
                    *v = value;
                    return;
                }
            }
            if let Some((_, v)) = self.overflow.iter_mut().find(|(k, _)| *k == key) {
                *v = value;
                return;
            }
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
        self.key_filter |= bit;
        if len < INLINE_ATTRIBUTES {
            self.push_inline((key, value));
        } else {
            // The list's allocation is released by `drop` only for a record that `owns`.
            self.owns = true;
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
        self.owns |= value_owns(&body);
        // Assigning through the `ManuallyDrop` drops a previous body.
        *self.body = Some(body);
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

    /// Adds `exception.type` and `exception.message`, each unless the record already has it
    /// (the caller's attributes win, as the spec requires; one set later replaces it too).
    fn record_exception(&mut self, exception_type: &str, error: &dyn std::error::Error) {
        use opentelemetry_semantic_conventions::attribute::{EXCEPTION_MESSAGE, EXCEPTION_TYPE};
        let type_key = Key::from_static_str(EXCEPTION_TYPE);
        if self.get_attribute(&type_key).is_none() {
            self.record_attribute(type_key, AnyValue::from(exception_type.to_owned()));
        }
        let message_key = Key::from_static_str(EXCEPTION_MESSAGE);
        if self.get_attribute(&message_key).is_none() {
            self.record_attribute(message_key, AnyValue::from(error.to_string()));
        }
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
    fn keys_sharing_a_filter_bit_are_still_deduplicated() {
        let mut r = SdkLogRecord::new(limits(128, None));
        // Same length and last byte: the same filter bit.
        assert_eq!(key_bit(&Key::from("xa")), key_bit(&Key::from("ya")));
        r.add_attribute("xa", 1i64);
        r.add_attribute("ya", 2i64);
        r.add_attribute("xa", 3i64);
        r.add_attribute(String::from("ya"), 4i64);
        assert_eq!(r.attributes_len(), 2);
        assert_eq!(r.get_attribute(&Key::from("xa")), Some(&AnyValue::Int(3)));
        assert_eq!(r.get_attribute(&Key::from("ya")), Some(&AnyValue::Int(4)));
        // Removing keeps the filter conservative: a re-added key is not duplicated.
        assert_eq!(r.remove_attribute(&Key::from("xa")), Some(AnyValue::Int(3)));
        r.add_attribute("xa", 5i64);
        r.add_attribute("xa", 6i64);
        assert_eq!(r.attributes_len(), 2);
        assert_eq!(r.get_attribute(&Key::from("xa")), Some(&AnyValue::Int(6)));
    }

    #[test]
    fn owned_keys_and_values_are_released_by_drop_clone_and_replace() {
        use std::sync::Arc;
        let text: Arc<str> = Arc::from("shared text");
        let key: Arc<str> = Arc::from("shared.key");
        let mut r = SdkLogRecord::new(limits(128, None));
        r.set_body(AnyValue::from(StringValue::from(text.clone())));
        for i in 0..7 {
            // Inline and overflow slots, owned keys and values of every kind.
            r.add_attribute(format!("k{i}"), StringValue::from(text.clone()));
        }
        r.add_attribute(Key::from_arc(key.clone()), vec![1u8, 2]);
        r.add_attribute("list", ["a", "b"].into_iter().collect::<AnyValue>());
        let copy = r.clone();
        assert_eq!(copy, r);
        assert_eq!(Arc::strong_count(&text), 1 + 8 * 2);
        assert_eq!(Arc::strong_count(&key), 1 + 2);
        // Replacing a value and the body drops the previous ones.
        r.add_attribute("k0", 0i64);
        r.set_body(AnyValue::Int(1));
        assert_eq!(Arc::strong_count(&text), 1 + 6 + 8);
        drop(r);
        drop(copy);
        assert_eq!(Arc::strong_count(&text), 1);
        assert_eq!(Arc::strong_count(&key), 1);
    }

    #[test]
    fn records_owning_nothing_skip_release_and_others_still_release() {
        use std::sync::Arc;
        // Static and inline text only: nothing owned.
        let mut r = SdkLogRecord::new(limits(128, None));
        r.set_body(AnyValue::String(StringValue::copied("short body")));
        r.add_attribute("a", 1i64);
        r.add_attribute(Key::copied("b"), StringValue::copied("inline"));
        assert!(!r.owns);
        // Spilled attributes are released even by a record that owns nothing inline.
        let shared: Arc<str> = Arc::from("spilled");
        for i in 0..8 {
            r.add_attribute(format!("k{i}"), i64::from(i));
        }
        r.add_attribute("spill", StringValue::from(shared.clone()));
        assert_eq!(Arc::strong_count(&shared), 2);
        drop(r);
        assert_eq!(Arc::strong_count(&shared), 1);
        // An owned key, an owned body, a shared value: each makes the record release.
        for setup in [0, 1, 2] {
            let mut r = SdkLogRecord::new(limits(128, None));
            match setup {
                0 => r.add_attribute(Key::from_arc(shared.clone()), 1i64),
                1 => r.set_body(AnyValue::from(StringValue::from(shared.clone()))),
                _ => r.add_attribute("v", StringValue::from(shared.clone())),
            }
            assert!(r.owns);
            let copy = r.clone();
            assert_eq!(Arc::strong_count(&shared), 3);
            drop((r, copy));
            assert_eq!(Arc::strong_count(&shared), 1);
        }
    }

    #[test]
    fn removing_moves_owned_attributes_out_exactly_once() {
        use std::sync::Arc;
        let text: Arc<str> = Arc::from("shared");
        let mut r = SdkLogRecord::new(limits(128, None));
        for i in 0..7 {
            r.add_attribute(format!("k{i}"), StringValue::from(text.clone()));
        }
        assert_eq!(Arc::strong_count(&text), 8);
        // Inline (first, middle, last inline slot, pulling spilled ones in), then spilled.
        for key in ["k0", "k2", "k4", "k6"] {
            let removed = r.remove_attribute(&Key::from(key.to_owned()));
            assert_eq!(
                removed,
                Some(AnyValue::from(StringValue::from(text.clone())))
            );
        }
        assert_eq!(Arc::strong_count(&text), 4);
        let keys: Vec<_> = r.attributes_iter().map(|(k, _)| k.to_string()).collect();
        assert_eq!(keys, ["k1", "k3", "k5"]);
        let copy = r.clone();
        assert_eq!(copy, r);
        assert_eq!(Arc::strong_count(&text), 7);
        drop((r, copy));
        assert_eq!(Arc::strong_count(&text), 1);
    }

    #[test]
    fn the_fast_path_never_writes_past_the_inline_slots() {
        // Whatever the limits, the fast path covers at most the inline slots.
        for count in [0, 1, 3, 5, 6, 128, u32::MAX] {
            for len in [None, Some(0), Some(4), Some(u32::MAX)] {
                let l = limits(count, len);
                let fast = InlineFast::of(&l).0 as usize;
                assert!(fast <= INLINE_ATTRIBUTES);
                let expected = if len.is_none() {
                    (count as usize).min(INLINE_ATTRIBUTES)
                } else {
                    0
                };
                assert_eq!(fast, expected);
                assert_eq!(SdkLogRecord::new(l).inline_fast as usize, fast);
            }
        }
        // The widest fast path: the unchecked writes fill exactly the inline slots, in
        // order, and the rest spills.
        let l = limits(u32::MAX, None);
        let mut r = SdkLogRecord::with_inline_fast(l, InlineFast::of(&l));
        let text: std::sync::Arc<str> = std::sync::Arc::from("shared");
        for i in 0..(INLINE_ATTRIBUTES as i64 + 3) {
            r.add_attribute(format!("key{i}"), StringValue::from(text.clone()));
        }
        assert_eq!(r.inline_len as usize, INLINE_ATTRIBUTES);
        assert_eq!(r.attributes_len(), INLINE_ATTRIBUTES + 3);
        let keys: Vec<_> = r.attributes_iter().map(|(k, _)| k.to_string()).collect();
        let expected: Vec<_> = (0..INLINE_ATTRIBUTES + 3)
            .map(|i| format!("key{i}"))
            .collect();
        assert_eq!(keys, expected);
        drop(r);
        assert_eq!(std::sync::Arc::strong_count(&text), 1);
    }

    #[test]
    fn a_record_owning_nothing_clones_bit_for_bit_into_an_independent_record() {
        let mut r = SdkLogRecord::new(limits(128, None));
        r.set_body(AnyValue::String(StringValue::copied("inline body")));
        r.add_attribute("static", "value");
        r.add_attribute(
            Key::copied("inline.key"),
            StringValue::copied("inline value"),
        );
        r.add_attribute("n", 7i64);
        r.set_event_name("event");
        r.set_target(String::from("owned::target"));
        r.set_severity_number(Severity::Warn);
        assert!(!r.owns);
        let mut copy = r.clone();
        assert!(!copy.owns);
        assert_eq!(copy, r);
        let keys = |r: &SdkLogRecord| -> Vec<String> {
            r.attributes_iter().map(|(k, _)| k.to_string()).collect()
        };
        assert_eq!(keys(&copy), ["static", "inline.key", "n"]);
        assert_eq!(copy.target(), Some("owned::target"));
        // Changing the copy (replace, remove, add, spill, own) leaves the original alone.
        copy.add_attribute("n", 8i64);
        assert_eq!(
            copy.remove_attribute(&Key::from("static")),
            Some(AnyValue::from("value"))
        );
        for i in 0..6i64 {
            copy.add_attribute(format!("k{i}"), i);
        }
        copy.set_body(AnyValue::from(String::from("owned body")));
        assert_eq!(r.get_attribute(&Key::from("n")), Some(&AnyValue::Int(7)));
        assert_eq!(keys(&r), ["static", "inline.key", "n"]);
        assert_eq!(r.body(), Some(&AnyValue::from("inline body")));
        assert_eq!(copy.attributes_len(), 8);
        // A clone of a clone, dropped in any order.
        let again = r.clone();
        drop(r);
        assert_eq!(again.attributes_len(), 3);
        assert_eq!(
            again.get_attribute(&Key::from("inline.key")),
            Some(&AnyValue::from("inline value"))
        );
        drop((copy, again));
        // No attribute at all: the uninitialized slots are copied as such.
        let empty = SdkLogRecord::new(limits(128, None));
        assert_eq!(empty.clone(), empty);
    }

    #[test]
    fn a_record_that_only_spilled_releases_its_list() {
        // Numbers only (nothing owned inline), but spilled: the list is released.
        let mut r = SdkLogRecord::new(limits(128, None));
        for i in 0..INLINE_ATTRIBUTES as i64 {
            r.add_attribute(Key::copied(&format!("k{i}")), i);
        }
        assert!(!r.owns);
        r.add_attribute("spilled", 1i64);
        assert!(r.owns, "a spill makes the record release its list");
        let copy = r.clone();
        assert!(copy.owns);
        assert_eq!(copy, r);
        drop((r, copy));
        // A record that never spilled and owns nothing has nothing to release.
        let mut plain = SdkLogRecord::new(limits(128, None));
        plain.add_attribute("a", 1i64);
        assert!(!plain.owns && plain.overflow.capacity() == 0);
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
