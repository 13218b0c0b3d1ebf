//! The Jaeger remote sampler: sampling strategies polled from a Jaeger agent or collector.

use crate::Error;
use opentelemetry_api::trace::{Link, SpanKind, TraceContextExt, TraceId};
use opentelemetry_api::{otel_debug, otel_warn, Context, KeyValue};
use opentelemetry_http::{DedicatedThread, HttpClient, HyperClient};
use opentelemetry_sdk::trace::{Sampler, SamplingDecision, SamplingResult, ShouldSample};
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// The default strategies endpoint: a Jaeger agent's HTTP sampling port.
pub const DEFAULT_SAMPLING_ENDPOINT: &str = "http://localhost:5778/sampling";
/// The default polling interval.
pub const DEFAULT_POLLING_INTERVAL: Duration = Duration::from_secs(60);
/// The default initial sampling rate (Jaeger's).
pub const DEFAULT_INITIAL_SAMPLING_RATE: f64 = 0.001;
/// The most operations a per-operation strategy tracks; spans of others use the default.
const MAX_OPERATIONS: usize = 2000;

/// A token bucket: `rate` credits per second, at most `max(rate, 1)` saved.
#[derive(Debug)]
struct RateLimiter {
    rate: f64,
    max: f64,
    balance: f64,
    last: Instant,
}

impl RateLimiter {
    fn new(rate: f64) -> Self {
        let max = rate.max(1.0);
        RateLimiter {
            rate,
            max,
            balance: max,
            last: Instant::now(),
        }
    }

    fn try_take(&mut self) -> bool {
        let now = Instant::now();
        let elapsed = now.duration_since(self.last).as_secs_f64();
        self.last = now;
        self.balance = (self.balance + elapsed * self.rate).min(self.max);
        if self.balance >= 1.0 {
            self.balance -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Probabilistic sampling with a guaranteed lower bound of traces per second.
#[derive(Debug)]
struct Guaranteed {
    probability: Sampler,
    lower_bound: Mutex<RateLimiter>,
}

impl Guaranteed {
    fn new(probability: f64, lower_bound: f64) -> Self {
        Guaranteed {
            probability: Sampler::TraceIdRatioBased(probability),
            lower_bound: Mutex::new(RateLimiter::new(lower_bound)),
        }
    }

    fn sample(&self, trace_id: TraceId, name: &str, cx: &Context) -> bool {
        let by_probability = decide(&self.probability, cx, trace_id, name);
        // The lower bound's credit is spent either way, so sampled spans count towards it.
        let by_bound = match self.lower_bound.lock() {
            Ok(mut bucket) => bucket.try_take(),
            Err(_) => false,
        };
        by_probability || by_bound
    }
}

/// The strategy in force.
#[derive(Debug)]
enum Strategy {
    /// Before the first successful poll.
    Initial,
    Probabilistic(Sampler),
    RateLimiting(Mutex<RateLimiter>),
    PerOperation {
        default_probability: f64,
        default_lower_bound: f64,
        operations: RwLock<HashMap<String, Guaranteed>>,
    },
}

fn decide(sampler: &Sampler, cx: &Context, trace_id: TraceId, name: &str) -> bool {
    sampler
        .should_sample(cx, trace_id, name, SpanKind::Internal, &[], &[])
        .decision
        == SamplingDecision::RecordAndSample
}

fn number(v: Option<&Json>) -> Option<f64> {
    v.and_then(Json::as_f64)
}

/// Parses a strategies response (JSON of `SamplingStrategyResponse`).
#[cfg(test)]
fn parse_strategy(body: &[u8]) -> Result<Strategy, String> {
    strategy_from_json(&serde_json::from_slice(body).map_err(|e| e.to_string())?)
}

/// The strategy a `SamplingStrategyResponse` describes.
fn strategy_from_json(json: &Json) -> Result<Strategy, String> {
    if let Some(ops) = json.get("operationSampling").filter(|v| !v.is_null()) {
        let default_probability = number(ops.get("defaultSamplingProbability"))
            .ok_or("operationSampling without defaultSamplingProbability")?;
        let default_lower_bound =
            number(ops.get("defaultLowerBoundTracesPerSecond")).unwrap_or(0.0);
        let mut operations = HashMap::new();
        for op in ops
            .get("perOperationStrategies")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let (Some(name), Some(rate)) = (
                op.get("operation").and_then(Json::as_str),
                number(
                    op.get("probabilisticSampling")
                        .and_then(|p| p.get("samplingRate")),
                ),
            ) else {
                continue;
            };
            if operations.len() < MAX_OPERATIONS {
                operations.insert(name.to_owned(), Guaranteed::new(rate, default_lower_bound));
            }
        }
        return Ok(Strategy::PerOperation {
            default_probability,
            default_lower_bound,
            operations: RwLock::new(operations),
        });
    }
    let kind = json.get("strategyType");
    let rate_limiting = match kind {
        Some(Json::String(s)) => s.eq_ignore_ascii_case("RATE_LIMITING"),
        Some(Json::Number(n)) => n.as_u64() == Some(1),
        _ => json.get("probabilisticSampling").is_none_or(Json::is_null),
    };
    if rate_limiting {
        let rate = number(
            json.get("rateLimitingSampling")
                .and_then(|r| r.get("maxTracesPerSecond")),
        )
        .ok_or("RATE_LIMITING without rateLimitingSampling.maxTracesPerSecond")?;
        return Ok(Strategy::RateLimiting(Mutex::new(RateLimiter::new(rate))));
    }
    let rate = number(
        json.get("probabilisticSampling")
            .and_then(|p| p.get("samplingRate")),
    )
    .ok_or("PROBABILISTIC without probabilisticSampling.samplingRate")?;
    Ok(Strategy::Probabilistic(Sampler::TraceIdRatioBased(rate)))
}

struct Shared {
    strategy: RwLock<Strategy>,
    initial: Box<dyn ShouldSample>,
    stop: Mutex<bool>,
    wake: Condvar,
    /// Completed polls (successful or not), for tests and diagnostics.
    polls: Mutex<u64>,
    polled: Condvar,
}

impl Shared {
    fn sample(
        &self,
        cx: &Context,
        trace_id: TraceId,
        name: &str,
        kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        let trace_state = cx.span().span_context().trace_state().clone();
        let Ok(strategy) = self.strategy.read() else {
            return self
                .initial
                .should_sample(cx, trace_id, name, kind, attributes, links);
        };
        let sampled = match &*strategy {
            Strategy::Initial => {
                return self
                    .initial
                    .should_sample(cx, trace_id, name, kind, attributes, links)
            }
            Strategy::Probabilistic(s) => decide(s, cx, trace_id, name),
            Strategy::RateLimiting(bucket) => {
                bucket.lock().map(|mut b| b.try_take()).unwrap_or(false)
            }
            Strategy::PerOperation {
                default_probability,
                default_lower_bound,
                operations,
            } => {
                let known = operations
                    .read()
                    .ok()
                    .and_then(|ops| ops.get(name).map(|g| g.sample(trace_id, name, cx)));
                match known {
                    Some(sampled) => sampled,
                    None => match operations.write() {
                        Ok(mut ops) if ops.len() < MAX_OPERATIONS => ops
                            .entry(name.to_owned())
                            .or_insert_with(|| {
                                Guaranteed::new(*default_probability, *default_lower_bound)
                            })
                            .sample(trace_id, name, cx),
                        _ => decide(
                            &Sampler::TraceIdRatioBased(*default_probability),
                            cx,
                            trace_id,
                            name,
                        ),
                    },
                }
            }
        };
        SamplingResult {
            decision: if sampled {
                SamplingDecision::RecordAndSample
            } else {
                SamplingDecision::Drop
            },
            attributes: Vec::new(),
            trace_state,
        }
    }
}

/// Samples as told by a Jaeger sampling-strategies endpoint, polled in the background.
///
/// A background thread fetches `GET {endpoint}?service={service name}` every polling
/// interval. The response (`SamplingStrategyResponse` as JSON) selects a strategy:
/// probabilistic (a trace-ID ratio), rate limiting (at most N traces per second), or per
/// operation (a ratio per span name with a guaranteed lower bound of traces per second, and
/// defaults for other names). Until the first successful poll, the initial sampler decides
/// (default `TraceIdRatioBased(0.001)`); after that, a failed poll keeps the last strategy.
///
/// The sampler decides for every span; wrap it in [`Sampler::parent_based`] to follow
/// parents (the `parentbased_jaeger_remote` sampler of `OTEL_TRACES_SAMPLER`).
///
/// ```no_run
/// use opentelemetry_jaeger::JaegerRemoteSampler;
/// use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
/// use std::time::Duration;
///
/// let sampler = JaegerRemoteSampler::builder("checkout")
///     .with_endpoint("http://jaeger-agent:5778/sampling")
///     .with_polling_interval(Duration::from_secs(30))
///     .with_initial_sampler(Sampler::TraceIdRatioBased(0.1))
///     .build()
///     .expect("a polling thread");
/// let provider = SdkTracerProvider::builder()
///     .with_sampler(Sampler::parent_based(sampler))
///     .build();
/// # drop(provider);
/// ```
pub struct JaegerRemoteSampler {
    shared: Arc<Shared>,
    description: String,
}

impl fmt::Debug for JaegerRemoteSampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

impl Drop for JaegerRemoteSampler {
    fn drop(&mut self) {
        if let Ok(mut stop) = self.shared.stop.lock() {
            *stop = true;
        }
        self.shared.wake.notify_all();
    }
}

impl JaegerRemoteSampler {
    /// A builder for the sampler of service `service_name`.
    pub fn builder(service_name: impl Into<String>) -> JaegerRemoteSamplerBuilder {
        JaegerRemoteSamplerBuilder {
            service_name: service_name.into(),
            endpoint: DEFAULT_SAMPLING_ENDPOINT.to_owned(),
            polling_interval: DEFAULT_POLLING_INTERVAL,
            initial: None,
            client: None,
        }
    }

    /// A builder configured by an `OTEL_TRACES_SAMPLER_ARG` value for `jaeger_remote`:
    /// `endpoint=...,pollingIntervalMs=...,initialSamplingRate=...` (each optional; invalid
    /// entries are reported and ignored).
    pub fn builder_from_arg(
        service_name: impl Into<String>,
        arg: Option<&str>,
    ) -> JaegerRemoteSamplerBuilder {
        let mut builder = Self::builder(service_name);
        for item in arg
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let (key, value) = item.split_once('=').unwrap_or((item, ""));
            let (key, value) = (key.trim(), value.trim());
            match key {
                "endpoint" => builder = builder.with_endpoint(value),
                "pollingIntervalMs" => match value.parse::<u64>() {
                    Ok(ms) if ms > 0 => {
                        builder = builder.with_polling_interval(Duration::from_millis(ms))
                    }
                    _ => otel_warn!(
                        "Env.InvalidSamplerArg",
                        "pollingIntervalMs={value:?} is not a positive number; ignored"
                    ),
                },
                "initialSamplingRate" => match value.parse::<f64>() {
                    Ok(r) if (0.0..=1.0).contains(&r) => {
                        builder = builder.with_initial_sampler(Sampler::TraceIdRatioBased(r))
                    }
                    _ => otel_warn!(
                        "Env.InvalidSamplerArg",
                        "initialSamplingRate={value:?} is not in [0, 1]; ignored"
                    ),
                },
                other => otel_warn!(
                    "Env.InvalidSamplerArg",
                    "{other:?} is not an argument of the jaeger_remote sampler; ignored"
                ),
            }
        }
        builder
    }

    /// Waits until at least `polls` polls have completed (successfully or not), or `timeout`
    /// passes; returns whether they did.
    pub fn wait_for_polls(&self, polls: u64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let Ok(mut done) = self.shared.polls.lock() else {
            return false;
        };
        while *done < polls {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            match self.shared.polled.wait_timeout(done, left) {
                Ok((guard, _)) => done = guard,
                Err(_) => return false,
            }
        }
        true
    }
}

/// Configures a [`JaegerRemoteSampler`].
pub struct JaegerRemoteSamplerBuilder {
    service_name: String,
    endpoint: String,
    polling_interval: Duration,
    initial: Option<Box<dyn ShouldSample>>,
    client: Option<Arc<dyn HttpClient>>,
}

impl fmt::Debug for JaegerRemoteSamplerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JaegerRemoteSamplerBuilder")
            .field("service_name", &self.service_name)
            .field("endpoint", &self.endpoint)
            .field("polling_interval", &self.polling_interval)
            .field("initial", &self.initial)
            .finish()
    }
}

impl JaegerRemoteSamplerBuilder {
    /// The strategies URL (default `http://localhost:5778/sampling`, a Jaeger agent); a URL
    /// without a path gets `/sampling`.
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    /// How often to poll (default 60 s).
    pub fn with_polling_interval(mut self, interval: Duration) -> Self {
        self.polling_interval = interval;
        self
    }

    /// The sampler used until a strategy is fetched (default `TraceIdRatioBased(0.001)`).
    pub fn with_initial_sampler(mut self, sampler: impl ShouldSample + 'static) -> Self {
        self.initial = Some(Box::new(sampler));
        self
    }

    /// The HTTP client (default: [`HyperClient`] on a [`DedicatedThread`], 10 s timeout).
    pub fn with_http_client(mut self, client: impl HttpClient + 'static) -> Self {
        self.client = Some(Arc::new(client));
        self
    }

    /// Builds the sampler and starts its polling thread (the first poll starts at once).
    ///
    /// # Errors
    ///
    /// When the endpoint is not a URL, or the thread or default client cannot start.
    pub fn build(self) -> Result<JaegerRemoteSampler, Error> {
        let mut base: http::Uri = self
            .endpoint
            .parse()
            .map_err(|e| Error::InvalidEndpoint(format!("{}: {e}", self.endpoint)))?;
        if base.scheme().is_none() || base.authority().is_none() {
            return Err(Error::InvalidEndpoint(format!(
                "{}: needs a scheme and a host",
                self.endpoint
            )));
        }
        if base.path() == "/" && base.query().is_none() {
            base = format!("{base}sampling")
                .parse()
                .map_err(|e| Error::InvalidEndpoint(format!("{}: {e}", self.endpoint)))?;
        }
        let separator = if base.query().is_some() { '&' } else { '?' };
        let url: http::Uri = format!(
            "{base}{separator}service={}",
            crate::propagator::percent_encode(&self.service_name)
        )
        .parse()
        .map_err(|e| Error::InvalidEndpoint(format!("{}: {e}", self.endpoint)))?;
        let client: Arc<dyn HttpClient> = match self.client {
            Some(c) => c,
            None => Arc::new(
                DedicatedThread::new(HyperClient::new())
                    .map_err(Error::Io)?
                    .with_timeout(Duration::from_secs(10)),
            ),
        };
        let initial = self
            .initial
            .unwrap_or_else(|| Box::new(Sampler::TraceIdRatioBased(DEFAULT_INITIAL_SAMPLING_RATE)));
        let description = format!(
            "JaegerRemoteSampler{{endpoint:{url},pollingInterval:{:?},initial:{}}}",
            self.polling_interval,
            initial.description()
        );
        let shared = Arc::new(Shared {
            strategy: RwLock::new(Strategy::Initial),
            initial,
            stop: Mutex::new(false),
            wake: Condvar::new(),
            polls: Mutex::new(0),
            polled: Condvar::new(),
        });
        let poller = Arc::clone(&shared);
        let interval = self.polling_interval;
        std::thread::Builder::new()
            .name("otel-jaeger-sampler".into())
            .spawn(move || poll_loop(&poller, &client, &url, interval))
            .map_err(Error::Io)?;
        Ok(JaegerRemoteSampler {
            shared,
            description,
        })
    }
}

/// Fetches the strategies response.
fn fetch(client: &dyn HttpClient, url: &http::Uri) -> Result<Json, String> {
    let request = http::Request::get(url.clone())
        .body(Default::default())
        .map_err(|e| e.to_string())?;
    let response =
        futures_executor::block_on(client.send_bytes(request)).map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("status {}", response.status()));
    }
    serde_json::from_slice(response.body()).map_err(|e| e.to_string())
}

fn poll_loop(shared: &Shared, client: &Arc<dyn HttpClient>, url: &http::Uri, interval: Duration) {
    // The last response applied: an unchanged strategy keeps its state (rate limiters).
    let mut applied: Option<Json> = None;
    loop {
        let polled = fetch(client.as_ref(), url).and_then(|json| {
            if applied.as_ref() == Some(&json) {
                return Ok(None);
            }
            let strategy = strategy_from_json(&json)?;
            Ok(Some((json, strategy)))
        });
        match polled {
            Ok(None) => {}
            Ok(Some((json, strategy))) => {
                otel_debug!(
                    "JaegerRemoteSampler.Strategy",
                    "new strategy: {:?}",
                    strategy
                );
                if let Ok(mut current) = shared.strategy.write() {
                    *current = strategy;
                    applied = Some(json);
                }
            }
            Err(e) => otel_warn!(
                "JaegerRemoteSampler.PollFailed",
                "fetching the sampling strategy from {url} failed: {e}; keeping the current one"
            ),
        }
        if let Ok(mut polls) = shared.polls.lock() {
            *polls += 1;
        }
        shared.polled.notify_all();
        let Ok(mut stop) = shared.stop.lock() else {
            return;
        };
        let deadline = Instant::now() + interval;
        while !*stop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match shared.wake.wait_timeout(stop, left) {
                Ok((guard, _)) => stop = guard,
                Err(_) => return,
            }
        }
        if *stop {
            return;
        }
    }
}

impl ShouldSample for JaegerRemoteSampler {
    fn should_sample(
        &self,
        parent_context: &Context,
        trace_id: TraceId,
        name: &str,
        span_kind: SpanKind,
        attributes: &[KeyValue],
        links: &[Link],
    ) -> SamplingResult {
        self.shared
            .sample(parent_context, trace_id, name, span_kind, attributes, links)
    }

    fn description(&self) -> String {
        self.description.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_parse_with_string_or_number_types() {
        assert!(matches!(
            parse_strategy(br#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":0.5}}"#),
            Ok(Strategy::Probabilistic(Sampler::TraceIdRatioBased(r))) if r == 0.5
        ));
        assert!(matches!(
            parse_strategy(
                br#"{"strategyType":1,"rateLimitingSampling":{"maxTracesPerSecond":3}}"#
            ),
            Ok(Strategy::RateLimiting(_))
        ));
        assert!(matches!(
            parse_strategy(br#"{"operationSampling":{"defaultSamplingProbability":0.1,"defaultLowerBoundTracesPerSecond":2,"perOperationStrategies":[{"operation":"a","probabilisticSampling":{"samplingRate":1}}]}}"#),
            Ok(Strategy::PerOperation { default_probability, .. }) if default_probability == 0.1
        ));
        assert!(parse_strategy(b"{}").is_err());
        assert!(parse_strategy(b"not json").is_err());
    }

    #[test]
    fn rate_limiter_allows_the_burst_then_refuses() {
        let mut r = RateLimiter::new(2.0);
        assert!(r.try_take() && r.try_take());
        assert!(!r.try_take());
    }
}
