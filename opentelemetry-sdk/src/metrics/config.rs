//! Per-meter configuration: [`MeterConfig`], computed for each meter by the provider's
//! meter configurator.

use opentelemetry_api::InstrumentationScope;
use std::fmt;
use std::sync::Arc;

/// How one meter behaves, as computed by a provider's meter configurator
/// ([`MeterProviderBuilder::with_meter_configurator`](super::MeterProviderBuilder::with_meter_configurator),
/// [`SdkMeterProvider::set_meter_configurator`](super::SdkMeterProvider::set_meter_configurator)).
///
/// A disabled meter behaves as a no-op meter: its instruments drop measurements and report
/// not [enabled](opentelemetry_api::metrics::Counter::enabled), its callbacks are not called
/// and nothing of it is collected. Its instruments still exist, so enabling the meter again
/// makes them record.
///
/// ```
/// use opentelemetry_api::metrics::MeterProvider;
/// use opentelemetry_sdk::metrics::{ManualReader, MeterConfig, SdkMeterProvider};
///
/// // Everything but the meters of the `noisy` library.
/// let provider = SdkMeterProvider::builder()
///     .with_reader(ManualReader::builder().build())
///     .with_meter_configurator(|scope| {
///         if scope.name().starts_with("noisy") {
///             MeterConfig::disabled()
///         } else {
///             MeterConfig::default()
///         }
///     })
///     .build();
/// assert!(!provider.meter("noisy::http").u64_counter("requests").build().enabled());
/// assert!(provider.meter("checkout").u64_counter("orders").build().enabled());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MeterConfig {
    enabled: bool,
}

impl Default for MeterConfig {
    /// Enabled: what a meter gets without a configurator.
    fn default() -> Self {
        MeterConfig { enabled: true }
    }
}

impl MeterConfig {
    /// An enabled meter (the default).
    pub const fn enabled() -> Self {
        MeterConfig { enabled: true }
    }

    /// A disabled meter: it behaves as a no-op meter.
    pub const fn disabled() -> Self {
        MeterConfig { enabled: false }
    }

    /// Whether the meter is enabled.
    pub const fn is_enabled(&self) -> bool {
        self.enabled
    }
}

/// A provider's meter configurator.
#[derive(Clone)]
pub(crate) struct Configurator(Arc<dyn Fn(&InstrumentationScope) -> MeterConfig + Send + Sync>);

impl Configurator {
    pub(crate) fn new(
        f: impl Fn(&InstrumentationScope) -> MeterConfig + Send + Sync + 'static,
    ) -> Self {
        Configurator(Arc::new(f))
    }

    /// The configuration of the meter of `scope`; the default one if the configurator
    /// panicked (reported: telemetry must not take the application down).
    pub(crate) fn config(&self, scope: &InstrumentationScope) -> MeterConfig {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (self.0)(scope))).unwrap_or_else(
            |_| {
                opentelemetry_api::otel_error!(
                    "MeterProvider.ConfiguratorPanicked",
                    "the meter configurator panicked for meter {:?}; the meter keeps the \
                     default configuration (enabled)",
                    scope.name()
                );
                MeterConfig::default()
            },
        )
    }
}

impl fmt::Debug for Configurator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Configurator")
    }
}
