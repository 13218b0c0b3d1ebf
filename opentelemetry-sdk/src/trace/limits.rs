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
