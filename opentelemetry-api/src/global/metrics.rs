//! The global meter provider.
//!
//! Meters taken from here wrap a [`GlobalInstruments`] factory. What they create follows the
//! installed provider:
//!
//! - synchronous instruments hold a [`Delegate`]: with nothing installed, recording is one
//!   atomic load; after an install the delegate instrument is created on first use (and
//!   re-created after a replacement);
//! - asynchronous instruments and multi-instrument callback registrations are kept in a
//!   registry and re-created / re-registered on the new provider inside
//!   [`set_meter_provider`]. The callbacks given to a provider run only while that provider
//!   is the installed one, so a replaced provider stops calling them.

use super::slot::GlobalSlot;
use super::swap::Delegate;
use crate::metrics::noop::NoopMeterProvider;
use crate::metrics::{
    AsyncInstrument, AsyncInstrumentBuilder, BoundSyncInstrument, Callback, CallbackRegistration,
    Counter, Gauge, Histogram, HistogramBuilder, InstrumentBuilder, InstrumentProvider, Meter,
    MeterProvider, MultiInstrumentCallback, Observable, ObservableCounter, ObservableGauge,
    ObservableInstrument, ObservableUpDownCounter, Observer, ProviderInstrument, SyncInstrument,
    UpDownCounter,
};
use crate::{otel_warn, InstrumentationScope, Key, KeyValue, Result};
use std::any::Any;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

static SLOT: GlobalSlot<Arc<dyn MeterProvider>> = GlobalSlot::new();
/// Asynchronous instruments and callback registrations of global meters. Also serialises
/// installs with their creation, so none is missed by an install.
static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    instruments: Vec::new(),
    registrations: Vec::new(),
});

/// Locks a mutex, carrying on if a panicking thread poisoned it (the data stays consistent:
/// every critical section here only replaces whole values).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs `provider` as the global meter provider.
///
/// Instruments and callbacks created from [`meter`] or [`meter_provider`] before this call
/// report to the new provider from now on: synchronous instruments from their next
/// measurement, asynchronous instruments and registered callbacks from the provider's next
/// collection. A replaced provider stops receiving them; it is not shut down: keep a handle
/// to it and shut it down yourself.
///
/// ```
/// use opentelemetry_api::global;
/// use opentelemetry_api::metrics::noop::NoopMeterProvider;
/// global::set_meter_provider(NoopMeterProvider::new());
/// ```
pub fn set_meter_provider<P>(provider: P)
where
    P: MeterProvider + 'static,
{
    if (&provider as &dyn Any).is::<GlobalMeterProvider>() {
        // It would delegate to itself forever.
        otel_warn!(
            "MeterProvider.GlobalInstalledAsGlobal",
            "the global meter provider cannot be installed as the global meter provider; ignored"
        );
        return;
    }
    // Holding the registry lock while calling into the new provider: a provider must not
    // create global asynchronous instruments from inside its instrument constructors.
    let mut registry = lock(&REGISTRY);
    let generation = SLOT.install(Arc::new(provider));
    registry.install(generation);
}

/// The global meter provider: a handle that always delegates to the installed one.
pub fn meter_provider() -> GlobalMeterProvider {
    GlobalMeterProvider { _private: () }
}

/// A meter from the global provider, for a scope with only a name.
///
/// ```
/// use opentelemetry_api::{global, KeyValue};
/// let counter = global::meter("my-library").u64_counter("jobs.done").build();
/// counter.add(1, &[KeyValue::new("job.kind", "email")]);
/// ```
pub fn meter(name: impl Into<Cow<'static, str>>) -> Meter {
    meter_provider().meter(name)
}

/// A meter from the global provider, for a full instrumentation scope.
///
/// ```
/// use opentelemetry_api::{global, InstrumentationScope};
/// let scope = InstrumentationScope::builder("my-library").with_version("1.0.0").build();
/// let histogram = global::meter_with_scope(scope).f64_histogram("job.duration").build();
/// histogram.record(0.25, &[]);
/// ```
pub fn meter_with_scope(scope: InstrumentationScope) -> Meter {
    meter_provider().meter_with_scope(scope)
}

/// The global meter provider (see [`meter_provider`]).
#[derive(Clone, Copy, Debug)]
pub struct GlobalMeterProvider {
    _private: (),
}

impl MeterProvider for GlobalMeterProvider {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        Meter::new(Arc::new(GlobalInstruments {
            meter: Arc::new(MeterState {
                scope,
                real: Mutex::new(None),
            }),
        }))
    }
}

/// One global meter: its scope, and the installed provider's meter for it.
struct MeterState {
    scope: InstrumentationScope,
    /// The installed provider's meter and the generation it was made for. One per global
    /// meter per install, so all its instruments come from the same provider meter.
    real: Mutex<Option<(u64, Meter)>>,
}

impl MeterState {
    fn real_meter(&self, generation: u64) -> Meter {
        let mut real = lock(&self.real);
        if let Some((built_for, meter)) = &*real {
            if *built_for == generation {
                return meter.clone();
            }
        }
        let meter = match SLOT.get() {
            Some(provider) => provider.meter_with_scope(self.scope.clone()),
            None => NoopMeterProvider::new().meter_with_scope(self.scope.clone()),
        };
        *real = Some((generation, meter.clone()));
        meter
    }
}

/// The instrument factory behind global meters.
struct GlobalInstruments {
    meter: Arc<MeterState>,
}

/// What is needed to create a synchronous instrument again on another provider.
struct SyncSpec {
    name: Cow<'static, str>,
    description: Option<Cow<'static, str>>,
    unit: Option<Cow<'static, str>>,
    boundaries: Option<Vec<f64>>,
    attribute_keys: Option<Vec<Key>>,
}

impl<I> From<InstrumentBuilder<'_, I>> for SyncSpec {
    fn from(builder: InstrumentBuilder<'_, I>) -> Self {
        SyncSpec {
            name: builder.name,
            description: builder.description,
            unit: builder.unit,
            boundaries: None,
            attribute_keys: builder.attribute_keys,
        }
    }
}

impl<I> From<HistogramBuilder<'_, I>> for SyncSpec {
    fn from(builder: HistogramBuilder<'_, I>) -> Self {
        SyncSpec {
            name: builder.name,
            description: builder.description,
            unit: builder.unit,
            boundaries: builder.boundaries,
            attribute_keys: builder.attribute_keys,
        }
    }
}

impl SyncSpec {
    fn instrument<'a, I>(&self, mut builder: InstrumentBuilder<'a, I>) -> InstrumentBuilder<'a, I> {
        builder.description.clone_from(&self.description);
        builder.unit.clone_from(&self.unit);
        builder.attribute_keys.clone_from(&self.attribute_keys);
        builder
    }

    fn histogram<'a, I>(&self, mut builder: HistogramBuilder<'a, I>) -> HistogramBuilder<'a, I> {
        builder.description.clone_from(&self.description);
        builder.unit.clone_from(&self.unit);
        builder.boundaries.clone_from(&self.boundaries);
        builder.attribute_keys.clone_from(&self.attribute_keys);
        builder
    }
}

type BuildSync<T> = fn(&Meter, &SyncSpec) -> Arc<dyn SyncInstrument<T>>;

/// A synchronous instrument of a global meter.
struct GlobalSync<T> {
    meter: Arc<MeterState>,
    spec: SyncSpec,
    build: BuildSync<T>,
    delegate: Delegate<Option<Arc<dyn SyncInstrument<T>>>>,
}

impl<T: 'static> GlobalSync<T> {
    #[inline]
    fn current(&self) -> Option<&Arc<dyn SyncInstrument<T>>> {
        let generation = SLOT.generation();
        if generation == 0 {
            return None;
        }
        self.delegate
            .get(generation, || {
                Some((self.build)(&self.meter.real_meter(generation), &self.spec))
            })
            .as_ref()
    }
}

impl<T: Send + Sync + 'static> SyncInstrument<T> for GlobalSync<T> {
    #[inline]
    fn measure(&self, value: T, attributes: &[KeyValue]) {
        if let Some(instrument) = self.current() {
            instrument.measure(value, attributes);
        }
    }

    fn enabled(&self) -> bool {
        self.current()
            .is_some_and(|instrument| instrument.enabled())
    }

    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        Box::new(GlobalBound {
            instrument: self,
            attributes: attributes.to_vec(),
            delegate: Delegate::new(0, None),
        })
    }
}

/// A bound synchronous instrument of a global meter: binds the installed provider's
/// instrument, so the provider's fast bound path is used.
struct GlobalBound<T> {
    instrument: Arc<GlobalSync<T>>,
    attributes: Vec<KeyValue>,
    delegate: Delegate<Option<Box<dyn BoundSyncInstrument<T>>>>,
}

impl<T: 'static> GlobalBound<T> {
    #[inline]
    fn current(&self) -> Option<&dyn BoundSyncInstrument<T>> {
        let generation = SLOT.generation();
        if generation == 0 {
            return None;
        }
        self.delegate
            .get(generation, || {
                self.instrument
                    .current()
                    .map(|instrument| Arc::clone(instrument).bind(&self.attributes))
            })
            .as_deref()
    }
}

impl<T: Send + Sync + 'static> BoundSyncInstrument<T> for GlobalBound<T> {
    #[inline]
    fn measure(&self, value: T) {
        if let Some(bound) = self.current() {
            bound.measure(value);
        }
    }

    fn enabled(&self) -> bool {
        self.current().is_some_and(|bound| bound.enabled())
    }
}

type BuildAsync = Box<dyn Fn(&Meter, u64) -> Arc<dyn Any + Send + Sync> + Send + Sync>;

/// An asynchronous instrument of a global meter: the identity object inside the handles the
/// user holds, and the recipe to create it on each installed provider.
struct GlobalAsync {
    meter: Arc<MeterState>,
    /// Creates the instrument on a provider meter, with the callbacks gated to a generation.
    build: BuildAsync,
    /// The installed provider's identity object for this instrument.
    delegate: Mutex<Option<Arc<dyn Any + Send + Sync>>>,
}

impl GlobalAsync {
    fn install(&self, generation: u64) {
        let delegate = (self.build)(&self.meter.real_meter(generation), generation);
        *lock(&self.delegate) = Some(delegate);
    }
}

/// The installed provider's identity object for `instrument`: its delegate if it is a global
/// instrument (`None` before any install), itself otherwise.
fn resolve(instrument: &Arc<dyn Any + Send + Sync>) -> Option<Arc<dyn Any + Send + Sync>> {
    match (**instrument).downcast_ref::<GlobalAsync>() {
        Some(global) => lock(&global.delegate).clone(),
        None => Some(Arc::clone(instrument)),
    }
}

/// Wraps a callback so it runs only while the provider of `generation` is installed.
fn gated<T: 'static>(callback: &Callback<T>, generation: u64) -> Callback<T> {
    let callback = Arc::clone(callback);
    Arc::new(move |observer: &dyn AsyncInstrument<T>| {
        if SLOT.generation() == generation {
            callback(observer);
        }
    })
}

/// A multi-instrument callback registered on a global meter.
struct GlobalRegistration {
    meter: Arc<MeterState>,
    /// The identity objects of the instruments given at registration (kept alive by it).
    instruments: Vec<Arc<dyn Any + Send + Sync>>,
    callback: MultiInstrumentCallback,
    active: Arc<AtomicBool>,
    /// The registration on the installed provider.
    current: Mutex<Option<Box<dyn CallbackRegistration>>>,
}

impl GlobalRegistration {
    fn install(&self, generation: u64) -> Result<()> {
        let delegates: Vec<ProviderInstrument> = self
            .instruments
            .iter()
            .filter_map(resolve)
            .map(ProviderInstrument)
            .collect();
        let refs: Vec<&dyn ObservableInstrument> = delegates
            .iter()
            .map(|d| d as &dyn ObservableInstrument)
            .collect();
        let callback = Arc::clone(&self.callback);
        let active = Arc::clone(&self.active);
        let registration = self.meter.real_meter(generation).register_callback(
            &refs,
            move |observer: &dyn Observer| {
                if active.load(Ordering::Acquire) && SLOT.generation() == generation {
                    callback(&Translating { inner: observer });
                }
            },
        )?;
        let previous = lock(&self.current).replace(registration);
        if let Some(mut previous) = previous {
            // The previous provider is being replaced; failing to tidy it up is harmless
            // because the callback it holds is gated off.
            let _ = previous.unregister();
        }
        Ok(())
    }
}

/// Passes observations of global instruments on to the installed provider's instruments.
struct Translating<'a> {
    inner: &'a dyn Observer,
}

macro_rules! translate {
    ($($method:ident: $t:ty),+) => {$(
        fn $method(&self, instrument: &dyn Observable<$t>, value: $t, attributes: &[KeyValue]) {
            if let Some(delegate) = resolve(instrument.provider_instrument()) {
                self.inner.$method(&ProviderInstrument(delegate), value, attributes);
            }
        }
    )+};
}

impl Observer for Translating<'_> {
    translate!(observe_u64: u64, observe_f64: f64, observe_i64: i64);
}

/// What [`Meter::register_callback`] on a global meter returns.
struct GlobalRegistrationHandle(Arc<GlobalRegistration>);

impl CallbackRegistration for GlobalRegistrationHandle {
    fn unregister(&mut self) -> Result<()> {
        {
            // Out of the registry first, so no install re-registers it from now on.
            let mut registry = lock(&REGISTRY);
            registry.registrations.retain(|r| !Arc::ptr_eq(r, &self.0));
        }
        self.0.active.store(false, Ordering::Release);
        let current = lock(&self.0.current).take();
        match current {
            Some(mut registration) => registration.unregister(),
            None => Ok(()),
        }
    }
}

enum Entry {
    /// Has callbacks: those are registered for good, so the instrument lives on even when
    /// the user drops its handles.
    Kept(Arc<GlobalAsync>),
    /// Has no callbacks: only worth re-creating while someone holds it.
    Held(Weak<GlobalAsync>),
}

impl Entry {
    fn get(&self) -> Option<Arc<GlobalAsync>> {
        match self {
            Entry::Kept(instrument) => Some(Arc::clone(instrument)),
            Entry::Held(instrument) => instrument.upgrade(),
        }
    }

    fn is_live(&self) -> bool {
        match self {
            Entry::Kept(_) => true,
            Entry::Held(instrument) => instrument.strong_count() > 0,
        }
    }
}

struct Registry {
    instruments: Vec<Entry>,
    registrations: Vec<Arc<GlobalRegistration>>,
}

impl Registry {
    fn install(&mut self, generation: u64) {
        self.instruments.retain(Entry::is_live);
        // Instruments first: the registrations resolve their instruments' new delegates.
        for instrument in self.instruments.iter().filter_map(Entry::get) {
            instrument.install(generation);
        }
        for registration in &self.registrations {
            if let Err(err) = registration.install(generation) {
                otel_warn!(
                    "MeterProvider.CallbackNotRegistered",
                    "a callback registered on a global meter was refused by the new meter provider: {err}"
                );
            }
        }
    }
}

impl GlobalInstruments {
    fn sync<T: Send + Sync + 'static>(
        &self,
        spec: SyncSpec,
        build: BuildSync<T>,
    ) -> Arc<dyn SyncInstrument<T>> {
        Arc::new(GlobalSync {
            meter: Arc::clone(&self.meter),
            spec,
            build,
            delegate: Delegate::new(0, None),
        })
    }

    fn register_async(&self, build: BuildAsync, has_callbacks: bool) -> Arc<dyn Any + Send + Sync> {
        let instrument = Arc::new(GlobalAsync {
            meter: Arc::clone(&self.meter),
            build,
            delegate: Mutex::new(None),
        });
        let mut registry = lock(&REGISTRY);
        let generation = SLOT.generation();
        if generation != 0 {
            instrument.install(generation);
        }
        registry.instruments.retain(Entry::is_live);
        registry.instruments.push(if has_callbacks {
            Entry::Kept(Arc::clone(&instrument))
        } else {
            Entry::Held(Arc::downgrade(&instrument))
        });
        instrument
    }
}

macro_rules! global_sync {
    ($($method:ident: $builder:ident <$instrument:ident<$t:ty>> via $apply:ident;)+) => {$(
        fn $method(&self, builder: $builder<'_, $instrument<$t>>) -> $instrument<$t> {
            $instrument::new(self.sync(SyncSpec::from(builder), |meter, spec| {
                Arc::clone(spec.$apply(meter.$method(spec.name.clone())).build().inner())
            }))
        }
    )+};
}

macro_rules! global_async {
    ($($method:ident: $instrument:ident<$t:ty>;)+) => {$(
        fn $method(
            &self,
            builder: AsyncInstrumentBuilder<'_, $instrument<$t>, $t>,
        ) -> $instrument<$t> {
            let name = builder.name;
            let description = builder.description;
            let unit = builder.unit;
            let attribute_keys = builder.attribute_keys;
            let callbacks = builder.callbacks;
            let has_callbacks = !callbacks.is_empty();
            let build: BuildAsync = Box::new(move |meter: &Meter, generation: u64| {
                let mut builder = meter.$method(name.clone());
                builder.description.clone_from(&description);
                builder.unit.clone_from(&unit);
                builder.attribute_keys.clone_from(&attribute_keys);
                builder.callbacks = callbacks.iter().map(|c| gated(c, generation)).collect();
                Arc::clone(builder.build().provider_instrument())
            });
            $instrument::new(self.register_async(build, has_callbacks))
        }
    )+};
}

impl InstrumentProvider for GlobalInstruments {
    global_sync! {
        u64_counter: InstrumentBuilder<Counter<u64>> via instrument;
        f64_counter: InstrumentBuilder<Counter<f64>> via instrument;
        i64_up_down_counter: InstrumentBuilder<UpDownCounter<i64>> via instrument;
        f64_up_down_counter: InstrumentBuilder<UpDownCounter<f64>> via instrument;
        u64_histogram: HistogramBuilder<Histogram<u64>> via histogram;
        f64_histogram: HistogramBuilder<Histogram<f64>> via histogram;
        u64_gauge: InstrumentBuilder<Gauge<u64>> via instrument;
        i64_gauge: InstrumentBuilder<Gauge<i64>> via instrument;
        f64_gauge: InstrumentBuilder<Gauge<f64>> via instrument;
    }

    global_async! {
        u64_observable_counter: ObservableCounter<u64>;
        f64_observable_counter: ObservableCounter<f64>;
        i64_observable_up_down_counter: ObservableUpDownCounter<i64>;
        f64_observable_up_down_counter: ObservableUpDownCounter<f64>;
        u64_observable_gauge: ObservableGauge<u64>;
        i64_observable_gauge: ObservableGauge<i64>;
        f64_observable_gauge: ObservableGauge<f64>;
    }

    fn register_callback(
        &self,
        instruments: &[&dyn ObservableInstrument],
        callback: MultiInstrumentCallback,
    ) -> Result<Box<dyn CallbackRegistration>> {
        let registration = Arc::new(GlobalRegistration {
            meter: Arc::clone(&self.meter),
            instruments: instruments
                .iter()
                .map(|i| Arc::clone(i.provider_instrument()))
                .collect(),
            callback,
            active: Arc::new(AtomicBool::new(true)),
            current: Mutex::new(None),
        });
        let mut registry = lock(&REGISTRY);
        let generation = SLOT.generation();
        if generation != 0 {
            registration.install(generation)?;
        }
        registry.registrations.push(Arc::clone(&registration));
        Ok(Box::new(GlobalRegistrationHandle(registration)))
    }
}
