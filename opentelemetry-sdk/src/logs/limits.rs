//! Log record limits.

/// Limits on the attributes of one log record; what goes beyond them is dropped (and
/// counted) or truncated.
///
/// ```
/// use opentelemetry_sdk::logs::LogRecordLimits;
/// let limits = LogRecordLimits { attribute_count_limit: 32, ..LogRecordLimits::default() };
/// assert_eq!(limits.attribute_value_length_limit, None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogRecordLimits {
    /// Attributes per record (default 128). Setting an attribute that is already present is
    /// always allowed.
    pub attribute_count_limit: u32,
    /// Length of a string attribute value in characters, or of a byte-array value in bytes,
    /// applied inside lists and maps too; `None` for no limit (the default).
    pub attribute_value_length_limit: Option<u32>,
}

impl Default for LogRecordLimits {
    fn default() -> Self {
        LogRecordLimits {
            attribute_count_limit: 128,
            attribute_value_length_limit: None,
        }
    }
}

impl LogRecordLimits {
    /// The defaults, overridden by `OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT` and
    /// `OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT`, or where those are unset by the
    /// general `OTEL_ATTRIBUTE_COUNT_LIMIT` and `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`. Invalid
    /// values are reported and ignored.
    pub fn from_env() -> Self {
        use crate::env::limit_var;
        let d = LogRecordLimits::default();
        LogRecordLimits {
            attribute_count_limit: limit_var("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT")
                .or_else(|| limit_var("OTEL_ATTRIBUTE_COUNT_LIMIT"))
                .unwrap_or(d.attribute_count_limit),
            attribute_value_length_limit: limit_var("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT")
                .or_else(|| limit_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT"))
                .or(d.attribute_value_length_limit),
        }
    }
}
