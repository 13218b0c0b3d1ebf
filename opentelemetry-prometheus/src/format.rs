//! The exposition formats and content negotiation.

/// An exposition format.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The Prometheus text format 0.0.4 (the default).
    #[default]
    Text,
    /// OpenMetrics 1.0 text (with `# UNIT`, exemplars, `_created` and `# EOF`).
    OpenMetrics,
}

/// The content type of the text format.
pub const TEXT_CONTENT_TYPE: &str =
    "text/plain; version=0.0.4; charset=utf-8; escaping=underscores";
/// The content type of the OpenMetrics format.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=underscores";

impl Format {
    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text => TEXT_CONTENT_TYPE,
            Format::OpenMetrics => OPENMETRICS_CONTENT_TYPE,
        }
    }

    /// The format to answer a request with, from its `Accept` header (`None`: no header):
    /// the acceptable format with the highest quality (`q`), the earlier one on a tie; the
    /// text format when nothing we serve is acceptable or the header cannot be parsed.
    ///
    /// ```
    /// use opentelemetry_prometheus::Format;
    /// let prometheus = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    /// assert_eq!(Format::negotiate(Some(prometheus)), Format::OpenMetrics);
    /// assert_eq!(Format::negotiate(Some("text/plain")), Format::Text);
    /// assert_eq!(Format::negotiate(None), Format::Text);
    /// ```
    pub fn negotiate(accept: Option<&str>) -> Format {
        let Some(accept) = accept else {
            return Format::Text;
        };
        let mut best: Option<(f32, Format)> = None;
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let mut q = 1.0f32;
            let mut version: Option<String> = None;
            for param in parts {
                let Some((k, v)) = param.split_once('=') else {
                    continue;
                };
                let v = v.trim().trim_matches('"');
                match k.trim().to_ascii_lowercase().as_str() {
                    "q" => q = v.parse().unwrap_or(0.0),
                    "version" => version = Some(v.to_owned()),
                    _ => {}
                }
            }
            let format = match (media.as_str(), version.as_deref()) {
                ("application/openmetrics-text", None | Some("1.0.0") | Some("0.0.1")) => {
                    Format::OpenMetrics
                }
                ("text/plain", None | Some("0.0.4")) | ("text/*" | "*/*", _) => Format::Text,
                _ => continue,
            };
            if q > 0.0 && best.map_or(true, |(bq, _)| q > bq) {
                best = Some((q, format));
            }
        }
        best.map_or(Format::Text, |(_, f)| f)
    }
}

/// Appends a label value (or OpenMetrics HELP text) escaped: `\`, `"` and newlines.
pub(crate) fn escape_value(out: &mut String, value: &str) {
    if !value.contains(['\\', '"', '\n']) {
        out.push_str(value);
        return;
    }
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Appends text-format HELP text escaped: `\` and newlines.
pub(crate) fn escape_help_text(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Appends an unsigned integer.
#[inline]
pub(crate) fn write_u64(out: &mut String, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

/// Appends a signed integer.
#[inline]
pub(crate) fn write_i64(out: &mut String, v: i64) {
    if v < 0 {
        out.push('-');
    }
    write_u64(out, v.unsigned_abs());
}

/// Appends a float as Prometheus parses it: `+Inf`, `-Inf`, `NaN`; integral values without
/// a fraction in the text format and with `.0` in OpenMetrics (its canonical form).
pub(crate) fn write_f64(out: &mut String, v: f64, om: bool) {
    use std::fmt::Write;
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else if v.fract() == 0.0 && v.abs() < 1e15 {
        write_i64(out, v as i64);
        if om {
            out.push_str(".0");
        }
    } else {
        // Writing to a String cannot fail.
        let _ = write!(out, "{v:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_follows_quality_and_order() {
        let prom = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(Format::negotiate(Some(prom)), Format::OpenMetrics);
        assert_eq!(
            Format::negotiate(Some("text/plain;q=0.9, application/openmetrics-text")),
            Format::OpenMetrics
        );
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0.2,text/plain")),
            Format::Text
        );
        assert_eq!(Format::negotiate(Some("*/*")), Format::Text);
        assert_eq!(Format::negotiate(Some("application/json")), Format::Text);
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;version=9.9")),
            Format::Text
        );
        assert_eq!(Format::negotiate(Some(";;,=,q=;")), Format::Text);
        assert_eq!(
            Format::negotiate(Some("application/openmetrics-text;q=0")),
            Format::Text
        );
    }

    #[test]
    fn numbers_are_written_as_prometheus_parses_them() {
        let f = |v: f64, om: bool| {
            let mut s = String::new();
            write_f64(&mut s, v, om);
            s
        };
        assert_eq!(f(1.0, false), "1");
        assert_eq!(f(1.0, true), "1.0");
        assert_eq!(f(0.25, false), "0.25");
        assert_eq!(f(-3.0, false), "-3");
        assert_eq!(f(f64::INFINITY, false), "+Inf");
        assert_eq!(f(f64::NEG_INFINITY, true), "-Inf");
        assert_eq!(f(f64::NAN, true), "NaN");
        assert_eq!(f(1e20, false), "1e20");
        let mut s = String::new();
        write_u64(&mut s, u64::MAX);
        write_i64(&mut s, i64::MIN);
        assert_eq!(s, "18446744073709551615-9223372036854775808");
    }

    #[test]
    fn values_are_escaped() {
        let mut s = String::new();
        escape_value(&mut s, "a\\b\"c\nd");
        assert_eq!(s, "a\\\\b\\\"c\\nd");
        let mut s = String::new();
        escape_help_text(&mut s, "a\\b\"c\nd");
        assert_eq!(s, "a\\\\b\"c\\nd");
    }
}
