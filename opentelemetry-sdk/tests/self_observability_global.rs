//! SDK self-observability recorded into the global meter provider, installed after the
//! providers were built; the meter provider records its readers' collection durations into
//! itself. One test: it installs a global provider.

mod self_observability_common;

use opentelemetry_api::global;
use opentelemetry_api::logs::{Logger as _, LoggerProvider as _};
use opentelemetry_api::trace::{Span as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::logs::{InMemoryLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{
    InMemoryMetricExporter, ManualReader, PeriodicReader, SdkMeterProvider,
};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use self_observability_common::{collect, counter, histogram, names, sdk_scope};
use std::sync::mpsc;
use std::time::Duration;

const DURATION: &str = "otel.sdk.metric_reader.collection.duration";

#[test]
fn every_signal_records_into_the_global_provider_which_records_its_own_collections() {
    // Built before any meter provider is installed: the global one binds later.
    let tracers = SdkTracerProvider::builder()
        .with_batch_exporter(InMemorySpanExporter::default())
        .with_self_observability(&global::meter_provider())
        .build();
    let loggers = SdkLoggerProvider::builder()
        .with_batch_exporter(InMemoryLogExporter::default())
        .with_self_observability(&global::meter_provider())
        .build();
    let reader = ManualReader::builder().build();
    let exporter = InMemoryMetricExporter::default();
    let meters = SdkMeterProvider::builder()
        .with_reader(reader.clone())
        .with_reader(
            PeriodicReader::builder(exporter.clone())
                .with_interval(Duration::from_secs(3600))
                .build(),
        )
        .with_self_observability(&global::meter_provider())
        .build();
    global::set_meter_provider(meters.clone());

    // A deadlock (a reader recording into the provider while it holds something the
    // recording needs) fails the test instead of hanging it.
    let (done, finished) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        tracers.tracer("app").start("work").end();
        let logger = loggers.logger("app");
        logger.emit(logger.create_log_record());
        tracers.force_flush().unwrap();
        loggers.force_flush().unwrap();

        let first = collect(&reader);
        // The first collection's duration is recorded after it returned: not in it.
        assert!(!names(&first).contains(&DURATION), "{:?}", names(&first));
        assert_eq!(
            counter(&first, "otel.sdk.span.started", "{span}")
                .values()
                .sum::<u64>(),
            1
        );
        assert_eq!(
            counter(&first, "otel.sdk.log.created", "{log_record}")
                .values()
                .sum::<u64>(),
            1
        );
        let processed = counter(&first, "otel.sdk.processor.span.processed", "{span}");
        assert_eq!(processed.values().sum::<u64>(), 1, "{processed:?}");

        let second = collect(&reader);
        let points = histogram(&second, DURATION, "s");
        let manual: u64 = points
            .iter()
            .filter(|(a, _)| a["otel.component.type"] == "opentelemetry_sdk::metrics::ManualReader")
            .map(|(_, (count, _))| count)
            .sum();
        assert_eq!(manual, 1, "{points:?}");

        // The periodic reader: its second export holds the first collection's duration.
        meters.force_flush().unwrap();
        meters.force_flush().unwrap();
        let exports = exporter.get_finished_metrics();
        assert_eq!(exports.len(), 2);
        let last = sdk_scope(exports[1].clone());
        let points = histogram(&last, DURATION, "s");
        let periodic: Vec<_> = points
            .iter()
            .filter(|(a, _)| a["otel.component.type"] == "periodic_metric_reader")
            .collect();
        assert_eq!(periodic.len(), 1, "{points:?}");
        assert!(periodic[0].1 .0 >= 1, "{points:?}");

        tracers.shutdown().unwrap();
        loggers.shutdown().unwrap();
        meters.shutdown().unwrap();
        done.send(()).unwrap();
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => worker.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The worker panicked: show why.
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("deadlock: not done within 60 s"),
    }
}
