//! Set-up from the standard `OTEL_*` environment variables: one call builds the providers and
//! propagators, installs them globally, and returns a guard that flushes and shuts them down
//! when dropped.
//!
//! ```
//! use opentelemetry::trace::{Span, Tracer};
//!
//! let telemetry = opentelemetry::autoconfig::AutoConfig::from_env()
//!     .with_default_exporter("none") // for any OTEL_*_EXPORTER left unset
//!     .install();
//! let mut span = opentelemetry::global::tracer("app").start("work");
//! span.end();
//! drop(telemetry); // flushes and shuts down
//! ```
//!
//! Variables read: `OTEL_SDK_DISABLED`, `OTEL_PROPAGATORS`, `OTEL_TRACES_EXPORTER`,
//! `OTEL_METRICS_EXPORTER`, `OTEL_LOGS_EXPORTER` (and, through the SDK, `OTEL_TRACES_SAMPLER`,
//! `OTEL_TRACES_SAMPLER_ARG`, the span and log record limits, `OTEL_BSP_*`, `OTEL_BLRP_*`,
//! `OTEL_METRIC_EXPORT_INTERVAL`, `OTEL_METRIC_EXPORT_TIMEOUT`, `OTEL_RESOURCE_ATTRIBUTES` and
//! `OTEL_SERVICE_NAME`). With the `otlp` feature, `otlp` and `otlp/stdout` (the OTLP file
//! exporter writing OTLP/JSON lines to standard output, with the batch processors and a
//! periodic reader, and the `OTEL_EXPORTER_OTLP_METRICS_*` variables) are available for every
//! signal. With the `jaeger` feature: `OTEL_TRACES_EXPORTER=jaeger` installs
//! Jaeger's agent exporter (UDP, `OTEL_EXPORTER_JAEGER_AGENT_HOST` / `_PORT`), or its
//! collector exporter (HTTP) when `OTEL_EXPORTER_JAEGER_ENDPOINT` is set; `OTEL_PROPAGATORS`
//! accepts `jaeger`; `OTEL_TRACES_SAMPLER` accepts `jaeger_remote` and
//! `parentbased_jaeger_remote` (argument `endpoint=...,pollingIntervalMs=...,initialSamplingRate=...`).
//! A value this build does not support,
//! such as an exporter whose feature is not enabled, is reported through the diagnostic
//! handler, never silently ignored; telemetry set-up never fails the application.

use opentelemetry_api::global;
use opentelemetry_api::propagation::{
    BaggagePropagator, TextMapCompositePropagator, TextMapPropagator, TraceContextPropagator,
};
use opentelemetry_api::{otel_error, otel_warn};
use opentelemetry_sdk::logs::{ConsoleLogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::{ConsoleMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{ConsoleSpanExporter, SdkTracerProvider};
use opentelemetry_sdk::Resource;
use std::fmt;
use std::time::Duration;

/// Reads one variable, treating empty as unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Splits a comma-separated enum list, lower-cased, without duplicates, in order.
fn list(value: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in value
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
    {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// Exporters the spec names that this crate can provide through a feature, and the feature.
const FEATURE_GATED_TRACE_EXPORTERS: &[(&str, &str)] = &[
    #[cfg(not(feature = "otlp"))]
    ("otlp", "otlp"),
    #[cfg(not(feature = "zipkin"))]
    ("zipkin", "zipkin"),
    #[cfg(not(feature = "jaeger"))]
    ("jaeger", "jaeger"),
    #[cfg(not(feature = "otlp"))]
    ("otlp/stdout", "otlp"),
    #[cfg(not(feature = "datadog"))]
    ("datadog", "datadog"),
];

/// Metric exporters the spec names that this crate can provide through a feature, and the
/// feature.
const FEATURE_GATED_METRIC_EXPORTERS: &[(&str, &str)] = &[
    #[cfg(not(feature = "otlp"))]
    ("otlp", "otlp"),
    #[cfg(not(feature = "prometheus"))]
    ("prometheus", "prometheus"),
    #[cfg(not(feature = "otlp"))]
    ("otlp/stdout", "otlp"),
];

/// The console metric exporter's default interval (the spec's, for the stdout exporter).
const CONSOLE_METRIC_INTERVAL: Duration = Duration::from_millis(10_000);

/// Log exporters the spec names that this crate can provide through a feature, and the feature.
const FEATURE_GATED_LOG_EXPORTERS: &[(&str, &str)] = &[
    #[cfg(not(feature = "otlp"))]
    ("otlp", "otlp"),
    #[cfg(not(feature = "otlp"))]
    ("otlp/stdout", "otlp"),
];

/// Propagators the spec names that this crate can provide through a feature, and the feature.
const FEATURE_GATED_PROPAGATORS: &[(&str, &str)] = &[
    #[cfg(not(feature = "zipkin"))]
    ("b3", "zipkin"),
    #[cfg(not(feature = "zipkin"))]
    ("b3multi", "zipkin"),
    #[cfg(not(feature = "jaeger"))]
    ("jaeger", "jaeger"),
    #[cfg(not(feature = "aws"))]
    ("xray", "aws"),
    #[cfg(not(feature = "contrib"))]
    ("ottrace", "contrib"),
    #[cfg(not(feature = "datadog"))]
    ("datadog", "datadog"),
];

/// Builds the telemetry pipeline from the environment. Start with [`AutoConfig::from_env`].
#[derive(Clone, Debug, Default)]
pub struct AutoConfig {
    default_exporter: Option<String>,
    resource: Option<Resource>,
}

impl AutoConfig {
    /// Configuration from the standard variables.
    pub fn from_env() -> Self {
        AutoConfig::default()
    }

    /// The exporter to use for any `OTEL_*_EXPORTER` variable left unset, instead of the
    /// spec's default `otlp` (e.g. `"console"` for a program run by a person).
    pub fn with_default_exporter(mut self, name: impl Into<String>) -> Self {
        self.default_exporter = Some(name.into());
        self
    }

    /// The resource (default: [`Resource::default`], which reads `OTEL_RESOURCE_ATTRIBUTES`
    /// and `OTEL_SERVICE_NAME`).
    pub fn with_resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Builds the providers and propagators, installs them as the globals, and returns the
    /// guard that owns them.
    pub fn install(self) -> Telemetry {
        let propagator = propagator_from(var("OTEL_PROPAGATORS").as_deref());
        if let Some(p) = propagator {
            global::set_text_map_propagator(p);
        }
        if opentelemetry_sdk_disabled() {
            return Telemetry {
                tracer_provider: None,
                meter_provider: None,
                logger_provider: None,
                keep_alive: Vec::new(),
            };
        }
        let resource = self.resource.clone().unwrap_or_default();
        let mut keep_alive = Vec::new();
        Telemetry {
            tracer_provider: self.tracer_provider(&resource),
            meter_provider: self.meter_provider(&resource, &mut keep_alive),
            logger_provider: self.logger_provider(&resource),
            keep_alive,
        }
    }

    /// The exporter names of `variable`, or the default.
    fn exporters(&self, variable: &str) -> Vec<String> {
        let value = var(variable)
            .or(self.default_exporter.clone())
            .unwrap_or_else(|| "otlp".to_owned());
        list(&value)
    }

    fn tracer_provider(&self, resource: &Resource) -> Option<SdkTracerProvider> {
        let mut builder = SdkTracerProvider::builder().with_resource(resource.clone());
        #[cfg(feature = "jaeger")]
        if let Some(sampler) = jaeger::remote_sampler(resource) {
            builder = builder.with_sampler(sampler);
        }
        let mut any = false;
        for name in self.exporters("OTEL_TRACES_EXPORTER") {
            match name.as_str() {
                "none" => {}
                #[cfg(feature = "jaeger")]
                "jaeger" => {
                    if let Some(exporter) = jaeger::exporter() {
                        builder = builder.with_batch_exporter(exporter);
                        any = true;
                    }
                }
                // The spec pairs the console exporter with the simple processor.
                #[cfg(feature = "otlp")]
                "otlp" => match opentelemetry_otlp::SpanExporter::builder().build() {
                    Ok(exporter) => {
                        builder = builder.with_batch_exporter(exporter);
                        any = true;
                    }
                    Err(e) => report_otlp_failure("OTEL_TRACES_EXPORTER", "otlp", &e),
                },
                // The OTLP file exporter on stdout, with the batch processor (as the spec says).
                #[cfg(feature = "otlp")]
                "otlp/stdout" => {
                    match opentelemetry_otlp::SpanExporter::builder()
                        .with_stdout()
                        .build()
                    {
                        Ok(exporter) => {
                            builder = builder.with_batch_exporter(exporter);
                            any = true;
                        }
                        Err(e) => report_otlp_failure("OTEL_TRACES_EXPORTER", "otlp/stdout", &e),
                    }
                }
                "console" => {
                    builder = builder.with_simple_exporter(ConsoleSpanExporter::default());
                    any = true;
                }
                #[cfg(feature = "zipkin")]
                "zipkin" => match opentelemetry_zipkin::ZipkinExporter::builder().build() {
                    Ok(exporter) => {
                        builder = builder.with_batch_exporter(exporter);
                        any = true;
                    }
                    Err(err) => otel_error!(
                        "AutoConfig.ExporterFailed",
                        "OTEL_TRACES_EXPORTER=zipkin: {err}; nothing is installed for it"
                    ),
                },
                // The agent address comes from DD_TRACE_AGENT_URL / DD_AGENT_HOST /
                // DD_TRACE_AGENT_PORT.
                #[cfg(feature = "datadog")]
                "datadog" => match opentelemetry_datadog::DatadogExporter::builder().build() {
                    Ok(exporter) => {
                        builder = builder.with_batch_exporter(exporter);
                        any = true;
                    }
                    Err(e) => otel_error!(
                        "AutoConfig.ExporterFailed",
                        "OTEL_TRACES_EXPORTER=datadog: {e}; nothing is installed for it"
                    ),
                },
                other => {
                    report_unavailable("OTEL_TRACES_EXPORTER", other, FEATURE_GATED_TRACE_EXPORTERS)
                }
            }
        }
        if !any {
            return None;
        }
        let provider = builder.build();
        global::set_tracer_provider(provider.clone());
        Some(provider)
    }

    /// The meter provider for `OTEL_METRICS_EXPORTER`, installed as the global one.
    fn meter_provider(
        &self,
        resource: &Resource,
        // Only the Prometheus exporter has something to keep alive (its HTTP server).
        #[cfg_attr(not(feature = "prometheus"), allow(unused_variables))]
        keep_alive: &mut KeepAlive,
    ) -> Option<SdkMeterProvider> {
        let mut builder = SdkMeterProvider::builder().with_resource(resource.clone());
        let mut any = false;
        for name in self.exporters("OTEL_METRICS_EXPORTER") {
            match name.as_str() {
                "none" => {}
                #[cfg(feature = "otlp")]
                "otlp" => match opentelemetry_otlp::MetricExporter::builder().build() {
                    Ok(exporter) => {
                        builder = builder.with_reader(PeriodicReader::builder(exporter).build());
                        any = true;
                    }
                    Err(e) => report_otlp_failure("OTEL_METRICS_EXPORTER", "otlp", &e),
                },
                // With a periodic reader; temporality and histogram aggregation from the
                // OTEL_EXPORTER_OTLP_METRICS_* variables, as for otlp.
                #[cfg(feature = "otlp")]
                "otlp/stdout" => {
                    match opentelemetry_otlp::MetricExporter::builder()
                        .with_stdout()
                        .build()
                    {
                        Ok(exporter) => {
                            builder =
                                builder.with_reader(PeriodicReader::builder(exporter).build());
                            any = true;
                        }
                        Err(e) => report_otlp_failure("OTEL_METRICS_EXPORTER", "otlp/stdout", &e),
                    }
                }
                "console" => {
                    let mut reader = PeriodicReader::builder(ConsoleMetricExporter::default());
                    if var("OTEL_METRIC_EXPORT_INTERVAL").is_none() {
                        reader = reader.with_interval(CONSOLE_METRIC_INTERVAL);
                    }
                    builder = builder.with_reader(reader.build());
                    any = true;
                }
                #[cfg(feature = "prometheus")]
                "prometheus" => {
                    // Host and port from OTEL_EXPORTER_PROMETHEUS_HOST / _PORT.
                    let exporter = opentelemetry_prometheus::exporter().build();
                    builder = builder.with_reader(exporter.reader());
                    match exporter.serve() {
                        Ok(server) => keep_alive.push(Box::new(server)),
                        Err(err) => otel_error!(
                            "AutoConfig.PrometheusServerFailed",
                            "cannot serve Prometheus metrics on {:?}: {err}",
                            exporter.address()
                        ),
                    }
                    any = true;
                }
                other => report_unavailable(
                    "OTEL_METRICS_EXPORTER",
                    other,
                    FEATURE_GATED_METRIC_EXPORTERS,
                ),
            }
        }
        if !any {
            return None;
        }
        let provider = builder.build();
        global::set_meter_provider(provider.clone());
        Some(provider)
    }

    fn logger_provider(&self, resource: &Resource) -> Option<SdkLoggerProvider> {
        let mut builder = SdkLoggerProvider::builder().with_resource(resource.clone());
        let mut any = false;
        for name in self.exporters("OTEL_LOGS_EXPORTER") {
            match name.as_str() {
                "none" => {}
                // As for traces: console output is written as records are emitted.
                #[cfg(feature = "otlp")]
                "otlp" => match opentelemetry_otlp::LogExporter::builder().build() {
                    Ok(exporter) => {
                        builder = builder.with_batch_exporter(exporter);
                        any = true;
                    }
                    Err(e) => report_otlp_failure("OTEL_LOGS_EXPORTER", "otlp", &e),
                },
                #[cfg(feature = "otlp")]
                "otlp/stdout" => {
                    match opentelemetry_otlp::LogExporter::builder()
                        .with_stdout()
                        .build()
                    {
                        Ok(exporter) => {
                            builder = builder.with_batch_exporter(exporter);
                            any = true;
                        }
                        Err(e) => report_otlp_failure("OTEL_LOGS_EXPORTER", "otlp/stdout", &e),
                    }
                }
                "console" => {
                    builder = builder.with_simple_exporter(ConsoleLogExporter::default());
                    any = true;
                }
                other => {
                    report_unavailable("OTEL_LOGS_EXPORTER", other, FEATURE_GATED_LOG_EXPORTERS)
                }
            }
        }
        if !any {
            return None;
        }
        let provider = builder.build();
        global::set_logger_provider(provider.clone());
        Some(provider)
    }
}

/// An OTLP exporter that could not be built (bad builder-level setting, thread spawn failure).
#[cfg(feature = "otlp")]
fn report_otlp_failure(variable: &str, name: &str, error: &opentelemetry_otlp::Error) {
    otel_error!(
        "AutoConfig.ExporterFailed",
        "{variable}={name}: the OTLP exporter could not be built ({error}): nothing is installed for it"
    );
}

fn opentelemetry_sdk_disabled() -> bool {
    match var("OTEL_SDK_DISABLED") {
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            otel_warn!(
                "Env.InvalidBoolean",
                "OTEL_SDK_DISABLED={v:?} is not true or false; using false"
            );
            false
        }
        None => false,
    }
}

fn report_unavailable(variable: &str, name: &str, gated: &[(&str, &str)]) {
    match gated.iter().find(|(n, _)| *n == name) {
        Some((_, feature)) => otel_error!(
            "AutoConfig.FeatureNotEnabled",
            "{variable}={name} needs the `{feature}` feature of the `opentelemetry` crate, which this \
             build does not enable: nothing is installed for it"
        ),
        None => otel_error!(
            "AutoConfig.UnknownValue",
            "{variable}={name} is not a value this build knows: nothing is installed for it"
        ),
    }
}

/// The propagator for an `OTEL_PROPAGATORS` value (default `tracecontext,baggage`), or `None`
/// for `none`.
fn propagator_from(value: Option<&str>) -> Option<TextMapCompositePropagator> {
    let names = list(value.unwrap_or("tracecontext,baggage"));
    let mut propagators: Vec<Box<dyn TextMapPropagator + Send + Sync>> = Vec::new();
    for name in &names {
        match name.as_str() {
            "tracecontext" => propagators.push(Box::new(TraceContextPropagator::new())),
            "baggage" => propagators.push(Box::new(BaggagePropagator::new())),
            #[cfg(feature = "jaeger")]
            "jaeger" => propagators.push(Box::new(opentelemetry_jaeger::JaegerPropagator::new())),
            #[cfg(feature = "zipkin")]
            "b3" => propagators.push(Box::new(opentelemetry_zipkin::B3Propagator::new())),
            #[cfg(feature = "zipkin")]
            "b3multi" => {
                propagators.push(Box::new(opentelemetry_zipkin::B3Propagator::with_encoding(
                    opentelemetry_zipkin::B3Encoding::MultipleHeader,
                )))
            }
            #[cfg(feature = "datadog")]
            "datadog" => {
                propagators.push(Box::new(opentelemetry_datadog::DatadogPropagator::new()))
            }
            #[cfg(feature = "aws")]
            "xray" => propagators.push(Box::new(opentelemetry_aws::XrayPropagator::new())),
            #[cfg(feature = "contrib")]
            "ottrace" => propagators.push(Box::new(
                opentelemetry_contrib::propagator::OtTracePropagator::new(),
            )),
            "none" => {}
            other => report_unavailable("OTEL_PROPAGATORS", other, FEATURE_GATED_PROPAGATORS),
        }
    }
    if names.iter().any(|n| n == "none") && names.len() == 1 {
        return None;
    }
    Some(TextMapCompositePropagator::new(propagators))
}

/// What the pipeline owns besides the providers (e.g. a pull exporter's HTTP server),
/// dropped after the providers shut down.
type KeepAlive = Vec<Box<dyn std::any::Any + Send>>;

/// The installed pipeline. Dropping it flushes and shuts the providers down; call
/// [`Telemetry::shutdown`] to see the result instead.
pub struct Telemetry {
    tracer_provider: Option<SdkTracerProvider>,
    meter_provider: Option<SdkMeterProvider>,
    logger_provider: Option<SdkLoggerProvider>,
    keep_alive: KeepAlive,
}

impl fmt::Debug for Telemetry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Telemetry")
            .field("tracer_provider", &self.tracer_provider.is_some())
            .field("meter_provider", &self.meter_provider.is_some())
            .field("logger_provider", &self.logger_provider.is_some())
            .finish()
    }
}

impl Telemetry {
    /// The tracer provider, if traces are exported.
    pub fn tracer_provider(&self) -> Option<&SdkTracerProvider> {
        self.tracer_provider.as_ref()
    }

    /// The meter provider, if metrics are exported.
    pub fn meter_provider(&self) -> Option<&SdkMeterProvider> {
        self.meter_provider.as_ref()
    }

    /// The logger provider, if logs are exported. Log bridges (`opentelemetry-appender-log`,
    /// `opentelemetry-appender-tracing`) take their logger from it, or from the global
    /// provider it was installed as.
    pub fn logger_provider(&self) -> Option<&SdkLoggerProvider> {
        self.logger_provider.as_ref()
    }

    /// Exports everything recorded so far; reports the first failure (every provider is
    /// flushed regardless).
    pub fn force_flush(&self) -> opentelemetry_sdk::Result {
        let traces = self
            .tracer_provider
            .as_ref()
            .map_or(Ok(()), SdkTracerProvider::force_flush);
        let metrics = self
            .meter_provider
            .as_ref()
            .map_or(Ok(()), SdkMeterProvider::force_flush);
        let logs = self
            .logger_provider
            .as_ref()
            .map_or(Ok(()), SdkLoggerProvider::force_flush);
        traces.and(metrics).and(logs)
    }

    /// Flushes and shuts every provider down.
    pub fn shutdown(mut self) -> opentelemetry_sdk::Result {
        self.shutdown_inner()
    }

    fn shutdown_inner(&mut self) -> opentelemetry_sdk::Result {
        let traces = self.tracer_provider.take().map_or(Ok(()), |p| p.shutdown());
        let metrics = self.meter_provider.take().map_or(Ok(()), |p| p.shutdown());
        let logs = self.logger_provider.take().map_or(Ok(()), |p| p.shutdown());
        self.keep_alive.clear();
        traces.and(metrics).and(logs)
    }
}

impl Drop for Telemetry {
    fn drop(&mut self) {
        if let Err(err) = self.shutdown_inner() {
            global::handle_error("AutoConfig.Shutdown", err);
        }
    }
}

/// Jaeger's exporter and remote sampler from their variables.
#[cfg(feature = "jaeger")]
mod jaeger {
    use super::var;
    use opentelemetry_api::otel_error;
    use opentelemetry_jaeger::{AgentExporter, CollectorExporter, JaegerRemoteSampler};
    use opentelemetry_sdk::trace::{Sampler, ShouldSample, SpanExporter};
    use opentelemetry_sdk::Resource;

    /// The collector exporter when `OTEL_EXPORTER_JAEGER_ENDPOINT` is set, else the agent
    /// exporter (`OTEL_EXPORTER_JAEGER_AGENT_HOST` / `_PORT`).
    pub(super) fn exporter() -> Option<Box<dyn SpanExporter>> {
        let built: Result<Box<dyn SpanExporter>, _> =
            if var("OTEL_EXPORTER_JAEGER_ENDPOINT").is_some() {
                CollectorExporter::builder()
                    .build()
                    .map(|e| Box::new(e) as Box<dyn SpanExporter>)
            } else {
                AgentExporter::builder()
                    .build()
                    .map(|e| Box::new(e) as Box<dyn SpanExporter>)
            };
        built
            .map_err(|e| {
                otel_error!(
                    "AutoConfig.ExporterFailed",
                    "OTEL_TRACES_EXPORTER=jaeger: {e}; nothing is installed for it"
                )
            })
            .ok()
    }

    /// The sampler for `OTEL_TRACES_SAMPLER=jaeger_remote` or `parentbased_jaeger_remote`
    /// (with `OTEL_TRACES_SAMPLER_ARG`); `None` for other samplers, which the SDK reads.
    pub(super) fn remote_sampler(resource: &Resource) -> Option<AnySampler> {
        let name = var("OTEL_TRACES_SAMPLER")?.to_ascii_lowercase();
        let parent_based = match name.as_str() {
            "jaeger_remote" => false,
            "parentbased_jaeger_remote" => true,
            _ => return None,
        };
        let service = resource
            .get(&opentelemetry_api::Key::from_static_str("service.name"))
            .map(|v| v.as_str().into_owned())
            .unwrap_or_else(|| "unknown_service".to_owned());
        let arg = var("OTEL_TRACES_SAMPLER_ARG");
        match JaegerRemoteSampler::builder_from_arg(service, arg.as_deref()).build() {
            Ok(s) if parent_based => Some(AnySampler(Box::new(Sampler::parent_based(s)))),
            Ok(s) => Some(AnySampler(Box::new(s))),
            Err(e) => {
                otel_error!(
                    "AutoConfig.SamplerFailed",
                    "OTEL_TRACES_SAMPLER={name}: {e}; using the default sampler"
                );
                Some(AnySampler(Box::new(Sampler::default())))
            }
        }
    }

    /// One of several sampler types, for the builder.
    #[derive(Debug)]
    pub(super) struct AnySampler(Box<dyn ShouldSample>);

    impl ShouldSample for AnySampler {
        fn should_sample(
            &self,
            parent_context: &opentelemetry_api::Context,
            trace_id: opentelemetry_api::trace::TraceId,
            name: &str,
            span_kind: opentelemetry_api::trace::SpanKind,
            attributes: &[opentelemetry_api::KeyValue],
            links: &[opentelemetry_api::trace::Link],
        ) -> opentelemetry_sdk::trace::SamplingResult {
            self.0
                .should_sample(parent_context, trace_id, name, span_kind, attributes, links)
        }

        fn description(&self) -> String {
            self.0.description()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_trimmed_lowercased_and_deduplicated() {
        assert_eq!(
            list(" TraceContext, baggage,tracecontext,, "),
            ["tracecontext", "baggage"]
        );
    }

    #[test]
    fn propagator_defaults_and_none() {
        let fields =
            |p: &TextMapCompositePropagator| p.fields().map(str::to_owned).collect::<Vec<_>>();
        let default = propagator_from(None).unwrap();
        assert_eq!(fields(&default), ["traceparent", "tracestate", "baggage"]);
        assert!(propagator_from(Some("none")).is_none());
        assert_eq!(
            fields(&propagator_from(Some("baggage")).unwrap()),
            ["baggage"]
        );
    }

    #[cfg(feature = "aws")]
    #[test]
    fn xray_propagator_with_the_aws_feature() {
        let p = propagator_from(Some("tracecontext,xray")).unwrap();
        let fields: Vec<&str> = p.fields().collect();
        assert_eq!(fields, ["traceparent", "tracestate", "X-Amzn-Trace-Id"]);
        assert!(!FEATURE_GATED_PROPAGATORS.iter().any(|(n, _)| *n == "xray"));
    }
}
