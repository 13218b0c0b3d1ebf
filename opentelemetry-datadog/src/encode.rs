//! The intake's wire formats: MessagePack `/v0.4/traces` (maps) and `/v0.5/traces` (a string
//! table and 12-element span arrays).

use crate::model::{self, AttrValue, ErrorInfo, ModelConfig};
use crate::msgpack::MsgPackWrite;
use opentelemetry_api::trace::SpanKind;
use opentelemetry_api::InstrumentationScope;
use opentelemetry_sdk::trace::SpanData;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

/// The version of the agent's trace intake API to send to.
///
/// ```
/// use opentelemetry_datadog::ApiVersion;
/// assert_eq!(ApiVersion::default(), ApiVersion::Version05);
/// assert_eq!(ApiVersion::Version04.path(), "/v0.4/traces");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiVersion {
    /// `/v0.4/traces`: an array of traces, each an array of spans as MessagePack maps.
    Version04,
    /// `/v0.5/traces`: a string table and the traces, each span a 12-element array whose
    /// strings are indices into the table (smaller payloads; the default).
    #[default]
    Version05,
}

impl ApiVersion {
    /// The intake path of this version.
    pub fn path(self) -> &'static str {
        match self {
            ApiVersion::Version04 => "/v0.4/traces",
            ApiVersion::Version05 => "/v0.5/traces",
        }
    }
}

/// An encoded batch.
#[derive(Debug)]
pub(crate) struct Payload {
    pub(crate) body: Vec<u8>,
    pub(crate) trace_count: usize,
}

/// Encodes `batch` for `version`, spans grouped by trace (in their batch order within one
/// trace). `size_hint` preallocates the body.
pub(crate) fn encode(
    version: ApiVersion,
    batch: &[SpanData],
    config: &ModelConfig,
    size_hint: usize,
) -> Payload {
    let traces = group_by_trace(batch);
    let names = if config.name_mapping.is_none() {
        Names::of(batch)
    } else {
        Names::default()
    };
    match version {
        ApiVersion::Version04 => {
            let mut body = Vec::with_capacity(size_hint);
            write_traces::<false, _>(&mut body, &mut Inline, batch, &traces, config, &names);
            Payload {
                body,
                trace_count: traces.len(),
            }
        }
        ApiVersion::Version05 => {
            let mut spans = Vec::with_capacity(size_hint);
            let mut interner = Interner::new(batch.len());
            write_traces::<true, _>(&mut spans, &mut interner, batch, &traces, config, &names);
            let mut body = Vec::with_capacity(interner.table.len() + spans.len() + 10);
            body.mp_array_len(2);
            body.mp_array_len(interner.count);
            body.extend_from_slice(&interner.table);
            body.extend_from_slice(&spans);
            Payload {
                body,
                trace_count: traces.len(),
            }
        }
    }
}

/// The batch's span indices grouped by trace: `(start, end)` ranges of the returned order.
struct Traces {
    order: Vec<u32>,
    ranges: Vec<(u32, u32)>,
}

impl Traces {
    fn len(&self) -> usize {
        self.ranges.len()
    }
}

fn group_by_trace(batch: &[SpanData]) -> Traces {
    let mut order: Vec<u32> = (0..batch.len() as u32).collect();
    // Stable, so spans of one trace keep their batch order.
    order.sort_by_key(|&i| batch[i as usize].span_context.trace_id());
    let mut ranges = Vec::new();
    let mut start = 0usize;
    for i in 1..=order.len() {
        if i == order.len()
            || batch[order[i] as usize].span_context.trace_id()
                != batch[order[start] as usize].span_context.trace_id()
        {
            ranges.push((start as u32, i as u32));
            start = i;
        }
    }
    Traces { order, ranges }
}

/// Where strings go: inline (v0.4) or as string-table indices (v0.5).
trait StrOut<'a> {
    /// Writes a string that lives as long as the batch.
    fn borrowed(&mut self, out: &mut Vec<u8>, s: &'a str);
    /// Writes a string that does not (copied if it must be kept).
    fn temp(&mut self, out: &mut Vec<u8>, s: &str);
    /// Writes either.
    #[inline]
    fn cow(&mut self, out: &mut Vec<u8>, s: Cow<'a, str>) {
        match s {
            Cow::Borrowed(b) => self.borrowed(out, b),
            Cow::Owned(o) => self.temp(out, &o),
        }
    }
}

/// v0.4: every string inline.
struct Inline;

impl<'a> StrOut<'a> for Inline {
    #[inline]
    fn borrowed(&mut self, out: &mut Vec<u8>, s: &'a str) {
        out.mp_str(s);
    }
    #[inline]
    fn temp(&mut self, out: &mut Vec<u8>, s: &str) {
        out.mp_str(s);
    }
}

/// v0.5: strings are written once to the table (encoded as they are added, so the table is
/// ready to copy at the end) and referred to by index.
///
/// In front of the hash map, a small direct-mapped cache keyed by the address and length of
/// strings borrowed from the batch: attribute keys, span names and the like usually point to
/// the same `'static` text in every span, so most lookups compare two integers instead of
/// hashing. Only strings that live for the whole encoding (`'a`) enter the cache, so an
/// address cannot be reused by other text while it is in use.
struct Interner<'a> {
    map: HashMap<Cow<'a, str>, u32, SeededFx>,
    table: Vec<u8>,
    count: u32,
    by_address: Box<[(usize, usize, u32); ADDRESS_CACHE]>,
}

const ADDRESS_CACHE: usize = 256;

impl<'a> Interner<'a> {
    fn new(spans: usize) -> Self {
        let mut interner = Interner {
            map: HashMap::with_capacity_and_hasher(spans.max(8) * 2, SeededFx::get()),
            table: Vec::with_capacity(spans * 32),
            count: 0,
            // (0, 0) stands for the empty string, which is index 0.
            by_address: Box::new([(0, 0, 0); ADDRESS_CACHE]),
        };
        // Index 0 is the empty string, as in Datadog's own encoders.
        interner.index(Cow::Borrowed(""));
        interner
    }

    #[inline]
    fn index(&mut self, s: Cow<'a, str>) -> u32 {
        if let Some(&i) = self.map.get(s.as_ref()) {
            return i;
        }
        let i = self.count;
        self.table.mp_str(&s);
        self.map.insert(s, i);
        self.count += 1;
        i
    }
}

impl<'a> StrOut<'a> for Interner<'a> {
    #[inline]
    fn borrowed(&mut self, out: &mut Vec<u8>, s: &'a str) {
        let address = s.as_ptr() as usize;
        let slot = ((address >> 3) ^ (address >> 12) ^ s.len()) % ADDRESS_CACHE;
        let (a, len, i) = self.by_address[slot];
        // Equal addresses and lengths of live strings mean equal text (any two empty strings
        // are equal too).
        let i = if a == address && len == s.len() {
            i
        } else {
            let i = self.index(Cow::Borrowed(s));
            self.by_address[slot] = (address, s.len(), i);
            i
        };
        out.mp_uint(i as u64);
    }
    #[inline]
    fn temp(&mut self, out: &mut Vec<u8>, s: &str) {
        let i = match self.map.get(s) {
            Some(&i) => i,
            None => self.index(Cow::Owned(s.to_owned())),
        };
        out.mp_uint(i as u64);
    }
}

/// A fast multiply-rotate string hash (in the style of rustc's FxHash), seeded per process
/// from std's random state so that colliding strings cannot be precomputed. The table lives
/// for one payload only.
#[derive(Clone, Copy)]
struct SeededFx(u64);

impl SeededFx {
    fn get() -> Self {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        SeededFx(*SEED.get_or_init(|| std::collections::hash_map::RandomState::new().hash_one(0u8)))
    }
}

impl BuildHasher for SeededFx {
    type Hasher = FxHasher;
    #[inline]
    fn build_hasher(&self) -> FxHasher {
        FxHasher(self.0)
    }
}

struct FxHasher(u64);

const FX_K: u64 = 0xf135_7aea_2e62_a9c5;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(FX_K).rotate_left(26);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The default operation names of a batch, by scope and kind, computed before encoding so
/// that the strings live (at stable addresses) as long as the encoding.
#[derive(Default)]
struct Names(Vec<(*const InstrumentationScope, SpanKind, String)>);

impl Names {
    fn position(&self, span: &SpanData) -> Option<usize> {
        let scope: *const InstrumentationScope = span.instrumentation_scope;
        self.0
            .iter()
            .position(|(s, k, _)| std::ptr::eq(*s, scope) && *k == span.span_kind)
    }

    fn of(batch: &[SpanData]) -> Names {
        let mut names = Names::default();
        for span in batch {
            if names.position(span).is_none() {
                names.0.push((
                    span.instrumentation_scope,
                    span.span_kind,
                    model::default_name(span),
                ));
            }
        }
        names
    }

    fn get(&self, span: &SpanData) -> &str {
        // Every span's scope and kind were added by `of`.
        self.position(span).map_or("", |p| &self.0[p].2)
    }
}

fn write_traces<'a, const V05: bool, S: StrOut<'a>>(
    out: &mut Vec<u8>,
    strs: &mut S,
    batch: &'a [SpanData],
    traces: &Traces,
    config: &'a ModelConfig,
    names: &'a Names,
) {
    out.mp_array_len(traces.len() as u32);
    for &(start, end) in &traces.ranges {
        out.mp_array_len(end - start);
        for &i in &traces.order[start as usize..end as usize] {
            write_span::<V05, S>(out, strs, &batch[i as usize], config, names);
        }
    }
}

/// Writes a map key (v0.4 only: v0.5 spans are arrays).
#[inline]
fn key<const V05: bool>(out: &mut Vec<u8>, k: &str) {
    if !V05 {
        out.mp_str(k);
    }
}

fn write_span<'a, const V05: bool, S: StrOut<'a>>(
    out: &mut Vec<u8>,
    strs: &mut S,
    span: &'a SpanData,
    config: &'a ModelConfig,
    names: &'a Names,
) {
    let sc = &span.span_context;
    let trace_id = u128::from(sc.trace_id());
    let trace_id_high = (trace_id >> 64) as u64;
    let (priority, origin) = model::priority_and_origin(span);
    let error = ErrorInfo::of(span);

    let parent_id = u64::from(span.parent_span_id);
    if V05 {
        out.mp_array_len(12);
    } else {
        // As Datadog's own v0.4 encoders do, a zero `parent_id` and `error` are left out (the
        // agent reads a missing field as zero).
        out.mp_map_len(12 - (parent_id == 0) as u32 - (!error.is_error) as u32);
    }
    key::<V05>(out, "service");
    strs.borrowed(out, &config.service);
    key::<V05>(out, "name");
    match &config.name_mapping {
        Some(f) => strs.cow(out, f(span)),
        None => strs.borrowed(out, names.get(span)),
    }
    key::<V05>(out, "resource");
    match &config.resource_mapping {
        Some(f) => strs.cow(out, f(span)),
        None => strs.borrowed(out, &span.name),
    }
    key::<V05>(out, "trace_id");
    out.mp_uint(trace_id as u64);
    key::<V05>(out, "span_id");
    out.mp_uint(u64::from(sc.span_id()));
    if V05 || parent_id != 0 {
        key::<V05>(out, "parent_id");
        out.mp_uint(parent_id);
    }
    let start = model::unix_nanos(span.start_time);
    key::<V05>(out, "start");
    out.mp_int(start);
    key::<V05>(out, "duration");
    out.mp_int(
        model::unix_nanos(span.end_time)
            .saturating_sub(start)
            .max(0),
    );
    if V05 || error.is_error {
        key::<V05>(out, "error");
        out.mp_uint(error.is_error as u64);
    }

    // meta: string attributes and the tags derived from the span and its trace state.
    let mut attr_meta = 0u32;
    let mut attr_metrics = 0u32;
    for kv in &span.attributes {
        match model::attr_is_meta(kv.key.as_str(), &kv.value) {
            Some(true) => attr_meta += 1,
            Some(false) => attr_metrics += 1,
            None => {}
        }
    }
    let meta_len = attr_meta
        + 1 // span.kind
        + error.meta_count()
        + config.env.is_some() as u32
        + config.version.is_some() as u32
        + origin.is_some() as u32
        + (trace_id_high != 0) as u32;
    key::<V05>(out, "meta");
    out.mp_map_len(meta_len);
    for kv in &span.attributes {
        match model::attr_value(kv.key.as_str(), &kv.value) {
            Some(AttrValue::Str(s)) => {
                strs.borrowed(out, kv.key.as_str());
                strs.borrowed(out, s);
            }
            Some(AttrValue::Formatted(s)) => {
                strs.borrowed(out, kv.key.as_str());
                strs.temp(out, &s);
            }
            None => {}
        }
    }
    strs.borrowed(out, "span.kind");
    strs.borrowed(out, model::kind_str(span.span_kind));
    if let Some(m) = error.message {
        strs.borrowed(out, "error.message");
        strs.borrowed(out, m);
    }
    if let Some(t) = error.kind {
        strs.borrowed(out, "error.type");
        strs.borrowed(out, t);
    }
    if let Some(s) = error.stack {
        strs.borrowed(out, "error.stack");
        strs.borrowed(out, s);
    }
    if let Some(env) = &config.env {
        strs.borrowed(out, "env");
        strs.borrowed(out, env);
    }
    if let Some(version) = &config.version {
        strs.borrowed(out, "version");
        strs.borrowed(out, version);
    }
    if let Some(origin) = origin {
        strs.borrowed(out, model::ORIGIN_KEY);
        strs.cow(out, crate::dd_state::decode_origin(origin));
    }
    if trace_id_high != 0 {
        let mut hex = [0u8; 16];
        encode_hex_u64(trace_id_high, &mut hex);
        strs.borrowed(out, model::TRACE_ID_HIGH_KEY);
        // Only ASCII hex digits: always valid UTF-8.
        strs.temp(out, std::str::from_utf8(&hex).unwrap_or_default());
    }

    // metrics: numeric attributes and the sampling priority.
    key::<V05>(out, "metrics");
    out.mp_map_len(attr_metrics + 1);
    for kv in &span.attributes {
        if let Some(n) = model::attr_number(kv.key.as_str(), &kv.value) {
            strs.borrowed(out, kv.key.as_str());
            out.mp_f64(n);
        }
    }
    strs.borrowed(out, model::SAMPLING_PRIORITY_KEY);
    out.mp_f64(priority as f64);

    key::<V05>(out, "type");
    strs.borrowed(out, model::span_type(span));
}

/// 16 lower-case hex digits of `v`.
pub(crate) fn encode_hex_u64(v: u64, out: &mut [u8; 16]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (i, o) in out.iter_mut().enumerate() {
        *o = HEX[((v >> (60 - 4 * i)) & 0xf) as usize];
    }
}
