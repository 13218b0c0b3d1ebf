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
//! `OTEL_SERVICE_NAME`). A value this build does not support,
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
    ("otlp", "otlp"),
    ("zipkin", "zipkin"),
    ("jaeger", "jaeger"),
    ("otlp/stdout", "otlp"),
];

/// Metric exporters the spec names that this crate can provide through a feature, and the
/// feature.
const FEATURE_GATED_METRIC_EXPORTERS: &[(&str, &str)] = &[
    ("otlp", "otlp"),
    ("prometheus", "prometheus"),
    ("otlp/stdout", "otlp"),
];

/// The console metric exporter's default interval (the spec's, for the stdout exporter).
const CONSOLE_METRIC_INTERVAL: Duration = Duration::from_millis(10_000);

/// Log exporters the spec names that this crate can provide through a feature, and the feature.
const FEATURE_GATED_LOG_EXPORTERS: &[(&str, &str)] = &[("otlp", "otlp"), ("otlp/stdout", "otlp")];

/// Propagators the spec names that this crate can provide through a feature, and the feature.
const FEATURE_GATED_PROPAGATORS: &[(&str, &str)] = &[
    ("b3", "zipkin"),
    ("b3multi", "zipkin"),
    ("jaeger", "jaeger"),
    ("xray", "aws"),
    #[cfg(not(feature = "contrib"))]
    ("ottrace", "contrib"),
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
            };
        }
        let resource = self.resource.clone().unwrap_or_default();
        Telemetry {
            tracer_provider: self.tracer_provider(&resource),
            meter_provider: self.meter_provider(&resource),
            logger_provider: self.logger_provider(&resource),
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
        let mut any = false;
        for name in self.exporters("OTEL_TRACES_EXPORTER") {
            match name.as_str() {
                "none" => {}
                // The spec pairs the console exporter with the simple processor.
                "console" => {
                    builder = builder.with_simple_exporter(ConsoleSpanExporter::default());
                    any = true;
                }
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
    fn meter_provider(&self, resource: &Resource) -> Option<SdkMeterProvider> {
        let mut builder = SdkMeterProvider::builder().with_resource(resource.clone());
        let mut any = false;
        for name in self.exporters("OTEL_METRICS_EXPORTER") {
            match name.as_str() {
                "none" => {}
                "console" => {
                    let mut reader = PeriodicReader::builder(ConsoleMetricExporter::default());
                    if var("OTEL_METRIC_EXPORT_INTERVAL").is_none() {
                        reader = reader.with_interval(CONSOLE_METRIC_INTERVAL);
                    }
                    builder = builder.with_reader(reader.build());
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

/// The installed pipeline. Dropping it flushes and shuts the providers down; call
/// [`Telemetry::shutdown`] to see the result instead.
pub struct Telemetry {
    tracer_provider: Option<SdkTracerProvider>,
    meter_provider: Option<SdkMeterProvider>,
    logger_provider: Option<SdkLoggerProvider>,
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
}
