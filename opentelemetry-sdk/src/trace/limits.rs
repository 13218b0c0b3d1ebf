//! Span limits: how much a span may hold.

/// Limits on what one span records; what goes beyond them is dropped and counted.
///
/// ```
/// use opentelemetry_sdk::trace::SpanLimits;
/// let limits = SpanLimits { max_attributes_per_span: 32, ..SpanLimits::default() };
/// assert_eq!(limits.max_events_per_span, 128);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpanLimits {
    /// Attributes per span (default 128).
    pub max_attributes_per_span: u32,
    /// Length of a string attribute value (or each string in an array), in characters;
    /// `None` for no limit (the default).
    pub max_attribute_value_length: Option<u32>,
    /// Events per span (default 128).
    pub max_events_per_span: u32,
    /// Links per span (default 128).
    pub max_links_per_span: u32,
    /// Attributes per event (default 128).
    pub max_attributes_per_event: u32,
    /// Attributes per link (default 128).
    pub max_attributes_per_link: u32,
}

impl SpanLimits {
    /// The defaults, overridden by `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`,
    /// `OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT`, `OTEL_SPAN_EVENT_COUNT_LIMIT`,
    /// `OTEL_SPAN_LINK_COUNT_LIMIT`, `OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT`,
    /// `OTEL_LINK_ATTRIBUTE_COUNT_LIMIT`, and the general `OTEL_ATTRIBUTE_COUNT_LIMIT` and
    /// `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT` where the span-specific ones are unset.
    pub fn from_env() -> Self {
        use crate::env::limit_var;
        let d = SpanLimits::default();
        let general_count = limit_var("OTEL_ATTRIBUTE_COUNT_LIMIT");
        let general_len = limit_var("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
        SpanLimits {
            max_attributes_per_span: limit_var("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT")
                .or(general_count)
                .unwrap_or(d.max_attributes_per_span),
            max_attribute_value_length: limit_var("OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT")
                .or(general_len)
                .or(d.max_attribute_value_length),
            max_events_per_span: limit_var("OTEL_SPAN_EVENT_COUNT_LIMIT")
                .unwrap_or(d.max_events_per_span),
            max_links_per_span: limit_var("OTEL_SPAN_LINK_COUNT_LIMIT")
                .unwrap_or(d.max_links_per_span),
            max_attributes_per_event: limit_var("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT")
                .or(general_count)
                .unwrap_or(d.max_attributes_per_event),
            max_attributes_per_link: limit_var("OTEL_LINK_ATTRIBUTE_COUNT_LIMIT")
                .or(general_count)
                .unwrap_or(d.max_attributes_per_link),
        }
    }
}

impl Default for SpanLimits {
    fn default() -> Self {
        SpanLimits {
            max_attributes_per_span: 128,
            max_attribute_value_length: None,
            max_events_per_span: 128,
            max_links_per_span: 128,
            max_attributes_per_event: 128,
            max_attributes_per_link: 128,
        }
    }
}
