//! Consistent probability sampling: the [`CompositeSampler`] and its [`ComposableSampler`]s,
//! and the [`ProbabilitySampler`] (spec: trace/sdk.md "ProbabilitySampler",
//! "CompositeSampler"; trace/tracestate-probability-sampling.md).
//!
//! A composable sampler states an *intent*: a 56-bit rejection threshold `T` (or none, to
//! drop). The composite sampler compares it with the trace's randomness `R` (the `rv` value of
//! the OpenTelemetry trace state, else the right-most 56 bits of the trace ID) and samples when
//! `R >= T`, recording the threshold as `th` in the `ot` trace state entry so that later
//! stages know the span's sampling probability.

use super::id_generator::random_u64;
use super::ot_trace_state::{
    probability_to_threshold, set_threshold, threshold_to_string, trace_id_randomness,
    OtTraceState, DEFAULT_PRECISION, MAX_ADJUSTED_COUNT, MAX_THRESHOLD,
};
use super::sampler::{parent_span_context, SamplingDecision, SamplingResult, ShouldSample};
use opentelemetry_api::trace::{Link, SpanContext, SpanKind, TraceContextExt, TraceId, TraceState};
use opentelemetry_api::{otel_warn, Context, KeyValue};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// What a [`ComposableSampler`] is asked about: the arguments of
/// [`ShouldSample::should_sample`] except the trace ID, with the parent's span context and
/// sampling threshold worked out once by the [`CompositeSampler`].
///
/// Read-only: composable samplers pass it unchanged to their delegates.
#[derive(Debug)]
#[non_exhaustive]
pub struct SamplingParameters<'a> {
    /// The parent context.
    pub parent_context: &'a Context,
    /// The parent's span context when the span has a valid parent (`None` for a root span).
    pub parent_span_context: Option<&'a SpanContext>,
    /// The parent's sampling threshold: the valid `th` of its OpenTelemetry trace state
    /// (`None` for a root span, or when the parent has none or an invalid one).
    pub parent_threshold: Option<u64>,
    /// The incoming trace state (the parent's, or the context's for a root span).
    pub trace_state: &'a TraceState,
    /// The span's name.
    pub name: &'a str,
    /// The span's kind.
    pub span_kind: SpanKind,
    /// The span's initial attributes.
    pub attributes: &'a [KeyValue],
    /// The span's links.
    pub links: &'a [Link],
}

/// Makes the trace state of a span from the incoming trace state and the final decision
/// ([`SamplingIntent::trace_state_provider`]). It must not change the `ot` entry: the
/// composite sampler manages its threshold.
pub type TraceStateProvider =
    Arc<dyn Fn(&TraceState, SamplingDecision) -> TraceState + Send + Sync>;

/// A [`ComposableSampler`]'s preference for a span, short of the final decision.
///
/// ```
/// use opentelemetry_sdk::trace::SamplingIntent;
/// // Sample one span in four, with a reliable adjusted count.
/// let quarter = SamplingIntent::new(Some(0xc0_0000_0000_0000), true);
/// assert_eq!(quarter.threshold, Some(0xc0_0000_0000_0000));
/// assert!(SamplingIntent::drop().threshold.is_none());
/// ```
#[derive(Clone)]
pub struct SamplingIntent {
    /// The 56-bit rejection threshold: the span is sampled when the trace's randomness is at
    /// least this (`0` samples everything, `0xff_ffff_ffff_ffff` one span in 2^56, larger
    /// values nothing). `None` drops the span.
    pub threshold: Option<u64>,
    /// Whether the threshold is the span's real sampling probability, so its adjusted count
    /// can be used (span-to-metrics). When `false` the composite sampler decides with fresh
    /// randomness and removes `th` from the trace state.
    pub adjusted_count_reliable: bool,
    /// Attributes added to the span when it is sampled.
    pub attributes: Option<Arc<[KeyValue]>>,
    /// Makes the span's trace state from the incoming one and the decision; `None` keeps the
    /// incoming trace state.
    pub trace_state_provider: Option<TraceStateProvider>,
}

impl SamplingIntent {
    /// An intent with this threshold and reliability, no attributes, the trace state kept.
    pub const fn new(threshold: Option<u64>, adjusted_count_reliable: bool) -> Self {
        SamplingIntent {
            threshold,
            adjusted_count_reliable,
            attributes: None,
            trace_state_provider: None,
        }
    }

    /// The intent not to sample: no threshold, adjusted count not reliable.
    pub const fn drop() -> Self {
        Self::new(None, false)
    }

    /// This intent adding `attributes` to the span when it is sampled.
    pub fn with_attributes(mut self, attributes: impl Into<Arc<[KeyValue]>>) -> Self {
        self.attributes = Some(attributes.into());
        self
    }

    /// This intent with a trace state provider.
    pub fn with_trace_state_provider(
        mut self,
        provider: impl Fn(&TraceState, SamplingDecision) -> TraceState + Send + Sync + 'static,
    ) -> Self {
        self.trace_state_provider = Some(Arc::new(provider));
        self
    }
}

impl fmt::Debug for SamplingIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SamplingIntent")
            .field("threshold", &self.threshold.map(threshold_to_string))
            .field("adjusted_count_reliable", &self.adjusted_count_reliable)
            .field("attributes", &self.attributes)
            .field(
                "trace_state_provider",
                &self.trace_state_provider.as_ref().map(|_| ".."),
            )
            .finish()
    }
}

/// A sampler that states a [`SamplingIntent`] instead of deciding: the building block of a
/// [`CompositeSampler`]. Implement it for custom composable samplers; the built-ins are
/// [`ComposableAlwaysOn`], [`ComposableAlwaysOff`], [`ComposableProbability`],
/// [`ComposableParentThreshold`], [`ComposableRuleBased`] and [`ComposableAnnotating`].
///
/// ```
/// use opentelemetry_sdk::trace::{ComposableSampler, SamplingIntent, SamplingParameters};
///
/// /// Samples every span of kind Server, nothing else (no statistical meaning).
/// #[derive(Debug)]
/// struct Servers;
///
/// impl ComposableSampler for Servers {
///     fn get_sampling_intent(&self, p: &SamplingParameters<'_>) -> SamplingIntent {
///         if p.span_kind == opentelemetry_api::trace::SpanKind::Server {
///             SamplingIntent::new(Some(0), false)
///         } else {
///             SamplingIntent::drop()
///         }
///     }
///     fn description(&self) -> String { "Servers".into() }
/// }
/// ```
pub trait ComposableSampler: Send + Sync + fmt::Debug {
    /// The sampler's intent for the span described by `params` (which it must not change
    /// when asking delegates).
    fn get_sampling_intent(&self, params: &SamplingParameters<'_>) -> SamplingIntent;

    /// The sampler's name and configuration.
    fn description(&self) -> String;
}

impl<T: ComposableSampler + ?Sized> ComposableSampler for Box<T> {
    fn get_sampling_intent(&self, params: &SamplingParameters<'_>) -> SamplingIntent {
        (**self).get_sampling_intent(params)
    }

    fn description(&self) -> String {
        (**self).description()
    }
}

/// The intent to sample every span: threshold 0, adjusted count reliable.
///
/// ```
/// use opentelemetry_sdk::trace::{ComposableAlwaysOn, ComposableSampler};
/// assert_eq!(ComposableAlwaysOn.description(), "ComposableAlwaysOn");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ComposableAlwaysOn;

impl ComposableSampler for ComposableAlwaysOn {
    fn get_sampling_intent(&self, _: &SamplingParameters<'_>) -> SamplingIntent {
        SamplingIntent::new(Some(0), true)
    }

    fn description(&self) -> String {
        "ComposableAlwaysOn".into()
    }
}

/// The intent to sample no span: no threshold, adjusted count not reliable.
///
/// ```
/// use opentelemetry_sdk::trace::{ComposableAlwaysOff, ComposableSampler};
/// assert_eq!(ComposableAlwaysOff.description(), "ComposableAlwaysOff");
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ComposableAlwaysOff;

impl ComposableSampler for ComposableAlwaysOff {
    fn get_sampling_intent(&self, _: &SamplingParameters<'_>) -> SamplingIntent {
        SamplingIntent::drop()
    }

    fn description(&self) -> String {
        "ComposableAlwaysOff".into()
    }
}

/// The intent to sample a fixed ratio of traces: the threshold of the ratio, adjusted count
/// reliable. The ratio is valid from 2^-56 to 1; a ratio of 0 (or NaN, or negative) samples
/// nothing, as [`ComposableAlwaysOff`]. The threshold keeps 4 significant hex digits by
/// default, as the spec recommends ([`with_precision`](Self::with_precision) changes it).
///
/// ```
/// use opentelemetry_sdk::trace::{ComposableProbability, ComposableSampler};
/// let tenth = ComposableProbability::new(0.1);
/// assert_eq!(tenth.threshold(), Some(0xe6_6600_0000_0000));
/// assert_eq!(tenth.description(), "ComposableProbability{threshold=e666, ratio=0.1}");
/// let exact = ComposableProbability::new(0.1).with_precision(14);
/// assert_eq!(exact.threshold(), Some(0xe6_6666_6666_6666));
/// assert_eq!(ComposableProbability::new(0.0).description(), "ComposableAlwaysOff");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ComposableProbability {
    ratio: f64,
    threshold: Option<u64>,
}

impl ComposableProbability {
    /// Samples `ratio` of the traces (2^-56 to 1). A ratio above 1 is taken as 1 and one
    /// between 0 and 2^-56 as 2^-56 (both reported); 0, negative or NaN samples nothing.
    pub fn new(ratio: f64) -> Self {
        let ratio = valid_ratio(ratio);
        ComposableProbability {
            ratio,
            threshold: probability_to_threshold(ratio, DEFAULT_PRECISION),
        }
    }

    /// The same ratio with its threshold rounded to `precision` significant hex digits (1 to
    /// 14; 14 keeps the exact threshold of the `f64` ratio).
    pub fn with_precision(self, precision: u8) -> Self {
        let precision = precision.clamp(1, 14);
        ComposableProbability {
            threshold: probability_to_threshold(self.ratio, precision),
            ..self
        }
    }

    /// The configured ratio.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The rejection threshold (`None` when the ratio is 0 and nothing is sampled).
    pub fn threshold(&self) -> Option<u64> {
        self.threshold
    }
}

/// A ratio brought into [2^-56, 1], or 0 for "never"; out-of-range input is reported.
fn valid_ratio(ratio: f64) -> f64 {
    let min = 1.0 / MAX_ADJUSTED_COUNT as f64;
    if ratio == 0.0 {
        0.0
    } else if ratio.is_nan() || ratio < 0.0 {
        otel_warn!(
            "Sampler.InvalidRatio",
            "sampling ratio {ratio} is not in [2^-56, 1]; sampling nothing"
        );
        0.0
    } else if ratio > 1.0 {
        otel_warn!(
            "Sampler.InvalidRatio",
            "sampling ratio {ratio} is above 1; sampling everything"
        );
        1.0
    } else if ratio < min {
        otel_warn!(
            "Sampler.InvalidRatio",
            "sampling ratio {ratio} is below 2^-56, the smallest probability; using 2^-56"
        );
        min
    } else {
        ratio
    }
}

impl ComposableSampler for ComposableProbability {
    fn get_sampling_intent(&self, _: &SamplingParameters<'_>) -> SamplingIntent {
        match self.threshold {
            Some(t) => SamplingIntent::new(Some(t), true),
            None => SamplingIntent::drop(),
        }
    }

    fn description(&self) -> String {
        match self.threshold {
            Some(t) => format!(
                "ComposableProbability{{threshold={}, ratio={}}}",
                threshold_to_string(t),
                self.ratio
            ),
            None => ComposableAlwaysOff.description(),
        }
    }
}

/// Follows the parent: root spans are asked to `root`; a span with a parent gets the
/// parent's threshold (adjusted count reliable), else threshold 0 when the parent was
/// sampled or no threshold when it was not (adjusted count not reliable).
///
/// ```
/// use opentelemetry_sdk::trace::{ComposableParentThreshold, ComposableProbability, Sampler};
/// let sampler = Sampler::composite(ComposableParentThreshold::new(ComposableProbability::new(0.25)));
/// # drop(sampler);
/// ```
#[derive(Debug)]
pub struct ComposableParentThreshold {
    root: Box<dyn ComposableSampler>,
}

impl ComposableParentThreshold {
    /// Follows the parent, asking `root` for root spans.
    pub fn new(root: impl ComposableSampler + 'static) -> Self {
        ComposableParentThreshold {
            root: Box::new(root),
        }
    }
}

impl ComposableSampler for ComposableParentThreshold {
    fn get_sampling_intent(&self, params: &SamplingParameters<'_>) -> SamplingIntent {
        let Some(parent) = params.parent_span_context else {
            return self.root.get_sampling_intent(params);
        };
        match params.parent_threshold {
            Some(t) => SamplingIntent::new(Some(t), true),
            None if parent.is_sampled() => SamplingIntent::new(Some(0), false),
            None => SamplingIntent::drop(),
        }
    }

    fn description(&self) -> String {
        format!(
            "ComposableParentThreshold{{root={}}}",
            self.root.description()
        )
    }
}

/// Whether a rule of a [`ComposableRuleBased`] sampler applies to a span. Closures taking
/// `&SamplingParameters` are predicates.
pub trait SamplingPredicate: Send + Sync {
    /// Whether the rule applies.
    fn matches(&self, params: &SamplingParameters<'_>) -> bool;

    /// The predicate's description.
    fn description(&self) -> String {
        "Predicate".into()
    }
}

impl<F> SamplingPredicate for F
where
    F: Fn(&SamplingParameters<'_>) -> bool + Send + Sync,
{
    fn matches(&self, params: &SamplingParameters<'_>) -> bool {
        self(params)
    }
}

/// One rule of a [`ComposableRuleBased`] sampler: a predicate and the sampler it selects.
pub type SamplingRule = (Box<dyn SamplingPredicate>, Box<dyn ComposableSampler>);

/// Asks the sampler of the first rule whose predicate matches; no match drops the span.
///
/// ```
/// use opentelemetry_sdk::trace::{
///     ComposableAlwaysOff, ComposableAlwaysOn, ComposableParentThreshold, ComposableProbability,
///     ComposableRuleBased, Sampler, SamplingParameters,
/// };
/// let root = ComposableRuleBased::new(Vec::new())
///     .with_rule(|p: &SamplingParameters<'_>| p.name == "/health", ComposableAlwaysOff)
///     .with_rule(|p: &SamplingParameters<'_>| p.name == "/checkout", ComposableAlwaysOn)
///     .with_rule(|_: &SamplingParameters<'_>| true, ComposableProbability::new(0.1));
/// let sampler = Sampler::composite(ComposableParentThreshold::new(root));
/// # drop(sampler);
/// ```
pub struct ComposableRuleBased {
    rules: Vec<SamplingRule>,
}

impl ComposableRuleBased {
    /// A sampler with these rules, tried in order.
    pub fn new(rules: Vec<SamplingRule>) -> Self {
        ComposableRuleBased { rules }
    }

    /// These rules followed by one more.
    pub fn with_rule(
        mut self,
        predicate: impl SamplingPredicate + 'static,
        sampler: impl ComposableSampler + 'static,
    ) -> Self {
        self.rules.push((Box::new(predicate), Box::new(sampler)));
        self
    }
}

impl fmt::Debug for ComposableRuleBased {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

impl ComposableSampler for ComposableRuleBased {
    fn get_sampling_intent(&self, params: &SamplingParameters<'_>) -> SamplingIntent {
        self.rules
            .iter()
            .find(|(predicate, _)| predicate.matches(params))
            .map_or_else(SamplingIntent::drop, |(_, sampler)| {
                sampler.get_sampling_intent(params)
            })
    }

    fn description(&self) -> String {
        let rules: Vec<String> = self
            .rules
            .iter()
            .map(|(p, s)| format!("({}, {})", p.description(), s.description()))
            .collect();
        format!("ComposableRuleBased{{[{}]}}", rules.join(", "))
    }
}

/// Asks `delegate`, and adds `attributes` to the spans that are sampled (after the
/// delegate's own).
///
/// ```
/// use opentelemetry_api::KeyValue;
/// use opentelemetry_sdk::trace::{ComposableAnnotating, ComposableProbability, Sampler};
/// let sampler = Sampler::composite(ComposableAnnotating::new(
///     vec![KeyValue::new("sampling.rule", "default")],
///     ComposableProbability::new(0.5),
/// ));
/// # drop(sampler);
/// ```
#[derive(Debug)]
pub struct ComposableAnnotating {
    attributes: Arc<[KeyValue]>,
    delegate: Box<dyn ComposableSampler>,
}

impl ComposableAnnotating {
    /// Adds `attributes` to the spans `delegate` samples.
    pub fn new(
        attributes: impl Into<Arc<[KeyValue]>>,
        delegate: impl ComposableSampler + 'static,
    ) -> Self {
        ComposableAnnotating {
            attributes: attributes.into(),
            delegate: Box::new(delegate),
        }
    }
}

impl ComposableSampler for ComposableAnnotating {
    fn get_sampling_intent(&self, params: &SamplingParameters<'_>) -> SamplingIntent {
        let mut intent = self.delegate.get_sampling_intent(params);
        intent.attributes = Some(match intent.attributes.take() {
            None => self.attributes.clone(),
            Some(theirs) if theirs.is_empty() => self.attributes.clone(),
            Some(theirs) => theirs
                .iter()
                .chain(self.attributes.iter())
                .cloned()
                .collect(),
        });
        intent
    }

    fn description(&self) -> String {
        let keys: Vec<&str> = self.attributes.iter().map(|kv| kv.key.as_str()).collect();
        format!(
            "ComposableAnnotating{{attributes=[{}], delegate={}}}",
            keys.join(","),
            self.delegate.description()
        )
    }
}

/// The sampler made of a [`ComposableSampler`]: it samples when the trace's randomness `R`
/// is at least the delegate's threshold `T`, and keeps the `th` value of the `ot` trace state
/// entry equal to `T` on sampled spans whose adjusted count is reliable (removing it
/// otherwise). `R` is the `rv` value of the `ot` entry, else the right-most 56 bits of the
/// trace ID; for an intent whose adjusted count is not reliable it is a fresh random value.
///
/// ```
/// use opentelemetry_api::trace::{SpanKind, TraceId};
/// use opentelemetry_api::Context;
/// use opentelemetry_sdk::trace::{
///     ComposableProbability, CompositeSampler, SamplingDecision, ShouldSample,
/// };
/// let sampler = CompositeSampler::new(ComposableProbability::new(0.25));
/// // R = 0xd0..: at least the threshold 0xc0..: sampled, with th:c in the trace state.
/// let kept = sampler.should_sample(&Context::new(),
///     TraceId::from(0xd0_0000_0000_0000u128), "op", SpanKind::Server, &[], &[]);
/// assert_eq!(kept.decision, SamplingDecision::RecordAndSample);
/// assert_eq!(kept.trace_state.header(), "ot=th:c");
/// let dropped = sampler.should_sample(&Context::new(),
///     TraceId::from(0x10_0000_0000_0000u128), "op", SpanKind::Server, &[], &[]);
/// assert_eq!(dropped.decision, SamplingDecision::Drop);
/// assert!(dropped.trace_state.is_empty());
/// ```
#[derive(Debug)]
pub struct CompositeSampler {
    delegate: Box<dyn ComposableSampler>,
}

impl CompositeSampler {
    /// The sampler deciding with `delegate`'s intents.
    pub fn new(delegate: impl ComposableSampler + 'static) -> Self {
        CompositeSampler {
            delegate: Box::new(delegate),
        }
    }
}

impl ShouldSample for CompositeSampler {
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        composite_should_sample(
            &*self.delegate,
            None,
            parent_context,
            trace_id,
            name,
            span_kind,
            attributes,
            links,
        )
    }

    fn description(&self) -> String {
        format!("CompositeSampler{{{}}}", self.delegate.description())
    }
}

/// The probability sampler: samples `ratio` of the traces, consistently across services
/// (the trace's randomness `R` against the ratio's rejection threshold `T`, `R >= T`), and
/// records `th:T` in the `ot` trace state entry of sampled spans. It ignores the parent's
/// sampled flag (wrap it in [`ParentBased`](super::ParentBased) to follow the parent).
/// It decides as a [`CompositeSampler`] of a [`ComposableProbability`], and warns once when
/// it presumes a remote-born trace ID random while the parent lacks the `random` flag.
///
/// ```
/// use opentelemetry_sdk::trace::{ProbabilitySampler, Sampler, ShouldSample};
/// let sampler = Sampler::probability(0.25);
/// assert_eq!(sampler.description(), "ProbabilitySampler{0.25}");
/// let precise = Sampler::Probability(ProbabilitySampler::new(0.1).with_precision(6));
/// # drop(precise);
/// ```
#[derive(Debug)]
pub struct ProbabilitySampler {
    composable: ComposableProbability,
    warned: AtomicBool,
}

impl ProbabilitySampler {
    /// Samples `ratio` of the traces (2^-56 to 1; see [`ComposableProbability::new`]).
    pub fn new(ratio: f64) -> Self {
        ProbabilitySampler {
            composable: ComposableProbability::new(ratio),
            warned: AtomicBool::new(false),
        }
    }

    /// The same ratio with its threshold rounded to `precision` hex digits (1 to 14).
    pub fn with_precision(self, precision: u8) -> Self {
        ProbabilitySampler {
            composable: self.composable.with_precision(precision),
            warned: self.warned,
        }
    }

    /// The configured ratio.
    pub fn ratio(&self) -> f64 {
        self.composable.ratio()
    }

    /// The rejection threshold (`None` when the ratio is 0).
    pub fn threshold(&self) -> Option<u64> {
        self.composable.threshold()
    }
}

impl ShouldSample for ProbabilitySampler {
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        composite_should_sample(
            &self.composable,
            Some(&self.warned),
            parent_context,
            trace_id,
            name,
            span_kind,
            attributes,
            links,
        )
    }

    fn description(&self) -> String {
        format!("ProbabilitySampler{{{}}}", self.ratio())
    }
}

/// The composite sampler's decision. `warn_once` (the probability sampler's) is set when a
/// child span's decision presumes the trace ID random without the parent's `random` flag.
#[allow(clippy::too_many_arguments)]
fn composite_should_sample(
    delegate: &dyn ComposableSampler,
    warn_once: Option<&AtomicBool>,
    parent_context: &Context,
    trace_id: TraceId,
    name: &str,
    span_kind: SpanKind,
    attributes: &[KeyValue],
    links: &[Link],
) -> SamplingResult {
    let parent = parent_span_context(parent_context);
    let incoming = parent_context.span().span_context().trace_state();
    let ot = OtTraceState::from_trace_state(incoming);
    let params = SamplingParameters {
        parent_context,
        parent_span_context: parent,
        parent_threshold: parent.and(ot.threshold),
        trace_state: incoming,
        name,
        span_kind,
        attributes,
        links,
    };
    let intent = delegate.get_sampling_intent(&params);

    let sampled = match intent.threshold {
        None => false,
        // Any randomness is at least 0: no need to draw one.
        Some(0) => true,
        Some(threshold) => {
            let randomness = if !intent.adjusted_count_reliable {
                random_u64() & MAX_THRESHOLD
            } else if let Some(rv) = ot.randomness {
                rv
            } else {
                if let (Some(flag), Some(p)) = (warn_once, parent) {
                    if !p.trace_flags().is_random() && !flag.swap(true, Ordering::Relaxed) {
                        otel_warn!(
                            "ProbabilitySampler.PresumedRandomTraceId",
                            "The ProbabilitySampler sampler is presuming TraceIDs are random and \
                             expects the Trace random flag to be set in confirmation. Please \
                             upgrade your caller(s) to use W3C Trace Context Level 2."
                        );
                    }
                }
                trace_id_randomness(trace_id)
            };
            randomness >= threshold
        }
    };
    let decision = if sampled {
        SamplingDecision::RecordAndSample
    } else {
        SamplingDecision::Drop
    };

    let provided;
    let (base, base_ot) = match &intent.trace_state_provider {
        None => (incoming, ot),
        Some(provider) => {
            provided = provider(incoming, decision);
            (&provided, OtTraceState::from_trace_state(&provided))
        }
    };
    let threshold = if sampled && intent.adjusted_count_reliable {
        intent.threshold
    } else {
        None
    };
    let trace_state = match set_threshold(base, &base_ot, threshold) {
        Ok(ts) => ts,
        Err(e) => {
            otel_warn!("Sampler.TraceStateNotUpdated", "{e}; threshold removed");
            // Removing `th` only shortens the value; should even that fail, keep the input.
            set_threshold(base, &base_ot, None).unwrap_or_else(|_| base.clone())
        }
    };
    let attributes = match (sampled, intent.attributes) {
        (true, Some(a)) => a.to_vec(),
        _ => Vec::new(),
    };
    SamplingResult {
        decision,
        attributes,
        trace_state,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::trace::{SpanId, TraceFlags};

    const QUARTER: u64 = 0xc0_0000_0000_0000;

    fn parent_cx(sampled: bool, random: bool, trace_state: &str) -> Context {
        let flags = TraceFlags::default()
            .with_sampled(sampled)
            .with_random(random);
        Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from(7u128),
            SpanId::from(1u64),
            flags,
            true,
            trace_state.parse().unwrap(),
        ))
    }

    fn run(s: &dyn ShouldSample, cx: &Context, trace_id: u128) -> SamplingResult {
        s.should_sample(
            cx,
            TraceId::from(trace_id),
            "span",
            SpanKind::Internal,
            &[],
            &[],
        )
    }

    fn intent_of(s: &dyn ComposableSampler, cx: &Context, name: &str) -> SamplingIntent {
        let parent = parent_span_context(cx);
        let ts = cx.span().span_context().trace_state();
        let ot = OtTraceState::from_trace_state(ts);
        s.get_sampling_intent(&SamplingParameters {
            parent_context: cx,
            parent_span_context: parent,
            parent_threshold: parent.and(ot.threshold),
            trace_state: ts,
            name,
            span_kind: SpanKind::Internal,
            attributes: &[],
            links: &[],
        })
    }

    #[test]
    fn always_on_and_always_off_intents() {
        let cx = Context::new();
        let on = intent_of(&ComposableAlwaysOn, &cx, "x");
        assert_eq!((on.threshold, on.adjusted_count_reliable), (Some(0), true));
        assert!(on.attributes.is_none());
        let off = intent_of(&ComposableAlwaysOff, &cx, "x");
        assert_eq!((off.threshold, off.adjusted_count_reliable), (None, false));
    }

    #[test]
    fn probability_intent_and_zero_ratio() {
        let cx = Context::new();
        let p = intent_of(&ComposableProbability::new(0.25), &cx, "x");
        assert_eq!(
            (p.threshold, p.adjusted_count_reliable),
            (Some(QUARTER), true)
        );
        let zero = intent_of(&ComposableProbability::new(0.0), &cx, "x");
        assert_eq!(
            (zero.threshold, zero.adjusted_count_reliable),
            (None, false)
        );
        assert_eq!(ComposableProbability::new(2.0).threshold(), Some(0));
        assert_eq!(ComposableProbability::new(f64::NAN).threshold(), None);
        assert_eq!(
            ComposableProbability::new(1e-30).threshold(),
            Some(MAX_THRESHOLD)
        );
        assert_eq!(
            ComposableProbability::new(1.0 / 3.0)
                .with_precision(14)
                .threshold(),
            Some(0xaa_aaaa_aaaa_aaac)
        );
    }

    #[test]
    fn parent_threshold_intents() {
        let s = ComposableParentThreshold::new(ComposableProbability::new(0.5));
        // Root: the root sampler's intent.
        let root = intent_of(&s, &Context::new(), "x");
        assert_eq!(
            (root.threshold, root.adjusted_count_reliable),
            (Some(0x80_0000_0000_0000), true)
        );
        // Parent threshold: propagated, reliable.
        let with_th = intent_of(&s, &parent_cx(true, true, "ot=th:c"), "x");
        assert_eq!(
            (with_th.threshold, with_th.adjusted_count_reliable),
            (Some(QUARTER), true)
        );
        // Sampled parent without threshold: sample, not reliable.
        let sampled = intent_of(&s, &parent_cx(true, true, "a=b"), "x");
        assert_eq!(
            (sampled.threshold, sampled.adjusted_count_reliable),
            (Some(0), false)
        );
        // Invalid parent threshold counts as none.
        let invalid = intent_of(&s, &parent_cx(true, true, "ot=th:XYZ"), "x");
        assert_eq!(
            (invalid.threshold, invalid.adjusted_count_reliable),
            (Some(0), false)
        );
        // Unsampled parent without threshold: drop.
        let unsampled = intent_of(&s, &parent_cx(false, true, ""), "x");
        assert_eq!(
            (unsampled.threshold, unsampled.adjusted_count_reliable),
            (None, false)
        );
        assert_eq!(
            s.description(),
            "ComposableParentThreshold{root=ComposableProbability{threshold=8, ratio=0.5}}"
        );
    }

    #[test]
    fn rule_based_takes_the_first_matching_rule() {
        let s = ComposableRuleBased::new(Vec::new())
            .with_rule(
                |p: &SamplingParameters<'_>| p.name == "health",
                ComposableAlwaysOff,
            )
            .with_rule(
                |p: &SamplingParameters<'_>| p.name.starts_with('c'),
                ComposableAlwaysOn,
            )
            .with_rule(
                |p: &SamplingParameters<'_>| p.name.starts_with("ch"),
                ComposableProbability::new(0.5),
            );
        let cx = Context::new();
        assert_eq!(intent_of(&s, &cx, "health").threshold, None);
        assert_eq!(intent_of(&s, &cx, "checkout").threshold, Some(0));
        let none = intent_of(&s, &cx, "other");
        assert_eq!(
            (none.threshold, none.adjusted_count_reliable),
            (None, false)
        );
        assert_eq!(
            s.description(),
            "ComposableRuleBased{[(Predicate, ComposableAlwaysOff), (Predicate, ComposableAlwaysOn), \
             (Predicate, ComposableProbability{threshold=8, ratio=0.5})]}"
        );
    }

    #[test]
    fn annotating_adds_attributes_to_sampled_spans_only() {
        let inner = ComposableAnnotating::new(vec![KeyValue::new("a", 1)], ComposableAlwaysOn);
        let outer = ComposableAnnotating::new(vec![KeyValue::new("b", 2)], inner);
        let intent = intent_of(&outer, &Context::new(), "x");
        assert_eq!(
            (intent.threshold, intent.adjusted_count_reliable),
            (Some(0), true)
        );
        assert_eq!(
            intent.attributes.as_deref(),
            Some(&[KeyValue::new("a", 1), KeyValue::new("b", 2)][..])
        );
        assert_eq!(
            outer.description(),
            "ComposableAnnotating{attributes=[b], delegate=ComposableAnnotating{attributes=[a], delegate=ComposableAlwaysOn}}"
        );

        let sampled = run(&CompositeSampler::new(outer), &Context::new(), 1);
        assert_eq!(sampled.decision, SamplingDecision::RecordAndSample);
        assert_eq!(sampled.attributes.len(), 2);
        let dropped = run(
            &CompositeSampler::new(ComposableAnnotating::new(
                vec![KeyValue::new("a", 1)],
                ComposableAlwaysOff,
            )),
            &Context::new(),
            1,
        );
        assert_eq!(dropped.decision, SamplingDecision::Drop);
        assert!(dropped.attributes.is_empty());
    }

    #[test]
    fn randomness_from_rv_before_trace_id() {
        let s = CompositeSampler::new(ComposableProbability::new(0.25));
        // Trace ID randomness below the threshold, rv above it: sampled by rv.
        let cx = parent_cx(true, true, "ot=rv:d0000000000000");
        let r = run(&s, &cx, 0x10_0000_0000_0000);
        assert_eq!(r.decision, SamplingDecision::RecordAndSample);
        assert_eq!(r.trace_state.header(), "ot=th:c;rv:d0000000000000");
        // rv below, trace ID above: dropped by rv; rv kept.
        let cx = parent_cx(true, true, "ot=rv:10000000000000");
        let r = run(&s, &cx, 0xd0_0000_0000_0000);
        assert_eq!(r.decision, SamplingDecision::Drop);
        assert_eq!(r.trace_state.header(), "ot=rv:10000000000000");
        // No rv: the trace ID's right-most 56 bits; R == T samples.
        let r = run(
            &s,
            &Context::new(),
            0xffff_0000_0000_0000_00c0_0000_0000_0000,
        );
        assert_eq!(r.decision, SamplingDecision::RecordAndSample);
        let r = run(
            &s,
            &Context::new(),
            0xffff_0000_0000_0000_00bf_ffff_ffff_ffff,
        );
        assert_eq!(r.decision, SamplingDecision::Drop);
        // An invalid rv is ignored: the trace ID decides.
        let cx = parent_cx(true, true, "ot=rv:D0000000000000");
        assert_eq!(
            run(&s, &cx, 0x10_0000_0000_0000).decision,
            SamplingDecision::Drop
        );
    }

    #[test]
    fn composite_trace_state_updates() {
        let pt = CompositeSampler::new(ComposableParentThreshold::new(ComposableAlwaysOn));
        // Root: th:0 added, other entries kept.
        let r = run(&pt, &Context::new(), 1);
        assert_eq!(r.trace_state.header(), "ot=th:0");
        // Parent with th: kept unchanged (same trace state, no rewrite).
        let cx = parent_cx(true, true, "x=y,ot=th:c;foo:bar");
        let r = run(&pt, &cx, 0xd0_0000_0000_0000);
        assert_eq!(r.decision, SamplingDecision::RecordAndSample);
        assert_eq!(r.trace_state.header(), "x=y,ot=th:c;foo:bar");
        // Sampled parent without th: sampled, th removed (unreliable).
        let cx = parent_cx(true, true, "ot=th:zz;foo:bar");
        let r = run(&pt, &cx, 1);
        assert_eq!(r.decision, SamplingDecision::RecordAndSample);
        assert_eq!(r.trace_state.header(), "ot=foo:bar");
        // Unsampled parent: dropped, th removed, the ot entry deleted when left empty.
        let cx = parent_cx(false, true, "x=y,ot=th:zz");
        let r = run(&pt, &cx, 1);
        assert_eq!(r.decision, SamplingDecision::Drop);
        assert_eq!(r.trace_state.header(), "x=y");

        // A probability sampler overrides the parent's th on sampled spans.
        let p = CompositeSampler::new(ComposableProbability::new(0.5));
        let cx = parent_cx(true, true, "ot=th:c;rv:e0000000000000;k:v,x=y");
        let r = run(&p, &cx, 1);
        assert_eq!(r.decision, SamplingDecision::RecordAndSample);
        assert_eq!(r.trace_state.header(), "ot=th:8;rv:e0000000000000;k:v,x=y");

        // A trace state provider's result is the base for the th update.
        #[derive(Debug)]
        struct Tagging;
        impl ComposableSampler for Tagging {
            fn get_sampling_intent(&self, _: &SamplingParameters<'_>) -> SamplingIntent {
                SamplingIntent::new(Some(0), true).with_trace_state_provider(|ts, decision| {
                    ts.insert("vendor", format!("{decision:?}")).unwrap()
                })
            }
            fn description(&self) -> String {
                "Tagging".into()
            }
        }
        let r = run(
            &CompositeSampler::new(Tagging),
            &parent_cx(true, true, "a=b"),
            1,
        );
        assert_eq!(r.trace_state.header(), "ot=th:0,vendor=RecordAndSample,a=b");
    }

    #[test]
    fn unreliable_intents_use_fresh_randomness() {
        #[derive(Debug)]
        struct Half(bool);
        impl ComposableSampler for Half {
            fn get_sampling_intent(&self, _: &SamplingParameters<'_>) -> SamplingIntent {
                SamplingIntent::new(Some(0x80_0000_0000_0000), self.0)
            }
            fn description(&self) -> String {
                "Half".into()
            }
        }
        // With the same trace ID, a reliable intent always decides the same; an unreliable
        // one draws new randomness and samples about half, without th.
        let reliable = CompositeSampler::new(Half(true));
        let unreliable = CompositeSampler::new(Half(false));
        let id = 0x10_0000_0000_0000;
        let mut kept = 0;
        for _ in 0..1000 {
            assert_eq!(
                run(&reliable, &Context::new(), id).decision,
                SamplingDecision::Drop
            );
            let r = run(&unreliable, &Context::new(), id);
            if r.decision == SamplingDecision::RecordAndSample {
                kept += 1;
                assert!(r.trace_state.is_empty());
            }
        }
        assert!((350..650).contains(&kept), "{kept}");
    }

    #[test]
    fn probability_sampler_matches_the_composite() {
        let ps = ProbabilitySampler::new(0.1);
        let cs = CompositeSampler::new(ComposableProbability::new(0.1));
        for i in 0..2000u128 {
            let id = i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
            let cx = parent_cx(i % 2 == 0, i % 3 == 0, "ot=th:8,a=b");
            assert_eq!(run(&ps, &cx, id), run(&cs, &cx, id));
            assert_eq!(run(&ps, &Context::new(), id), run(&cs, &Context::new(), id));
        }
        assert_eq!(ps.threshold(), Some(0xe6_6600_0000_0000));
        assert_eq!(
            CompositeSampler::new(ComposableAlwaysOn).description(),
            "CompositeSampler{ComposableAlwaysOn}"
        );
    }
}
