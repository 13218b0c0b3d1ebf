//! The exporter: converts collected metrics to lines and posts them in batches.

use crate::error::BuildError;
use crate::histogram;
use crate::serialize::{LineError, Number, Payload, Serializer};
use bytes::Bytes;
use http::{header, Method, Request, Uri};
use opentelemetry_api::KeyValue;
use opentelemetry_http::HttpClient;
use opentelemetry_sdk::metrics::{
    AggregatedMetrics, InstrumentKind, Metric, MetricData, PushMetricExporter, ResourceMetrics,
    Temporality,
};
use opentelemetry_sdk::trace::BoxFuture;
use opentelemetry_sdk::{Error, Result};
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The local OneAgent's ingestion endpoint, used when no endpoint is configured.
pub const DEFAULT_ONEAGENT_ENDPOINT: &str = "http://localhost:14499/metrics/ingest";
/// The most lines the API accepts in one request; larger exports are split.
pub const PAYLOAD_LINES_LIMIT: usize = 1000;
/// The default per-request timeout of the default transport.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
const METRICS_SOURCE: &str = "opentelemetry";
const USER_AGENT: &str = concat!("opentelemetry-rust-dynatrace/", env!("CARGO_PKG_VERSION"));

/// Builds a [`DynatraceExporter`].
///
/// ```
/// use opentelemetry_dynatrace::DynatraceExporter;
/// use opentelemetry_api::KeyValue;
///
/// let exporter = DynatraceExporter::builder()
///     .with_endpoint("https://abc12345.live.dynatrace.com/api/v2/metrics/ingest")
///     .with_api_token("dt0c01.sample.token")
///     .with_prefix("myapp")
///     .with_default_dimensions([KeyValue::new("env", "prod")])
///     .build()
///     .unwrap();
/// # drop(exporter);
/// ```
#[derive(Default)]
pub struct DynatraceExporterBuilder {
    endpoint: Option<String>,
    api_token: Option<String>,
    prefix: Option<String>,
    default_dimensions: Vec<(String, String)>,
    client: Option<Arc<dyn HttpClient>>,
    timeout: Option<Duration>,
    without_metadata: bool,
}

impl fmt::Debug for DynatraceExporterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynatraceExporterBuilder")
            .field("endpoint", &self.endpoint)
            .field("api_token", &self.api_token.as_ref().map(|_| "<redacted>"))
            .field("prefix", &self.prefix)
            .field("default_dimensions", &self.default_dimensions)
            .field("client", &self.client)
            .field("timeout", &self.timeout)
            .field("dynatrace_metadata", &!self.without_metadata)
            .finish()
    }
}

impl DynatraceExporterBuilder {
    /// The ingestion URL, e.g. `https://{env-id}.live.dynatrace.com/api/v2/metrics/ingest`
    /// (default: [`DEFAULT_ONEAGENT_ENDPOINT`], the local OneAgent, which needs no token).
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The API token (scope `metrics.ingest`), sent as `Authorization: Api-Token <token>`.
    pub fn with_api_token(mut self, token: impl Into<String>) -> Self {
        self.api_token = Some(token.into());
        self
    }

    /// A prefix put before every metric key, separated by `.`.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Dimensions added to every line (a data point's attribute of the same normalized key
    /// wins). Values are written as text.
    pub fn with_default_dimensions(mut self, dims: impl IntoIterator<Item = KeyValue>) -> Self {
        self.default_dimensions = dims
            .into_iter()
            .map(|kv| (kv.key.as_str().to_owned(), kv.value.as_str().into_owned()))
            .collect();
        self
    }

    /// Sends with `client` instead of the default transport (opentelemetry-http's
    /// `HyperClient` on a `DedicatedThread`). The client must work from the thread that
    /// drives exports (wrap tokio-based clients in `DedicatedThread`).
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// Whether to add the host's Dynatrace metadata (read where a OneAgent runs, through
    /// the `dt_metadata_e617c525669e072eebe3d0f08212e8f2.properties` indirection file) as
    /// dimensions of every line, as Dynatrace's metric libraries do (default: true).
    pub fn with_dynatrace_metadata(mut self, enrich: bool) -> Self {
        self.without_metadata = !enrich;
        self
    }

    /// The per-request timeout of the default transport (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the exporter; fails on a bad endpoint or token, or when the default transport
    /// cannot start.
    pub fn build(self) -> std::result::Result<DynatraceExporter, BuildError> {
        let endpoint_text = self
            .endpoint
            .unwrap_or_else(|| DEFAULT_ONEAGENT_ENDPOINT.to_owned());
        let endpoint: Uri = endpoint_text
            .parse()
            .map_err(|e: http::uri::InvalidUri| BuildError::InvalidEndpoint(e.to_string()))?;
        if endpoint.scheme().is_none() || endpoint.host().is_none() {
            return Err(BuildError::InvalidEndpoint(format!(
                "{endpoint_text}: an absolute http(s) URL is needed"
            )));
        }
        let authorization = match self.api_token.filter(|t| !t.is_empty()) {
            Some(token) => Some(
                http::HeaderValue::from_str(&format!("Api-Token {token}"))
                    .map_err(|_| BuildError::InvalidToken)?,
            ),
            None => None,
        };
        let client = match self.client {
            Some(client) => client,
            None => default_client(&endpoint, self.timeout.unwrap_or(DEFAULT_TIMEOUT))?,
        };
        Ok(DynatraceExporter {
            endpoint,
            authorization,
            client,
            serializer: Serializer::new(
                self.prefix,
                &self.default_dimensions,
                &if self.without_metadata {
                    Vec::new()
                } else {
                    crate::metadata::read()
                },
                Some(METRICS_SOURCE),
            ),
            cumulative: HashMap::new(),
            is_shutdown: false,
        })
    }
}

/// The default transport for `endpoint`: hyper for `http://`, reqwest with rustls for
/// `https://` (each on its own `DedicatedThread`), as the enabled features allow.
fn default_client(
    endpoint: &Uri,
    timeout: Duration,
) -> std::result::Result<Arc<dyn HttpClient>, BuildError> {
    let https = endpoint.scheme() == Some(&http::uri::Scheme::HTTPS);
    #[cfg(feature = "hyper-client")]
    if !https {
        let client =
            opentelemetry_http::DedicatedThread::new(opentelemetry_http::HyperClient::new())
                .map_err(BuildError::Transport)?
                .with_timeout(timeout);
        return Ok(Arc::new(client));
    }
    #[cfg(feature = "reqwest-rustls")]
    {
        // reqwest serves plain HTTP too when hyper is not compiled in.
        let _ = https;
        opentelemetry_http::install_rustls_provider();
        let client = reqwest::Client::builder()
            .build()
            .map_err(|e| BuildError::Transport(std::io::Error::other(e)))?;
        let client = opentelemetry_http::DedicatedThread::new(client)
            .map_err(BuildError::Transport)?
            .with_timeout(timeout);
        Ok(Arc::new(client))
    }
    #[cfg(not(feature = "reqwest-rustls"))]
    {
        let _ = timeout;
        Err(if https {
            BuildError::NoHttpsClient
        } else {
            BuildError::NoHttpClient
        })
    }
}

/// A cumulative monotonic sum seen before: its start and last value.
#[derive(Clone, Copy, Debug)]
struct Previous {
    start: SystemTime,
    value: Number,
}

type SeriesKey = (String, Arc<[KeyValue]>);

/// Exports metrics to the Dynatrace metrics ingest API v2 (line protocol).
///
/// Counters are sent as `count,delta=`; it asks the SDK for delta temporality for counters
/// and histograms, and converts cumulative monotonic sums to deltas itself if it gets them.
/// Gauges and up-down counters (cumulative) are sent as `gauge,<value>`; histograms as
/// `gauge,min=,max=,sum=,count=` with min and max estimated from the buckets when not
/// recorded. Metric keys, dimension keys and values are normalized as Dynatrace requires;
/// every line carries the `dt.metrics.source=opentelemetry` dimension. Each request carries
/// at most [`PAYLOAD_LINES_LIMIT`] lines. Dropped points, rejected lines and failed requests
/// are reported through the diagnostics macros.
///
/// ```no_run
/// use opentelemetry_dynatrace::DynatraceExporter;
/// use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
///
/// let exporter = DynatraceExporter::builder()
///     .with_endpoint("https://abc12345.live.dynatrace.com/api/v2/metrics/ingest")
///     .with_api_token("dt0c01.sample.token")
///     .build()
///     .unwrap();
/// let provider = SdkMeterProvider::builder()
///     .with_reader(PeriodicReader::builder(exporter).build())
///     .build();
/// # drop(provider);
/// ```
pub struct DynatraceExporter {
    endpoint: Uri,
    authorization: Option<http::HeaderValue>,
    client: Arc<dyn HttpClient>,
    serializer: Serializer,
    cumulative: HashMap<SeriesKey, Previous>,
    is_shutdown: bool,
}

impl fmt::Debug for DynatraceExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynatraceExporter")
            .field("endpoint", &self.endpoint)
            .field("client", &self.client)
            .field("serializer", &self.serializer)
            .finish_non_exhaustive()
    }
}

/// Accumulates lines into request bodies of at most [`PAYLOAD_LINES_LIMIT`] lines.
#[derive(Default)]
struct Bodies {
    done: Vec<String>,
    current: String,
    lines: usize,
    dropped: usize,
}

impl Bodies {
    fn push_line(&mut self, write: impl FnOnce(&mut String) -> std::result::Result<(), LineError>) {
        let start = self.current.len();
        if self.lines > 0 {
            self.current.push('\n');
        }
        match write(&mut self.current) {
            Ok(()) => {
                self.lines += 1;
                if self.lines == PAYLOAD_LINES_LIMIT {
                    self.done.push(std::mem::take(&mut self.current));
                    self.lines = 0;
                }
            }
            Err(err) => {
                self.current.truncate(start);
                self.dropped += 1;
                opentelemetry_api::otel_debug!(
                    "DynatraceExporter.PointDropped",
                    "data point not exported: {}",
                    err
                );
            }
        }
    }

    fn finish(mut self) -> (Vec<String>, usize) {
        if self.lines > 0 {
            self.done.push(self.current);
        }
        (self.done, self.dropped)
    }
}

fn millis(t: SystemTime) -> Option<u64> {
    t.duration_since(UNIX_EPOCH)
        .ok()
        .and_then(|d| u64::try_from(d.as_millis()).ok())
}

trait ToNumber: Copy {
    fn number(self) -> Number;
}
impl ToNumber for f64 {
    fn number(self) -> Number {
        Number::Float(self)
    }
}
impl ToNumber for u64 {
    fn number(self) -> Number {
        Number::Int(self as i128)
    }
}
impl ToNumber for i64 {
    fn number(self) -> Number {
        Number::Int(self as i128)
    }
}

fn delta(previous: Number, current: Number) -> Option<Number> {
    match (previous, current) {
        (Number::Int(p), Number::Int(c)) if c >= p => Some(Number::Int(c - p)),
        (Number::Float(p), Number::Float(c)) if c >= p => Some(Number::Float(c - p)),
        _ => None,
    }
}

impl DynatraceExporter {
    /// A builder with the defaults (the local OneAgent endpoint, no token, no prefix).
    pub fn builder() -> DynatraceExporterBuilder {
        DynatraceExporterBuilder::default()
    }

    fn serialize(&mut self, metrics: &ResourceMetrics) -> (Vec<String>, usize) {
        let mut bodies = Bodies::default();
        for scope in &metrics.scope_metrics {
            for metric in &scope.metrics {
                let Some(key) = self.serializer.metric_key(&metric.name) else {
                    let n = metric.data.data_point_count();
                    bodies.dropped += n;
                    opentelemetry_api::otel_debug!(
                        "DynatraceExporter.InvalidMetricKey",
                        "metric {:?} has no valid Dynatrace key; {} points dropped",
                        metric.name,
                        n
                    );
                    continue;
                };
                match &metric.data {
                    AggregatedMetrics::F64(d) => self.serialize_data(metric, &key, d, &mut bodies),
                    AggregatedMetrics::U64(d) => self.serialize_data(metric, &key, d, &mut bodies),
                    AggregatedMetrics::I64(d) => self.serialize_data(metric, &key, d, &mut bodies),
                }
            }
        }
        bodies.finish()
    }

    fn serialize_data<T: ToNumber>(
        &mut self,
        metric: &Metric,
        key: &str,
        data: &MetricData<T>,
        bodies: &mut Bodies,
    ) {
        let serializer = &self.serializer;
        let mut dims = Vec::new();
        match data {
            MetricData::Gauge(g) => {
                for p in &g.data_points {
                    bodies.push_line(|out| {
                        serializer.write_line(
                            key,
                            &p.attributes,
                            Payload::Gauge(p.value.number()),
                            millis(p.time),
                            out,
                            &mut dims,
                        )
                    });
                }
            }
            MetricData::Sum(s) => match (s.is_monotonic, s.temporality) {
                (true, Temporality::Delta) => {
                    for p in &s.data_points {
                        bodies.push_line(|out| {
                            serializer.write_line(
                                key,
                                &p.attributes,
                                Payload::CountDelta(p.value.number()),
                                millis(p.time),
                                out,
                                &mut dims,
                            )
                        });
                    }
                }
                (true, _) => {
                    for p in &s.data_points {
                        let current = p.value.number();
                        let series = (metric.name.to_string(), p.attributes.clone());
                        let previous = self.cumulative.insert(
                            series,
                            Previous {
                                start: p.start_time,
                                value: current,
                            },
                        );
                        let value = match previous {
                            // The first value of a series has no delta to send yet.
                            None => continue,
                            // A new start: the stream restarted and counts from zero.
                            Some(prev) if prev.start != p.start_time => Some(current),
                            Some(prev) => delta(prev.value, current),
                        };
                        let Some(value) = value else {
                            opentelemetry_api::otel_debug!(
                                "DynatraceExporter.CounterReset",
                                "cumulative sum {} decreased; its delta is skipped",
                                metric.name
                            );
                            continue;
                        };
                        bodies.push_line(|out| {
                            serializer.write_line(
                                key,
                                &p.attributes,
                                Payload::CountDelta(value),
                                millis(p.time),
                                out,
                                &mut dims,
                            )
                        });
                    }
                }
                (false, Temporality::Cumulative) => {
                    for p in &s.data_points {
                        bodies.push_line(|out| {
                            serializer.write_line(
                                key,
                                &p.attributes,
                                Payload::Gauge(p.value.number()),
                                millis(p.time),
                                out,
                                &mut dims,
                            )
                        });
                    }
                }
                (false, _) => {
                    bodies.dropped += s.data_points.len();
                    opentelemetry_api::otel_warn!(
                        "DynatraceExporter.DeltaUpDownCounter",
                        "non-monotonic delta sum {} cannot be sent as a gauge; dropped",
                        metric.name
                    );
                }
            },
            MetricData::Histogram(h) => {
                if h.temporality != Temporality::Delta {
                    bodies.dropped += h.data_points.len();
                    opentelemetry_api::otel_warn!(
                        "DynatraceExporter.CumulativeHistogram",
                        "histogram {} is cumulative; Dynatrace summaries need delta; dropped",
                        metric.name
                    );
                    return;
                }
                for p in &h.data_points {
                    if p.count == 0 {
                        continue;
                    }
                    let Some(sum) = p.sum.map(ToNumber::number) else {
                        bodies.dropped += 1;
                        continue;
                    };
                    let (min, max) = histogram::min_max(
                        p.min.map(ToNumber::number),
                        p.max.map(ToNumber::number),
                        &p.bounds,
                        &p.bucket_counts,
                        sum,
                        p.count,
                    );
                    bodies.push_line(|out| {
                        serializer.write_line(
                            key,
                            &p.attributes,
                            Payload::Summary {
                                min,
                                max,
                                sum,
                                count: p.count,
                            },
                            millis(p.time),
                            out,
                            &mut dims,
                        )
                    });
                }
            }
            MetricData::ExponentialHistogram(h) => {
                if h.temporality != Temporality::Delta {
                    bodies.dropped += h.data_points.len();
                    opentelemetry_api::otel_warn!(
                        "DynatraceExporter.CumulativeHistogram",
                        "histogram {} is cumulative; Dynatrace summaries need delta; dropped",
                        metric.name
                    );
                    return;
                }
                for p in &h.data_points {
                    if p.count == 0 {
                        continue;
                    }
                    let Some(sum) = p.sum.map(ToNumber::number) else {
                        bodies.dropped += 1;
                        continue;
                    };
                    let estimate = histogram::exponential_min_max(
                        p.scale,
                        p.zero_count,
                        (p.positive_bucket.offset, &p.positive_bucket.bucket_counts),
                        (p.negative_bucket.offset, &p.negative_bucket.bucket_counts),
                    );
                    let mean = sum.as_f64() / p.count as f64;
                    let (est_min, est_max) = estimate.unwrap_or((mean, mean));
                    let min = p
                        .min
                        .map(ToNumber::number)
                        .unwrap_or(Number::Float(est_min.min(mean)));
                    let max = p
                        .max
                        .map(ToNumber::number)
                        .unwrap_or(Number::Float(est_max.max(mean)));
                    bodies.push_line(|out| {
                        serializer.write_line(
                            key,
                            &p.attributes,
                            Payload::Summary {
                                min,
                                max,
                                sum,
                                count: p.count,
                            },
                            millis(p.time),
                            out,
                            &mut dims,
                        )
                    });
                }
            }
            other => {
                let n = other.data_point_count();
                bodies.dropped += n;
                opentelemetry_api::otel_debug!(
                    "DynatraceExporter.UnknownData",
                    "metric {} has a kind of data this exporter does not know; {} points dropped",
                    metric.name,
                    n
                );
            }
        }
    }

    fn request(&self, body: String) -> std::result::Result<Request<Bytes>, http::Error> {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(self.endpoint.clone())
            .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .header(header::USER_AGENT, USER_AGENT);
        if let Some(auth) = &self.authorization {
            builder = builder.header(header::AUTHORIZATION, auth.clone());
        }
        builder.body(Bytes::from(body))
    }
}

/// What the API answered about one request's lines.
fn describe_response(status: http::StatusCode, body: &[u8]) -> (u64, String) {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let invalid = parsed
        .as_ref()
        .and_then(|v| v.get("linesInvalid"))
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("error"))
        .filter(|e| !e.is_null())
        .map(|e| e.to_string())
        .unwrap_or_else(|| String::from_utf8_lossy(body).chars().take(1000).collect());
    (invalid, format!("HTTP {status}: {message}"))
}

impl PushMetricExporter for DynatraceExporter {
    fn export<'a>(&'a mut self, metrics: &'a ResourceMetrics) -> BoxFuture<'a, Result> {
        if self.is_shutdown {
            return Box::pin(std::future::ready(Err(Error::AlreadyShutdown)));
        }
        let (bodies, dropped) = self.serialize(metrics);
        if dropped > 0 {
            opentelemetry_api::otel_warn!(
                "DynatraceExporter.PointsDropped",
                "{} data points could not be converted to Dynatrace lines",
                dropped
            );
        }
        Box::pin(async move {
            let mut failures = Vec::new();
            for body in bodies {
                let request = match self.request(body) {
                    Ok(r) => r,
                    Err(e) => {
                        failures.push(format!("invalid request: {e}"));
                        continue;
                    }
                };
                match self.client.send_bytes(request).await {
                    Ok(response) => {
                        let status = response.status();
                        let (invalid, message) = describe_response(status, response.body());
                        if !status.is_success() {
                            failures.push(message);
                        } else if invalid > 0 {
                            opentelemetry_api::otel_warn!(
                                "DynatraceExporter.PartialSuccess",
                                "{} lines rejected: {}",
                                invalid,
                                message
                            );
                        }
                    }
                    Err(e) => failures.push(e.to_string()),
                }
            }
            if failures.is_empty() {
                Ok(())
            } else {
                let message = failures.join("; ");
                opentelemetry_api::otel_error!(
                    "DynatraceExporter.ExportFailed",
                    "export to Dynatrace failed: {}",
                    message
                );
                Err(Error::ExportFailed(message))
            }
        })
    }

    fn shutdown(&mut self) -> Result {
        if self.is_shutdown {
            return Err(Error::AlreadyShutdown);
        }
        self.is_shutdown = true;
        Ok(())
    }

    fn temporality(&self, kind: InstrumentKind) -> Temporality {
        match kind {
            InstrumentKind::Counter
            | InstrumentKind::ObservableCounter
            | InstrumentKind::Histogram => Temporality::Delta,
            _ => Temporality::Cumulative,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_api::InstrumentationScope;
    use opentelemetry_sdk::metrics::{ScopeMetrics, Sum, SumDataPoint};

    fn exporter() -> DynatraceExporter {
        #[derive(Debug)]
        struct Unused;
        impl HttpClient for Unused {
            fn send_bytes(
                &self,
                _: Request<Bytes>,
            ) -> opentelemetry_http::BoxFuture<
                '_,
                std::result::Result<http::Response<Bytes>, opentelemetry_http::HttpError>,
            > {
                Box::pin(async { Err(opentelemetry_http::HttpError::ClientStopped) })
            }
        }
        DynatraceExporter::builder()
            .with_http_client(Unused)
            .build()
            .unwrap()
    }

    fn cumulative(values: &[(u64, u64)], monotonic: bool) -> ResourceMetrics {
        let data_points = values
            .iter()
            .map(|&(start, v)| SumDataPoint {
                attributes: vec![KeyValue::new("k", "v")].into(),
                start_time: UNIX_EPOCH + Duration::from_secs(start),
                time: UNIX_EPOCH + Duration::from_secs(2_000_000_000),
                value: v,
                exemplars: vec![],
            })
            .collect();
        ResourceMetrics {
            scope_metrics: vec![ScopeMetrics {
                scope: InstrumentationScope::builder("t").build(),
                metrics: vec![Metric {
                    name: "c".into(),
                    description: "".into(),
                    unit: "".into(),
                    data: AggregatedMetrics::U64(MetricData::Sum(Sum {
                        data_points,
                        temporality: Temporality::Cumulative,
                        is_monotonic: monotonic,
                    })),
                }],
            }],
            ..ResourceMetrics::default()
        }
    }

    #[test]
    fn cumulative_counters_become_deltas() {
        let mut e = exporter();
        let mut send = |v: &[(u64, u64)]| e.serialize(&cumulative(v, true)).0.join("\n");
        // The first value only sets the baseline.
        assert_eq!(send(&[(1, 10)]), "");
        assert_eq!(
            send(&[(1, 15)]),
            "c,k=v,dt.metrics.source=opentelemetry count,delta=5 2000000000000"
        );
        // A decrease without a new start is skipped; it becomes the new baseline.
        assert_eq!(send(&[(1, 12)]), "");
        assert_eq!(
            send(&[(1, 20)]),
            "c,k=v,dt.metrics.source=opentelemetry count,delta=8 2000000000000"
        );
        // A new start time: the stream restarted, its value is the delta.
        assert_eq!(
            send(&[(5, 3)]),
            "c,k=v,dt.metrics.source=opentelemetry count,delta=3 2000000000000"
        );
    }

    #[test]
    fn cumulative_up_down_counters_are_gauges_and_shutdown_is_final() {
        let mut e = exporter();
        assert_eq!(
            e.serialize(&cumulative(&[(1, 7)], false)).0,
            ["c,k=v,dt.metrics.source=opentelemetry gauge,7 2000000000000"]
        );
        assert_eq!(e.temporality(InstrumentKind::Counter), Temporality::Delta);
        assert_eq!(e.temporality(InstrumentKind::Histogram), Temporality::Delta);
        assert_eq!(
            e.temporality(InstrumentKind::UpDownCounter),
            Temporality::Cumulative
        );
        e.shutdown().unwrap();
        let metrics = cumulative(&[(1, 7)], false);
        assert_eq!(
            futures_executor::block_on(e.export(&metrics)),
            Err(Error::AlreadyShutdown)
        );
    }

    #[cfg(all(feature = "hyper-client", feature = "reqwest-rustls"))]
    #[test]
    fn default_transports_for_http_and_https() {
        for endpoint in [
            DEFAULT_ONEAGENT_ENDPOINT,
            "https://abc12345.live.dynatrace.com/api/v2/metrics/ingest",
        ] {
            let e = DynatraceExporter::builder()
                .with_endpoint(endpoint)
                .build()
                .unwrap();
            assert!(format!("{e:?}").contains("DedicatedThread"), "{e:?}");
        }
    }

    #[test]
    fn bad_endpoints_and_tokens_are_build_errors() {
        assert!(matches!(
            DynatraceExporter::builder()
                .with_endpoint("not a url")
                .build(),
            Err(BuildError::InvalidEndpoint(_))
        ));
        assert!(matches!(
            DynatraceExporter::builder()
                .with_endpoint("/relative")
                .build(),
            Err(BuildError::InvalidEndpoint(_))
        ));
        assert!(matches!(
            DynatraceExporter::builder()
                .with_api_token("bad\ntoken")
                .build(),
            Err(BuildError::InvalidToken)
        ));
    }
}
