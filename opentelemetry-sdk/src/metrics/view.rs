//! Instrument kinds, views (instrument selection criteria + stream configuration) and the
//! instrument name rules.

use super::aggregation::Aggregation;
use super::exemplar::ExemplarReservoir;
use opentelemetry_api::{InstrumentationScope, Key};
use std::borrow::Cow;

/// The kind of an instrument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InstrumentKind {
    /// A synchronous monotonic sum.
    Counter,
    /// A synchronous non-monotonic sum.
    UpDownCounter,
    /// A synchronous distribution.
    Histogram,
    /// A synchronous last value.
    Gauge,
    /// An asynchronous monotonic sum.
    ObservableCounter,
    /// An asynchronous non-monotonic sum.
    ObservableUpDownCounter,
    /// An asynchronous last value.
    ObservableGauge,
}

impl InstrumentKind {
    /// Every kind, in declaration order.
    pub const ALL: [InstrumentKind; 7] = [
        InstrumentKind::Counter,
        InstrumentKind::UpDownCounter,
        InstrumentKind::Histogram,
        InstrumentKind::Gauge,
        InstrumentKind::ObservableCounter,
        InstrumentKind::ObservableUpDownCounter,
        InstrumentKind::ObservableGauge,
    ];

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// Whether measurements are reported through callbacks.
    pub fn is_asynchronous(self) -> bool {
        matches!(
            self,
            InstrumentKind::ObservableCounter
                | InstrumentKind::ObservableUpDownCounter
                | InstrumentKind::ObservableGauge
        )
    }

    /// Whether a sum of this kind is monotonic.
    pub(crate) fn is_monotonic(self) -> bool {
        matches!(
            self,
            InstrumentKind::Counter | InstrumentKind::ObservableCounter | InstrumentKind::Histogram
        )
    }

    /// Whether measurements are expected to be non-negative (the SDK drops others).
    pub(crate) fn non_negative(self) -> bool {
        matches!(self, InstrumentKind::Counter | InstrumentKind::Histogram)
    }
}

/// Whether `name` follows the spec's instrument name syntax: an ASCII letter, then up to 254
/// ASCII letters, digits, `_`, `.`, `-` or `/`.
pub(crate) fn is_valid_instrument_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest.len() <= 254
                && rest
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || b"_.-/".contains(c))
        }
        None => false,
    }
}

/// Whether `name` matches the wildcard `pattern` (`*`: any run of characters, `?`: any one
/// character), ignoring ASCII case like instrument names do.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi].eq_ignore_ascii_case(&n[ni])) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// A view's instrument selection criteria. Every criterion given must match (they are
/// additive); at least one must be given. `name` may use the wildcards `*` and `?`.
///
/// ```
/// use opentelemetry_sdk::metrics::{InstrumentKind, InstrumentSelector};
/// let selector = InstrumentSelector::new()
///     .with_name("http.server.*")
///     .with_kind(InstrumentKind::Histogram)
///     .with_meter_name("my-library");
/// # let _ = selector;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InstrumentSelector {
    name: Option<Cow<'static, str>>,
    kind: Option<InstrumentKind>,
    unit: Option<Cow<'static, str>>,
    meter_name: Option<Cow<'static, str>>,
    meter_version: Option<Cow<'static, str>>,
    meter_schema_url: Option<Cow<'static, str>>,
}

impl InstrumentSelector {
    /// No criteria yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Instruments with this name (`*` alone matches every instrument; `*` and `?` are
    /// wildcards). Case-insensitive, like instrument names.
    pub fn with_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Instruments of this kind.
    pub fn with_kind(mut self, kind: InstrumentKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Instruments with exactly this unit.
    pub fn with_unit(mut self, unit: impl Into<Cow<'static, str>>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Instruments of meters with this name.
    pub fn with_meter_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.meter_name = Some(name.into());
        self
    }

    /// Instruments of meters with this version.
    pub fn with_meter_version(mut self, version: impl Into<Cow<'static, str>>) -> Self {
        self.meter_version = Some(version.into());
        self
    }

    /// Instruments of meters with this schema URL.
    pub fn with_meter_schema_url(mut self, schema_url: impl Into<Cow<'static, str>>) -> Self {
        self.meter_schema_url = Some(schema_url.into());
        self
    }

    fn is_empty(&self) -> bool {
        *self == InstrumentSelector::default()
    }

    /// Whether the name criterion can select more than one instrument.
    fn selects_many(&self) -> bool {
        self.name
            .as_deref()
            .map_or(true, |n| n.contains(['*', '?']))
    }

    pub(crate) fn matches(&self, instrument: &InstrumentInfo<'_>) -> bool {
        self.name
            .as_deref()
            .map_or(true, |p| p == "*" || wildcard_match(p, instrument.name))
            && self.kind.map_or(true, |k| k == instrument.kind)
            && self.unit.as_deref().map_or(true, |u| u == instrument.unit)
            && self
                .meter_name
                .as_deref()
                .map_or(true, |n| n == instrument.scope.name())
            && self
                .meter_version
                .as_deref()
                .map_or(true, |v| Some(v) == instrument.scope.version())
            && self
                .meter_schema_url
                .as_deref()
                .map_or(true, |s| Some(s) == instrument.scope.schema_url())
    }
}

/// How several views that match one instrument are applied (the spec's `view_matching_mode`,
/// Development status there), set with
/// [`MeterProviderBuilder::with_view_matching_mode`](super::MeterProviderBuilder::with_view_matching_mode).
///
/// ```
/// use opentelemetry_sdk::metrics::{InstrumentSelector, SdkMeterProvider, Stream, View, ViewMatchingMode};
///
/// // One stream `latency` with the first view's keys and the second view's description.
/// let provider = SdkMeterProvider::builder()
///     .with_view_matching_mode(ViewMatchingMode::Composable)
///     .with_view(View::new(InstrumentSelector::new().with_name("latency"), Stream::new().with_allowed_attribute_keys(["route"])))
///     .with_view(View::new(InstrumentSelector::new().with_name("*"), Stream::new().with_description("from the catch-all view")))
///     .build();
/// # drop(provider);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewMatchingMode {
    /// Each matching view makes its own stream (the default).
    #[default]
    Independent,
    /// Matching views are merged: one stream per distinct configured name (views without a
    /// name join every stream); for each aspect the last view setting it wins, falling back
    /// to earlier views when that setting does not apply; attribute filters combine (a key
    /// is kept when every allow-list has it and no exclude-list does).
    Composable,
}

/// A view's stream configuration: what the selected instruments' streams become. Anything
/// left unset keeps the instrument's (or the reader's) default.
///
/// ```
/// use opentelemetry_sdk::metrics::{Aggregation, Stream};
/// let stream = Stream::new()
///     .with_name("requests")
///     .with_allowed_attribute_keys(["http.route"])
///     .with_aggregation(Aggregation::Sum)
///     .with_cardinality_limit(100);
/// # let _ = stream;
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stream {
    pub(crate) name: Option<Cow<'static, str>>,
    pub(crate) description: Option<Cow<'static, str>>,
    pub(crate) allowed_attribute_keys: Option<Vec<Key>>,
    pub(crate) excluded_attribute_keys: Vec<Key>,
    pub(crate) aggregation: Option<Aggregation>,
    pub(crate) cardinality_limit: Option<usize>,
    pub(crate) exemplar_reservoir: Option<ExemplarReservoir>,
}

impl Stream {
    /// Keeps every default.
    pub fn new() -> Self {
        Self::default()
    }

    /// Renames the stream (the view must select a single instrument: no wildcard name).
    /// Not checked against the instrument name syntax.
    pub fn with_name(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Replaces the description.
    pub fn with_description(mut self, description: impl Into<Cow<'static, str>>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Keeps only these attribute keys; the others are dropped before aggregation.
    pub fn with_allowed_attribute_keys<K: Into<Key>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.allowed_attribute_keys = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Drops these attribute keys before aggregation (a key both allowed and excluded is
    /// excluded, and reported).
    pub fn with_excluded_attribute_keys<K: Into<Key>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.excluded_attribute_keys = keys.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the aggregation.
    pub fn with_aggregation(mut self, aggregation: Aggregation) -> Self {
        self.aggregation = Some(aggregation);
        self
    }

    /// Sets the cardinality limit: the most data points one collection produces (positive;
    /// the overflow point counts as one of them).
    pub fn with_cardinality_limit(mut self, limit: usize) -> Self {
        self.cardinality_limit = Some(limit);
        self
    }

    /// Sets the exemplar reservoir each series of the stream uses (default: the spec's
    /// default for the aggregation, see [`ExemplarReservoir`]).
    pub fn with_exemplar_reservoir(mut self, reservoir: ExemplarReservoir) -> Self {
        self.exemplar_reservoir = Some(reservoir);
        self
    }
}

/// Selects instruments and says what their metric streams become. Registered with
/// [`MeterProviderBuilder::with_view`](super::MeterProviderBuilder::with_view); every view
/// that selects an instrument produces one stream of it, and an instrument no view selects
/// gets the default stream.
///
/// Attributes a view removes from a stream are gone from its data points, but they still
/// appear on exemplars as filtered attributes: use
/// [`ExemplarFilter::AlwaysOff`](super::ExemplarFilter::AlwaysOff) if they must not be
/// exported at all.
///
/// ```
/// use opentelemetry_sdk::metrics::{Aggregation, InstrumentSelector, SdkMeterProvider, Stream, View};
///
/// let drop_debug = View::new(
///     InstrumentSelector::new().with_name("debug.*"),
///     Stream::new().with_aggregation(Aggregation::Drop),
/// );
/// let provider = SdkMeterProvider::builder().with_view(drop_debug).build();
/// # drop(provider);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub(crate) selector: InstrumentSelector,
    pub(crate) stream: Stream,
}

impl View {
    /// A view applying `stream` to the instruments `selector` selects.
    pub fn new(selector: InstrumentSelector, stream: Stream) -> Self {
        View { selector, stream }
    }

    /// Checks the configuration; the error says what is wrong.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.selector.is_empty() {
            return Err(
                "the instrument selector has no criteria (use name \"*\" to select \
                        every instrument)"
                    .into(),
            );
        }
        if self.stream.name.is_some() && self.selector.selects_many() {
            return Err(
                "a stream name is set but the selector can select several instruments \
                        (its name is missing or has a wildcard)"
                    .into(),
            );
        }
        if self.stream.cardinality_limit == Some(0) {
            return Err("the cardinality limit must be positive".into());
        }
        if let Some(aggregation) = &self.stream.aggregation {
            aggregation.validate()?;
        }
        if let Some(reservoir) = &self.stream.exemplar_reservoir {
            reservoir.validate()?;
        }
        Ok(())
    }

    /// Keys both allowed and excluded (reported; exclusion wins).
    pub(crate) fn conflicting_keys(&self) -> Vec<&Key> {
        match &self.stream.allowed_attribute_keys {
            Some(allowed) => self
                .stream
                .excluded_attribute_keys
                .iter()
                .filter(|k| allowed.contains(k))
                .collect(),
            None => Vec::new(),
        }
    }
}

/// What a view is matched against.
pub(crate) struct InstrumentInfo<'a> {
    pub(crate) name: &'a str,
    pub(crate) kind: InstrumentKind,
    pub(crate) unit: &'a str,
    pub(crate) scope: &'a InstrumentationScope,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instrument_names_follow_the_syntax() {
        assert!(is_valid_instrument_name("http.server.request_duration"));
        assert!(is_valid_instrument_name("a/b-c_d.e9"));
        assert!(is_valid_instrument_name(&"a".repeat(255)));
        assert!(!is_valid_instrument_name(&"a".repeat(256)));
        assert!(!is_valid_instrument_name(""));
        assert!(!is_valid_instrument_name("9lives"));
        assert!(!is_valid_instrument_name("_x"));
        assert!(!is_valid_instrument_name("with space"));
        assert!(!is_valid_instrument_name("ünïcode"));
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", "anything"));
        assert!(wildcard_match("http.*", "http.server.duration"));
        assert!(wildcard_match("http.?erver", "HTTP.server"));
        assert!(wildcard_match("*.duration", "rpc.duration"));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
        assert!(!wildcard_match("http.?", "http.ab"));
        assert!(wildcard_match("exact", "EXACT"));
        assert!(!wildcard_match("exact", "exactly"));
    }

    #[test]
    fn invalid_views_are_detected() {
        let rename_many = View::new(
            InstrumentSelector::new().with_name("x*"),
            Stream::new().with_name("y"),
        );
        assert!(rename_many.validate().is_err());
        let rename_kind_only = View::new(
            InstrumentSelector::new().with_kind(InstrumentKind::Counter),
            Stream::new().with_name("y"),
        );
        assert!(rename_kind_only.validate().is_err());
        let empty = View::new(InstrumentSelector::new(), Stream::new());
        assert!(empty.validate().is_err());
        let zero = View::new(
            InstrumentSelector::new().with_name("x"),
            Stream::new().with_cardinality_limit(0),
        );
        assert!(zero.validate().is_err());
        let bad_buckets = View::new(
            InstrumentSelector::new().with_name("x"),
            Stream::new().with_aggregation(Aggregation::ExplicitBucketHistogram {
                boundaries: vec![2.0, 1.0],
                record_min_max: true,
            }),
        );
        assert!(bad_buckets.validate().is_err());
        let ok = View::new(
            InstrumentSelector::new().with_name("x"),
            Stream::new().with_name("y"),
        );
        assert!(ok.validate().is_ok());
    }
}
