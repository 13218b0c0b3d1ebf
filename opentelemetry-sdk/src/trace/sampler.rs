//! Samplers: which spans are recorded and which are sampled (exported).

use opentelemetry_api::trace::{Link, SpanContext, SpanKind, TraceContextExt, TraceId, TraceState};
use opentelemetry_api::{Context, KeyValue};
use std::fmt::Debug;
use std::sync::atomic::{AtomicBool, Ordering};

use super::composite::{CompositeSampler, ProbabilitySampler};

/// What a sampler decided for a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SamplingDecision {
    /// Not recorded, not sampled: the span is a no-op carrying a new span context.
    Drop,
    /// Recorded (processors see it) but not sampled (exporters do not).
    RecordOnly,
    /// Recorded and sampled.
    RecordAndSample,
}

/// A sampler's answer: the decision, attributes to add, and the span's trace state.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingResult {
    /// The decision.
    pub decision: SamplingDecision,
    /// Attributes added to the span.
    pub attributes: Vec<KeyValue>,
    /// The trace state of the new span context (return the parent's to keep it).
    pub trace_state: TraceState,
}

/// The sampler interface; implement it for custom sampling.
///
/// ```
/// use opentelemetry_api::trace::{Link, SpanKind, TraceId, TraceContextExt};
/// use opentelemetry_api::{Context, KeyValue};
/// use opentelemetry_sdk::trace::{SamplingDecision, SamplingResult, ShouldSample};
///
/// /// Samples only spans whose name starts with "GET ".
/// #[derive(Debug)]
/// struct OnlyGets;
///
/// impl ShouldSample for OnlyGets {
///     fn should_sample(&self, parent: &Context, _: TraceId, name: &str, _: SpanKind,
///                      _: &[KeyValue], _: &[Link]) -> SamplingResult {
///         let decision = if name.starts_with("GET ") {
///             SamplingDecision::RecordAndSample
///         } else {
///             SamplingDecision::Drop
///         };
///         SamplingResult {
///             decision,
///             attributes: Vec::new(),
///             trace_state: parent.span().span_context().trace_state().clone(),
///         }
///     }
///     fn description(&self) -> String { "OnlyGets".into() }
/// }
/// ```
pub trait ShouldSample: Send + Sync + Debug {
    /// Decides for a span about to be created. `trace_id` is the parent's when the parent is
    /// valid, a new one otherwise.
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult;

    /// The sampler's name and configuration, e.g. `TraceIdRatioBased{0.25}`.
    fn description(&self) -> String;
}

/// The built-in samplers. The default is `ParentBased(root = AlwaysOn)`.
///
/// ```
/// use opentelemetry_sdk::trace::{Sampler, ShouldSample};
/// assert_eq!(Sampler::default().description(), "ParentBased{root:AlwaysOnSampler,remoteParentSampled:AlwaysOnSampler,remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,localParentNotSampled:AlwaysOffSampler}");
/// assert_eq!(Sampler::TraceIdRatioBased(0.25).description(), "TraceIdRatioBased{0.25}");
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub enum Sampler {
    /// Records and samples every span.
    AlwaysOn,
    /// Drops every span.
    AlwaysOff,
    /// Samples a fraction of traces, decided from the trace ID alone (so every service with
    /// the same ratio decides the same for a trace, and a higher ratio samples a superset).
    TraceIdRatioBased(f64),
    /// Follows the parent's decision, with a sampler per parent case.
    ParentBased(ParentBased),
    /// Passes every span to the processors: the wrapped sampler's `Drop` becomes
    /// `RecordOnly` (for span-to-metrics processing); its other decisions stand.
    AlwaysRecord(Box<dyn ShouldSample>),
    /// Consistent probability sampling of a ratio of the traces, recording the threshold in
    /// the `ot` trace state entry (see [`ProbabilitySampler`]).
    Probability(ProbabilitySampler),
    /// A [`CompositeSampler`] of [`ComposableSampler`](super::ComposableSampler)s.
    Composite(CompositeSampler),
}

impl Default for Sampler {
    fn default() -> Self {
        Sampler::ParentBased(ParentBased::new(Sampler::AlwaysOn))
    }
}

impl Sampler {
    /// `ParentBased` with the given root sampler and the spec's defaults for the rest.
    pub fn parent_based(root: impl ShouldSample + 'static) -> Self {
        Sampler::ParentBased(ParentBased::new(root))
    }

    /// `AlwaysRecord` wrapping `root`.
    pub fn always_record(root: impl ShouldSample + 'static) -> Self {
        Sampler::AlwaysRecord(Box::new(root))
    }

    /// A [`ProbabilitySampler`] of `ratio` (2^-56 to 1; 0 samples nothing).
    pub fn probability(ratio: f64) -> Self {
        Sampler::Probability(ProbabilitySampler::new(ratio))
    }

    /// A [`CompositeSampler`] deciding with `composable`'s intents.
    pub fn composite(composable: impl super::ComposableSampler + 'static) -> Self {
        Sampler::Composite(CompositeSampler::new(composable))
    }
}

impl Sampler {
    /// The sampler named by `OTEL_TRACES_SAMPLER` (with `OTEL_TRACES_SAMPLER_ARG`), or the
    /// default `ParentBased(AlwaysOn)` when unset. An unknown name or an invalid argument is
    /// reported and ignored. The Jaeger remote and X-Ray samplers live in their own crates.
    pub fn from_env() -> Self {
        Self::from_env_values(
            crate::env::var("OTEL_TRACES_SAMPLER").as_deref(),
            crate::env::var("OTEL_TRACES_SAMPLER_ARG").as_deref(),
        )
    }

    pub(crate) fn from_env_values(name: Option<&str>, arg: Option<&str>) -> Self {
        let ratio = || match arg {
            None => 1.0,
            Some(a) => match a.parse::<f64>() {
                Ok(r) if (0.0..=1.0).contains(&r) => r,
                _ => {
                    opentelemetry_api::otel_warn!(
                        "Env.InvalidSamplerArg",
                        "OTEL_TRACES_SAMPLER_ARG={a:?} is not a ratio in [0, 1]; using 1.0"
                    );
                    1.0
                }
            },
        };
        let Some(name) = name else {
            return Sampler::default();
        };
        match name.to_ascii_lowercase().as_str() {
            "always_on" => Sampler::AlwaysOn,
            "always_off" => Sampler::AlwaysOff,
            "traceidratio" => Sampler::TraceIdRatioBased(ratio()),
            "parentbased_always_on" => Sampler::parent_based(Sampler::AlwaysOn),
            "parentbased_always_off" => Sampler::parent_based(Sampler::AlwaysOff),
            "parentbased_traceidratio" => {
                Sampler::parent_based(Sampler::TraceIdRatioBased(ratio()))
            }
            other => {
                opentelemetry_api::otel_warn!(
                    "Env.UnknownSampler",
                    "OTEL_TRACES_SAMPLER={other:?} is not a sampler this SDK knows; using parentbased_always_on"
                );
                Sampler::default()
            }
        }
    }
}

/// The number of random bits in a W3C Level 2 trace ID: its right-most 7 bytes.
const RANDOM_BITS: u32 = 56;

/// Whether a ratio sampler samples this trace ID: the random 56 bits compared with the
/// ratio scaled to 2^56 (deterministic, and monotonic in the ratio).
fn ratio_samples(ratio: f64, trace_id: TraceId) -> bool {
    if ratio.is_nan() || ratio <= 0.0 {
        return false;
    }
    if ratio >= 1.0 {
        return true;
    }
    let threshold = (ratio * (1u64 << RANDOM_BITS) as f64) as u64;
    let random = (u128::from(trace_id) as u64) & ((1u64 << RANDOM_BITS) - 1);
    random < threshold
}

/// The spec's compatibility warning (trace/sdk.md, "Compatibility warnings for
/// `TraceIdRatioBased` sampler"), once per process, when the ratio sampler decides for a span
/// with a parent; the decision itself is unchanged.
fn warn_ratio_sampler_as_child(parent_context: &Context) {
    static WARNED: AtomicBool = AtomicBool::new(false);
    let Some(parent) = parent_span_context(parent_context) else {
        return;
    };
    if WARNED.load(Ordering::Relaxed) || WARNED.swap(true, Ordering::Relaxed) {
        return;
    }
    let ot = super::ot_trace_state::OtTraceState::from_trace_state(parent.trace_state());
    if ot.threshold.is_some() || ot.randomness.is_some() {
        opentelemetry_api::otel_warn!(
            "TraceIdRatioBased.ChildSampler",
            "The TraceIdRatioBased sampler is operating as a child sampler and a parent is \
             using ProbabilitySampler. Please upgrade this SDK configuration to use \
             ProbabilitySampler."
        );
    } else {
        opentelemetry_api::otel_warn!(
            "TraceIdRatioBased.ChildSampler",
            "The TraceIdRatioBased sampler is operating as a child sampler; the behavior is \
             subject to change. Please upgrade this SDK configuration to use \
             ProbabilitySampler."
        );
    }
}

pub(crate) fn parent_span_context(cx: &Context) -> Option<&SpanContext> {
    let sc = cx.span().span_context();
    // SpanRef borrows from the context, so the reference lives as long as `cx`.
    if cx.has_active_span() && sc.is_valid() {
        Some(sc)
    } else {
        None
    }
}

impl ShouldSample for Sampler {
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        let decision = match self {
            Sampler::AlwaysOn => SamplingDecision::RecordAndSample,
            Sampler::AlwaysOff => SamplingDecision::Drop,
            Sampler::TraceIdRatioBased(ratio) => {
                warn_ratio_sampler_as_child(parent_context);
                if ratio_samples(*ratio, trace_id) {
                    SamplingDecision::RecordAndSample
                } else {
                    SamplingDecision::Drop
                }
            }
            Sampler::AlwaysRecord(root) => {
                let mut result = root.should_sample(
                    parent_context,
                    trace_id,
                    name,
                    span_kind,
                    attributes,
                    links,
                );
                if result.decision == SamplingDecision::Drop {
                    result.decision = SamplingDecision::RecordOnly;
                }
                return result;
            }
            Sampler::Probability(p) => {
                return p.should_sample(
                    parent_context,
                    trace_id,
                    name,
                    span_kind,
                    attributes,
                    links,
                )
            }
            Sampler::Composite(c) => {
                return c.should_sample(
                    parent_context,
                    trace_id,
                    name,
                    span_kind,
                    attributes,
                    links,
                )
            }
            Sampler::ParentBased(pb) => {
                return pb.should_sample(
                    parent_context,
                    trace_id,
                    name,
                    span_kind,
                    attributes,
                    links,
                )
            }
        };
        SamplingResult {
            decision,
            attributes: Vec::new(),
            trace_state: parent_context.span().span_context().trace_state().clone(),
        }
    }

    fn description(&self) -> String {
        match self {
            Sampler::AlwaysOn => "AlwaysOnSampler".into(),
            Sampler::AlwaysOff => "AlwaysOffSampler".into(),
            Sampler::TraceIdRatioBased(r) => format!("TraceIdRatioBased{{{r}}}"),
            Sampler::ParentBased(pb) => pb.description(),
            Sampler::AlwaysRecord(root) => format!("AlwaysRecord{{{}}}", root.description()),
            Sampler::Probability(p) => p.description(),
            Sampler::Composite(c) => c.description(),
        }
    }
}

/// A sampler that follows the parent: `root` for root spans, and one delegate for each of
/// remote/local parent, sampled/not sampled (defaults: AlwaysOn for sampled parents,
/// AlwaysOff for the others).
///
/// ```
/// use opentelemetry_sdk::trace::{ParentBased, Sampler};
/// let sampler = Sampler::ParentBased(
///     ParentBased::new(Sampler::TraceIdRatioBased(0.1))
///         .with_remote_parent_not_sampled(Sampler::AlwaysOn),
/// );
/// # drop(sampler);
/// ```
#[derive(Debug)]
pub struct ParentBased {
    root: Box<dyn ShouldSample>,
    remote_parent_sampled: Box<dyn ShouldSample>,
    remote_parent_not_sampled: Box<dyn ShouldSample>,
    local_parent_sampled: Box<dyn ShouldSample>,
    local_parent_not_sampled: Box<dyn ShouldSample>,
}

impl ParentBased {
    /// Follows the parent, with `root` for root spans.
    pub fn new(root: impl ShouldSample + 'static) -> Self {
        ParentBased {
            root: Box::new(root),
            remote_parent_sampled: Box::new(Sampler::AlwaysOn),
            remote_parent_not_sampled: Box::new(Sampler::AlwaysOff),
            local_parent_sampled: Box::new(Sampler::AlwaysOn),
            local_parent_not_sampled: Box::new(Sampler::AlwaysOff),
        }
    }

    /// The sampler for a sampled remote parent.
    pub fn with_remote_parent_sampled(mut self, s: impl ShouldSample + 'static) -> Self {
        self.remote_parent_sampled = Box::new(s);
        self
    }

    /// The sampler for a remote parent that was not sampled.
    pub fn with_remote_parent_not_sampled(mut self, s: impl ShouldSample + 'static) -> Self {
        self.remote_parent_not_sampled = Box::new(s);
        self
    }

    /// The sampler for a sampled local parent.
    pub fn with_local_parent_sampled(mut self, s: impl ShouldSample + 'static) -> Self {
        self.local_parent_sampled = Box::new(s);
        self
    }

    /// The sampler for a local parent that was not sampled.
    pub fn with_local_parent_not_sampled(mut self, s: impl ShouldSample + 'static) -> Self {
        self.local_parent_not_sampled = Box::new(s);
        self
    }

    fn delegate(&self, parent_context: &Context) -> &dyn ShouldSample {
        match parent_span_context(parent_context) {
            None => &*self.root,
            Some(p) => match (p.is_remote(), p.is_sampled()) {
                (true, true) => &*self.remote_parent_sampled,
                (true, false) => &*self.remote_parent_not_sampled,
                (false, true) => &*self.local_parent_sampled,
                (false, false) => &*self.local_parent_not_sampled,
            },
        }
    }
}

impl ShouldSample for ParentBased {
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        self.delegate(parent_context).should_sample(
            parent_context,
            trace_id,
            name,
            span_kind,
            attributes,
            links,
        )
    }

    fn description(&self) -> String {
        format!(
            "ParentBased{{root:{},remoteParentSampled:{},remoteParentNotSampled:{},localParentSampled:{},localParentNotSampled:{}}}",
            self.root.description(),
            self.remote_parent_sampled.description(),
            self.remote_parent_not_sampled.description(),
            self.local_parent_sampled.description(),
            self.local_parent_not_sampled.description()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::trace::{SpanId, TraceFlags};

    fn decide(s: &Sampler, cx: &Context, trace_id: u128) -> SamplingDecision {
        s.should_sample(
            cx,
            TraceId::from(trace_id),
            "n",
            SpanKind::Internal,
            &[],
            &[],
        )
        .decision
    }

    fn parent(remote: bool, sampled: bool) -> Context {
        let flags = TraceFlags::default().with_sampled(sampled);
        Context::new().with_remote_span_context(SpanContext::new(
            TraceId::from(1u128),
            SpanId::from(1u64),
            flags,
            remote,
            TraceState::from_key_value([("k", "v")]).unwrap(),
        ))
    }

    #[test]
    fn always_on_and_off() {
        assert_eq!(
            decide(&Sampler::AlwaysOn, &Context::new(), 1),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(&Sampler::AlwaysOff, &Context::new(), 1),
            SamplingDecision::Drop
        );
        assert_eq!(Sampler::AlwaysOn.description(), "AlwaysOnSampler");
        assert_eq!(Sampler::AlwaysOff.description(), "AlwaysOffSampler");
    }

    #[test]
    fn ratio_is_deterministic_monotonic_and_close_to_the_ratio() {
        let ids: Vec<u128> = (0..20_000u128)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835) | 1)
            .collect();
        let count = |r: f64| {
            ids.iter()
                .filter(|&&id| {
                    decide(&Sampler::TraceIdRatioBased(r), &Context::new(), id)
                        != SamplingDecision::Drop
                })
                .count()
        };
        let quarter = count(0.25);
        assert!((4000..6000).contains(&quarter), "{quarter}");
        for &id in &ids {
            let low = decide(&Sampler::TraceIdRatioBased(0.1), &Context::new(), id);
            let high = decide(&Sampler::TraceIdRatioBased(0.5), &Context::new(), id);
            if low == SamplingDecision::RecordAndSample {
                assert_eq!(
                    high,
                    SamplingDecision::RecordAndSample,
                    "higher ratio samples a superset"
                );
            }
            assert_eq!(
                low,
                decide(&Sampler::TraceIdRatioBased(0.1), &Context::new(), id)
            );
        }
        assert_eq!(count(0.0), 0);
        assert_eq!(count(1.0), ids.len());
        assert_eq!(count(f64::NAN), 0);
    }

    #[test]
    fn always_record_turns_drop_into_record_only() {
        let drop = Sampler::always_record(Sampler::AlwaysOff);
        assert_eq!(
            decide(&drop, &Context::new(), 1),
            SamplingDecision::RecordOnly
        );
        let keep = Sampler::always_record(Sampler::AlwaysOn);
        assert_eq!(
            decide(&keep, &Context::new(), 1),
            SamplingDecision::RecordAndSample
        );
        let record_only = Sampler::always_record(Sampler::always_record(Sampler::AlwaysOff));
        assert_eq!(
            decide(&record_only, &Context::new(), 1),
            SamplingDecision::RecordOnly
        );
        assert_eq!(drop.description(), "AlwaysRecord{AlwaysOffSampler}");
    }

    #[test]
    fn ratio_ignores_parent_sampled_flag() {
        let s = Sampler::TraceIdRatioBased(1.0);
        assert_eq!(
            decide(&s, &parent(true, false), 1),
            SamplingDecision::RecordAndSample
        );
    }

    #[test]
    fn parent_based_uses_the_five_delegates() {
        let pb = Sampler::ParentBased(
            ParentBased::new(Sampler::AlwaysOff)
                .with_remote_parent_sampled(Sampler::AlwaysOff)
                .with_remote_parent_not_sampled(Sampler::AlwaysOn)
                .with_local_parent_sampled(Sampler::AlwaysOff)
                .with_local_parent_not_sampled(Sampler::AlwaysOn),
        );
        assert_eq!(decide(&pb, &Context::new(), 1), SamplingDecision::Drop);
        assert_eq!(decide(&pb, &parent(true, true), 1), SamplingDecision::Drop);
        assert_eq!(
            decide(&pb, &parent(true, false), 1),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(decide(&pb, &parent(false, true), 1), SamplingDecision::Drop);
        assert_eq!(
            decide(&pb, &parent(false, false), 1),
            SamplingDecision::RecordAndSample
        );

        let default = Sampler::default();
        assert_eq!(
            decide(&default, &Context::new(), 1),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(&default, &parent(true, true), 1),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(&default, &parent(true, false), 1),
            SamplingDecision::Drop
        );
        assert_eq!(
            decide(&default, &parent(false, true), 1),
            SamplingDecision::RecordAndSample
        );
        assert_eq!(
            decide(&default, &parent(false, false), 1),
            SamplingDecision::Drop
        );
    }

    #[test]
    fn samplers_from_environment_values() {
        let d = |n: Option<&str>, a: Option<&str>| Sampler::from_env_values(n, a).description();
        assert_eq!(d(None, None), Sampler::default().description());
        assert_eq!(d(Some("always_on"), None), "AlwaysOnSampler");
        assert_eq!(d(Some("ALWAYS_OFF"), None), "AlwaysOffSampler");
        assert_eq!(
            d(Some("traceidratio"), Some("0.5")),
            "TraceIdRatioBased{0.5}"
        );
        assert_eq!(d(Some("traceidratio"), None), "TraceIdRatioBased{1}");
        assert_eq!(d(Some("traceidratio"), Some("2")), "TraceIdRatioBased{1}");
        assert_eq!(d(Some("traceidratio"), Some("x")), "TraceIdRatioBased{1}");
        assert!(d(Some("parentbased_traceidratio"), Some("0.25"))
            .starts_with("ParentBased{root:TraceIdRatioBased{0.25}"));
        assert!(d(Some("parentbased_always_off"), None)
            .starts_with("ParentBased{root:AlwaysOffSampler"));
        assert_eq!(d(Some("bogus"), None), Sampler::default().description());
    }

    #[test]
    fn samplers_keep_the_parent_trace_state() {
        let r = Sampler::AlwaysOn.should_sample(
            &parent(true, true),
            TraceId::from(1u128),
            "n",
            SpanKind::Server,
            &[],
            &[],
        );
        assert_eq!(r.trace_state.get("k"), Some("v"));
    }
}
