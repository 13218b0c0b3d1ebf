//! Metrics API promises named by rows of the compliance ledger (`compliance/rust.yaml`) that
//! no other test proves directly. (Each test runs in its own process under nextest, so the
//! global meter provider does not leak between them.)

use opentelemetry_api::metrics::noop::NoopMeterProvider;
use opentelemetry_api::metrics::{
    AsyncInstrumentBuilder, CallbackRegistration, Counter, Gauge, Histogram, HistogramBuilder,
    InstrumentBuilder, InstrumentProvider, Meter, MeterProvider, MultiInstrumentCallback,
    ObservableGauge, ObservableInstrument, SyncInstrument,
};
use opentelemetry_api::{global, InstrumentationScope, KeyValue, Result};
use std::any::Any;
use std::fmt::Display;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A provider that remembers the scope of every meter asked for, what every instrument was
/// created with, and every measurement as `name=value[attributes]`.
#[derive(Clone, Default)]
struct Recording {
    scopes: Arc<Mutex<Vec<InstrumentationScope>>>,
    created: Arc<Mutex<Vec<Created>>>,
    measurements: Arc<Mutex<Vec<String>>>,
    /// Sum of all `u64` counter increments (for the concurrency test).
    total: Arc<AtomicU64>,
    registrations: Arc<AtomicU64>,
}

/// What an instrument was created with, as the provider received it.
#[derive(Clone, Debug, PartialEq)]
struct Created {
    kind: &'static str,
    name: String,
    unit: Option<String>,
    description: Option<String>,
}

impl Recording {
    fn created(&self, kind: &'static str, b: (&str, Option<&str>, Option<&str>)) {
        self.created.lock().unwrap().push(Created {
            kind,
            name: b.0.to_owned(),
            unit: b.1.map(str::to_owned),
            description: b.2.map(str::to_owned),
        });
    }

    fn sync<T: Display + Send + Sync + 'static>(&self, name: &str) -> Arc<dyn SyncInstrument<T>> {
        Arc::new(Instrument {
            recording: self.clone(),
            name: name.to_owned(),
        })
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.measurements.lock().unwrap())
    }
}

struct Instrument {
    recording: Recording,
    name: String,
}

impl<T: Display + 'static> SyncInstrument<T> for Instrument {
    fn measure(&self, value: T, attributes: &[KeyValue]) {
        let attrs: Vec<String> = attributes
            .iter()
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect();
        let line = format!("{}={}[{}]", self.name, value, attrs.join(","));
        self.recording.measurements.lock().unwrap().push(line);
    }
}

/// Counts increments without keeping them, so many threads can hammer it.
struct Summing(Arc<AtomicU64>);

impl SyncInstrument<u64> for Summing {
    fn measure(&self, value: u64, _attributes: &[KeyValue]) {
        self.0.fetch_add(value, Ordering::Relaxed);
    }
}

struct Registration(Arc<AtomicU64>);

impl CallbackRegistration for Registration {
    fn unregister(&mut self) -> Result<()> {
        self.0.fetch_sub(1, Ordering::Relaxed);
        Ok(())
    }
}

impl MeterProvider for Recording {
    fn meter_with_scope(&self, scope: InstrumentationScope) -> Meter {
        self.scopes.lock().unwrap().push(scope);
        Meter::new(Arc::new(self.clone()))
    }
}

fn fields<I>(b: &InstrumentBuilder<'_, I>) -> (String, Option<String>, Option<String>) {
    (
        b.name.to_string(),
        b.unit.as_deref().map(str::to_owned),
        b.description.as_deref().map(str::to_owned),
    )
}

impl InstrumentProvider for Recording {
    fn u64_counter(&self, b: InstrumentBuilder<'_, Counter<u64>>) -> Counter<u64> {
        let (name, unit, description) = fields(&b);
        self.created(
            "u64_counter",
            (&name, unit.as_deref(), description.as_deref()),
        );
        if name == "summed" {
            return Counter::new(Arc::new(Summing(self.total.clone())));
        }
        Counter::new(self.sync(&name))
    }

    fn f64_histogram(&self, b: HistogramBuilder<'_, Histogram<f64>>) -> Histogram<f64> {
        self.created(
            "f64_histogram",
            (&b.name, b.unit.as_deref(), b.description.as_deref()),
        );
        Histogram::new(self.sync(&b.name))
    }

    fn u64_gauge(&self, b: InstrumentBuilder<'_, Gauge<u64>>) -> Gauge<u64> {
        let (name, unit, description) = fields(&b);
        self.created(
            "u64_gauge",
            (&name, unit.as_deref(), description.as_deref()),
        );
        Gauge::new(self.sync(&name))
    }

    fn i64_gauge(&self, b: InstrumentBuilder<'_, Gauge<i64>>) -> Gauge<i64> {
        let (name, unit, description) = fields(&b);
        self.created(
            "i64_gauge",
            (&name, unit.as_deref(), description.as_deref()),
        );
        Gauge::new(self.sync(&name))
    }

    fn f64_gauge(&self, b: InstrumentBuilder<'_, Gauge<f64>>) -> Gauge<f64> {
        let (name, unit, description) = fields(&b);
        self.created(
            "f64_gauge",
            (&name, unit.as_deref(), description.as_deref()),
        );
        Gauge::new(self.sync(&name))
    }

    fn f64_observable_gauge(
        &self,
        b: AsyncInstrumentBuilder<'_, ObservableGauge<f64>, f64>,
    ) -> ObservableGauge<f64> {
        self.created(
            "f64_observable_gauge",
            (&b.name, b.unit.as_deref(), b.description.as_deref()),
        );
        let id: Arc<dyn Any + Send + Sync> = Arc::new(b.name.to_string());
        ObservableGauge::new(id)
    }

    fn register_callback(
        &self,
        _instruments: &[&dyn ObservableInstrument],
        _callback: MultiInstrumentCallback,
    ) -> Result<Box<dyn CallbackRegistration>> {
        self.registrations.fetch_add(1, Ordering::Relaxed);
        Ok(Box::new(Registration(self.registrations.clone())))
    }
}

fn kv(k: &'static str, v: &'static str) -> KeyValue {
    KeyValue::new(k, v)
}

#[test]
fn get_meter_forwards_name_version_schema_url_and_attributes() {
    let recording = Recording::default();
    global::set_meter_provider(recording.clone());

    let scope = InstrumentationScope::builder("my-library")
        .with_version("1.2.3")
        .with_schema_url("https://opentelemetry.io/schemas/1.44.0")
        .with_attributes([kv("component", "db"), KeyValue::new("shard", 3)])
        .build();
    global::meter_with_scope(scope.clone())
        .u64_counter("c")
        .build()
        .add(1, &[]);
    // Version, schema URL and attributes are optional: a name alone is enough.
    global::meter("name-only")
        .u64_counter("c")
        .build()
        .add(1, &[]);
    // A provider used directly receives the scope as given too.
    let direct = Recording::default();
    direct.meter_with_scope(scope.clone());

    let seen = recording.scopes.lock().unwrap().clone();
    assert_eq!(
        seen,
        vec![
            scope.clone(),
            InstrumentationScope::builder("name-only").build()
        ]
    );
    assert_eq!(seen[0].version(), Some("1.2.3"));
    assert_eq!(
        seen[0].schema_url(),
        Some("https://opentelemetry.io/schemas/1.44.0")
    );
    assert_eq!(
        seen[0].attributes().cloned().collect::<Vec<_>>(),
        vec![kv("component", "db"), KeyValue::new("shard", 3)]
    );
    assert_eq!(seen[1].version(), None);
    assert_eq!(seen[1].schema_url(), None);
    assert_eq!(seen[1].attributes().count(), 0);
    assert_eq!(*direct.scopes.lock().unwrap(), vec![scope]);
}

#[test]
fn an_invalid_meter_name_still_gives_a_working_meter_that_keeps_the_name() {
    // Without an SDK: no panic, usable instruments.
    let noop = NoopMeterProvider::new().meter("");
    noop.u64_counter("c").build().add(1, &[]);
    let global_before = global::meter("");
    let early = global_before.u64_counter("early").build();
    early.add(1, &[]);

    let recording = Recording::default();
    global::set_meter_provider(recording.clone());
    early.add(2, &[kv("k", "v")]);
    global::meter("").u64_counter("late").build().add(3, &[]);

    assert_eq!(recording.take(), vec!["early=2[k=v]", "late=3[]"]);
    let names: Vec<String> = recording
        .scopes
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.name().to_owned())
        .collect();
    assert_eq!(names, vec!["", ""], "the empty name is kept, not replaced");
}

#[test]
fn gauge_records_current_values_of_every_number_type() {
    let recording = Recording::default();
    global::set_meter_provider(recording.clone());
    let meter = global::meter("lib");

    let fan = meter.u64_gauge("fan.speed").with_unit("rpm").build();
    let offset = meter.i64_gauge("clock.offset").build();
    let temperature = meter
        .f64_gauge("temperature")
        .with_description("room temperature")
        .build();
    fan.record(1200, &[kv("hw.id", "fan0")]);
    fan.record(1150, &[kv("hw.id", "fan0")]);
    offset.record(-3, &[]);
    temperature.record(21.5, &[kv("room", "a")]);
    let bound = temperature.bind(&[kv("room", "b")]);
    bound.record(19.25);
    assert!(fan.enabled() && bound.enabled());

    assert_eq!(
        recording.take(),
        vec![
            "fan.speed=1200[hw.id=fan0]",
            "fan.speed=1150[hw.id=fan0]",
            "clock.offset=-3[]",
            "temperature=21.5[room=a]",
            "temperature=19.25[room=b]",
        ]
    );
    let kinds: Vec<(&str, String)> = recording
        .created
        .lock()
        .unwrap()
        .iter()
        .map(|c| (c.kind, c.name.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("u64_gauge", "fan.speed".to_string()),
            ("i64_gauge", "clock.offset".to_string()),
            ("f64_gauge", "temperature".to_string()),
        ]
    );
}

#[test]
fn unit_and_description_reach_the_provider_verbatim() {
    let recording = Recording::default();
    let meter = global::meter("lib");
    // Created before the install: the global meter keeps the fields to re-create them.
    let lower = meter.u64_counter("lower").with_unit("kB").build();
    global::set_meter_provider(recording.clone());

    // Case-sensitive ASCII units, up to 63 characters, not validated by the API.
    let unit_63: String = ('!'..='~').take(63).collect();
    assert_eq!(unit_63.len(), 63);
    // A description of 1023 characters from all over the BMP (1- to 3-byte UTF-8).
    let description: String = ['a', 'é', 'Ж', '日', '\u{FFFD}', ' ']
        .iter()
        .cycle()
        .take(1023)
        .collect();
    assert_eq!(description.chars().count(), 1023);

    lower.add(1, &[]);
    let upper = meter.u64_counter("upper").with_unit("KB").build();
    upper.add(1, &[]);
    meter
        .f64_histogram("histogram")
        .with_unit(unit_63.clone())
        .with_description(description.clone())
        .build()
        .record(1.0, &[]);
    let _gauge = meter
        .f64_observable_gauge("observable")
        .with_unit(unit_63.clone())
        .with_description(description.clone())
        .build();
    meter.u64_counter("bare").build().add(1, &[]);

    let created = recording.created.lock().unwrap().clone();
    let created = |name: &str| created.iter().find(|c| c.name == name).cloned().unwrap();
    assert_eq!(created("lower").unit.as_deref(), Some("kB"));
    assert_eq!(created("upper").unit.as_deref(), Some("KB"));
    for name in ["histogram", "observable"] {
        assert_eq!(created(name).unit, Some(unit_63.clone()), "{name}");
        assert_eq!(
            created(name).description,
            Some(description.clone()),
            "{name}"
        );
    }
    assert_eq!(
        (created("bare").unit, created("bare").description),
        (None, None),
        "unit and description are optional"
    );
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn providers_meters_and_instruments_are_safe_to_use_concurrently() {
    // The types themselves may be shared between threads ...
    assert_send_sync::<global::GlobalMeterProvider>();
    assert_send_sync::<NoopMeterProvider>();
    assert_send_sync::<Meter>();
    assert_send_sync::<Counter<u64>>();
    assert_send_sync::<Histogram<f64>>();
    assert_send_sync::<Gauge<i64>>();
    assert_send_sync::<ObservableGauge<f64>>();
    assert_send_sync::<Box<dyn CallbackRegistration>>();

    // ... and every method gives exact results when called from many threads at once.
    let recording = Recording::default();
    global::set_meter_provider(recording.clone());
    let shared_meter = global::meter("shared");
    let shared = shared_meter.u64_counter("summed").build();
    const THREADS: u64 = 8;
    const ADDS: u64 = 2_000;
    let start = Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let (shared, shared_meter, start) =
                (shared.clone(), shared_meter.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                // Provider and meter methods, concurrently.
                let own = global::meter_provider()
                    .meter("own")
                    .u64_counter("summed")
                    .build();
                let gauge = shared_meter.f64_observable_gauge("g").build();
                let mut registration = shared_meter.register_callback(&[&gauge], |_| {}).unwrap();
                let bound = shared.bind(&[KeyValue::new("thread", t as i64)]);
                // Instrument methods, concurrently on the same instrument.
                for _ in 0..ADDS {
                    shared.add(1, &[]);
                    bound.add(1);
                    own.add(1, &[]);
                }
                registration.unregister().unwrap();
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(recording.total.load(Ordering::Relaxed), 3 * THREADS * ADDS);
    assert_eq!(
        recording.registrations.load(Ordering::Relaxed),
        0,
        "all unregistered"
    );
    let gauges = recording
        .created
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.kind == "f64_observable_gauge")
        .count();
    assert_eq!(gauges as u64, THREADS);
}
