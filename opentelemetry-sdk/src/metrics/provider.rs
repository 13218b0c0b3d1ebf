//! The SDK meter provider.

use super::config::{Configurator, MeterConfig};
use super::data::ResourceMetrics;
use super::exemplar::ExemplarFilter;
use super::filter::MetricFilter;
use super::meter::SdkMeter;
use super::reader::{Link, MetricReader, ReaderConfig};
use super::view::{View, ViewMatchingMode};
use crate::error::{first_error, Error, Result};
use crate::resource::Resource;
use opentelemetry_api::metrics::noop::NoopInstrumentProvider;
use opentelemetry_api::metrics::{Meter, MeterProvider};
use opentelemetry_api::{otel_debug, otel_warn, InstrumentationScope};
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// The default timeout of [`SdkMeterProvider::shutdown`].
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// One reader's side of the provider.
pub(crate) struct Pipeline {
    pub(crate) config: ReaderConfig,
    /// Collections for one reader run one at a time (callbacks complete before the next).
    collect_lock: Mutex<()>,
}

#[derive(Default)]
struct Meters {
    by_scope: HashMap<InstrumentationScope, Arc<SdkMeter>>,
    in_order: Vec<Arc<SdkMeter>>,
    /// Computes each meter's configuration (none: every meter is enabled).
    configurator: Option<Configurator>,
}

/// What meters and readers share: configuration and every meter's state.
pub(crate) struct ProviderCore {
    pub(crate) resource: Resource,
    pub(crate) pipelines: Box<[Pipeline]>,
    pub(crate) views: Vec<View>,
    pub(crate) view_matching_mode: ViewMatchingMode,
    pub(crate) exemplar_filter: ExemplarFilter,
    meters: Mutex<Meters>,
    /// Set once the readers are shut down: instruments stop recording.
    pub(crate) is_shutdown: Arc<AtomicBool>,
}

impl ProviderCore {
    fn lock_meters(&self) -> std::sync::MutexGuard<'_, Meters> {
        // Nothing panics half-way under this lock (the configurator's panics are caught).
        self.meters.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Marks the provider shut down and turns every meter's instruments off (under the
    /// meters lock, so that a configurator update cannot turn them on again).
    fn shut_down(&self) {
        let meters = self.lock_meters();
        self.is_shutdown.store(true, Ordering::Release);
        for meter in &meters.in_order {
            meter.apply(MeterConfig::disabled(), true);
        }
    }

    /// Collects everything for pipeline `index` into `metrics`.
    pub(crate) fn collect(
        &self,
        index: usize,
        metrics: &mut ResourceMetrics,
        filter: Option<&dyn MetricFilter>,
    ) -> Result {
        if self.is_shutdown.load(Ordering::Acquire) {
            return Err(Error::AlreadyShutdown);
        }
        let Some(pipeline) = self.pipelines.get(index) else {
            return Err(Error::InternalFailure("unknown reader".into()));
        };
        let _one_at_a_time = pipeline
            .collect_lock
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let mut meters = self.lock_meters().in_order.clone();
        // A disabled meter is a no-op meter: no callbacks, nothing collected.
        meters.retain(|meter| meter.is_enabled());
        for meter in &meters {
            meter.run_callbacks(index);
        }
        let now = SystemTime::now();
        metrics.resource = self.resource.clone();
        metrics.scope_metrics.clear();
        for meter in &meters {
            if let Some(mut scope) = meter.collect(index, now) {
                if let Some(filter) = filter {
                    super::filter::apply(filter, &mut scope);
                    if scope.metrics.is_empty() {
                        continue;
                    }
                }
                metrics.scope_metrics.push(scope);
            }
        }
        Ok(())
    }
}

struct ProviderInner {
    core: Arc<ProviderCore>,
    readers: Vec<Box<dyn MetricReader>>,
    shutdown_called: AtomicBool,
    /// `OTEL_SDK_DISABLED`: no-op meters.
    disabled: bool,
}

impl ProviderInner {
    fn shutdown(&self, timeout: Duration) -> Result {
        if self.shutdown_called.swap(true, Ordering::AcqRel) {
            return Err(Error::AlreadyShutdown);
        }
        // Readers first: a push reader collects and exports one last time.
        let result = first_error(self.readers.iter().map(|r| r.shutdown(timeout)));
        self.core.shut_down();
        result
    }
}

impl Drop for ProviderInner {
    fn drop(&mut self) {
        if !self.shutdown_called.load(Ordering::Acquire) {
            if let Err(err) = self.shutdown(DEFAULT_SHUTDOWN_TIMEOUT) {
                opentelemetry_api::global::handle_error("MeterProvider.ShutdownOnDrop", err);
            }
        }
    }
}

/// The SDK's meter provider: owns the readers, views and resource, and every meter's
/// instruments. Clones share one provider; dropping the last clone shuts it down (meters and
/// instruments do not keep it alive: they become no-ops).
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_api::KeyValue;
/// use opentelemetry_sdk::metrics::{ManualReader, ResourceMetrics, SdkMeterProvider};
/// use opentelemetry_sdk::Resource;
///
/// let reader = ManualReader::builder().build();
/// let provider = SdkMeterProvider::builder()
///     .with_resource(Resource::new([KeyValue::new("service.name", "shop")]))
///     .with_reader(reader.clone())
///     .build();
/// let meter = provider.meter("checkout");
/// meter.u64_counter("orders").build().add(1, &[KeyValue::new("payment", "card")]);
///
/// let mut metrics = ResourceMetrics::default();
/// reader.collect(&mut metrics)?;
/// assert_eq!(metrics.scope_metrics[0].scope.name(), "checkout");
/// provider.shutdown()?;
/// # Ok::<(), opentelemetry_sdk::Error>(())
/// ```
#[derive(Clone)]
pub struct SdkMeterProvider {
    inner: Arc<ProviderInner>,
}

impl fmt::Debug for SdkMeterProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SdkMeterProvider")
            .field("readers", &self.inner.readers)
            .field("views", &self.inner.core.views.len())
            .field("is_shutdown", &self.is_shutdown())
            .finish()
    }
}

impl Default for SdkMeterProvider {
    fn default() -> Self {
        SdkMeterProvider::builder().build()
    }
}

impl SdkMeterProvider {
    /// A builder with no readers, no views and the default resource.
    pub fn builder() -> MeterProviderBuilder {
        MeterProviderBuilder::default()
    }

    /// The provider's resource.
    pub fn resource(&self) -> &Resource {
        &self.inner.core.resource
    }

    /// Whether [`shutdown`](Self::shutdown) was called.
    pub fn is_shutdown(&self) -> bool {
        self.inner.shutdown_called.load(Ordering::Acquire)
    }

    /// Asks every push reader to collect and export now. Reports the first failure (every
    /// reader is flushed regardless).
    pub fn force_flush(&self) -> Result {
        if self.is_shutdown() {
            return Err(Error::AlreadyShutdown);
        }
        first_error(self.inner.readers.iter().map(|r| r.force_flush()))
    }

    /// Shuts every reader down (push readers export one last time) within the default
    /// timeout (5 s). Afterwards instruments record nothing and new meters are no-ops; a
    /// second call returns [`Error::AlreadyShutdown`].
    pub fn shutdown(&self) -> Result {
        self.shutdown_with_timeout(DEFAULT_SHUTDOWN_TIMEOUT)
    }

    /// Replaces the meter configurator: every meter already handed out, and every later one,
    /// gets the configuration it computes (a meter disabled this way behaves as a no-op
    /// meter until a later configurator enables it again; see [`MeterConfig`]). The
    /// configurator is called once per meter, here and when a new meter is created, under
    /// the provider's lock: it must return quickly and must not use the provider. Does
    /// nothing after shutdown.
    ///
    /// ```
    /// use opentelemetry_api::metrics::MeterProvider;
    /// use opentelemetry_sdk::metrics::{ManualReader, MeterConfig, SdkMeterProvider};
    ///
    /// let provider = SdkMeterProvider::builder()
    ///     .with_reader(ManualReader::builder().build())
    ///     .build();
    /// let requests = provider.meter("http").u64_counter("requests").build();
    /// assert!(requests.enabled());
    /// // Later, e.g. on an operator's request: silence the `http` meter.
    /// provider.set_meter_configurator(|scope| {
    ///     if scope.name() == "http" { MeterConfig::disabled() } else { MeterConfig::default() }
    /// });
    /// assert!(!requests.enabled());
    /// ```
    pub fn set_meter_configurator(
        &self,
        configurator: impl Fn(&InstrumentationScope) -> MeterConfig + Send + Sync + 'static,
    ) {
        let core = &self.inner.core;
        let mut meters = core.lock_meters();
        if core.is_shutdown.load(Ordering::Acquire) {
            return;
        }
        let configurator = Configurator::new(configurator);
        for meter in &meters.in_order {
            meter.apply(configurator.config(meter.scope()), false);
        }
        meters.configurator = Some(configurator);
    }

    /// [`shutdown`](Self::shutdown) with a timeout for each reader.
    pub fn shutdown_with_timeout(&self, timeout: Duration) -> Result {
        let result = self.inner.shutdown(timeout);
        otel_debug!(
            "MeterProvider.Shutdown",
            "meter provider shut down: {result:?}"
        );
        result
    }
}

impl opentelemetry_api::metrics::MeterProvider for SdkMeterProvider {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        let inner = &self.inner;
        if inner.disabled || self.is_shutdown() {
            return Meter::new(Arc::new(NoopInstrumentProvider::new()));
        }
        if scope.name().is_empty() {
            otel_warn!(
                "MeterProvider.InvalidMeterName",
                "a meter was requested with an empty name; it works, but its metrics carry \
                 an empty scope name"
            );
        }
        let core = &inner.core;
        let mut meters = core.lock_meters();
        if let Some(meter) = meters.by_scope.get(&scope) {
            return Meter::new(meter.clone());
        }
        let config = meters
            .configurator
            .as_ref()
            .map_or_else(MeterConfig::default, |c| c.config(&scope));
        let meter = Arc::new(SdkMeter::new(scope.clone(), core, config));
        meters.by_scope.insert(scope, meter.clone());
        meters.in_order.push(meter.clone());
        Meter::new(meter)
    }
}

/// Builds an [`SdkMeterProvider`].
#[derive(Default)]
pub struct MeterProviderBuilder {
    resource: Option<Resource>,
    readers: Vec<Box<dyn MetricReader>>,
    views: Vec<View>,
    view_matching_mode: ViewMatchingMode,
    exemplar_filter: Option<ExemplarFilter>,
    configurator: Option<Configurator>,
    self_observability: Option<Meter>,
}

impl fmt::Debug for MeterProviderBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MeterProviderBuilder")
            .field("readers", &self.readers)
            .field("views", &self.views)
            .finish_non_exhaustive()
    }
}

impl MeterProviderBuilder {
    /// Sets the resource (default: [`Resource::default`]).
    pub fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Adds a reader; each reader gets every metric, in its own temporality. A reader
    /// already registered with another provider is refused (reported).
    pub fn with_reader<R: MetricReader>(mut self, reader: R) -> Self {
        self.readers.push(Box::new(reader));
        self
    }

    /// Adds a view. A view with an invalid configuration (a rename with a wildcard
    /// selector, a selector without criteria, invalid histogram boundaries, a zero
    /// cardinality limit) is reported and ignored when the provider is built.
    pub fn with_view(mut self, view: View) -> Self {
        self.views.push(view);
        self
    }

    /// Sets how several views matching one instrument combine (default
    /// [`ViewMatchingMode::Independent`]: a stream per view).
    pub fn with_view_matching_mode(mut self, mode: ViewMatchingMode) -> Self {
        self.view_matching_mode = mode;
        self
    }

    /// Sets which measurements may become exemplars. Without it, `OTEL_METRICS_EXEMPLAR_FILTER`
    /// decides, and [`ExemplarFilter::TraceBased`] when that is unset (or invalid: reported).
    pub fn with_exemplar_filter(mut self, filter: ExemplarFilter) -> Self {
        self.exemplar_filter = Some(filter);
        self
    }

    /// Sets the meter configurator: a function of a meter's scope giving its
    /// [`MeterConfig`] (default: every meter enabled). It is called once per meter, when the
    /// meter is first created, under the provider's lock: it must return quickly and must not
    /// use the provider. [`SdkMeterProvider::set_meter_configurator`] replaces it later.
    pub fn with_meter_configurator(
        mut self,
        configurator: impl Fn(&InstrumentationScope) -> MeterConfig + Send + Sync + 'static,
    ) -> Self {
        self.configurator = Some(Configurator::new(configurator));
        self
    }

    /// Turns on the SDK's self-observability metrics for this provider's readers:
    /// `otel.sdk.metric_reader.collection.duration`, recorded into `meter_provider` (see
    /// [`PeriodicReaderBuilder::with_self_observability`](super::PeriodicReaderBuilder::with_self_observability)).
    /// Off by default. To record into this provider itself, pass
    /// [`global::meter_provider()`](opentelemetry_api::global::meter_provider) and install
    /// this provider as the global one: durations are recorded after each collection
    /// returned and show in the next one.
    ///
    /// ```
    /// use opentelemetry_api::global;
    /// use opentelemetry_sdk::metrics::{ManualReader, SdkMeterProvider};
    ///
    /// let provider = SdkMeterProvider::builder()
    ///     .with_reader(ManualReader::builder().build())
    ///     .with_self_observability(&global::meter_provider())
    ///     .build();
    /// global::set_meter_provider(provider.clone());
    /// # provider.shutdown().unwrap();
    /// ```
    pub fn with_self_observability<P: MeterProvider + ?Sized>(
        mut self,
        meter_provider: &P,
    ) -> Self {
        self.self_observability = Some(crate::self_observability::meter(meter_provider));
        self
    }

    /// Builds the provider. With `OTEL_SDK_DISABLED=true` its meters are no-ops.
    pub fn build(self) -> SdkMeterProvider {
        let disabled = crate::env::bool_var("OTEL_SDK_DISABLED");
        let views: Vec<View> = self
            .views
            .into_iter()
            .filter(|view| match view.validate() {
                Ok(()) => {
                    let conflicting = view.conflicting_keys();
                    if !conflicting.is_empty() {
                        otel_warn!(
                            "MeterProvider.InvalidView",
                            "view {view:?}: attribute keys {conflicting:?} are both allowed \
                             and excluded; they are excluded"
                        );
                    }
                    true
                }
                Err(reason) => {
                    otel_warn!(
                        "MeterProvider.InvalidView",
                        "view {view:?} is ignored: {reason}"
                    );
                    false
                }
            })
            .collect();
        let readers: Vec<Box<dyn MetricReader>> = self
            .readers
            .into_iter()
            .filter(|reader| {
                let claimed = reader.claim();
                if !claimed {
                    otel_warn!(
                        "MeterProvider.ReaderAlreadyRegistered",
                        "reader {reader:?} is already registered with a meter provider; a \
                         reader serves one provider only, so it is ignored here"
                    );
                }
                claimed
            })
            .collect();
        let core = Arc::new(ProviderCore {
            resource: self.resource.unwrap_or_default(),
            pipelines: readers
                .iter()
                .map(|r| Pipeline {
                    config: r.config(),
                    collect_lock: Mutex::new(()),
                })
                .collect(),
            views,
            view_matching_mode: self.view_matching_mode,
            exemplar_filter: self
                .exemplar_filter
                .unwrap_or_else(ExemplarFilter::from_env),
            meters: Mutex::new(Meters {
                configurator: self.configurator,
                ..Meters::default()
            }),
            is_shutdown: Arc::new(AtomicBool::new(false)),
        });
        for (index, reader) in readers.iter().enumerate() {
            if let Some(meter) = &self.self_observability {
                reader.enable_self_observability(meter);
            }
            reader.attach(Link {
                core: Arc::downgrade(&core),
                index,
            });
        }
        SdkMeterProvider {
            inner: Arc::new(ProviderInner {
                core,
                readers,
                shutdown_called: AtomicBool::new(false),
                disabled,
            }),
        }
    }
}
