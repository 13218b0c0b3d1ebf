//! Metric and label names: the Prometheus character rules, the spec's unit words and the
//! type suffixes.

use std::borrow::Cow;

/// Whether `c` may appear in a metric name (`[a-zA-Z0-9_:]`), or in a label name when
/// `colon` is false (`[a-zA-Z0-9_]`).
#[inline]
fn allowed(c: char, colon: bool) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (colon && c == ':')
}

/// Replaces each character Prometheus does not allow with `_`, collapses runs of `_` into
/// one, and prefixes `_` when the first character is a digit (or the name is empty).
fn sanitize(name: &str, colon: bool) -> Cow<'_, str> {
    let clean = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| allowed(c, colon))
        && !name.contains("__");
    if clean {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 1);
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        out.push('_');
    }
    for c in name.chars() {
        let c = if allowed(c, colon) { c } else { '_' };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// A metric name made valid: `[a-zA-Z_:][a-zA-Z0-9_:]*`, no `__`.
pub(crate) fn metric_name(name: &str) -> Cow<'_, str> {
    sanitize(name, true)
}

/// A label name made valid: `[a-zA-Z_][a-zA-Z0-9_]*`, no `__` (so never a reserved
/// `__`-prefixed name).
pub(crate) fn label_name(name: &str) -> Cow<'_, str> {
    sanitize(name, false)
}

/// The full word of a UCUM unit, from the spec's table.
fn unit_word(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "TiBy" => "tebibytes",
        "KBy" | "kBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "TBy" => "terabytes",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "%" => "percent",
        _ => return None,
    })
}

/// The word of a UCUM unit used as the denominator of a rate (`m/s` → `per_second`).
fn per_unit_word(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "s" => "second",
        "m" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => return None,
    })
}

/// Drops the `{...}` annotations of a UCUM unit.
fn strip_annotations(unit: &str) -> Cow<'_, str> {
    if !unit.contains('{') {
        return Cow::Borrowed(unit);
    }
    let mut out = String::with_capacity(unit.len());
    let mut depth = 0usize;
    for c in unit.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// A unit part as a name fragment: its word when the table has one, else the unit made
/// label-safe and trimmed of `_`.
fn unit_part(part: &str, word: fn(&str) -> Option<&'static str>) -> String {
    match word(part) {
        Some(w) => w.to_owned(),
        None => label_name(part).trim_matches('_').to_owned(),
    }
}

/// The unit suffix for a metric of this unit (`None`: no suffix): `{...}` annotations
/// dropped, known units as full words, rates as `<unit>_per_<unit>`, and `1` as `ratio` for
/// gauges (dimensionless counters get no suffix).
pub(crate) fn unit_suffix(unit: &str, gauge: bool) -> Option<String> {
    let unit = strip_annotations(unit);
    let unit = unit.trim();
    if unit == "1" {
        return gauge.then(|| "ratio".to_owned());
    }
    let suffix = match unit.split_once('/') {
        Some((num, den)) => {
            let num = if num == "1" {
                String::new()
            } else {
                unit_part(num, unit_word)
            };
            let den = unit_part(den, per_unit_word);
            match (num.is_empty(), den.is_empty()) {
                (_, true) => num,
                (true, false) => format!("per_{den}"),
                (false, false) => format!("{num}_per_{den}"),
            }
        }
        None => unit_part(unit, unit_word),
    };
    (!suffix.is_empty()).then_some(suffix)
}

/// The Prometheus kind a metric becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Counter,
    Gauge,
    Histogram,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        }
    }
}

/// The name choices of the exporter.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameOptions {
    pub(crate) units: bool,
    pub(crate) counter_suffixes: bool,
}

/// A metric family's names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FamilyName {
    /// The name without the counter suffix: the OpenMetrics family name, and the prefix of
    /// the `_bucket`, `_sum` and `_count` samples of histograms.
    pub(crate) base: String,
    /// The unit word the base name ends with (for OpenMetrics `# UNIT`).
    pub(crate) unit: Option<String>,
    /// Whether counter samples (and the text format's family) end with `_total`.
    pub(crate) total: bool,
}

/// The family name of an OpenTelemetry metric: sanitized, with the unit suffix (unless the
/// name already ends with it) and, for counters, `_total` (kept after the unit).
pub(crate) fn family_name(name: &str, unit: &str, kind: Kind, options: NameOptions) -> FamilyName {
    let mut base = metric_name(name).into_owned();
    let counter = kind == Kind::Counter;
    let mut total = false;
    if counter && options.counter_suffixes {
        total = true;
        if let Some(stripped) = base.strip_suffix("_total") {
            if !stripped.is_empty() {
                base.truncate(stripped.len());
            }
        }
    }
    let mut unit_out = None;
    if options.units {
        if let Some(word) = unit_suffix(unit, kind == Kind::Gauge) {
            let has = base == word
                || (base.len() > word.len()
                    && base.ends_with(word.as_str())
                    && base.as_bytes()[base.len() - word.len() - 1] == b'_');
            if !has {
                base.push('_');
                base.push_str(&word);
            }
            unit_out = Some(word);
        }
    }
    FamilyName {
        base,
        unit: unit_out,
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: NameOptions = NameOptions {
        units: true,
        counter_suffixes: true,
    };

    #[test]
    fn invalid_characters_become_underscores() {
        assert_eq!(metric_name("http.server.duration"), "http_server_duration");
        assert_eq!(metric_name("a-b/c d"), "a_b_c_d");
        assert_eq!(metric_name("ns:sub:name"), "ns:sub:name");
        assert_eq!(label_name("k8s.pod:name"), "k8s_pod_name");
        assert_eq!(metric_name("héllo"), "h_llo");
    }

    #[test]
    fn runs_of_underscores_collapse() {
        assert_eq!(metric_name("a..b"), "a_b");
        assert_eq!(metric_name("a__b"), "a_b");
        assert_eq!(label_name("__reserved"), "_reserved");
        assert_eq!(label_name("a._b"), "a_b");
    }

    #[test]
    fn a_leading_digit_gets_an_underscore() {
        assert_eq!(metric_name("1st"), "_1st");
        assert_eq!(label_name("0"), "_0");
        assert_eq!(label_name(""), "_");
    }

    #[test]
    fn valid_names_are_borrowed() {
        assert!(matches!(metric_name("valid_name:x"), Cow::Borrowed(_)));
        assert!(matches!(label_name("valid_name"), Cow::Borrowed(_)));
    }

    #[test]
    fn units_become_full_words() {
        for (ucum, word) in [
            ("ms", "milliseconds"),
            ("s", "seconds"),
            ("By", "bytes"),
            ("KiBy", "kibibytes"),
            ("Cel", "celsius"),
            ("%", "percent"),
            ("h", "hours"),
            ("Hz", "hertz"),
        ] {
            assert_eq!(unit_suffix(ucum, false).as_deref(), Some(word), "{ucum}");
        }
    }

    #[test]
    fn one_is_ratio_for_gauges_only() {
        assert_eq!(unit_suffix("1", true).as_deref(), Some("ratio"));
        assert_eq!(unit_suffix("1", false), None);
    }

    #[test]
    fn annotations_are_dropped() {
        assert_eq!(unit_suffix("{packet}", false), None);
        assert_eq!(
            unit_suffix("{request}/s", false).as_deref(),
            Some("per_second")
        );
        assert_eq!(
            unit_suffix("By{compressed}", false).as_deref(),
            Some("bytes")
        );
    }

    #[test]
    fn rates_become_per_words() {
        assert_eq!(
            unit_suffix("m/s", false).as_deref(),
            Some("meters_per_second")
        );
        assert_eq!(
            unit_suffix("By/h", false).as_deref(),
            Some("bytes_per_hour")
        );
        assert_eq!(unit_suffix("1/s", false).as_deref(), Some("per_second"));
    }

    #[test]
    fn unknown_units_are_sanitized() {
        assert_eq!(
            unit_suffix("furlong.s", false).as_deref(),
            Some("furlong_s")
        );
        assert_eq!(unit_suffix("", false), None);
    }

    #[test]
    fn counters_get_unit_then_total() {
        let n = family_name("http.requests", "By", Kind::Counter, ALL);
        assert_eq!(n.base, "http_requests_bytes");
        assert!(n.total);
        assert_eq!(n.unit.as_deref(), Some("bytes"));
        // An existing `_total` is moved after the unit, not doubled.
        let n = family_name("sent_total", "By", Kind::Counter, ALL);
        assert_eq!(n.base, "sent_bytes");
        assert!(n.total);
    }

    #[test]
    fn a_name_ending_with_its_unit_is_not_suffixed_again() {
        let n = family_name("latency_seconds", "s", Kind::Histogram, ALL);
        assert_eq!(n.base, "latency_seconds");
        let n = family_name("mseconds", "s", Kind::Gauge, ALL);
        assert_eq!(n.base, "mseconds_seconds");
    }

    #[test]
    fn suffixes_can_be_turned_off() {
        let off = NameOptions {
            units: false,
            counter_suffixes: false,
        };
        let n = family_name("jobs.done", "ms", Kind::Counter, off);
        assert_eq!(n.base, "jobs_done");
        assert!(!n.total);
        assert_eq!(n.unit, None);
        let units_only = NameOptions {
            units: true,
            counter_suffixes: false,
        };
        let n = family_name("jobs_total", "ms", Kind::Counter, units_only);
        assert_eq!(n.base, "jobs_total_milliseconds");
        assert!(!n.total);
    }

    #[test]
    fn gauges_and_histograms_get_no_total() {
        let n = family_name("queue", "1", Kind::Gauge, ALL);
        assert_eq!(n.base, "queue_ratio");
        assert!(!n.total);
        let n = family_name("size", "By", Kind::Histogram, ALL);
        assert_eq!(n.base, "size_bytes");
        assert!(!n.total);
    }
}
