//! The OpenTelemetry entry of the W3C trace state (`ot=th:...;rv:...`): the sampling
//! threshold `th` and the explicit randomness value `rv` of consistent probability sampling
//! (spec: trace/tracestate-handling.md and trace/tracestate-probability-sampling.md).
//!
//! Thresholds and randomness values are 56-bit integers held in a `u64`. A threshold `T` is
//! a *rejection* threshold: a span is kept when its randomness `R >= T`, so `0` keeps every
//! span and [`MAX_THRESHOLD`] keeps one in 2^56.

use opentelemetry_api::trace::{TraceId, TraceState};
use std::fmt;

/// The trace state key of the OpenTelemetry entry.
pub(crate) const OT_KEY: &str = "ot";

/// Number of bits in thresholds and randomness values (the right-most 7 bytes of a W3C Level 2
/// trace ID).
pub(crate) const RANDOM_BITS: u32 = 56;

/// 2^56: the number of distinct randomness values; a threshold this large rejects everything.
pub(crate) const MAX_ADJUSTED_COUNT: u64 = 1 << RANDOM_BITS;

/// The largest valid threshold (sampling probability 2^-56).
pub(crate) const MAX_THRESHOLD: u64 = MAX_ADJUSTED_COUNT - 1;

/// The largest number of hex digits of a threshold or randomness value.
const HEX_DIGITS: usize = 14;

/// The W3C limit on the length of a trace state value, which the `ot` value must respect.
const MAX_OT_VALUE_LEN: usize = 256;

/// The precision (hex digits) the spec recommends SDKs use by default.
pub(crate) const DEFAULT_PRECISION: u8 = 4;

/// The randomness the trace ID carries: its right-most 56 bits.
#[inline]
pub(crate) fn trace_id_randomness(trace_id: TraceId) -> u64 {
    (u128::from(trace_id) as u64) & MAX_THRESHOLD
}

/// Parses a `th` value: 1 to 14 lower-case hex digits, extended with trailing zeros to 14.
pub(crate) fn parse_threshold(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > HEX_DIGITS {
        return None;
    }
    let v = parse_lower_hex(s)?;
    Some(v << (4 * (HEX_DIGITS - s.len())))
}

/// Parses an `rv` value: exactly 14 lower-case hex digits.
pub(crate) fn parse_randomness(s: &str) -> Option<u64> {
    if s.len() != HEX_DIGITS {
        return None;
    }
    parse_lower_hex(s)
}

fn parse_lower_hex(s: &str) -> Option<u64> {
    let mut v = 0u64;
    for c in s.bytes() {
        let d = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => return None,
        };
        v = (v << 4) | u64::from(d);
    }
    Some(v)
}

/// A threshold encoded for `th`: hex, 14 digits with trailing zeros removed (`0` for 0).
/// Returns the digits in a fixed buffer and their count (no allocation).
pub(crate) fn encode_threshold(threshold: u64) -> ([u8; HEX_DIGITS], usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let t = threshold & MAX_THRESHOLD;
    let mut buf = [b'0'; HEX_DIGITS];
    for (i, b) in buf.iter_mut().enumerate() {
        *b = HEX[((t >> (4 * (HEX_DIGITS - 1 - i))) & 0xf) as usize];
    }
    let mut len = HEX_DIGITS;
    while len > 1 && buf[len - 1] == b'0' {
        len -= 1;
    }
    (buf, len)
}

/// `encode_threshold` as a string slice of its buffer.
fn threshold_str(buf: &([u8; HEX_DIGITS], usize)) -> &str {
    // Only ASCII hex digits are written to the buffer.
    std::str::from_utf8(&buf.0[..buf.1]).unwrap_or("0")
}

/// The threshold `th` string of a threshold, as an owned string (tests and descriptions).
pub(crate) fn threshold_to_string(threshold: u64) -> String {
    threshold_str(&encode_threshold(threshold)).to_owned()
}

/// The rejection threshold for a sampling probability in `[2^-56, 1]`, rounded to
/// `precision` significant hex digits (1 to 14), the precision being raised by one digit per
/// four leading binary zeros of the probability so that small probabilities keep
/// `precision` significant digits (tracestate-probability-sampling.md, "Converting
/// floating-point probability to threshold value"). `None` for a probability outside that
/// range (or NaN). Precision 14 gives the exact threshold of the `f64` probability:
/// `2^56 - round(p * 2^56)`.
pub(crate) fn probability_to_threshold(probability: f64, precision: u8) -> Option<u64> {
    let min = 1.0 / MAX_ADJUSTED_COUNT as f64;
    if !(min..=1.0).contains(&probability) {
        return None;
    }
    if probability == 1.0 {
        return Some(0);
    }
    // p * 2^56 is exact in f64 (a power-of-two scaling of a normal number); rounding it to an
    // integer in [1, 2^56) gives the exact threshold. Ties go to even, as IEEE rounding does.
    let kept = (probability * MAX_ADJUSTED_COUNT as f64).round_ties_even() as u64;
    let exact = MAX_ADJUSTED_COUNT - kept.clamp(1, MAX_THRESHOLD);
    // frexp: probability = m * 2^exp with m in [0.5, 1). The probability is a normal f64 here
    // (>= 2^-56), so exp is the biased exponent minus 1022.
    let biased = ((probability.to_bits() >> 52) & 0x7ff) as i32;
    let exp = biased - 1022;
    let extra = (-exp).max(0) / 4;
    let digits = (i32::from(precision.clamp(1, HEX_DIGITS as u8)) + extra).clamp(1, 14) as u32;
    if digits as usize >= HEX_DIGITS {
        return Some(exact);
    }
    let shift = 4 * (HEX_DIGITS as u32 - digits);
    let half = 1u64 << (shift - 1);
    let rounded = ((exact + half) >> shift) << shift;
    if rounded > MAX_THRESHOLD {
        // Rounding up past the largest threshold: round down instead (a hair more sampling
        // rather than an invalid threshold).
        Some((exact >> shift) << shift)
    } else {
        Some(rounded)
    }
}

/// A parsed OpenTelemetry trace state value (`th:...;rv:...;other:...`), borrowing the
/// original text. Members other than `th` and `rv` are kept verbatim.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct OtTraceState<'a> {
    /// The whole `ot` value (empty when there is none).
    value: &'a str,
    /// The valid threshold, if `th` appears once with a valid value.
    pub(crate) threshold: Option<u64>,
    /// The raw `th` value when it appears exactly once (valid or not).
    th_raw: Option<&'a str>,
    /// Whether any `th` member appears (valid or not, possibly repeated).
    has_th: bool,
    /// The valid explicit randomness value, if `rv` appears once with a valid value.
    pub(crate) randomness: Option<u64>,
    /// Whether an `rv` member appears that is not valid (bad digits or repeated).
    invalid_rv: bool,
    /// The raw `rv` value when it is valid.
    rv_raw: Option<&'a str>,
}

impl<'a> OtTraceState<'a> {
    /// The `ot` entry of a trace state.
    pub(crate) fn from_trace_state(ts: &'a TraceState) -> Self {
        match ts.get(OT_KEY) {
            Some(v) => Self::parse(v),
            None => Self::default(),
        }
    }

    /// Parses an `ot` value. Never fails: an invalid `th` or `rv` is ignored (and dropped
    /// when the value is rewritten); a repeated key is invalid (keys must be unique).
    pub(crate) fn parse(value: &'a str) -> Self {
        let mut out = OtTraceState {
            value,
            ..Self::default()
        };
        let mut th_count = 0;
        let mut rv_count = 0;
        let mut rv_raw = None;
        for member in members(value) {
            match member.split_once(':') {
                Some(("th", v)) => {
                    th_count += 1;
                    out.th_raw = Some(v);
                }
                Some(("rv", v)) => {
                    rv_count += 1;
                    rv_raw = Some(v);
                }
                _ => {}
            }
        }
        out.has_th = th_count > 0;
        if th_count == 1 {
            out.threshold = out.th_raw.and_then(parse_threshold);
        } else {
            out.th_raw = None;
        }
        if rv_count == 1 {
            out.randomness = rv_raw.and_then(parse_randomness);
            if out.randomness.is_some() {
                out.rv_raw = rv_raw;
            }
        }
        out.invalid_rv = rv_count > 0 && out.randomness.is_none();
        out
    }

    /// The value with `th` set to `threshold` (or removed for `None`): `th` first, then a
    /// valid `rv`, then the other members in their order; an invalid `th` or `rv` is
    /// dropped. `None` when the value would not change. Built on the stack (no allocation).
    pub(crate) fn with_threshold(&self, threshold: Option<u64>) -> Option<OtValue> {
        let enc = threshold.map(encode_threshold);
        let unchanged = match &enc {
            None => !self.has_th,
            Some(e) => self.th_raw == Some(threshold_str(e)) && self.threshold.is_some(),
        };
        if unchanged && !self.invalid_rv {
            return None;
        }
        let mut out = OtValue::default();
        if let Some(e) = &enc {
            out.push_member("th:", threshold_str(e));
        }
        if let Some(rv) = self.rv_raw {
            out.push_member("rv:", rv);
        }
        for member in members(self.value) {
            if !matches!(member.split_once(':'), Some(("th" | "rv", _))) {
                out.push_member("", member);
            }
        }
        Some(out)
    }
}

/// An `ot` value being built, in a buffer of the largest valid length; what does not fit is
/// only counted.
pub(crate) struct OtValue {
    buf: [u8; MAX_OT_VALUE_LEN],
    /// The length of the whole value (may exceed the buffer).
    len: usize,
}

impl Default for OtValue {
    fn default() -> Self {
        OtValue {
            buf: [0; MAX_OT_VALUE_LEN],
            len: 0,
        }
    }
}

impl OtValue {
    /// Appends `;` (unless first), `prefix` and `value`.
    fn push_member(&mut self, prefix: &str, value: &str) {
        if self.len > 0 {
            self.push(";");
        }
        self.push(prefix);
        self.push(value);
    }

    fn push(&mut self, s: &str) {
        let end = self.len + s.len();
        if end <= MAX_OT_VALUE_LEN {
            self.buf[self.len..end].copy_from_slice(s.as_bytes());
        }
        self.len = end;
    }

    /// The length of the whole value.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The value, or `None` when it is longer than a trace state value may be.
    pub(crate) fn as_str(&self) -> Option<&str> {
        if self.len > MAX_OT_VALUE_LEN {
            return None;
        }
        // Only whole `&str`s were copied in, so the bytes are UTF-8.
        std::str::from_utf8(&self.buf[..self.len]).ok()
    }
}

impl fmt::Debug for OtValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_str() {
            Some(s) => fmt::Debug::fmt(s, f),
            None => write!(f, "<{} characters>", self.len),
        }
    }
}

/// The non-empty `;`-separated members of an `ot` value.
fn members(value: &str) -> impl Iterator<Item = &str> {
    value.split(';').filter(|m| !m.is_empty())
}

/// Why a trace state could not take a new `ot` value.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OtUpdateError {
    /// The value would exceed the 256 characters of a trace state value.
    #[error("the OpenTelemetry trace state value would be {0} characters (at most 256)")]
    TooLong(usize),
    /// The trace state rejected the value.
    #[error("the trace state rejected the OpenTelemetry value: {0}")]
    Rejected(String),
}

/// `ts` with the `ot` entry's threshold set (or removed), the other entries and `ot` members
/// kept. Returns `ts` itself (a reference-count increment) when nothing changes. The `ot`
/// entry moves to the front when rewritten and is deleted when left empty.
pub(crate) fn set_threshold(
    ts: &TraceState,
    ot: &OtTraceState<'_>,
    threshold: Option<u64>,
) -> Result<TraceState, OtUpdateError> {
    let Some(value) = ot.with_threshold(threshold) else {
        return Ok(ts.clone());
    };
    let Some(value) = value.as_str() else {
        return Err(OtUpdateError::TooLong(value.len()));
    };
    if value.is_empty() {
        return ts
            .delete(OT_KEY)
            .map_err(|e| OtUpdateError::Rejected(e.to_string()));
    }
    ts.insert(OT_KEY, value)
        .map_err(|e| OtUpdateError::Rejected(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    impl OtTraceState<'_> {
        fn with_threshold_str(&self, threshold: Option<u64>) -> Option<String> {
            self.with_threshold(threshold)
                .map(|v| v.as_str().unwrap().to_owned())
        }
    }

    fn th(p: f64, precision: u8) -> String {
        threshold_to_string(probability_to_threshold(p, precision).unwrap())
    }

    #[test]
    fn threshold_encoding_of_common_ratios() {
        assert_eq!(th(1.0, 4), "0");
        assert_eq!(th(0.5, 4), "8");
        assert_eq!(th(0.25, 4), "c");
        assert_eq!(th(0.125, 4), "e");
        assert_eq!(th(0.0625, 4), "f");
        assert_eq!(th(0.1, 4), "e666");
        assert_eq!(th(1.0 / 3.0, 4), "aaab");
        assert_eq!(th(2f64.powi(-56), 4), "ffffffffffffff");
        assert_eq!(
            probability_to_threshold(2f64.powi(-56), 4),
            Some(MAX_THRESHOLD)
        );
        // Full precision: the exact threshold of the f64 ratio.
        assert_eq!(th(0.1, 14), "e6666666666666");
        assert_eq!(th(1.0 / 3.0, 14), "aaaaaaaaaaaaac");
        assert_eq!(th(0.5, 14), "8");
    }

    #[test]
    fn threshold_precision_table_of_the_spec() {
        // tracestate-probability-sampling.md: 1-in-N thresholds at precision 3, 4 and 5.
        let table: &[(f64, [&str; 3])] = &[
            (1.0, ["0", "0", "0"]),
            (0.5, ["8", "8", "8"]),
            (1.0 / 3.0, ["aab", "aaab", "aaaab"]),
            (0.25, ["c", "c", "c"]),
            (0.2, ["ccd", "cccd", "ccccd"]),
            (0.125, ["e", "e", "e"]),
            (0.1, ["e66", "e666", "e6666"]),
            (0.0625, ["f", "f", "f"]),
            (0.01, ["fd71", "fd70a", "fd70a4"]),
            (0.001, ["ffbe7", "ffbe77", "ffbe76d"]),
            (0.0001, ["fff972", "fff9724", "fff97247"]),
            (0.00001, ["ffff584", "ffff583a", "ffff583a5"]),
            (0.000001, ["ffffef4", "ffffef39", "ffffef391"]),
        ];
        for (p, expected) in table {
            for (precision, want) in (3u8..=5).zip(expected) {
                assert_eq!(&th(*p, precision), want, "p={p} precision={precision}");
            }
        }
    }

    #[test]
    fn invalid_probabilities_have_no_threshold() {
        for p in [0.0, -0.5, 1.5, f64::NAN, 2f64.powi(-57), f64::INFINITY] {
            assert_eq!(probability_to_threshold(p, 4), None, "{p}");
        }
    }

    #[test]
    fn threshold_decoding_and_round_trip() {
        assert_eq!(parse_threshold("0"), Some(0));
        assert_eq!(parse_threshold("8"), Some(0x80_0000_0000_0000));
        assert_eq!(parse_threshold("c"), Some(0xc0_0000_0000_0000));
        assert_eq!(parse_threshold("fd70a4"), Some(0xfd_70a4_0000_0000));
        assert_eq!(parse_threshold("ffffffffffffff"), Some(MAX_THRESHOLD));
        assert_eq!(parse_threshold("08"), Some(0x08_0000_0000_0000));
        for bad in ["", "C", "0x8", "g", "fffffffffffffff", "8 ", "-1"] {
            assert_eq!(parse_threshold(bad), None, "{bad:?}");
        }
        for t in [
            0,
            1,
            0x80_0000_0000_0000,
            0xfd_70a4_0000_0000,
            MAX_THRESHOLD,
            0x10,
        ] {
            assert_eq!(parse_threshold(&threshold_to_string(t)), Some(t));
        }
    }

    #[test]
    fn randomness_values() {
        assert_eq!(
            parse_randomness("6e6d1a75832a2f"),
            Some(0x6e_6d1a_7583_2a2f)
        );
        for bad in [
            "6e6d1a75832a2",
            "6e6d1a75832a2f0",
            "6E6D1A75832A2F",
            "6e6d1a75832a2g",
        ] {
            assert_eq!(parse_randomness(bad), None, "{bad:?}");
        }
        let id = TraceId::from(0x0102_0304_0506_0708_09c0_ffee_1234_5678u128);
        assert_eq!(trace_id_randomness(id), 0xc0_ffee_1234_5678);
    }

    #[test]
    fn parse_keeps_unknown_members_and_ignores_invalid_values() {
        let ot = OtTraceState::parse("foo:bar;th:c;rv:6e6d1a75832a2f;zz:1");
        assert_eq!(ot.threshold, Some(0xc0_0000_0000_0000));
        assert_eq!(ot.randomness, Some(0x6e_6d1a_7583_2a2f));
        assert_eq!(
            ot.with_threshold_str(Some(0xc0_0000_0000_0000)).as_deref(),
            None
        );
        assert_eq!(
            ot.with_threshold_str(Some(0x80_0000_0000_0000)).as_deref(),
            Some("th:8;rv:6e6d1a75832a2f;foo:bar;zz:1")
        );
        assert_eq!(
            ot.with_threshold_str(None).as_deref(),
            Some("rv:6e6d1a75832a2f;foo:bar;zz:1")
        );

        // An invalid th is ignored and removed on rewrite, even when the threshold stays unset.
        let bad_th = OtTraceState::parse("th:zz;foo:bar");
        assert_eq!(bad_th.threshold, None);
        assert!(bad_th.has_th);
        assert_eq!(bad_th.with_threshold_str(None).as_deref(), Some("foo:bar"));
        assert_eq!(
            bad_th.with_threshold_str(Some(0)).as_deref(),
            Some("th:0;foo:bar")
        );
        let long_th = OtTraceState::parse("th:123456789abcdef;x:1");
        assert_eq!(long_th.threshold, None);
        assert_eq!(long_th.with_threshold_str(None).as_deref(), Some("x:1"));
        // A repeated th is invalid (keys are unique).
        let twice = OtTraceState::parse("th:8;th:4");
        assert_eq!(twice.threshold, None);
        assert_eq!(twice.with_threshold_str(None).as_deref(), Some(""));

        // An invalid rv is no randomness and is dropped on rewrite.
        let bad_rv = OtTraceState::parse("rv:8000;foo:bar");
        assert_eq!(bad_rv.randomness, None);
        assert_eq!(bad_rv.with_threshold_str(None).as_deref(), Some("foo:bar"));
        assert_eq!(
            OtTraceState::parse("rv:6E6D1A75832A2F").randomness,
            None,
            "upper case is not valid"
        );

        // No ot entry at all.
        let none = OtTraceState::default();
        assert_eq!(none.with_threshold_str(None).as_deref(), None);
        assert_eq!(none.with_threshold_str(Some(0)).as_deref(), Some("th:0"));
    }

    #[test]
    fn set_threshold_updates_only_the_ot_entry() {
        let ts: TraceState = "a=b,ot=foo:bar;th:c,c=d".parse().unwrap();
        let ot = OtTraceState::from_trace_state(&ts);
        let unchanged = set_threshold(&ts, &ot, Some(0xc0_0000_0000_0000)).unwrap();
        assert_eq!(unchanged, ts);
        let updated = set_threshold(&ts, &ot, Some(0)).unwrap();
        assert_eq!(updated.header(), "ot=th:0;foo:bar,a=b,c=d");
        let removed = set_threshold(&ts, &ot, None).unwrap();
        assert_eq!(removed.header(), "ot=foo:bar,a=b,c=d");

        let only_th: TraceState = "a=b,ot=th:8".parse().unwrap();
        let ot = OtTraceState::from_trace_state(&only_th);
        assert_eq!(set_threshold(&only_th, &ot, None).unwrap().header(), "a=b");

        let empty = TraceState::NONE;
        let ot = OtTraceState::from_trace_state(&empty);
        assert!(set_threshold(&empty, &ot, None).unwrap().is_empty());
        assert_eq!(
            set_threshold(&empty, &ot, Some(MAX_THRESHOLD))
                .unwrap()
                .header(),
            "ot=th:ffffffffffffff"
        );

        // Past 256 characters the update is refused.
        let long = format!("x:{}", "a".repeat(250));
        let ts = TraceState::from_key_value([("ot", long.as_str())]).unwrap();
        let ot = OtTraceState::from_trace_state(&ts);
        assert!(matches!(
            set_threshold(&ts, &ot, Some(0x12_3456_789a_bcde)),
            Err(OtUpdateError::TooLong(_))
        ));
    }
}
