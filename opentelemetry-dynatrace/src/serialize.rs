//! Metric lines of the Dynatrace ingestion protocol:
//! `key,dim=value,... payload [timestamp]`.

use crate::normalize::{dimension_key, dimension_value, metric_key, push_escaped_value};
use opentelemetry_api::KeyValue;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Longest metric line the API accepts, in characters.
pub(crate) const METRIC_LINE_MAX_LEN: usize = 50_000;
/// Timestamps (ms) the API accepts: from 2000-01-01 to 3000-01-01 (as the reference
/// library checks).
const TIMESTAMP_RANGE_MS: std::ops::Range<u64> = 946_681_200_000..32_503_676_400_000;

/// A number of a data point: integers keep their exact value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub(crate) fn is_finite(self) -> bool {
        match self {
            Number::Int(_) => true,
            Number::Float(f) => f.is_finite(),
        }
    }

    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

/// The payload of a line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Payload {
    /// `gauge,<value>`.
    Gauge(Number),
    /// `count,delta=<value>`.
    CountDelta(Number),
    /// `gauge,min=..,max=..,sum=..,count=..`.
    Summary {
        min: Number,
        max: Number,
        sum: Number,
        count: u64,
    },
}

/// Why a line was not written.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub(crate) enum LineError {
    #[error("a value is NaN or infinite")]
    NotFinite,
    #[error("min is larger than max")]
    MinAboveMax,
    #[error("the line is longer than {METRIC_LINE_MAX_LEN} characters")]
    TooLong,
}

/// Appends `v` formatted as the reference library formats numbers (Python's `repr`, with
/// exponent notation beyond 1e15 and below 1e-15, and no trailing `.0`).
pub(crate) fn push_number(n: Number, out: &mut String) {
    match n {
        Number::Int(i) if i.unsigned_abs() <= 1_000_000_000_000_000 => {
            let _ = write!(out, "{i}");
        }
        other => push_f64(other.as_f64(), out),
    }
}

/// A stack buffer for formatting one number (no allocation on the hot path).
struct NumBuf {
    buf: [u8; 40],
    len: usize,
}

impl NumBuf {
    fn format(args: std::fmt::Arguments<'_>) -> NumBuf {
        let mut b = NumBuf {
            buf: [0; 40],
            len: 0,
        };
        // Exponent forms of an f64 are at most 25 bytes, so the buffer never overflows.
        let _ = b.write_fmt(args);
        b
    }

    fn as_str(&self) -> &str {
        // Only `write_str` fills the buffer, with whole `&str`s.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl std::fmt::Write for NumBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        if end > self.buf.len() {
            return Err(std::fmt::Error);
        }
        self.buf[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn push_f64(v: f64, out: &mut String) {
    let abs = v.abs();
    if abs > 1e15 || (abs > 0.0 && abs < 1e-15) {
        // `{:.8e}` rounds correctly, like Python's `'{:.8e}'.format`.
        let buf = NumBuf::format(format_args!("{v:.8e}"));
        let s = buf.as_str();
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let mantissa = if mantissa.ends_with('0') {
            let trimmed = mantissa.trim_end_matches('0');
            out.push_str(trimmed);
            if trimmed.ends_with('.') {
                out.push('0');
            }
            ""
        } else {
            mantissa
        };
        out.push_str(mantissa);
        push_python_exponent(exp, out);
        return;
    }
    if v == 0.0 {
        out.push('0');
        return;
    }
    // Shortest round-trip digits, as Python's repr uses.
    let buf = NumBuf::format(format_args!("{v:e}"));
    let s = buf.as_str();
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    // The digits without the point: the first one, then those after the point.
    let (first, rest) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digit_buf = NumBuf::format(format_args!("{first}{rest}"));
    let digits = digit_buf.as_str();
    if negative {
        out.push('-');
    }
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            // An integral value: Python's "x.0" without its ".0".
            out.push_str(digits);
            out.extend(std::iter::repeat_n('0', int_len - digits.len()));
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    } else {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-exp - 1) as usize));
        out.push_str(digits);
    }
}

/// Rust writes `e16`/`e-16`; Python writes `e+16`/`e-16`, with at least two digits.
fn push_python_exponent(exp: &str, out: &mut String) {
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    out.push('e');
    out.push(sign);
    if digits.len() < 2 {
        out.push('0');
    }
    out.push_str(digits);
}

/// Writes metric lines with the configured prefix and dimensions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Serializer {
    prefix: Option<String>,
    /// Normalized default dimensions (first in each line; the point's attributes override them).
    default_dimensions: Vec<(String, String)>,
    /// Normalized dimensions that override everything (`dt.metrics.source`).
    static_dimensions: Vec<(String, String)>,
}

/// Normalized dimensions of one line, borrowed where normalization changed nothing.
pub(crate) type Dimensions<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Inserts or replaces: the order of first insertion, the value of the last (how a Python
/// dict merges).
#[inline]
fn merge<'a>(dims: &mut Dimensions<'a>, key: Cow<'a, str>, value: Cow<'a, str>) {
    match dims.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = value,
        None => dims.push((key, value)),
    }
}

fn normalize_dimensions<'a>(
    dims: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    let mut merged: Dimensions<'a> = Vec::new();
    for (k, v) in dims {
        if let Some(key) = dimension_key(k) {
            merge(&mut merged, key, dimension_value(v));
        }
    }
    merged
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

impl Serializer {
    pub(crate) fn new(
        prefix: Option<String>,
        default_dimensions: &[(String, String)],
        metadata: &[(String, String)],
        metrics_source: Option<&str>,
    ) -> Self {
        let defaults = normalize_dimensions(
            default_dimensions
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        );
        // Host metadata, then the source; these override the point's attributes.
        let source = metrics_source
            .filter(|s| !s.is_empty())
            .map(|s| ("dt.metrics.source", s));
        let statics = normalize_dimensions(
            metadata
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .chain(source),
        );
        Serializer {
            prefix: prefix.filter(|p| !p.is_empty()),
            default_dimensions: defaults,
            static_dimensions: statics,
        }
    }

    /// The normalized metric key of a metric name (with the prefix); `None` when invalid.
    pub(crate) fn metric_key(&self, name: &str) -> Option<String> {
        // An empty name is invalid even with a prefix.
        if name.is_empty() {
            return None;
        }
        match &self.prefix {
            Some(prefix) => metric_key(&format!("{prefix}.{name}")),
            None => metric_key(name),
        }
    }

    /// Appends one line (without newline) to `out`; on error `out` is left unchanged.
    /// `dims` is scratch space, reused across lines.
    pub(crate) fn write_line<'a>(
        &'a self,
        key: &str,
        attributes: &'a [KeyValue],
        payload: Payload,
        timestamp_ms: Option<u64>,
        out: &mut String,
        dims: &mut Dimensions<'a>,
    ) -> Result<(), LineError> {
        check_payload(payload)?;
        let start = out.len();
        out.push_str(key);
        dims.clear();
        dims.extend(
            self.default_dimensions
                .iter()
                .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str()))),
        );
        for kv in attributes {
            if let Some(k) = dimension_key(kv.key.as_str()) {
                let value = match kv.value.as_str() {
                    Cow::Borrowed(v) => dimension_value(v),
                    Cow::Owned(v) => Cow::Owned(dimension_value(&v).into_owned()),
                };
                merge(dims, k, value);
            }
        }
        for (k, v) in &self.static_dimensions {
            merge(dims, Cow::Borrowed(k), Cow::Borrowed(v));
        }
        for (k, v) in dims.iter() {
            out.push(',');
            out.push_str(k);
            out.push('=');
            push_escaped_value(v, out);
        }
        out.push(' ');
        match payload {
            Payload::Gauge(v) => {
                out.push_str("gauge,");
                push_number(v, out);
            }
            Payload::CountDelta(v) => {
                out.push_str("count,delta=");
                push_number(v, out);
            }
            Payload::Summary {
                min,
                max,
                sum,
                count,
            } => {
                out.push_str("gauge,min=");
                push_number(min, out);
                out.push_str(",max=");
                push_number(max, out);
                out.push_str(",sum=");
                push_number(sum, out);
                let _ = write!(out, ",count={count}");
            }
        }
        if let Some(ts) = timestamp_ms.filter(|ts| TIMESTAMP_RANGE_MS.contains(ts)) {
            let _ = write!(out, " {ts}");
        }
        let line = &out[start..];
        if line.len() > METRIC_LINE_MAX_LEN && line.chars().count() > METRIC_LINE_MAX_LEN {
            out.truncate(start);
            return Err(LineError::TooLong);
        }
        Ok(())
    }
}

fn check_payload(payload: Payload) -> Result<(), LineError> {
    match payload {
        Payload::Gauge(v) | Payload::CountDelta(v) if !v.is_finite() => Err(LineError::NotFinite),
        Payload::Summary { min, max, sum, .. } => {
            if !(min.is_finite() && max.is_finite() && sum.is_finite()) {
                Err(LineError::NotFinite)
            } else if min.as_f64() > max.as_f64() {
                Err(LineError::MinAboveMax)
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(n: Number) -> String {
        let mut s = String::new();
        push_number(n, &mut s);
        s
    }

    #[test]
    fn numbers_as_python_formats_them() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (100.0, "100"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e15, "1000000000000000"),
            (1e16, "1.0e+16"),
            (1.23456789012e20, "1.23456789e+20"),
            (1e-16, "1.0e-16"),
            (-3.5e100, "-3.5e+100"),
            (123456789.125, "123456789.125"),
        ];
        for (v, want) in cases {
            assert_eq!(num(Number::Float(*v)), *want, "{v}");
        }
        assert_eq!(num(Number::Int(42)), "42");
        assert_eq!(num(Number::Int(-7)), "-7");
        assert_eq!(num(Number::Int(u64::MAX as i128)), "1.84467441e+19");
    }

    #[test]
    fn line_with_dimensions() {
        let s = Serializer::new(
            Some("pre".into()),
            &[("Default".into(), "d".into()), ("x".into(), "1".into())],
            &[],
            Some("opentelemetry"),
        );
        let key = s.metric_key("my metric").unwrap();
        let mut out = String::new();
        let attrs = [KeyValue::new("x", "a b"), KeyValue::new("y", 2)];
        let mut dims = Vec::new();
        s.write_line(
            &key,
            &attrs,
            Payload::CountDelta(Number::Int(5)),
            Some(1_700_000_000_000),
            &mut out,
            &mut dims,
        )
        .unwrap();
        assert_eq!(
            out,
            "pre.my_metric,default=d,x=a\\ b,y=2,dt.metrics.source=opentelemetry count,delta=5 1700000000000"
        );
        assert_eq!(
            s.write_line(
                &key,
                &[],
                Payload::Gauge(Number::Float(f64::NAN)),
                None,
                &mut out,
                &mut dims,
            ),
            Err(LineError::NotFinite)
        );
    }
}
