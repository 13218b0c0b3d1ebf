//! The metrics SDK: the meter provider, aggregation, views, readers and exporters.
//!
//! A [`SdkMeterProvider`] hands out meters whose instruments aggregate measurements in
//! memory; each registered reader ([`ManualReader`] to pull, [`PeriodicReader`] to push to a
//! [`PushMetricExporter`]) collects the aggregated data points in its own temporality.
//! [`View`]s rename, filter, re-aggregate or drop metric streams.
//!
//! ```
//! use opentelemetry_api::metrics::MeterProvider;
//! use opentelemetry_api::KeyValue;
//! use opentelemetry_sdk::metrics::{
//!     AggregatedMetrics, ManualReader, MetricData, ResourceMetrics, SdkMeterProvider,
//! };
//!
//! let reader = ManualReader::builder().build();
//! let provider = SdkMeterProvider::builder().with_reader(reader.clone()).build();
//! let meter = provider.meter("my-app");
//! let requests = meter.u64_counter("requests").build();
//! requests.add(1, &[KeyValue::new("route", "/a")]);
//! requests.add(2, &[KeyValue::new("route", "/a")]);
//!
//! let mut metrics = ResourceMetrics::default();
//! reader.collect(&mut metrics).unwrap();
//! let AggregatedMetrics::U64(MetricData::Sum(sum)) = &metrics.scope_metrics[0].metrics[0].data
//! else { unreachable!() };
//! assert_eq!(sum.data_points[0].value, 3);
//! ```
//!
//! Recording on an existing series does not allocate; it hashes the attributes (in any
//! order), finds the series under a read lock of one of several shards, and updates an
//! atomic cell. Bound instruments ([`Counter::bind`](opentelemetry_api::metrics::Counter::bind))
//! skip the lookup altogether.

mod aggregation;
mod aggregators;
mod async_stream;
mod attributes;
mod config;
mod data;
mod exemplar;
mod exponential;
mod exporter;
mod filter;
mod in_memory;
mod meter;
mod number;
mod periodic;
mod provider;
mod reader;
mod series_table;
mod stdout;
mod sync_stream;
mod view;

pub use aggregation::{Aggregation, DEFAULT_HISTOGRAM_BOUNDARIES};
pub use config::MeterConfig;
pub use data::{
    AggregatedMetrics, Exemplar, ExponentialBucket, ExponentialHistogram,
    ExponentialHistogramDataPoint, Gauge, GaugeDataPoint, Histogram, HistogramDataPoint, Metric,
    MetricData, ResourceMetrics, ScopeMetrics, Sum, SumDataPoint, Temporality,
};
pub use exemplar::{CustomReservoir, CustomReservoirFactory, ExemplarFilter, ExemplarReservoir};
pub use exporter::PushMetricExporter;
pub use filter::{AttributesFilterResult, MetricFilter, MetricFilterResult, MetricPointKind};
pub use in_memory::InMemoryMetricExporter;
pub use meter::SdkMeter;
pub use periodic::{PeriodicReader, PeriodicReaderBuilder};
pub use provider::{MeterProviderBuilder, SdkMeterProvider, DEFAULT_SHUTDOWN_TIMEOUT};
pub use reader::{
    ManualReader, ManualReaderBuilder, MetricProducer, MetricReader, TemporalityPreference,
    DEFAULT_CARDINALITY_LIMIT,
};
pub use stdout::{ConsoleMetricExporter, StdoutMetricExporter};
pub use view::{InstrumentKind, InstrumentSelector, Stream, View, ViewMatchingMode};
