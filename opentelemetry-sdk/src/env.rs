//! Reading `OTEL_*` environment variables with the spec's parsing rules: an empty value is
//! unset; an invalid value is reported through the diagnostic handler and ignored.

// The metric reader and log processor (next issues) use the duration reader.
#![allow(dead_code)]

use opentelemetry_api::otel_warn;
use std::time::Duration;

/// The value of `name`, or `None` when unset or empty.
pub(crate) fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// A boolean: true only for case-insensitive `true`; anything but `false` warns.
pub(crate) fn bool_var(name: &str) -> bool {
    parse_bool(name, var(name).as_deref())
}

pub(crate) fn parse_bool(name: &str, value: Option<&str>) -> bool {
    match value {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            otel_warn!(
                "Env.InvalidBoolean",
                "{name}={v:?} is not true or false; using false"
            );
            false
        }
    }
}

/// A non-negative integer; invalid values warn and count as unset.
pub(crate) fn u64_var(name: &str) -> Option<u64> {
    parse_u64(name, var(name).as_deref())
}

pub(crate) fn parse_u64(name: &str, value: Option<&str>) -> Option<u64> {
    let v = value?;
    match v.parse::<u64>() {
        Ok(n) => Some(n),
        Err(_) => {
            otel_warn!(
                "Env.InvalidInteger",
                "{name}={v:?} is not a non-negative integer; ignored"
            );
            None
        }
    }
}

/// A positive integer (zero is invalid: warns and counts as unset).
pub(crate) fn positive_var(name: &str) -> Option<u64> {
    parse_positive(name, var(name).as_deref())
}

pub(crate) fn parse_positive(name: &str, value: Option<&str>) -> Option<u64> {
    match parse_u64(name, value) {
        Some(0) => {
            otel_warn!(
                "Env.InvalidInteger",
                "{name}=\"0\" must be positive; ignored"
            );
            None
        }
        other => other,
    }
}

/// A duration in milliseconds.
pub(crate) fn millis_var(name: &str) -> Option<Duration> {
    u64_var(name).map(Duration::from_millis)
}

/// A u32 limit (larger values saturate).
pub(crate) fn limit_var(name: &str) -> Option<u32> {
    u64_var(name).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_follow_the_spec() {
        assert!(parse_bool("X", Some("true")));
        assert!(parse_bool("X", Some("TRUE")));
        assert!(!parse_bool("X", Some("false")));
        assert!(!parse_bool("X", Some("1")), "only 'true' is true");
        assert!(!parse_bool("X", None));
    }

    #[test]
    fn integers_follow_the_spec() {
        assert_eq!(parse_u64("X", Some("10")), Some(10));
        assert_eq!(parse_u64("X", Some("-1")), None);
        assert_eq!(parse_u64("X", Some("ten")), None);
        assert_eq!(parse_positive("X", Some("0")), None);
        assert_eq!(parse_positive("X", Some("7")), Some(7));
    }
}
