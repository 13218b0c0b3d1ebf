//! A Prometheus pull exporter for the OpenTelemetry metrics SDK.
//!
//! [`PrometheusExporter`] owns a [`ManualReader`]: register
//! [`reader()`](PrometheusExporter::reader) with the meter provider, then either serve the
//! ready `/metrics` endpoint on a background thread ([`serve`](PrometheusExporter::serve),
//! `OTEL_EXPORTER_PROMETHEUS_HOST` / `OTEL_EXPORTER_PROMETHEUS_PORT`, default
//! `localhost:9464`), or call [`render`](PrometheusExporter::render) from your own HTTP
//! server. Each scrape collects and converts the metrics following the spec's Prometheus
//! compatibility rules:
//!
//! - names and label keys sanitized (`[a-zA-Z_:][a-zA-Z0-9_:]*`, runs of `_` collapsed, a
//!   leading digit prefixed with `_`); label keys that collide after sanitizing are merged,
//!   their values joined with `;` in the order of the original keys;
//! - the unit as a suffix in full words (`ms` → `_milliseconds`, `By` → `_bytes`, `m/s` →
//!   `_meters_per_second`, `1` → `_ratio` for gauges, `{...}` annotations dropped) and
//!   `_total` on monotonic counters ([`without_units`](ExporterBuilder::without_units),
//!   [`without_counter_suffixes`](ExporterBuilder::without_counter_suffixes));
//! - `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and
//!   `otel_scope_<attribute>` labels on every point
//!   ([`without_scope_info`](ExporterBuilder::without_scope_info));
//! - a `target_info` metric carrying the resource, with `job`
//!   (`service.namespace/service.name`) and `instance` (`service.instance.id`)
//!   ([`without_target_info`](ExporterBuilder::without_target_info));
//! - monotonic sums as counters, gauges and non-monotonic sums as gauges, histograms as
//!   histograms (`_bucket{le}`, `_sum`, `_count`); exponential histograms as explicit-bucket
//!   histograms whose bounds are the exponential bucket boundaries (Prometheus' text formats
//!   have no native histograms); delta data from metric producers accumulated into
//!   cumulative series;
//! - the text format 0.0.4 or OpenMetrics 1.0 (with `# UNIT`, `_created`, exemplars and
//!   `# EOF`), chosen from the `Accept` header; one HELP / TYPE / UNIT per name (a metric
//!   whose type conflicts with an earlier one of the same name is dropped, with a warning).
//!
//! ```
//! use opentelemetry_api::metrics::MeterProvider;
//! use opentelemetry_api::KeyValue;
//! use opentelemetry_sdk::metrics::SdkMeterProvider;
//!
//! let exporter = opentelemetry_prometheus::exporter().build();
//! let provider = SdkMeterProvider::builder().with_reader(exporter.reader()).build();
//! let meter = provider.meter("shop");
//! let sales = meter.u64_counter("sales").with_unit("By").build();
//! sales.add(3, &[KeyValue::new("http.route", "/buy")]);
//!
//! let (content_type, body) = exporter.render(Some("text/plain"));
//! assert!(content_type.starts_with("text/plain; version=0.0.4"));
//! assert!(body.contains("sales_bytes_total{http_route=\"/buy\",otel_scope_name=\"shop\"} 3\n"));
//!
//! // Or serve it: `let server = exporter.serve()?;` (stops when dropped).
//! let server = exporter.serve_on("127.0.0.1:0").unwrap();
//! println!("scrape http://{}/metrics", server.local_addr());
//! ```
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod delta;
mod format;
mod names;
mod render;
mod server;

pub use format::{Format, OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE};
pub use server::MetricsServer;

use delta::DeltaState;
use names::NameOptions;
use opentelemetry_api::otel_warn;
use opentelemetry_sdk::metrics::{
    Aggregation, InstrumentKind, ManualReader, ManualReaderBuilder, MetricProducer, ResourceMetrics,
};
use render::RenderOptions;
use std::fmt;
use std::net::ToSocketAddrs;
use std::sync::{Arc, Mutex};

/// The variable naming the host the endpoint binds to (default `localhost`).
pub const OTEL_EXPORTER_PROMETHEUS_HOST: &str = "OTEL_EXPORTER_PROMETHEUS_HOST";
/// The variable naming the port the endpoint binds to (default `9464`).
pub const OTEL_EXPORTER_PROMETHEUS_PORT: &str = "OTEL_EXPORTER_PROMETHEUS_PORT";
/// The default host of the endpoint.
pub const DEFAULT_HOST: &str = "localhost";
/// The default port of the endpoint.
pub const DEFAULT_PORT: u16 = 9464;

/// Why the endpoint could not be started.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The address could not be bound (in use, not resolvable, not permitted).
    #[error("cannot bind the Prometheus endpoint: {0}")]
    Bind(#[source] std::io::Error),
    /// The server thread could not be spawned.
    #[error("cannot start the Prometheus endpoint thread: {0}")]
    Thread(#[source] std::io::Error),
}

/// A builder of [`PrometheusExporter`]: the same as [`PrometheusExporter::builder`].
pub fn exporter() -> ExporterBuilder {
    ExporterBuilder::default()
}

/// Builds a [`PrometheusExporter`].
pub struct ExporterBuilder {
    names: NameOptions,
    scope_labels: bool,
    target_info: bool,
    host: Option<String>,
    port: Option<u16>,
    reader: ManualReaderBuilder,
}

impl Default for ExporterBuilder {
    fn default() -> Self {
        ExporterBuilder {
            names: NameOptions {
                units: true,
                counter_suffixes: true,
            },
            scope_labels: true,
            target_info: true,
            host: None,
            port: None,
            reader: ManualReader::builder(),
        }
    }
}

impl fmt::Debug for ExporterBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExporterBuilder")
            .field("names", &self.names)
            .field("scope_labels", &self.scope_labels)
            .field("target_info", &self.target_info)
            .field("host", &self.host)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl ExporterBuilder {
    /// No unit suffixes on names (and no `# UNIT` metadata).
    pub fn without_units(mut self) -> Self {
        self.names.units = false;
        self
    }

    /// No `_total` suffix on counters in the text format (OpenMetrics requires it on
    /// counter samples, so it stays there).
    pub fn without_counter_suffixes(mut self) -> Self {
        self.names.counter_suffixes = false;
        self
    }

    /// No `otel_scope_*` labels.
    pub fn without_scope_info(mut self) -> Self {
        self.scope_labels = false;
        self
    }

    /// No `target_info` metric.
    pub fn without_target_info(mut self) -> Self {
        self.target_info = false;
        self
    }

    /// The host [`serve`](PrometheusExporter::serve) binds to (over
    /// `OTEL_EXPORTER_PROMETHEUS_HOST`; default `localhost`).
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// The port [`serve`](PrometheusExporter::serve) binds to (over
    /// `OTEL_EXPORTER_PROMETHEUS_PORT`; default 9464; 0: any free port).
    pub fn with_port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// The reader's default aggregation per instrument kind (views override it).
    pub fn with_aggregation_selector(
        mut self,
        selector: impl Fn(InstrumentKind) -> Aggregation + 'static,
    ) -> Self {
        self.reader = self.reader.with_aggregation_selector(selector);
        self
    }

    /// Adds a producer of metrics from outside the SDK, collected on each scrape (delta
    /// data is accumulated into cumulative series).
    pub fn with_producer(mut self, producer: impl MetricProducer) -> Self {
        self.reader = self.reader.with_producer(producer);
        self
    }

    /// Builds the exporter; its reader asks for cumulative temporality for every kind, as
    /// the spec requires. Host and port come from the builder, then the environment, then
    /// the defaults (an invalid port variable is reported and ignored).
    pub fn build(self) -> PrometheusExporter {
        let env = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let host = self
            .host
            .or_else(|| env(OTEL_EXPORTER_PROMETHEUS_HOST))
            .unwrap_or_else(|| DEFAULT_HOST.to_owned());
        let port = self
            .port
            .unwrap_or_else(|| match env(OTEL_EXPORTER_PROMETHEUS_PORT) {
                None => DEFAULT_PORT,
                Some(v) => v.parse().unwrap_or_else(|_| {
                    otel_warn!(
                        "PrometheusExporter.InvalidPort",
                        "{OTEL_EXPORTER_PROMETHEUS_PORT}={v:?} is not a port; using {DEFAULT_PORT}"
                    );
                    DEFAULT_PORT
                }),
            });
        PrometheusExporter {
            inner: Arc::new(Inner {
                reader: self.reader.build(),
                options: RenderOptions {
                    names: self.names,
                    scope_labels: self.scope_labels,
                    target_info: self.target_info,
                },
                host,
                port,
                state: Mutex::new(State::default()),
            }),
        }
    }
}

#[derive(Default)]
struct State {
    metrics: ResourceMetrics,
    delta: DeltaState,
}

struct Inner {
    reader: ManualReader,
    options: RenderOptions,
    host: String,
    port: u16,
    state: Mutex<State>,
}

/// The Prometheus pull exporter: a [`ManualReader`] to register with the meter provider,
/// and the rendering of its metrics as a Prometheus exposition. Clones share the exporter.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::SdkMeterProvider;
/// use opentelemetry_prometheus::Format;
///
/// let exporter = opentelemetry_prometheus::exporter().without_scope_info().build();
/// let provider = SdkMeterProvider::builder().with_reader(exporter.reader()).build();
/// provider.meter("app").f64_gauge("temperature").with_unit("Cel").build().record(21.5, &[]);
///
/// let body = exporter.render_format(Format::OpenMetrics);
/// assert!(body.contains("# TYPE temperature_celsius gauge\n# UNIT temperature_celsius celsius\n"));
/// assert!(body.contains("\ntemperature_celsius 21.5\n"));
/// assert!(body.ends_with("# EOF\n"));
/// ```
#[derive(Clone)]
pub struct PrometheusExporter {
    inner: Arc<Inner>,
}

impl fmt::Debug for PrometheusExporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrometheusExporter")
            .field("reader", &self.inner.reader)
            .field("options", &self.inner.options)
            .field("host", &self.inner.host)
            .field("port", &self.inner.port)
            .finish()
    }
}

impl PrometheusExporter {
    /// A builder with the spec's defaults.
    pub fn builder() -> ExporterBuilder {
        ExporterBuilder::default()
    }

    /// The reader to register with the meter provider
    /// ([`MeterProviderBuilder::with_reader`](opentelemetry_sdk::metrics::MeterProviderBuilder::with_reader)).
    pub fn reader(&self) -> ManualReader {
        self.inner.reader.clone()
    }

    /// Collects and renders in the format the `Accept` header asks for (`None`: no header):
    /// returns the `Content-Type` of the response and its body. For your own HTTP server.
    pub fn render(&self, accept: Option<&str>) -> (&'static str, String) {
        let format = Format::negotiate(accept);
        (format.content_type(), self.render_format(format))
    }

    /// Collects and renders in `format`. A collection failure (the reader not registered
    /// yet, or shut down; a failing producer) is reported as a warning, and what was
    /// collected is rendered.
    pub fn render_format(&self, format: Format) -> String {
        let mut out = String::new();
        self.render_into(format, &mut out);
        out
    }

    /// Collects and appends the exposition in `format` to `out` (reuse `out` to save
    /// allocations).
    pub fn render_into(&self, format: Format, out: &mut String) {
        // A panic while holding the lock cannot leave the state unusable: it is rebuilt
        // from the next collection.
        let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        let state = &mut *state;
        if let Err(err) = self.inner.reader.collect(&mut state.metrics) {
            otel_warn!(
                "PrometheusExporter.CollectFailed",
                "collecting metrics failed: {err}"
            );
        }
        state.delta.accumulate(&mut state.metrics);
        render::render(&state.metrics, &self.inner.options, format, out);
    }

    /// Serves `/metrics` on a background thread, on the configured host and port; stops
    /// when the returned server is dropped.
    pub fn serve(&self) -> Result<MetricsServer, Error> {
        self.serve_on((self.inner.host.as_str(), self.inner.port))
    }

    /// Serves `/metrics` on a background thread at `addr` (e.g. `"127.0.0.1:0"`).
    pub fn serve_on(&self, addr: impl ToSocketAddrs) -> Result<MetricsServer, Error> {
        MetricsServer::start(addr, self.clone())
    }

    /// The host and port [`serve`](Self::serve) binds to.
    pub fn address(&self) -> (&str, u16) {
        (&self.inner.host, self.inner.port)
    }
}
