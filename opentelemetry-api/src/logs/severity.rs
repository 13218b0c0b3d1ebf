//! The severity of a log record (the data model's `SeverityNumber` and its short names).

use crate::Error;
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The severity of a log record: the data model's `SeverityNumber`, 1 (`TRACE`) to 24
/// (`FATAL4`). Larger numbers are more severe, and severities compare by number.
///
/// Each of the six ranges (trace, debug, info, warn, error, fatal) has four steps; a source
/// format with a single level in a range should map it to the range's first step (for example
/// `Info`, 9). The unspecified severity (0) is represented by not setting one.
///
/// ```
/// use opentelemetry_api::logs::Severity;
///
/// assert_eq!(Severity::Info2.name(), "INFO2");
/// assert_eq!(Severity::Info2.number(), 10);
/// assert_eq!(Severity::from_number(17), Some(Severity::Error));
/// assert_eq!("WARN3".parse::<Severity>(), Ok(Severity::Warn3));
/// assert!(Severity::Error > Severity::Warn4);
/// assert!(Severity::Error.is_error());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Severity {
    /// `TRACE` (1): a fine-grained debugging event.
    Trace = 1,
    /// `TRACE2` (2).
    Trace2 = 2,
    /// `TRACE3` (3).
    Trace3 = 3,
    /// `TRACE4` (4).
    Trace4 = 4,
    /// `DEBUG` (5): a debugging event.
    Debug = 5,
    /// `DEBUG2` (6).
    Debug2 = 6,
    /// `DEBUG3` (7).
    Debug3 = 7,
    /// `DEBUG4` (8).
    Debug4 = 8,
    /// `INFO` (9): an informational event.
    Info = 9,
    /// `INFO2` (10).
    Info2 = 10,
    /// `INFO3` (11).
    Info3 = 11,
    /// `INFO4` (12).
    Info4 = 12,
    /// `WARN` (13): a warning, not an error.
    Warn = 13,
    /// `WARN2` (14).
    Warn2 = 14,
    /// `WARN3` (15).
    Warn3 = 15,
    /// `WARN4` (16).
    Warn4 = 16,
    /// `ERROR` (17): something went wrong.
    Error = 17,
    /// `ERROR2` (18).
    Error2 = 18,
    /// `ERROR3` (19).
    Error3 = 19,
    /// `ERROR4` (20).
    Error4 = 20,
    /// `FATAL` (21): a fatal error such as an application crash.
    Fatal = 21,
    /// `FATAL2` (22).
    Fatal2 = 22,
    /// `FATAL3` (23).
    Fatal3 = 23,
    /// `FATAL4` (24).
    Fatal4 = 24,
}

/// Every severity in order; index `n - 1` holds severity number `n`.
const ALL: [Severity; 24] = [
    Severity::Trace,
    Severity::Trace2,
    Severity::Trace3,
    Severity::Trace4,
    Severity::Debug,
    Severity::Debug2,
    Severity::Debug3,
    Severity::Debug4,
    Severity::Info,
    Severity::Info2,
    Severity::Info3,
    Severity::Info4,
    Severity::Warn,
    Severity::Warn2,
    Severity::Warn3,
    Severity::Warn4,
    Severity::Error,
    Severity::Error2,
    Severity::Error3,
    Severity::Error4,
    Severity::Fatal,
    Severity::Fatal2,
    Severity::Fatal3,
    Severity::Fatal4,
];

/// The short names of the data model's "Displaying Severity" table, by number - 1.
const NAMES: [&str; 24] = [
    "TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4", "INFO", "INFO2",
    "INFO3", "INFO4", "WARN", "WARN2", "WARN3", "WARN4", "ERROR", "ERROR2", "ERROR3", "ERROR4",
    "FATAL", "FATAL2", "FATAL3", "FATAL4",
];

impl Severity {
    /// The severity number, 1 to 24.
    #[inline]
    pub const fn number(self) -> u8 {
        self as u8
    }

    /// The severity with this number, or `None` outside 1 to 24 (0 means unspecified).
    #[inline]
    pub const fn from_number(number: u8) -> Option<Severity> {
        match number {
            1..=24 => Some(ALL[number as usize - 1]),
            _ => None,
        }
    }

    /// The recommended short name, `"TRACE"` to `"FATAL4"`, for display when a record has no
    /// severity text of its own.
    #[inline]
    pub const fn name(self) -> &'static str {
        NAMES[self as usize - 1]
    }

    /// Whether the severity marks an erroneous situation (`ERROR`, 17, or above).
    #[inline]
    pub const fn is_error(self) -> bool {
        self as u8 >= Severity::Error as u8
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Severity> for u8 {
    #[inline]
    fn from(severity: Severity) -> u8 {
        severity.number()
    }
}

impl From<Severity> for i32 {
    #[inline]
    fn from(severity: Severity) -> i32 {
        i32::from(severity.number())
    }
}

fn out_of_range(number: i64) -> Error {
    Error::Other(Cow::Owned(format!(
        "severity number {number} is outside 1..=24"
    )))
}

impl TryFrom<u8> for Severity {
    type Error = Error;

    fn try_from(number: u8) -> Result<Self, Error> {
        Severity::from_number(number).ok_or_else(|| out_of_range(i64::from(number)))
    }
}

impl TryFrom<i32> for Severity {
    type Error = Error;

    /// Converts an OTLP `SeverityNumber`.
    fn try_from(number: i32) -> Result<Self, Error> {
        u8::try_from(number)
            .ok()
            .and_then(Severity::from_number)
            .ok_or_else(|| out_of_range(i64::from(number)))
    }
}

impl FromStr for Severity {
    type Err = Error;

    /// Parses a short name (`"INFO"`, `"error3"`; ASCII case is ignored).
    fn from_str(name: &str) -> Result<Self, Error> {
        NAMES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .map(|i| ALL[i])
            .ok_or_else(|| Error::Other(Cow::Owned(format!("unknown severity name {name:?}"))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_follow_the_data_model_table() {
        let ranges = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
        for n in 1..=24u8 {
            let s = Severity::from_number(n).unwrap();
            assert_eq!(s.number(), n);
            assert_eq!(u8::from(s), n);
            assert_eq!(i32::from(s), i32::from(n));
            let range = ranges[usize::from(n - 1) / 4];
            let step = (n - 1) % 4 + 1;
            let expected = if step == 1 {
                range.to_string()
            } else {
                format!("{range}{step}")
            };
            assert_eq!(s.name(), expected);
            assert_eq!(s.to_string(), expected);
            assert_eq!(expected.parse::<Severity>(), Ok(s));
            assert_eq!(expected.to_lowercase().parse::<Severity>(), Ok(s));
            assert_eq!(Severity::try_from(n), Ok(s));
            assert_eq!(Severity::try_from(i32::from(n)), Ok(s));
            assert_eq!(s.is_error(), n >= 17);
        }
    }

    #[test]
    fn named_variants_have_their_numbers() {
        assert_eq!(Severity::Trace.number(), 1);
        assert_eq!(Severity::Debug.number(), 5);
        assert_eq!(Severity::Info.number(), 9);
        assert_eq!(Severity::Info2.name(), "INFO2");
        assert_eq!(Severity::Warn.number(), 13);
        assert_eq!(Severity::Error.number(), 17);
        assert_eq!(Severity::Fatal.number(), 21);
        assert_eq!(Severity::Fatal4.number(), 24);
        assert_eq!(Severity::Fatal4.name(), "FATAL4");
    }

    #[test]
    fn out_of_range_numbers_and_unknown_names_are_rejected() {
        assert_eq!(Severity::from_number(0), None);
        assert_eq!(Severity::from_number(25), None);
        assert_eq!(Severity::from_number(255), None);
        assert!(Severity::try_from(0u8).is_err());
        assert!(Severity::try_from(-1i32).is_err());
        assert!(Severity::try_from(300i32).is_err());
        assert!("INFO5".parse::<Severity>().is_err());
        assert!("".parse::<Severity>().is_err());
    }

    #[test]
    fn severities_compare_by_number() {
        assert!(Severity::Trace < Severity::Trace2);
        assert!(Severity::Warn4 < Severity::Error);
        assert!(Severity::Fatal4 > Severity::Fatal3);
    }
}
