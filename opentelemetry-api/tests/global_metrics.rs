//! The global meter provider: instruments and callbacks created before an SDK is installed
//! report to it once it is, and follow a replaced provider. (Each test runs in its own
//! process under nextest.)

use opentelemetry_api::metrics::{
    AsyncInstrument, AsyncInstrumentBuilder, BoundSyncInstrument, CallbackRegistration, Counter,
    Histogram, HistogramBuilder, InstrumentBuilder, InstrumentProvider, Meter, MeterProvider,
    MultiInstrumentCallback, Observable, ObservableCounter, ObservableGauge, ObservableInstrument,
    ObservableUpDownCounter, Observer, SyncInstrument, UpDownCounter,
};
use opentelemetry_api::{global, InstrumentationScope, KeyValue, Result};
use std::any::Any;
use std::fmt::Display;
use std::sync::{Arc, Mutex};

type Run = Arc<dyn Fn() + Send + Sync>;

/// A small SDK stand-in: logs every measurement as `label:instrument=value[attrs]`, keeps the
/// callbacks and runs them on `collect()`.
#[derive(Clone)]
struct Recorder {
    label: &'static str,
    log: Arc<Mutex<Vec<String>>>,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    callbacks: Vec<Run>,
    registrations: Vec<(u64, Run)>,
    next_id: u64,
}

impl Recorder {
    fn new(label: &'static str) -> Self {
        Recorder {
            label,
            log: Arc::default(),
            state: Arc::default(),
        }
    }

    fn push(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }

    /// Runs every callback once, like a collection; returns what was logged.
    fn collect(&self) -> Vec<String> {
        let runs: Vec<Run> = {
            let state = self.state.lock().unwrap();
            let registered = state.registrations.iter().map(|(_, r)| r.clone());
            state.callbacks.iter().cloned().chain(registered).collect()
        };
        for run in runs {
            run();
        }
        self.take()
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    fn line(&self, name: &str, value: impl Display, attributes: &[KeyValue]) -> String {
        let attrs: Vec<String> = attributes
            .iter()
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect();
        format!("{}:{}={}[{}]", self.label, name, value, attrs.join(","))
    }
}

struct RecordingSync {
    recorder: Recorder,
    name: String,
}

impl<T: Display + 'static> SyncInstrument<T> for RecordingSync {
    fn measure(&self, value: T, attributes: &[KeyValue]) {
        self.recorder
            .push(self.recorder.line(&self.name, value, attributes));
    }

    fn bind(self: Arc<Self>, attributes: &[KeyValue]) -> Box<dyn BoundSyncInstrument<T>> {
        Box::new(RecordingBound {
            recorder: self.recorder.clone(),
            name: format!("{}(bound)", self.name),
            attributes: attributes.to_vec(),
        })
    }
}

struct RecordingBound {
    recorder: Recorder,
    name: String,
    attributes: Vec<KeyValue>,
}

impl<T: Display> BoundSyncInstrument<T> for RecordingBound {
    fn measure(&self, value: T) {
        self.recorder
            .push(self.recorder.line(&self.name, value, &self.attributes));
    }
}

/// The recorder's identity object for an asynchronous instrument.
struct RecordingObservable {
    name: String,
}

/// What a single-instrument callback reports to.
struct InstrumentResult<'a> {
    recorder: &'a Recorder,
    name: &'a str,
}

impl<T: Display> AsyncInstrument<T> for InstrumentResult<'_> {
    fn observe(&self, value: T, attributes: &[KeyValue]) {
        self.recorder
            .push(self.recorder.line(self.name, value, attributes));
    }
}

/// What a multi-instrument callback reports to: only the registered instruments are accepted.
struct RegisteredResult<'a> {
    recorder: &'a Recorder,
    allowed: &'a [Arc<dyn Any + Send + Sync>],
}

impl RegisteredResult<'_> {
    fn record(
        &self,
        instrument: &dyn ObservableInstrument,
        value: impl Display,
        attrs: &[KeyValue],
    ) {
        let id = instrument.provider_instrument();
        let known = id.downcast_ref::<RecordingObservable>();
        match known {
            Some(own) if self.allowed.iter().any(|a| Arc::ptr_eq(a, id)) => {
                self.recorder
                    .push(self.recorder.line(&own.name, value, attrs));
            }
            Some(own) => self
                .recorder
                .push(format!("{}:rejected {}", self.recorder.label, own.name)),
            None => self
                .recorder
                .push(format!("{}:rejected foreign", self.recorder.label)),
        }
    }
}

impl Observer for RegisteredResult<'_> {
    fn observe_u64(&self, instrument: &dyn Observable<u64>, value: u64, attrs: &[KeyValue]) {
        self.record(instrument, value, attrs);
    }
    fn observe_f64(&self, instrument: &dyn Observable<f64>, value: f64, attrs: &[KeyValue]) {
        self.record(instrument, value, attrs);
    }
    fn observe_i64(&self, instrument: &dyn Observable<i64>, value: i64, attrs: &[KeyValue]) {
        self.record(instrument, value, attrs);
    }
}

struct RecordingRegistration {
    recorder: Recorder,
    id: u64,
}

impl CallbackRegistration for RecordingRegistration {
    fn unregister(&mut self) -> Result<()> {
        let mut state = self.recorder.state.lock().unwrap();
        state.registrations.retain(|(id, _)| *id != self.id);
        drop(state);
        self.recorder
            .push(format!("{}:unregistered", self.recorder.label));
        Ok(())
    }
}

impl Recorder {
    fn sync<T: Display + 'static>(&self, name: &str) -> Arc<dyn SyncInstrument<T>> {
        Arc::new(RecordingSync {
            recorder: self.clone(),
            name: name.to_owned(),
        })
    }

    fn observable<T: Display + 'static, I>(
        &self,
        builder: AsyncInstrumentBuilder<'_, I, T>,
    ) -> Arc<dyn Any + Send + Sync> {
        let name = builder.name.to_string();
        let mut state = self.state.lock().unwrap();
        for callback in builder.callbacks {
            let (recorder, name) = (self.clone(), name.clone());
            state.callbacks.push(Arc::new(move || {
                callback(&InstrumentResult {
                    recorder: &recorder,
                    name: &name,
                })
            }));
        }
        Arc::new(RecordingObservable { name })
    }
}

impl MeterProvider for Recorder {
    fn meter_with_scope(&self, _scope: InstrumentationScope) -> Meter {
        Meter::new(Arc::new(self.clone()))
    }
}

/// Only some kinds are implemented: the others use the no-op defaults.
impl InstrumentProvider for Recorder {
    fn u64_counter(&self, builder: InstrumentBuilder<'_, Counter<u64>>) -> Counter<u64> {
        Counter::new(self.sync(&builder.name))
    }

    fn i64_up_down_counter(
        &self,
        builder: InstrumentBuilder<'_, UpDownCounter<i64>>,
    ) -> UpDownCounter<i64> {
        UpDownCounter::new(self.sync(&builder.name))
    }

    fn f64_histogram(&self, builder: HistogramBuilder<'_, Histogram<f64>>) -> Histogram<f64> {
        let name = format!(
            "{}{:?}",
            builder.name,
            builder.boundaries.unwrap_or_default()
        );
        Histogram::new(self.sync(&name))
    }

    fn u64_observable_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableCounter<u64>, u64>,
    ) -> ObservableCounter<u64> {
        ObservableCounter::new(self.observable(builder))
    }

    fn f64_observable_gauge(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableGauge<f64>, f64>,
    ) -> ObservableGauge<f64> {
        ObservableGauge::new(self.observable(builder))
    }

    fn i64_observable_up_down_counter(
        &self,
        builder: AsyncInstrumentBuilder<'_, ObservableUpDownCounter<i64>, i64>,
    ) -> ObservableUpDownCounter<i64> {
        ObservableUpDownCounter::new(self.observable(builder))
    }

    fn register_callback(
        &self,
        instruments: &[&dyn ObservableInstrument],
        callback: MultiInstrumentCallback,
    ) -> Result<Box<dyn CallbackRegistration>> {
        let allowed: Vec<Arc<dyn Any + Send + Sync>> = instruments
            .iter()
            .map(|i| i.provider_instrument().clone())
            .collect();
        let recorder = self.clone();
        let run: Arc<dyn Fn() + Send + Sync> = Arc::new(move || {
            callback(&RegisteredResult {
                recorder: &recorder,
                allowed: &allowed,
            })
        });
        let mut state = self.state.lock().unwrap();
        state.next_id += 1;
        let id = state.next_id;
        state.registrations.push((id, run));
        Ok(Box::new(RecordingRegistration {
            recorder: self.clone(),
            id,
        }))
    }
}

fn kv(k: &'static str, v: &'static str) -> KeyValue {
    KeyValue::new(k, v)
}

#[test]
fn sync_instruments_taken_before_install_record_after_install() {
    let meter = global::meter("lib");
    let counter = meter.u64_counter("requests").build();
    let histogram = meter
        .f64_histogram("duration")
        .with_boundaries(vec![0.5, 1.0])
        .build();
    let updown = meter.i64_up_down_counter("active").build();
    let gauge = meter.f64_gauge("temperature").build();
    let bound = counter.bind(&[kv("route", "/a")]);

    counter.add(1, &[kv("k", "v")]);
    bound.add(1);
    assert!(!counter.enabled(), "disabled while nothing is installed");
    assert!(!bound.enabled());

    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    assert!(
        sdk.take().is_empty(),
        "nothing from before the install is replayed"
    );
    assert!(counter.enabled());
    assert!(bound.enabled());

    counter.add(2, &[kv("k", "v")]);
    bound.add(3);
    histogram.record(0.7, &[]);
    updown.add(-1, &[]);
    gauge.record(21.5, &[]); // not implemented by the recorder: the no-op default takes it
    assert_eq!(
        sdk.take(),
        vec![
            "A:requests=2[k=v]",
            "A:requests(bound)=3[route=/a]",
            "A:duration[0.5, 1.0]=0.7[]",
            "A:active=-1[]",
        ]
    );
    assert!(!gauge.enabled(), "the provider's no-op gauge is disabled");

    // Instruments created after the install go to the provider too.
    let late = global::meter("lib").u64_counter("late").build();
    late.add(5, &[]);
    assert_eq!(sdk.take(), vec!["A:late=5[]"]);
}

#[test]
fn async_instruments_and_callbacks_registered_before_install_run_on_the_provider() {
    let meter = global::meter("lib");
    // The handle is dropped: a callback given at creation is registered for good.
    meter
        .u64_observable_counter("page_faults")
        .with_callback(|o| o.observe(8, &[kv("pid", "0")]))
        .build();
    let usage = meter.u64_observable_counter("usage").build();
    let pressure = meter
        .f64_observable_gauge("pressure")
        .with_callback(|o| o.observe(1.5, &[]))
        .with_callback(|o| o.observe(2.5, &[kv("x", "1")]))
        .build();
    let other = meter.i64_observable_up_down_counter("other").build();
    let registration = meter
        .register_callback(&[&usage, &pressure], {
            let (usage, pressure, other) = (usage.clone(), pressure.clone(), other.clone());
            move |observer| {
                observer.observe_u64(&usage, 7, &[]);
                observer.observe_f64(&pressure, 9.0, &[kv("p", "q")]);
                observer.observe_i64(&other, 1, &[]); // not registered for it
            }
        })
        .expect("registration before install succeeds");

    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    let mut lines = sdk.collect();
    lines.sort();
    assert_eq!(
        lines,
        vec![
            "A:page_faults=8[pid=0]",
            "A:pressure=1.5[]",
            "A:pressure=2.5[x=1]",
            "A:pressure=9[p=q]",
            "A:rejected other",
            "A:usage=7[]",
        ]
    );
    drop(registration);
}

#[test]
fn unregister_before_install_keeps_the_callback_off_the_provider() {
    let meter = global::meter("lib");
    let usage = meter.u64_observable_counter("usage").build();
    let mut registration = meter
        .register_callback(&[&usage], {
            let usage = usage.clone();
            move |observer| observer.observe_u64(&usage, 1, &[])
        })
        .unwrap();
    registration.unregister().unwrap();

    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    assert!(sdk.collect().is_empty());
    registration.unregister().unwrap();
    assert!(sdk.take().is_empty(), "a second unregister does nothing");
}

#[test]
fn unregister_after_install_unregisters_on_the_provider() {
    let meter = global::meter("lib");
    let usage = meter.u64_observable_counter("usage").build();
    let mut early = meter
        .register_callback(&[&usage], {
            let usage = usage.clone();
            move |observer| observer.observe_u64(&usage, 1, &[kv("when", "early")])
        })
        .unwrap();

    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    let mut late = meter
        .register_callback(&[&usage], {
            let usage = usage.clone();
            move |observer| observer.observe_u64(&usage, 2, &[kv("when", "late")])
        })
        .unwrap();
    assert_eq!(
        sdk.collect(),
        vec!["A:usage=1[when=early]", "A:usage=2[when=late]"]
    );

    early.unregister().unwrap();
    assert_eq!(sdk.take(), vec!["A:unregistered"]);
    assert_eq!(sdk.collect(), vec!["A:usage=2[when=late]"]);
    late.unregister().unwrap();
    assert_eq!(sdk.take(), vec!["A:unregistered"]);
    assert!(sdk.collect().is_empty());
}

#[test]
fn a_replacement_provider_gets_subsequent_measurements() {
    let meter = global::meter("lib");
    let counter = meter.u64_counter("requests").build();
    let bound = counter.bind(&[kv("route", "/a")]);
    let queue = meter
        .i64_observable_up_down_counter("queue")
        .with_callback(|o| o.observe(3, &[]))
        .build();
    let mut registration = meter
        .register_callback(&[&queue], {
            let queue = queue.clone();
            move |observer| observer.observe_i64(&queue, 4, &[kv("multi", "yes")])
        })
        .unwrap();

    let a = Recorder::new("A");
    global::set_meter_provider(a.clone());
    counter.add(1, &[]);
    bound.add(1);
    assert_eq!(
        a.collect(),
        vec![
            "A:requests=1[]",
            "A:requests(bound)=1[route=/a]",
            "A:queue=3[]",
            "A:queue=4[multi=yes]"
        ]
    );

    let b = Recorder::new("B");
    global::set_meter_provider(b.clone());
    assert_eq!(
        a.take(),
        vec!["A:unregistered"],
        "the old registration is tidied up"
    );
    counter.add(2, &[]);
    bound.add(2);
    assert!(
        a.collect().is_empty(),
        "the replaced provider hears nothing more"
    );
    assert_eq!(
        b.collect(),
        vec![
            "B:requests=2[]",
            "B:requests(bound)=2[route=/a]",
            "B:queue=3[]",
            "B:queue=4[multi=yes]"
        ]
    );

    registration.unregister().unwrap();
    assert_eq!(b.take(), vec!["B:unregistered"]);
    assert_eq!(b.collect(), vec!["B:queue=3[]"]);
}

#[test]
fn instruments_from_a_scoped_global_meter_delegate_too() {
    let scope = InstrumentationScope::builder("lib")
        .with_version("1.0")
        .build();
    let counter = global::meter_with_scope(scope).u64_counter("c").build();
    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    counter.add(1, &[]);
    assert_eq!(sdk.take(), vec!["A:c=1[]"]);
}

#[test]
fn installing_the_global_provider_itself_is_ignored() {
    let counter = global::meter("lib").u64_counter("c").build();
    global::set_meter_provider(global::meter_provider());
    counter.add(1, &[]);
    assert!(!counter.enabled(), "still the no-op");
    let _gauge = global::meter("lib")
        .u64_observable_gauge("g")
        .with_callback(|o| o.observe(1, &[]))
        .build();

    let sdk = Recorder::new("A");
    global::set_meter_provider(sdk.clone());
    counter.add(2, &[]);
    assert_eq!(sdk.take(), vec!["A:c=2[]"]);
}

#[test]
fn installing_while_other_threads_record_and_create_instruments() {
    let counter = global::meter("lib").u64_counter("c").build();
    let sdk = Recorder::new("A");
    let start = Arc::new(std::sync::Barrier::new(5));
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let (counter, start) = (counter.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                for i in 0..500 {
                    counter.add(1, &[]);
                    if i % 100 == 0 {
                        global::meter("lib")
                            .u64_observable_counter("o")
                            .with_callback(move |o| o.observe(t, &[]))
                            .build();
                    }
                }
            })
        })
        .collect();
    start.wait();
    global::set_meter_provider(sdk.clone());
    workers.into_iter().for_each(|w| w.join().unwrap());

    let recorded = sdk.take().len();
    assert!(recorded <= 2000, "never more than was added");
    counter.add(1, &[]);
    assert_eq!(sdk.take(), vec!["A:c=1[]"]);
    // Every observable counter created (before or after the install) reports: 4 threads × 5.
    assert_eq!(sdk.collect().len(), 20);
}
