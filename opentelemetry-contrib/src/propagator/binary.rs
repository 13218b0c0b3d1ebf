//! A binary encoding of a span context (the OpenCensus binary format, version 0).

use opentelemetry_api::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};

/// The length of an encoded span context.
pub const ENCODED_LEN: usize = 29;
const VERSION: u8 = 0;
const TRACE_ID_FIELD: u8 = 0;
const SPAN_ID_FIELD: u8 = 1;
const TRACE_OPTIONS_FIELD: u8 = 2;

/// Converts span contexts to and from bytes.
pub trait BinaryFormat {
    /// The span context as bytes.
    fn to_bytes(&self, context: &SpanContext) -> [u8; ENCODED_LEN];

    /// The span context encoded in `bytes`; an invalid context when they are not a valid
    /// encoding.
    // The name users of the upstream crate know; the format is a value, hence `&self`.
    #[allow(clippy::wrong_self_convention)]
    fn from_bytes(&self, bytes: &[u8]) -> SpanContext;
}

/// Encodes a span context in 29 bytes: version `0`, then field `0` and the 16-byte trace
/// ID, field `1` and the 8-byte span ID, field `2` and the trace options byte (bit 0:
/// sampled).
///
/// Decoding follows the OpenCensus reference decoders: the version must be 0 and the trace
/// ID field must come first; the span ID and trace options fields follow, each optional (a
/// missing span ID makes the context invalid, missing options mean "not sampled"), and
/// bytes after them are ignored. Anything else, or an all-zero ID, gives an invalid
/// ([`SpanContext::NONE`]) context; decoding never panics. Reserved option bits are ignored.
///
/// ```
/// use opentelemetry_api::trace::{SpanContext, SpanId, TraceFlags, TraceId, TraceState};
/// use opentelemetry_contrib::propagator::{BinaryFormat, BinaryPropagator};
///
/// let propagator = BinaryPropagator::new();
/// let sc = SpanContext::new(
///     TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap(),
///     SpanId::from_hex("00f067aa0ba902b7").unwrap(),
///     TraceFlags::SAMPLED,
///     false,
///     TraceState::NONE,
/// );
/// let bytes = propagator.to_bytes(&sc);
/// assert_eq!(bytes[0], 0);
/// let back = propagator.from_bytes(&bytes);
/// assert_eq!(back.trace_id(), sc.trace_id());
/// assert!(back.is_remote() && back.is_sampled());
/// assert!(!propagator.from_bytes(&bytes[..20]).is_valid());
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct BinaryPropagator {
    _private: (),
}

impl BinaryPropagator {
    /// The propagator.
    pub const fn new() -> Self {
        BinaryPropagator { _private: () }
    }
}

impl BinaryFormat for BinaryPropagator {
    fn to_bytes(&self, context: &SpanContext) -> [u8; ENCODED_LEN] {
        let mut out = [0u8; ENCODED_LEN];
        out[0] = VERSION;
        out[1] = TRACE_ID_FIELD;
        out[2..18].copy_from_slice(&context.trace_id().to_bytes());
        out[18] = SPAN_ID_FIELD;
        out[19..27].copy_from_slice(&context.span_id().to_bytes());
        out[27] = TRACE_OPTIONS_FIELD;
        out[28] = context.trace_flags().to_u8() & TraceFlags::SAMPLED.to_u8();
        out
    }

    fn from_bytes(&self, bytes: &[u8]) -> SpanContext {
        // As the OpenCensus reference decoders read it: version 0, then the trace ID field
        // (required), then the span ID and trace options fields (each optional, in order);
        // bytes after the known fields are ignored.
        let Some((&VERSION, mut rest)) = bytes.split_first() else {
            return SpanContext::NONE;
        };
        let trace_id = match rest {
            [TRACE_ID_FIELD, id @ ..] if id.len() >= 16 => {
                let mut buf = [0u8; 16];
                buf.copy_from_slice(&id[..16]);
                rest = &id[16..];
                TraceId::from_bytes(buf)
            }
            _ => return SpanContext::NONE,
        };
        let mut span_id = SpanId::INVALID;
        if let [SPAN_ID_FIELD, id @ ..] = rest {
            if id.len() >= 8 {
                let mut buf = [0u8; 8];
                buf.copy_from_slice(&id[..8]);
                span_id = SpanId::from_bytes(buf);
                rest = &id[8..];
            }
        }
        let options = match rest {
            [TRACE_OPTIONS_FIELD, options, ..] => *options,
            _ => 0,
        };
        if !trace_id.is_valid() || !span_id.is_valid() {
            return SpanContext::NONE;
        }
        SpanContext::new(
            trace_id,
            span_id,
            // Bits other than "sampled" are reserved: ignored.
            TraceFlags::new(options & TraceFlags::SAMPLED.to_u8()),
            true,
            TraceState::NONE,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sc(flags: TraceFlags) -> SpanContext {
        SpanContext::new(
            TraceId::from_bytes([1; 16]),
            SpanId::from_bytes([2; 8]),
            flags,
            false,
            TraceState::NONE,
        )
    }

    #[test]
    fn layout() {
        let bytes = BinaryPropagator::new().to_bytes(&sc(TraceFlags::SAMPLED));
        let mut want = vec![0u8, 0];
        want.extend([1; 16]);
        want.push(1);
        want.extend([2; 8]);
        want.extend([2, 1]);
        assert_eq!(bytes.to_vec(), want);
        // Only the sampled bit is carried.
        let random = BinaryPropagator::new().to_bytes(&sc(TraceFlags::SAMPLED.with_random(true)));
        assert_eq!(random[28], 1);
    }

    #[test]
    fn invalid_encodings() {
        let p = BinaryPropagator::new();
        let good = p.to_bytes(&sc(TraceFlags::SAMPLED));
        assert!(p.from_bytes(&good).is_valid());
        assert!(!p.from_bytes(&[]).is_valid());
        // Trailing bytes are ignored; missing options mean "not sampled".
        let mut longer = good.to_vec();
        longer.extend([3, 9, 9]);
        assert!(p.from_bytes(&longer).is_sampled());
        let no_options = p.from_bytes(&good[..27]);
        assert!(no_options.is_valid() && !no_options.is_sampled());
        // Without a span ID, or cut inside a field, or with a wrong version or field id.
        assert!(!p.from_bytes(&good[..18]).is_valid());
        assert!(!p.from_bytes(&good[..20]).is_valid());
        assert!(!p.from_bytes(&good[..10]).is_valid());
        for (i, v) in [(0, 1), (1, 5), (18, 0)] {
            let mut bad = good;
            bad[i] = v;
            assert!(!p.from_bytes(&bad).is_valid(), "byte {i} = {v}");
        }
        // An unknown field id where the options should be: options ignored.
        let mut other = good;
        other[27] = 7;
        assert!(p.from_bytes(&other).is_valid() && !p.from_bytes(&other).is_sampled());
        let mut reserved = good;
        reserved[28] = 0x81;
        assert!(p.from_bytes(&reserved).is_sampled());
        let zero_trace = p.to_bytes(&SpanContext::new(
            TraceId::INVALID,
            SpanId::from_bytes([2; 8]),
            TraceFlags::SAMPLED,
            false,
            TraceState::NONE,
        ));
        assert!(!p.from_bytes(&zero_trace).is_valid());
        // The invalid context round-trips to an invalid context.
        assert!(!p.from_bytes(&p.to_bytes(&SpanContext::NONE)).is_valid());
    }
}
