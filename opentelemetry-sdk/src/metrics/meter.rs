//! The SDK meter: creates instruments (resolving their streams for every reader and view),
//! enforces the identity rules, and runs the asynchronous instruments' callbacks.

use super::aggregation::{
    validate_boundaries, Aggregation, Resolved, DEFAULT_HISTOGRAM_BOUNDARIES,
};
use super::aggregators::{Aggregator, HistogramConfig, LastValueCell, SumCell, SumConfig};
use super::async_stream::{AsyncAggregation, AsyncStream};
use super::attributes::AttributeFilter;
use super::config::MeterConfig;
use super::data::{ScopeMetrics, Temporality};
use super::exemplar::{ExemplarFilter, ExemplarReservoir, Sampler, WithExemplars};
use super::exponential::{ExponentialConfig, ExponentialHistogramCell};
use super::number::Number;
use super::provider::ProviderCore;
use super::reader::{ReaderConfig, DEFAULT_CARDINALITY_LIMIT};
use super::sync_stream::{
    CollectStream, Disabled, FanOut, StreamMeta, StreamRecorder, StreamSpec, SyncStream, ValueCheck,
};
use super::view::{
    is_valid_instrument_name, InstrumentInfo, InstrumentKind, View, ViewMatchingMode,
};
use opentelemetry_api::metrics::{
    AsyncInstrument, AsyncInstrumentBuilder, Callback, CallbackRegistration, Counter, Gauge,
    Histogram, HistogramBuilder, InstrumentBuilder, InstrumentProvider, MultiInstrumentCallback,
    Observable, ObservableCounter, ObservableGauge, ObservableInstrument, ObservableUpDownCounter,
    Observer, SyncInstrument, UpDownCounter,
};
use opentelemetry_api::{otel_error, otel_warn, InstrumentationScope, Key, KeyValue};
use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::SystemTime;

/// What identifies an instrument, besides its (case-insensitive) name.
struct InstrumentEntry {
    name: String,
    kind: InstrumentKind,
    number: &'static str,
    unit: String,
    description: String,
    boundaries: Option<Vec<f64>>,
    /// `SyncHandle<T>` for synchronous instruments, `AsyncCore<T>` for asynchronous ones.
    handle: Arc<dyn Any + Send + Sync>,
}

/// A synchronous instrument as the registry keeps it, to hand out again.
struct SyncHandle<T>(Arc<dyn SyncInstrument<T>>);

/// What identifies a metric stream (the data model's `Metric` identity) apart from its name.
#[derive(Clone, Debug, PartialEq)]
struct StreamIdentity {
    kind: InstrumentKind,
    number: &'static str,
    unit: String,
    description: String,
    aggregation: &'static str,
    temporality: Temporality,
}

struct CallbackEntry {
    id: u64,
    run: Box<dyn Fn(usize) + Send + Sync>,
}

struct MeterState {
    instruments: Vec<InstrumentEntry>,
    /// Per reader: the streams to collect, in creation order.
    streams: Vec<Vec<Arc<dyn CollectStream>>>,
    /// Per reader: every stream's lower-cased name and identity.
    identities: Vec<Vec<(String, StreamIdentity)>>,
}

type Callbacks = Arc<Mutex<Vec<Arc<CallbackEntry>>>>;

/// The SDK's meter: what [`Meter`](opentelemetry_api::metrics::Meter)s from an
/// [`SdkMeterProvider`](super::SdkMeterProvider) wrap. Obtained through the provider; all its
/// methods are those of [`InstrumentProvider`].
///
/// Instrument names are checked against the spec's syntax: an invalid name is reported and
/// gives a no-op instrument. Creating an instrument identical to an existing one (same name
/// ignoring case, kind, number type, unit and description) returns the existing one; one
/// that differs only partly is a duplicate registration: it is reported, with advice, and
/// both are exported.
pub struct SdkMeter {
    scope: InstrumentationScope,
    core: Weak<ProviderCore>,
    /// Whether the meter's configuration enables it (collections skip it otherwise).
    enabled: AtomicBool,
    /// Set while the meter is disabled or the provider is shut down: every instrument of the
    /// meter reads it before recording.
    off: Arc<AtomicBool>,
    state: Mutex<MeterState>,
    callbacks: Callbacks,
    next_callback: AtomicU64,
}

impl fmt::Debug for SdkMeter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkMeter")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // No code under these locks panics half-way (user callbacks run outside them).
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

/// A stream resolved for one reader.
struct ResolvedStream {
    meta: StreamMeta,
    aggregation: Resolved,
    filter: Option<AttributeFilter>,
    limit: usize,
    exemplar_reservoir: Option<ExemplarReservoir>,
}

/// An instrument's description, whatever its builder.
struct Desc<'a> {
    name: &'a Cow<'static, str>,
    description: Option<&'a Cow<'static, str>>,
    unit: Option<&'a Cow<'static, str>>,
    kind: InstrumentKind,
    boundaries: Option<&'a [f64]>,
    /// Advisory attribute keys: the allow-list of streams no view gives one.
    attribute_keys: Option<&'a [Key]>,
}

impl Desc<'_> {
    fn unit(&self) -> &str {
        self.unit.map_or("", |u| u.as_ref())
    }
    fn description(&self) -> &str {
        self.description.map_or("", |d| d.as_ref())
    }
}

impl SdkMeter {
    pub(crate) fn new(
        scope: InstrumentationScope,
        core: &Arc<ProviderCore>,
        config: MeterConfig,
    ) -> Self {
        let readers = core.pipelines.len();
        SdkMeter {
            scope,
            core: Arc::downgrade(core),
            enabled: AtomicBool::new(config.is_enabled()),
            off: Arc::new(AtomicBool::new(!config.is_enabled())),
            state: Mutex::new(MeterState {
                instruments: Vec::new(),
                streams: vec![Vec::new(); readers],
                identities: vec![Vec::new(); readers],
            }),
            callbacks: Arc::new(Mutex::new(Vec::new())),
            next_callback: AtomicU64::new(0),
        }
    }

    /// The meter's scope.
    pub fn scope(&self) -> &InstrumentationScope {
        &self.scope
    }

    /// Whether the meter's configuration enables it.
    pub(crate) fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Applies a (new) configuration; `shut_down`: the provider is shut down, so the
    /// instruments stay off whatever the configuration. Called under the provider's meters
    /// lock, which shutdown takes too.
    pub(crate) fn apply(&self, config: MeterConfig, shut_down: bool) {
        self.enabled.store(config.is_enabled(), Ordering::Release);
        self.off
            .store(shut_down || !config.is_enabled(), Ordering::Release);
    }

    /// Runs every callback for reader `index`; a panicking callback is contained and
    /// reported.
    pub(crate) fn run_callbacks(&self, index: usize) {
        let callbacks = lock(&self.callbacks).clone();
        for callback in callbacks {
            if catch_unwind(AssertUnwindSafe(|| (callback.run)(index))).is_err() {
                otel_error!(
                    "Metrics.CallbackPanicked",
                    "a callback of meter {:?} panicked; its observations so far are kept and \
                     the collection goes on",
                    self.scope.name()
                );
            }
        }
    }

    /// Collects reader `index`'s streams of this meter.
    pub(crate) fn collect(&self, index: usize, now: SystemTime) -> Option<ScopeMetrics> {
        let streams = lock(&self.state).streams.get(index)?.clone();
        let metrics: Vec<_> = streams.iter().filter_map(|s| s.collect(now)).collect();
        (!metrics.is_empty()).then(|| ScopeMetrics {
            scope: self.scope.clone(),
            metrics,
        })
    }

    /// The provider, if the instrument can be created at all (valid name, provider live).
    fn check(&self, desc: &Desc<'_>) -> Option<Arc<ProviderCore>> {
        if !is_valid_instrument_name(desc.name) {
            otel_error!(
                "Metrics.InvalidInstrumentName",
                "instrument name {:?} of meter {:?} is invalid (an ASCII letter, then up to 254 \
                 letters, digits, '_', '.', '-' or '/'): a no-op instrument is returned",
                desc.name,
                self.scope.name()
            );
            return None;
        }
        let core = self.core.upgrade()?;
        (!core.is_shutdown.load(Ordering::Acquire)).then_some(core)
    }

    /// An identical instrument created before, if any (reporting differing name case or
    /// advisory parameters).
    fn find_identical(
        &self,
        state: &MeterState,
        desc: &Desc<'_>,
        number: &'static str,
    ) -> Option<Arc<dyn Any + Send + Sync>> {
        let entry = state.instruments.iter().find(|e| {
            e.name.eq_ignore_ascii_case(desc.name)
                && e.kind == desc.kind
                && e.number == number
                && e.unit == desc.unit()
                && e.description == desc.description()
        })?;
        if entry.name != desc.name.as_ref() {
            otel_warn!(
                "Metrics.DuplicateInstrumentName",
                "instrument {:?} of meter {:?} was first created as {:?}: names are \
                 case-insensitive, so the first-seen name is used",
                desc.name,
                self.scope.name(),
                entry.name
            );
        }
        if desc.boundaries.is_some() && entry.boundaries.as_deref() != desc.boundaries {
            otel_warn!(
                "Metrics.DuplicateInstrumentAdvisory",
                "instrument {:?} of meter {:?} was created again with other advisory bucket \
                 boundaries ({:?}); the first-seen ones ({:?}) are used",
                desc.name,
                self.scope.name(),
                desc.boundaries,
                entry.boundaries
            );
        }
        Some(entry.handle.clone())
    }

    /// Reports a stream whose name is taken by a stream of another identity.
    fn check_conflict(
        &self,
        state: &MeterState,
        index: usize,
        name: &str,
        identity: &StreamIdentity,
    ) -> Option<String> {
        let key = name.to_ascii_lowercase();
        let (_, existing) = state.identities[index]
            .iter()
            .find(|(k, id)| *k == key && id != identity)?;
        let same_but_description = StreamIdentity {
            description: identity.description.clone(),
            ..existing.clone()
        } == *identity;
        let advice = if same_but_description {
            "only the descriptions differ: set one description for both with a View \
             (Stream::with_description)"
                .to_owned()
        } else if existing.kind != identity.kind {
            format!(
                "rename one with a View, e.g. View::new(InstrumentSelector::new().with_name({name:?}).\
                 with_kind(InstrumentKind::{:?}), Stream::new().with_name(\"{name}.{:?}\"))",
                identity.kind, identity.kind
            )
        } else {
            format!(
                "rename one with a View (Stream::with_name) or use the same unit, number type \
                 and description for both; existing {existing:?}, new {identity:?}"
            )
        };
        Some(format!(
            "duplicate instrument registration: stream {name:?} of meter {:?} already exists \
             with a different identity; both are exported. To resolve: {advice}",
            self.scope.name()
        ))
    }

    /// The streams of an instrument for one reader.
    fn resolve(
        &self,
        views: &[View],
        mode: ViewMatchingMode,
        config: &ReaderConfig,
        desc: &Desc<'_>,
        advisory: Option<&[f64]>,
    ) -> Vec<ResolvedStream> {
        let kind = desc.kind;
        let info = InstrumentInfo {
            name: desc.name,
            kind,
            unit: desc.unit(),
            scope: &self.scope,
        };
        let reader_default = &config.aggregation[kind.index()];
        let stream =
            |name: Cow<'static, str>,
             description: Cow<'static, str>,
             aggregation: Resolved,
             filter: Option<AttributeFilter>,
             limit: Option<usize>,
             exemplar_reservoir: Option<ExemplarReservoir>| ResolvedStream {
                meta: StreamMeta {
                    name,
                    description,
                    unit: desc.unit.cloned().unwrap_or_default(),
                    temporality: config.temporality[kind.index()],
                },
                aggregation,
                filter,
                limit: limit
                    .or(config.cardinality_limit[kind.index()])
                    .unwrap_or(DEFAULT_CARDINALITY_LIMIT),
                exemplar_reservoir,
            };
        let mut out = Vec::new();
        if mode == ViewMatchingMode::Composable {
            let matching: Vec<&View> = views.iter().filter(|v| v.selector.matches(&info)).collect();
            if !matching.is_empty() {
                for (name, group) in composable_groups(&matching, desc.name.clone()) {
                    let description = group
                        .iter()
                        .rev()
                        .find_map(|v| v.stream.description.clone())
                        .or_else(|| desc.description.cloned())
                        .unwrap_or_default();
                    // The last view's aggregation that applies; earlier ones, then the
                    // default, when it does not.
                    let mut aggregation = None;
                    for view in group.iter().rev() {
                        let Some(configured) = &view.stream.aggregation else {
                            continue;
                        };
                        match resolve_aggregation(configured, kind, reader_default, advisory) {
                            Ok(resolved) => {
                                aggregation = Some(resolved);
                                break;
                            }
                            Err(reason) => otel_warn!(
                                "Metrics.ViewNotApplicable",
                                "the aggregation of view {view:?} does not apply to instrument                                  {:?}: {reason}; an earlier view's or the default is used",
                                desc.name
                            ),
                        }
                    }
                    let aggregation = match aggregation.map(Ok).unwrap_or_else(|| {
                        resolve_aggregation(&Aggregation::Default, kind, reader_default, advisory)
                    }) {
                        Ok(aggregation) => aggregation,
                        Err(reason) => {
                            otel_warn!(
                                "Metrics.ReaderAggregationNotApplicable",
                                "no aggregation applies to instrument {:?}: {reason}",
                                desc.name
                            );
                            continue;
                        }
                    };
                    // Attribute filters combine with AND.
                    let mut allowed: Option<Vec<Key>> = None;
                    let mut excluded: Vec<Key> = Vec::new();
                    for view in &group {
                        if let Some(keys) = &view.stream.allowed_attribute_keys {
                            allowed = Some(match allowed {
                                None => keys.clone(),
                                Some(kept) => {
                                    kept.into_iter().filter(|k| keys.contains(k)).collect()
                                }
                            });
                        }
                        for key in &view.stream.excluded_attribute_keys {
                            if !excluded.contains(key) {
                                excluded.push(key.clone());
                            }
                        }
                    }
                    out.push(stream(
                        name,
                        description,
                        aggregation,
                        AttributeFilter::new(allowed.as_deref().or(desc.attribute_keys), &excluded),
                        group.iter().rev().find_map(|v| v.stream.cardinality_limit),
                        group
                            .iter()
                            .rev()
                            .find_map(|v| v.stream.exemplar_reservoir.clone()),
                    ));
                }
                return out;
            }
        }
        let mut applied = 0;
        for view in views.iter().filter(|v| v.selector.matches(&info)) {
            let configured = view.stream.aggregation.clone().unwrap_or_default();
            match resolve_aggregation(&configured, kind, reader_default, advisory) {
                Ok(aggregation) => {
                    applied += 1;
                    out.push(stream(
                        view.stream
                            .name
                            .clone()
                            .unwrap_or_else(|| desc.name.clone()),
                        view.stream
                            .description
                            .clone()
                            .or_else(|| desc.description.cloned())
                            .unwrap_or_default(),
                        aggregation,
                        // The view's allow-list wins over the advisory one.
                        AttributeFilter::new(
                            view.stream
                                .allowed_attribute_keys
                                .as_deref()
                                .or(desc.attribute_keys),
                            &view.stream.excluded_attribute_keys,
                        ),
                        view.stream.cardinality_limit,
                        view.stream.exemplar_reservoir.clone(),
                    ));
                }
                Err(reason) => otel_warn!(
                    "Metrics.ViewNotApplicable",
                    "view {view:?} is not applied to instrument {:?} of meter {:?}: {reason}",
                    desc.name,
                    self.scope.name()
                ),
            }
        }
        if applied == 0 {
            match resolve_aggregation(&Aggregation::Default, kind, reader_default, advisory) {
                Ok(aggregation) => out.push(stream(
                    desc.name.clone(),
                    desc.description.cloned().unwrap_or_default(),
                    aggregation,
                    AttributeFilter::new(desc.attribute_keys, &[]),
                    None,
                    None,
                )),
                Err(reason) => otel_warn!(
                    "Metrics.ReaderAggregationNotApplicable",
                    "the reader's default aggregation does not apply to instrument {:?}: \
                     {reason}; the instrument is not collected by that reader",
                    desc.name
                ),
            }
        }
        out
    }

    /// The advisory boundaries, if valid (reported otherwise).
    fn advisory<'a>(&self, desc: &Desc<'a>) -> Option<&'a [f64]> {
        let boundaries = desc.boundaries?;
        match validate_boundaries(boundaries) {
            Ok(()) => Some(boundaries),
            Err(reason) => {
                otel_error!(
                    "Metrics.InvalidAdvisory",
                    "instrument {:?} of meter {:?}: advisory {reason}; ignored",
                    desc.name,
                    self.scope.name()
                );
                None
            }
        }
    }

    fn create_sync<T: Number>(&self, desc: Desc<'_>) -> Arc<dyn SyncInstrument<T>> {
        let Some(core) = self.check(&desc) else {
            return Arc::new(Disabled);
        };
        let advisory = self.advisory(&desc);
        let number = std::any::type_name::<T>();
        let mut state = lock(&self.state);
        if let Some(handle) = self.find_identical(&state, &desc, number) {
            if let Some(existing) = handle.downcast_ref::<SyncHandle<T>>() {
                return existing.0.clone();
            }
        }
        let mut conflict = None;
        let mut built: Vec<Built<T>> = Vec::new();
        for (index, pipeline) in core.pipelines.iter().enumerate() {
            for resolved in self.resolve(
                &core.views,
                core.view_matching_mode,
                &pipeline.config,
                &desc,
                advisory,
            ) {
                let identity = identity(&desc, number, &resolved);
                if conflict.is_none() {
                    conflict = self.check_conflict(&state, index, &resolved.meta.name, &identity);
                }
                let key = resolved.meta.name.to_ascii_lowercase();
                if let Some(b) =
                    build_sync::<T>(resolved, desc.kind, &self.off, core.exemplar_filter)
                {
                    state.streams[index].push(b.collect.clone());
                    state.identities[index].push((key, identity));
                    built.push(b);
                }
            }
        }
        if let Some(message) = conflict {
            otel_warn!("Metrics.DuplicateInstrument", "{message}");
        }
        let instrument: Arc<dyn SyncInstrument<T>> = match built.len() {
            0 => Arc::new(Disabled),
            1 => built.remove(0).instrument,
            _ => Arc::new(FanOut {
                streams: built.into_iter().map(|b| b.recorder).collect(),
                off: self.off.clone(),
            }),
        };
        state.instruments.push(InstrumentEntry {
            name: desc.name.to_string(),
            kind: desc.kind,
            number,
            unit: desc.unit().to_owned(),
            description: desc.description().to_owned(),
            boundaries: advisory.map(<[f64]>::to_vec),
            handle: Arc::new(SyncHandle(instrument.clone())),
        });
        instrument
    }

    fn create_async<T: Number>(
        &self,
        desc: Desc<'_>,
        callbacks: Vec<Callback<T>>,
    ) -> Arc<dyn Any + Send + Sync> {
        let Some(core) = self.check(&desc) else {
            return Arc::new(NotCollected);
        };
        let number = std::any::type_name::<T>();
        let mut state = lock(&self.state);
        let handle = match self.find_identical(&state, &desc, number) {
            Some(handle) if handle.is::<AsyncCore<T>>() => handle,
            _ => {
                let mut conflict = None;
                let mut streams = Vec::with_capacity(core.pipelines.len());
                for (index, pipeline) in core.pipelines.iter().enumerate() {
                    let mut for_reader = Vec::new();
                    for resolved in self.resolve(
                        &core.views,
                        core.view_matching_mode,
                        &pipeline.config,
                        &desc,
                        None,
                    ) {
                        let aggregation = match resolved.aggregation {
                            Resolved::Drop => continue,
                            Resolved::Sum { monotonic } => AsyncAggregation::Sum { monotonic },
                            Resolved::LastValue => AsyncAggregation::LastValue,
                            // resolve_aggregation refuses histograms for asynchronous kinds.
                            Resolved::Histogram { .. } | Resolved::ExponentialHistogram { .. } => {
                                continue
                            }
                        };
                        let identity = identity(&desc, number, &resolved);
                        if conflict.is_none() {
                            conflict =
                                self.check_conflict(&state, index, &resolved.meta.name, &identity);
                        }
                        let key = resolved.meta.name.to_ascii_lowercase();
                        let stream = Arc::new(AsyncStream::<T>::new(
                            resolved.meta,
                            aggregation,
                            resolved.filter,
                            resolved.limit,
                            desc.kind.non_negative()
                                || desc.kind == InstrumentKind::ObservableCounter,
                        ));
                        state.streams[index].push(stream.clone());
                        state.identities[index].push((key, identity));
                        for_reader.push(stream);
                    }
                    streams.push(for_reader);
                }
                if let Some(message) = conflict {
                    otel_warn!("Metrics.DuplicateInstrument", "{message}");
                }
                let handle: Arc<dyn Any + Send + Sync> = Arc::new(AsyncCore::<T> {
                    streams: streams.into_boxed_slice(),
                });
                state.instruments.push(InstrumentEntry {
                    name: desc.name.to_string(),
                    kind: desc.kind,
                    number,
                    unit: desc.unit().to_owned(),
                    description: desc.description().to_owned(),
                    boundaries: None,
                    handle: handle.clone(),
                });
                handle
            }
        };
        drop(state);
        if let Ok(instrument) = Arc::clone(&handle).downcast::<AsyncCore<T>>() {
            for callback in callbacks {
                let instrument = instrument.clone();
                self.add_callback(Box::new(move |index| {
                    callback(&Observation {
                        instrument: &instrument,
                        index,
                    })
                }));
            }
        }
        handle
    }

    fn add_callback(&self, run: Box<dyn Fn(usize) + Send + Sync>) -> u64 {
        let id = self.next_callback.fetch_add(1, Ordering::Relaxed);
        lock(&self.callbacks).push(Arc::new(CallbackEntry { id, run }));
        id
    }
}

fn identity(desc: &Desc<'_>, number: &'static str, resolved: &ResolvedStream) -> StreamIdentity {
    StreamIdentity {
        kind: desc.kind,
        number,
        unit: resolved.meta.unit.to_string(),
        description: resolved.meta.description.to_string(),
        aggregation: match resolved.aggregation {
            Resolved::Drop => "drop",
            Resolved::Sum { .. } => "sum",
            Resolved::LastValue => "gauge",
            Resolved::Histogram { .. } => "histogram",
            Resolved::ExponentialHistogram { .. } => "exponential_histogram",
        },
        temporality: resolved.meta.temporality,
    }
}

/// Resolves a configured aggregation (falling back to the reader's default, then to the
/// instrument kind's) into what the stream does. Errors are semantic errors: the view does
/// not apply.
/// The streams of composable view matching: one per distinct configured name (in order of
/// registration), each with the views that set that name or none; one stream with the
/// instrument's name when no view sets a name.
fn composable_groups<'v>(
    matching: &[&'v View],
    instrument: Cow<'static, str>,
) -> Vec<(Cow<'static, str>, Vec<&'v View>)> {
    let mut names: Vec<&Cow<'static, str>> = Vec::new();
    for view in matching {
        if let Some(name) = &view.stream.name {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if names.is_empty() {
        return vec![(instrument, matching.to_vec())];
    }
    names
        .into_iter()
        .map(|name| {
            let group = matching
                .iter()
                .copied()
                .filter(|v| v.stream.name.as_ref().map_or(true, |n| n == name))
                .collect();
            (name.clone(), group)
        })
        .collect()
}

fn resolve_aggregation(
    configured: &Aggregation,
    kind: InstrumentKind,
    reader_default: &Aggregation,
    advisory: Option<&[f64]>,
) -> Result<Resolved, String> {
    let aggregation = match configured {
        Aggregation::Default => reader_default,
        other => other,
    };
    let histogram_ok = || {
        if kind.is_asynchronous() {
            Err(format!(
                "a histogram aggregation does not apply to the asynchronous kind {kind:?}"
            ))
        } else {
            Ok(())
        }
    };
    Ok(match aggregation {
        Aggregation::Drop => Resolved::Drop,
        Aggregation::Sum => Resolved::Sum {
            monotonic: kind.is_monotonic(),
        },
        Aggregation::LastValue => Resolved::LastValue,
        Aggregation::ExplicitBucketHistogram {
            boundaries,
            record_min_max,
        } => {
            histogram_ok()?;
            Resolved::Histogram {
                boundaries: boundaries.clone(),
                record_min_max: *record_min_max,
            }
        }
        Aggregation::Base2ExponentialHistogram {
            max_size,
            max_scale,
            record_min_max,
        } => {
            histogram_ok()?;
            // Views are checked when the provider is built; a reader's default is not.
            aggregation.validate()?;
            Resolved::ExponentialHistogram {
                max_size: *max_size,
                max_scale: *max_scale,
                record_min_max: *record_min_max,
            }
        }
        Aggregation::Default => match kind {
            InstrumentKind::Counter
            | InstrumentKind::UpDownCounter
            | InstrumentKind::ObservableCounter
            | InstrumentKind::ObservableUpDownCounter => Resolved::Sum {
                monotonic: kind.is_monotonic(),
            },
            InstrumentKind::Gauge | InstrumentKind::ObservableGauge => Resolved::LastValue,
            InstrumentKind::Histogram => Resolved::Histogram {
                boundaries: advisory.unwrap_or(&DEFAULT_HISTOGRAM_BOUNDARIES).to_vec(),
                record_min_max: true,
            },
        },
    })
}

/// One synchronous stream, seen as the instrument, as one of several, and by collection.
struct Built<T> {
    instrument: Arc<dyn SyncInstrument<T>>,
    recorder: Arc<dyn StreamRecorder<T>>,
    collect: Arc<dyn CollectStream>,
}

fn build_sync<T: Number>(
    resolved: ResolvedStream,
    kind: InstrumentKind,
    off: &Arc<AtomicBool>,
    exemplar_filter: ExemplarFilter,
) -> Option<Built<T>> {
    fn make<T: Number, A: Aggregator<T>>(spec: StreamSpec<A::Config>) -> Built<T>
    where
        A::Point: WithExemplars<T>,
    {
        let stream = Arc::new(SyncStream::<T, A>::new(spec));
        Built {
            instrument: stream.clone(),
            recorder: stream.clone(),
            collect: stream,
        }
    }
    let check = ValueCheck {
        finite: !matches!(resolved.aggregation, Resolved::LastValue),
        non_negative: kind.non_negative(),
    };
    let histogram_bounds = match &resolved.aggregation {
        Resolved::Histogram { boundaries, .. } => Some(boundaries.as_slice()),
        _ => None,
    };
    let exemplars = || {
        Sampler::new(
            exemplar_filter,
            resolved.exemplar_reservoir.as_ref(),
            histogram_bounds,
        )
    };
    fn spec<C>(
        resolved: &ResolvedStream,
        config: C,
        check: ValueCheck,
        off: &Arc<AtomicBool>,
        exemplars: Option<Sampler>,
    ) -> StreamSpec<C> {
        StreamSpec {
            meta: resolved.meta.clone(),
            config,
            check,
            exemplars,
            filter: resolved.filter.clone(),
            limit: resolved.limit,
            off: off.clone(),
        }
    }
    Some(match &resolved.aggregation {
        Resolved::Drop => return None,
        Resolved::Sum { monotonic } => make::<T, SumCell<T>>(spec(
            &resolved,
            SumConfig {
                monotonic: *monotonic,
            },
            check,
            off,
            exemplars(),
        )),
        Resolved::LastValue => {
            make::<T, LastValueCell<T>>(spec(&resolved, (), check, off, exemplars()))
        }
        Resolved::Histogram {
            boundaries,
            record_min_max,
        } => make::<T, super::aggregators::HistogramCell<T>>(spec(
            &resolved,
            HistogramConfig {
                bounds: boundaries.clone(),
                record_min_max: *record_min_max,
                record_sum: kind.non_negative(),
            },
            check,
            off,
            exemplars(),
        )),
        Resolved::ExponentialHistogram {
            max_size,
            max_scale,
            record_min_max,
        } => make::<T, ExponentialHistogramCell<T>>(spec(
            &resolved,
            ExponentialConfig {
                max_size: *max_size as usize,
                max_scale: *max_scale,
                record_min_max: *record_min_max,
                record_sum: kind.non_negative(),
            },
            check,
            off,
            {
                // The spec's default for this aggregation: a simple reservoir of
                // min(20, max_size) exemplars.
                let default = ExemplarReservoir::SimpleFixedSize {
                    size: (*max_size as usize).min(20),
                };
                Sampler::new(
                    exemplar_filter,
                    Some(resolved.exemplar_reservoir.as_ref().unwrap_or(&default)),
                    None,
                )
            },
        )),
    })
}

/// An asynchronous instrument: its streams for each reader. Its `Arc` is the identity
/// object the API's observable handles carry.
pub(crate) struct AsyncCore<T> {
    streams: Box<[Vec<Arc<AsyncStream<T>>>]>,
}

impl<T: Number> AsyncCore<T> {
    fn observe(&self, index: usize, value: T, attributes: &[KeyValue]) {
        if let Some(streams) = self.streams.get(index) {
            for stream in streams {
                stream.observe(value, attributes);
            }
        }
    }
}

/// The identity object of an asynchronous instrument that is not collected (invalid name,
/// provider gone).
struct NotCollected;

/// What a single-instrument callback observes into, for one reader's collection.
struct Observation<'a, T> {
    instrument: &'a AsyncCore<T>,
    index: usize,
}

impl<T: Number> AsyncInstrument<T> for Observation<'_, T> {
    fn observe(&self, value: T, attributes: &[KeyValue]) {
        self.instrument.observe(self.index, value, attributes);
    }
}

/// What a multi-instrument callback observes into, for one reader's collection.
struct MultiObservation<'a> {
    instruments: &'a [Arc<dyn Any + Send + Sync>],
    index: usize,
    reported: &'a AtomicBool,
}

impl MultiObservation<'_> {
    fn observe<T: Number>(
        &self,
        instrument: &Arc<dyn Any + Send + Sync>,
        value: T,
        attributes: &[KeyValue],
    ) {
        let target = Arc::as_ptr(instrument) as *const ();
        let registered = self
            .instruments
            .iter()
            .any(|i| Arc::as_ptr(i) as *const () == target);
        match (**instrument).downcast_ref::<AsyncCore<T>>() {
            Some(core) if registered => core.observe(self.index, value, attributes),
            _ => {
                if !self.reported.swap(true, Ordering::Relaxed) {
                    otel_warn!(
                        "Metrics.ObservationIgnored",
                        "a callback observed an instrument it was not registered for (or not \
                         from this provider); such observations are ignored (reported once per \
                         callback)"
                    );
                }
            }
        }
    }
}

impl Observer for MultiObservation<'_> {
    fn observe_u64(&self, instrument: &dyn Observable<u64>, value: u64, attributes: &[KeyValue]) {
        self.observe(instrument.provider_instrument(), value, attributes);
    }
    fn observe_f64(&self, instrument: &dyn Observable<f64>, value: f64, attributes: &[KeyValue]) {
        self.observe(instrument.provider_instrument(), value, attributes);
    }
    fn observe_i64(&self, instrument: &dyn Observable<i64>, value: i64, attributes: &[KeyValue]) {
        self.observe(instrument.provider_instrument(), value, attributes);
    }
}

/// A callback registered with [`Meter::register_callback`](opentelemetry_api::metrics::Meter::register_callback).
struct Registration {
    callbacks: Weak<Mutex<Vec<Arc<CallbackEntry>>>>,
    id: Option<u64>,
}

impl CallbackRegistration for Registration {
    fn unregister(&mut self) -> opentelemetry_api::Result<()> {
        if let (Some(id), Some(callbacks)) = (self.id.take(), self.callbacks.upgrade()) {
            lock(&callbacks).retain(|c| c.id != id);
        }
        Ok(())
    }
}

fn is_ours(instrument: &Arc<dyn Any + Send + Sync>) -> bool {
    instrument.is::<AsyncCore<u64>>()
        || instrument.is::<AsyncCore<i64>>()
        || instrument.is::<AsyncCore<f64>>()
}

macro_rules! sync_methods {
    ($($method:ident: $builder:ident <$handle:ident<$t:ty>> => $kind:ident, $bounds:expr;)+) => {$(
        fn $method(&self, builder: $builder<'_, $handle<$t>>) -> $handle<$t> {
            let boundaries: Option<&[f64]> = $bounds(&builder);
            $handle::new(self.create_sync::<$t>(Desc {
                name: &builder.name,
                description: builder.description.as_ref(),
                unit: builder.unit.as_ref(),
                kind: InstrumentKind::$kind,
                boundaries,
                attribute_keys: builder.attribute_keys.as_deref(),
            }))
        }
    )+};
}

macro_rules! async_methods {
    ($($method:ident: $handle:ident<$t:ty> => $kind:ident;)+) => {$(
        fn $method(&self, builder: AsyncInstrumentBuilder<'_, $handle<$t>, $t>) -> $handle<$t> {
            let desc = Desc {
                name: &builder.name,
                description: builder.description.as_ref(),
                unit: builder.unit.as_ref(),
                kind: InstrumentKind::$kind,
                boundaries: None,
                attribute_keys: builder.attribute_keys.as_deref(),
            };
            $handle::new(self.create_async::<$t>(desc, builder.callbacks.clone()))
        }
    )+};
}

fn no_bounds<B>(_: &B) -> Option<&[f64]> {
    None
}

fn advised_bounds<'b, I>(builder: &'b HistogramBuilder<'_, I>) -> Option<&'b [f64]> {
    builder.boundaries.as_deref()
}

impl InstrumentProvider for SdkMeter {
    sync_methods! {
        u64_counter: InstrumentBuilder<Counter<u64>> => Counter, no_bounds;
        f64_counter: InstrumentBuilder<Counter<f64>> => Counter, no_bounds;
        i64_up_down_counter: InstrumentBuilder<UpDownCounter<i64>> => UpDownCounter, no_bounds;
        f64_up_down_counter: InstrumentBuilder<UpDownCounter<f64>> => UpDownCounter, no_bounds;
        u64_histogram: HistogramBuilder<Histogram<u64>> => Histogram, advised_bounds;
        f64_histogram: HistogramBuilder<Histogram<f64>> => Histogram, advised_bounds;
        u64_gauge: InstrumentBuilder<Gauge<u64>> => Gauge, no_bounds;
        i64_gauge: InstrumentBuilder<Gauge<i64>> => Gauge, no_bounds;
        f64_gauge: InstrumentBuilder<Gauge<f64>> => Gauge, no_bounds;
    }

    async_methods! {
        u64_observable_counter: ObservableCounter<u64> => ObservableCounter;
        f64_observable_counter: ObservableCounter<f64> => ObservableCounter;
        i64_observable_up_down_counter: ObservableUpDownCounter<i64> => ObservableUpDownCounter;
        f64_observable_up_down_counter: ObservableUpDownCounter<f64> => ObservableUpDownCounter;
        u64_observable_gauge: ObservableGauge<u64> => ObservableGauge;
        i64_observable_gauge: ObservableGauge<i64> => ObservableGauge;
        f64_observable_gauge: ObservableGauge<f64> => ObservableGauge;
    }

    fn register_callback(
        &self,
        instruments: &[&dyn ObservableInstrument],
        callback: MultiInstrumentCallback,
    ) -> opentelemetry_api::Result<Box<dyn CallbackRegistration>> {
        let mut ids: Vec<Arc<dyn Any + Send + Sync>> = Vec::with_capacity(instruments.len());
        for instrument in instruments {
            let id = instrument.provider_instrument();
            if is_ours(id) {
                ids.push(id.clone());
            } else {
                otel_warn!(
                    "Metrics.CallbackInstrumentIgnored",
                    "register_callback on meter {:?} was given an instrument that this \
                     provider does not collect (another provider's, or a no-op one); its \
                     observations will be ignored",
                    self.scope.name()
                );
            }
        }
        if ids.is_empty() {
            return Ok(Box::new(Registration {
                callbacks: Weak::new(),
                id: None,
            }));
        }
        let reported = AtomicBool::new(false);
        let id = self.add_callback(Box::new(move |index| {
            callback(&MultiObservation {
                instruments: &ids,
                index,
                reported: &reported,
            })
        }));
        Ok(Box::new(Registration {
            callbacks: Arc::downgrade(&self.callbacks),
            id: Some(id),
        }))
    }
}
