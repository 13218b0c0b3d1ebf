//! The OTLP metric exporter.

use crate::builder::{build_destination, signal_builder, BuilderState};
use crate::config::Signal;
use crate::error::Error;
use crate::file::{Destination, FileExporterBuilder, LineWriter};
use crate::transport::Format;
use opentelemetry_api::otel_warn;
use opentelemetry_proto::encode;
use opentelemetry_sdk::metrics::{
    Aggregation, InstrumentKind, ResourceMetrics, Temporality, TemporalityPreference,
};
use opentelemetry_sdk::trace::BoxFuture;

signal_builder!(
    MetricExporterBuilder,
    "MetricExporter",
    temporality: Option<TemporalityPreference>,
    histogram: Option<Aggregation>
);

impl<S> MetricExporterBuilder<S> {
    /// The temporality preference (default: `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`,
    /// else cumulative).
    pub fn with_temporality_preference(mut self, preference: TemporalityPreference) -> Self {
        self.temporality = Some(preference);
        self
    }

    /// Cumulative or delta for every kind that allows it (the `cumulative` and `delta`
    /// preferences).
    pub fn with_temporality(self, temporality: Temporality) -> Self {
        self.with_temporality_preference(match temporality {
            Temporality::Cumulative => TemporalityPreference::Cumulative,
            Temporality::Delta => TemporalityPreference::Delta,
            _ => TemporalityPreference::Cumulative,
        })
    }

    /// The aggregation of histograms that no view configures (default:
    /// `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`, else explicit buckets).
    pub fn with_default_histogram_aggregation(mut self, aggregation: Aggregation) -> Self {
        self.histogram = Some(aggregation);
        self
    }
}

impl<S: BuilderState> MetricExporterBuilder<S> {
    /// Builds the exporter (starting its worker thread).
    pub fn build(self) -> Result<MetricExporter, Error> {
        let destination = build_destination::<S>(&self.settings, Signal::Metrics)?;
        Ok(MetricExporter::new(
            destination,
            self.temporality,
            self.histogram,
        ))
    }
}

impl MetricExporterBuilder<FileExporterBuilder> {
    /// Builds the file exporter (opening its file, if it writes to one). Temporality and
    /// histogram aggregation come from the builder, else from the same variables as for the
    /// OTLP transports.
    pub fn build(self) -> Result<MetricExporter, Error> {
        let lines = LineWriter::open(self.state.output)?;
        Ok(MetricExporter::new(
            Destination::Lines(lines),
            self.temporality,
            self.histogram,
        ))
    }
}

/// `OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE` (case-insensitive).
pub(crate) fn env_temporality() -> TemporalityPreference {
    let name = "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE";
    match crate::config::var(name)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("cumulative") => TemporalityPreference::Cumulative,
        Some("delta") => TemporalityPreference::Delta,
        Some("lowmemory") => TemporalityPreference::LowMemory,
        Some(other) => {
            otel_warn!(
                "Otlp.InvalidTemporality",
                "{name}={other:?} is not cumulative, delta or lowmemory; using cumulative"
            );
            TemporalityPreference::Cumulative
        }
    }
}

/// `OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION`.
pub(crate) fn env_histogram_aggregation() -> Aggregation {
    let name = "OTEL_EXPORTER_OTLP_METRICS_DEFAULT_HISTOGRAM_AGGREGATION";
    match crate::config::var(name)
        .map(|v| v.to_ascii_lowercase())
        .as_deref()
    {
        None | Some("explicit_bucket_histogram") => Aggregation::Default,
        Some("base2_exponential_bucket_histogram") => Aggregation::default_exponential_histogram(),
        Some(other) => {
            otel_warn!(
                "Otlp.InvalidHistogramAggregation",
                "{name}={other:?} is not explicit_bucket_histogram or \
                 base2_exponential_bucket_histogram; using explicit_bucket_histogram"
            );
            Aggregation::Default
        }
    }
}

/// Exports metrics over OTLP: gRPC, HTTP/protobuf or HTTP/JSON; or as OTLP/JSON lines (the
/// OTLP file exporter). Use it with a
/// [`PeriodicReader`](opentelemetry_sdk::metrics::PeriodicReader).
///
/// ```no_run
/// use opentelemetry_otlp::{MetricExporter, WithExportConfig};
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
///
/// let exporter = MetricExporter::builder()
///     .with_tonic()
///     .with_endpoint("http://localhost:4317")
///     .with_temporality(Temporality::Delta)
///     .build()?;
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(exporter).build())
///     .build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
///
/// Each collection as one line of `MetricsData` JSON on standard output:
///
/// ```
/// use opentelemetry_otlp::MetricExporter;
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider, Temporality};
///
/// let exporter = MetricExporter::builder()
///     .with_stdout()
///     .with_temporality(Temporality::Delta)
///     .build()?;
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(exporter).build())
///     .build();
/// # Ok::<(), opentelemetry_otlp::Error>(())
/// ```
#[derive(Debug)]
pub struct MetricExporter {
    destination: Option<Destination>,
    temporality: TemporalityPreference,
    histogram: Aggregation,
}

impl MetricExporter {
    /// A builder.
    pub fn builder() -> MetricExporterBuilder {
        MetricExporterBuilder::default()
    }

    /// The exporter, with the builder's temporality and histogram aggregation, else the
    /// environment's.
    fn new(
        destination: Destination,
        temporality: Option<TemporalityPreference>,
        histogram: Option<Aggregation>,
    ) -> Self {
        MetricExporter {
            destination: Some(destination),
            temporality: temporality.unwrap_or_else(env_temporality),
            histogram: histogram.unwrap_or_else(env_histogram_aggregation),
        }
    }
}

/// The number of data points in a collection (`otel.sdk.exporter.metric_data_point.*`).
fn data_points(metrics: &ResourceMetrics) -> usize {
    use opentelemetry_sdk::metrics::{AggregatedMetrics, MetricData};
    fn points<T>(data: &MetricData<T>) -> usize {
        match data {
            MetricData::Gauge(g) => g.data_points.len(),
            MetricData::Sum(s) => s.data_points.len(),
            MetricData::Histogram(h) => h.data_points.len(),
            MetricData::ExponentialHistogram(h) => h.data_points.len(),
            // `MetricData` is non-exhaustive; the SDK has no other kind today.
            _ => 0,
        }
    }
    metrics
        .scope_metrics
        .iter()
        .flat_map(|scope| &scope.metrics)
        .map(|metric| match &metric.data {
            AggregatedMetrics::F64(data) => points(data),
            AggregatedMetrics::U64(data) => points(data),
            AggregatedMetrics::I64(data) => points(data),
        })
        .sum()
}

impl opentelemetry_sdk::metrics::PushMetricExporter for MetricExporter {
    fn export<'a>(
        &'a mut self,
        metrics: &'a ResourceMetrics,
    ) -> BoxFuture<'a, opentelemetry_sdk::Result> {
        let empty = metrics.scope_metrics.is_empty();
        let items = data_points(metrics);
        Destination::export(
            &mut self.destination,
            empty,
            items,
            |format, out| match format {
                Format::Protobuf => encode::encode_metrics(metrics, out),
                Format::Json => encode::encode_metrics_json(metrics, out),
            },
        )
    }

    fn force_flush(&mut self) -> opentelemetry_sdk::Result {
        Destination::force_flush(&mut self.destination)
    }

    fn shutdown(&mut self) -> opentelemetry_sdk::Result {
        Destination::shutdown(&mut self.destination)
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        self.temporality.temporality(kind)
    }

    fn aggregation(&self, kind: InstrumentKind) -> Aggregation {
        match kind {
            InstrumentKind::Histogram => self.histogram.clone(),
            _ => Aggregation::Default,
        }
    }
}
