//! Metric readers: what collects from the provider. [`ManualReader`] collects when asked
//! (pull); [`PeriodicReader`](super::PeriodicReader) collects on a timer and pushes to an
//! exporter.

use super::aggregation::Aggregation;
use super::data::{ResourceMetrics, ScopeMetrics, Temporality};
use super::filter::MetricFilter;
use super::provider::ProviderCore;
use super::view::InstrumentKind;
use crate::error::{Error, Result};
use crate::self_observability::ReaderMetrics;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

/// The cardinality limit used when neither a view nor the reader sets one.
pub const DEFAULT_CARDINALITY_LIMIT: usize = 2000;

/// Temporality presets: which temporality a reader asks for, per instrument kind.
///
/// ```
/// use opentelemetry_sdk::metrics::{InstrumentKind, Temporality, TemporalityPreference};
/// let delta = TemporalityPreference::Delta;
/// assert_eq!(delta.temporality(InstrumentKind::Counter), Temporality::Delta);
/// assert_eq!(delta.temporality(InstrumentKind::UpDownCounter), Temporality::Cumulative);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemporalityPreference {
    /// Cumulative for every kind (the default).
    #[default]
    Cumulative,
    /// Delta for counters, observable counters, histograms and gauges; cumulative for
    /// up-down counters (whose deltas are rarely useful).
    Delta,
    /// Delta for synchronous counters, histograms and gauges (no state kept between
    /// collections); cumulative for up-down counters and every asynchronous kind (no
    /// cumulative-to-delta conversion needed).
    LowMemory,
}

impl TemporalityPreference {
    /// The temporality for an instrument kind.
    pub fn temporality(self, kind: InstrumentKind) -> Temporality {
        use InstrumentKind::*;
        match (self, kind) {
            (TemporalityPreference::Cumulative, _) => Temporality::Cumulative,
            (_, UpDownCounter | ObservableUpDownCounter) => Temporality::Cumulative,
            (TemporalityPreference::Delta, _) => Temporality::Delta,
            (TemporalityPreference::LowMemory, Counter | Histogram | Gauge) => Temporality::Delta,
            (TemporalityPreference::LowMemory, _) => Temporality::Cumulative,
        }
    }
}

/// A source of pre-aggregated metrics from outside the SDK (a bridge from another metrics
/// library), collected by a reader together with the provider's own metrics.
///
/// ```
/// use opentelemetry_sdk::metrics::{MetricProducer, ScopeMetrics};
/// use opentelemetry_api::InstrumentationScope;
///
/// #[derive(Debug)]
/// struct Bridge;
/// impl MetricProducer for Bridge {
///     fn produce(&self) -> opentelemetry_sdk::Result<ScopeMetrics> {
///         Ok(ScopeMetrics {
///             scope: InstrumentationScope::builder("my-bridge").build(),
///             metrics: vec![],
///         })
///     }
/// }
/// ```
pub trait MetricProducer: Send + Sync + fmt::Debug + 'static {
    /// The producer's current metrics, under one scope identifying the producer.
    fn produce(&self) -> Result<ScopeMetrics>;

    /// The producer's current metrics that `filter` (the reader's, if it has one) accepts.
    /// The default produces everything and then applies the filter; a producer that can
    /// skip work for dropped streams overrides it.
    fn produce_filtered(&self, filter: Option<&dyn MetricFilter>) -> Result<ScopeMetrics> {
        let mut scope = self.produce()?;
        if let Some(filter) = filter {
            super::filter::apply(filter, &mut scope);
        }
        Ok(scope)
    }
}

pub(crate) mod private {
    use super::*;

    /// What a reader asks of the provider: per instrument kind, the temporality, the
    /// default aggregation and the cardinality limit.
    #[derive(Clone, Debug)]
    pub struct ReaderConfig {
        pub(crate) temporality: [Temporality; 7],
        pub(crate) aggregation: [Aggregation; 7],
        pub(crate) cardinality_limit: [Option<usize>; 7],
    }

    impl Default for ReaderConfig {
        fn default() -> Self {
            ReaderConfig {
                temporality: [Temporality::Cumulative; 7],
                aggregation: std::array::from_fn(|_| Aggregation::Default),
                cardinality_limit: [None; 7],
            }
        }
    }

    /// A reader's connection to the provider it is registered with.
    #[derive(Clone, Debug)]
    pub struct Link {
        pub(crate) core: Weak<ProviderCore>,
        pub(crate) index: usize,
    }

    impl Link {
        /// Collects the provider's metrics for this reader into `metrics`, keeping what
        /// `filter` accepts.
        pub(crate) fn collect(
            &self,
            metrics: &mut ResourceMetrics,
            filter: Option<&dyn MetricFilter>,
        ) -> Result {
            match self.core.upgrade() {
                Some(core) => core.collect(self.index, metrics, filter),
                None => Err(Error::AlreadyShutdown),
            }
        }
    }

    /// Seals [`MetricReader`](super::MetricReader): only this crate's readers implement it.
    pub trait Sealed {
        /// The reader's per-kind choices.
        fn config(&self) -> ReaderConfig;
        /// Marks the reader as registered; false if it already was (with any provider).
        fn claim(&self) -> bool;
        /// Connects the reader to its provider.
        fn attach(&self, link: Link);
        /// Collects and exports now (push readers).
        fn force_flush(&self) -> Result;
        /// Shuts the reader down (a push reader exports one last time).
        fn shutdown(&self, timeout: Duration) -> Result;
        /// Turns `otel.sdk.metric_reader.collection.duration` on, recorded with `meter`
        /// (ignored when the reader already has it).
        fn enable_self_observability(&self, meter: &Meter);
    }
}

pub(crate) use private::{Link, ReaderConfig};

/// A metric reader: [`ManualReader`] or [`PeriodicReader`](super::PeriodicReader),
/// registered with [`MeterProviderBuilder::with_reader`](super::MeterProviderBuilder::with_reader).
/// A reader belongs to one provider; registering it with a second one is refused.
pub trait MetricReader: private::Sealed + Send + Sync + fmt::Debug + 'static {}

/// Builds the per-kind choices shared by the reader builders.
pub(crate) fn config_from(
    temporality: impl Fn(InstrumentKind) -> Temporality,
    aggregation: impl Fn(InstrumentKind) -> Aggregation,
    cardinality_limit: impl Fn(InstrumentKind) -> Option<usize>,
) -> ReaderConfig {
    ReaderConfig {
        temporality: InstrumentKind::ALL.map(&temporality),
        aggregation: InstrumentKind::ALL.map(&aggregation),
        cardinality_limit: InstrumentKind::ALL.map(|k| cardinality_limit(k).filter(|l| *l > 0)),
    }
}

struct ManualInner {
    config: ReaderConfig,
    claimed: AtomicBool,
    link: OnceLock<Link>,
    producers: Vec<Box<dyn MetricProducer>>,
    filter: Option<Box<dyn MetricFilter>>,
    is_shutdown: AtomicBool,
    metrics: OnceLock<ReaderMetrics>,
}

/// A reader that collects when [`collect`](ManualReader::collect) is called: for tests,
/// and for pull exporters (a scrape endpoint calls `collect`). Clones share the reader, so
/// keep one and register the other.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{ManualReader, ResourceMetrics, SdkMeterProvider, TemporalityPreference};
///
/// let reader = ManualReader::builder()
///     .with_temporality(TemporalityPreference::Delta)
///     .build();
/// let provider = SdkMeterProvider::builder().with_reader(reader.clone()).build();
/// let counter = provider.meter("app").u64_counter("requests").build();
/// counter.add(1, &[]);
///
/// let mut metrics = ResourceMetrics::default();
/// reader.collect(&mut metrics).unwrap();
/// assert_eq!(metrics.scope_metrics[0].metrics[0].name, "requests");
/// ```
#[derive(Clone)]
pub struct ManualReader {
    inner: Arc<ManualInner>,
}

impl fmt::Debug for ManualReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualReader")
            .field("config", &self.inner.config)
            .field("producers", &self.inner.producers)
            .field("registered", &self.inner.link.get().is_some())
            .finish()
    }
}

impl ManualReader {
    /// A builder with cumulative temporality, the default aggregations and cardinality
    /// limit, and no producers.
    pub fn builder() -> ManualReaderBuilder {
        ManualReaderBuilder::default()
    }

    /// Runs the asynchronous instruments' callbacks, then collects every stream of the
    /// provider and every producer into `metrics` (replacing its contents).
    ///
    /// Fails if the reader is not registered with a provider yet, or after shutdown. A
    /// failing producer is reported in the result; the other metrics are still collected.
    pub fn collect(&self, metrics: &mut ResourceMetrics) -> Result {
        let Some(self_metrics) = self.inner.metrics.get() else {
            return self.collect_now(metrics);
        };
        let start = Instant::now();
        let result = self.collect_now(metrics);
        // Recorded after the collection returned: nothing of it is held any more, so the
        // provider collected may be the one recorded into.
        self_metrics.collected(start.elapsed(), &result);
        result
    }

    fn collect_now(&self, metrics: &mut ResourceMetrics) -> Result {
        if self.inner.is_shutdown.load(Ordering::Acquire) {
            return Err(Error::AlreadyShutdown);
        }
        let Some(link) = self.inner.link.get() else {
            return Err(Error::InternalFailure(
                "the reader is not registered with a meter provider".into(),
            ));
        };
        let filter = self.inner.filter.as_deref();
        link.collect(metrics, filter)?;
        collect_producers(&self.inner.producers, metrics, filter)
    }
}

/// Appends each producer's metrics that `filter` accepts; returns the first failure.
pub(crate) fn collect_producers(
    producers: &[Box<dyn MetricProducer>],
    metrics: &mut ResourceMetrics,
    filter: Option<&dyn MetricFilter>,
) -> Result {
    let mut result = Ok(());
    for producer in producers {
        match producer.produce_filtered(filter) {
            // A scope the filter emptied is left out.
            Ok(scope) if filter.is_some() && scope.metrics.is_empty() => {}
            Ok(scope) => metrics.scope_metrics.push(scope),
            Err(err) => {
                opentelemetry_api::otel_warn!(
                    "MetricReader.ProducerFailed",
                    "metric producer {producer:?} failed: {err}"
                );
                if result.is_ok() {
                    result = Err(err);
                }
            }
        }
    }
    result
}

impl private::Sealed for ManualReader {
    fn config(&self) -> ReaderConfig {
        self.inner.config.clone()
    }

    fn claim(&self) -> bool {
        !self.inner.claimed.swap(true, Ordering::AcqRel)
    }

    fn attach(&self, link: Link) {
        let _ = self.inner.link.set(link);
    }

    fn force_flush(&self) -> Result {
        if self.inner.is_shutdown.load(Ordering::Acquire) {
            return Err(Error::AlreadyShutdown);
        }
        Ok(())
    }

    fn shutdown(&self, _timeout: Duration) -> Result {
        if self.inner.is_shutdown.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        Ok(())
    }

    fn enable_self_observability(&self, meter: &Meter) {
        if self.inner.metrics.get().is_none() {
            let _ = self
                .inner
                .metrics
                .set(ReaderMetrics::new(meter, MANUAL_READER_TYPE));
        }
    }
}

/// The `otel.component.type` of a [`ManualReader`]: the conventions name none, so the
/// language-defined name of the type, as they ask.
pub(crate) const MANUAL_READER_TYPE: &str = "opentelemetry_sdk::metrics::ManualReader";

impl MetricReader for ManualReader {}

/// Builds a [`ManualReader`].
pub struct ManualReaderBuilder {
    temporality: Box<dyn Fn(InstrumentKind) -> Temporality>,
    aggregation: Box<dyn Fn(InstrumentKind) -> Aggregation>,
    cardinality_limit: Box<dyn Fn(InstrumentKind) -> Option<usize>>,
    producers: Vec<Box<dyn MetricProducer>>,
    filter: Option<Box<dyn MetricFilter>>,
    self_observability: Option<Meter>,
}

impl Default for ManualReaderBuilder {
    fn default() -> Self {
        ManualReaderBuilder {
            temporality: Box::new(|_| Temporality::Cumulative),
            aggregation: Box::new(|_| Aggregation::Default),
            cardinality_limit: Box::new(|_| None),
            producers: Vec::new(),
            filter: None,
            self_observability: None,
        }
    }
}

impl fmt::Debug for ManualReaderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualReaderBuilder")
            .field("producers", &self.producers)
            .finish_non_exhaustive()
    }
}

impl ManualReaderBuilder {
    /// Sets the temporality per instrument kind from a preset.
    pub fn with_temporality(self, preference: TemporalityPreference) -> Self {
        self.with_temporality_selector(move |kind| preference.temporality(kind))
    }

    /// Sets the temporality per instrument kind.
    pub fn with_temporality_selector(
        mut self,
        selector: impl Fn(InstrumentKind) -> Temporality + 'static,
    ) -> Self {
        self.temporality = Box::new(selector);
        self
    }

    /// Sets the default aggregation per instrument kind (views override it).
    pub fn with_aggregation_selector(
        mut self,
        selector: impl Fn(InstrumentKind) -> Aggregation + 'static,
    ) -> Self {
        self.aggregation = Box::new(selector);
        self
    }

    /// Sets the cardinality limit of every stream a view does not limit (positive; default
    /// 2000).
    pub fn with_cardinality_limit(self, limit: usize) -> Self {
        self.with_cardinality_limit_selector(move |_| Some(limit))
    }

    /// Sets the cardinality limit per instrument kind (`None`: the default 2000).
    pub fn with_cardinality_limit_selector(
        mut self,
        selector: impl Fn(InstrumentKind) -> Option<usize> + 'static,
    ) -> Self {
        self.cardinality_limit = Box::new(selector);
        self
    }

    /// Adds a producer collected with the provider's metrics.
    pub fn with_producer(mut self, producer: impl MetricProducer) -> Self {
        self.producers.push(Box::new(producer));
        self
    }

    /// Sets the filter applied to every collection: to the provider's metrics and, through
    /// [`MetricProducer::produce_filtered`], to the producers'.
    pub fn with_metric_filter(mut self, filter: impl MetricFilter) -> Self {
        self.filter = Some(Box::new(filter));
        self
    }

    /// Records `otel.sdk.metric_reader.collection.duration` (seconds, per
    /// `otel.component.type` `opentelemetry_sdk::metrics::ManualReader` and
    /// `otel.component.name` `<type>/<n>`; with `error.type` when the collection failed) into
    /// `meter_provider` after each [`collect`](ManualReader::collect). Off by default; a
    /// provider built
    /// [`with_self_observability`](super::MeterProviderBuilder::with_self_observability)
    /// turns it on for its readers. The duration is recorded after the collection returned,
    /// so `meter_provider` may be the provider the reader collects (through
    /// [`global::meter_provider()`](opentelemetry_api::global::meter_provider), installed
    /// later).
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::metrics::ManualReader;
    /// let reader = ManualReader::builder()
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// # drop(reader);
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Builds the reader.
    pub fn build(self) -> ManualReader {
        let metrics = OnceLock::new();
        if let Some(meter) = &self.self_observability {
            let _ = metrics.set(ReaderMetrics::new(meter, MANUAL_READER_TYPE));
        }
        ManualReader {
            inner: Arc::new(ManualInner {
                config: config_from(self.temporality, self.aggregation, self.cardinality_limit),
                claimed: AtomicBool::new(false),
                link: OnceLock::new(),
                producers: self.producers,
                filter: self.filter,
                is_shutdown: AtomicBool::new(false),
                metrics,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_spec() {
        use InstrumentKind::*;
        let low = TemporalityPreference::LowMemory;
        assert_eq!(low.temporality(Counter), Temporality::Delta);
        assert_eq!(low.temporality(Histogram), Temporality::Delta);
        assert_eq!(low.temporality(ObservableCounter), Temporality::Cumulative);
        assert_eq!(low.temporality(UpDownCounter), Temporality::Cumulative);
        let delta = TemporalityPreference::Delta;
        assert_eq!(delta.temporality(ObservableCounter), Temporality::Delta);
        assert_eq!(
            delta.temporality(ObservableUpDownCounter),
            Temporality::Cumulative
        );
        for kind in InstrumentKind::ALL {
            assert_eq!(
                TemporalityPreference::Cumulative.temporality(kind),
                Temporality::Cumulative
            );
        }
    }
}
