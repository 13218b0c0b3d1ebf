//! The Jaeger remote sampler against a local strategies server, for each strategy type, and
//! its fallback while the server is unreachable.

use opentelemetry_api::trace::{SpanKind, TraceId};
use opentelemetry_api::Context;
use opentelemetry_jaeger::JaegerRemoteSampler;
use opentelemetry_sdk::trace::{Sampler, SamplingDecision, ShouldSample};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A strategies server: answers every request with the current status and body, and records
/// the request lines.
struct Server {
    port: u16,
    reply: Arc<Mutex<(u16, String)>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start(body: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let reply = Arc::new(Mutex::new((200, body.to_owned())));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (r, q) = (Arc::clone(&reply), Arc::clone(&requests));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    continue;
                }
                q.lock().unwrap().push(line.trim().to_owned());
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                        break;
                    }
                }
                let (status, body) = r.lock().unwrap().clone();
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        Server {
            port,
            reply,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/sampling", self.port)
    }
}

fn sampler(endpoint: &str, initial: Sampler) -> JaegerRemoteSampler {
    JaegerRemoteSampler::builder("svc")
        .with_endpoint(endpoint)
        .with_polling_interval(Duration::from_millis(50))
        .with_initial_sampler(initial)
        .build()
        .unwrap()
}

/// How many of `n` spans named `name` (with random-looking trace IDs) are sampled.
fn sampled(s: &JaegerRemoteSampler, name: &str, n: u64) -> u64 {
    (0..n)
        .filter(|i| {
            let id = TraceId::from(
                (u128::from(*i) + 1).wrapping_mul(0x9e3779b97f4a7c15_f39cc0605cedc835),
            );
            s.should_sample(&Context::new(), id, name, SpanKind::Server, &[], &[])
                .decision
                == SamplingDecision::RecordAndSample
        })
        .count() as u64
}

#[test]
fn probabilistic_strategy_is_applied_and_the_service_is_named() {
    let server = Server::start(
        r#"{"strategyType":"PROBABILISTIC","probabilisticSampling":{"samplingRate":1.0}}"#,
    );
    let s = sampler(&server.url(), Sampler::AlwaysOff);
    assert!(s.wait_for_polls(1, Duration::from_secs(10)));
    assert_eq!(sampled(&s, "op", 100), 100);
    assert_eq!(
        server.requests.lock().unwrap()[0],
        "GET /sampling?service=svc HTTP/1.1"
    );

    *server.reply.lock().unwrap() = (
        200,
        r#"{"strategyType":0,"probabilisticSampling":{"samplingRate":0.25}}"#.to_owned(),
    );
    let polls = server.requests.lock().unwrap().len() as u64;
    assert!(s.wait_for_polls(polls + 2, Duration::from_secs(10)));
    let n = sampled(&s, "op", 4000);
    assert!((800..1200).contains(&n), "{n} of 4000 at 0.25");
}

#[test]
fn rate_limiting_strategy_caps_traces_per_second() {
    let server = Server::start(
        r#"{"strategyType":"RATE_LIMITING","rateLimitingSampling":{"maxTracesPerSecond":5}}"#,
    );
    let s = sampler(&server.url(), Sampler::AlwaysOn);
    assert!(s.wait_for_polls(1, Duration::from_secs(10)));
    // A burst of up to 5, then about 5 per second: bounds from the time actually elapsed,
    // so that a loaded machine (slow calls, long sleeps) cannot fail the test.
    let started = std::time::Instant::now();
    let n = sampled(&s, "op", 1000) as f64;
    let most = 5.0 + 5.0 * started.elapsed().as_secs_f64() + 1.0;
    assert!(n >= 5.0 && n <= most, "{n} of 1000 at 5/s (at most {most})");
    let slept = std::time::Instant::now();
    std::thread::sleep(Duration::from_millis(450));
    let n = sampled(&s, "op", 1000) as f64;
    let elapsed = slept.elapsed().as_secs_f64();
    // Refilled at 5/s while sleeping (at least 2 in 0.45 s), never above the bucket's 5.
    assert!(
        n >= 2.0 && n <= (5.0 * elapsed + 1.0).min(6.0),
        "{n} after {elapsed} s at 5/s"
    );
}

#[test]
fn per_operation_strategy_with_defaults_and_lower_bound() {
    let server = Server::start(
        r#"{"strategyType":"PROBABILISTIC","operationSampling":{
            "defaultSamplingProbability":0.0,
            "defaultLowerBoundTracesPerSecond":2.0,
            "perOperationStrategies":[
                {"operation":"/always","probabilisticSampling":{"samplingRate":1.0}},
                {"operation":"/never","probabilisticSampling":{"samplingRate":0.0}}
            ]}}"#,
    );
    let s = sampler(&server.url(), Sampler::AlwaysOff);
    assert!(s.wait_for_polls(1, Duration::from_secs(10)));
    assert_eq!(sampled(&s, "/always", 500), 500);
    // Probability 0, but the lower bound guarantees a couple per second (bounds from the
    // elapsed time, for loaded machines).
    for operation in ["/never", "/other"] {
        // An operation the strategy does not name gets the defaults.
        let started = std::time::Instant::now();
        let n = sampled(&s, operation, 500) as f64;
        let most = 2.0 + 2.0 * started.elapsed().as_secs_f64() + 1.0;
        assert!(n >= 1.0 && n <= most, "{operation}: {n} (at most {most})");
    }
}

#[test]
fn initial_sampler_decides_while_the_endpoint_is_down_and_the_last_strategy_survives_failures() {
    // Nothing listens on a port just released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = sampler(
        &format!("http://127.0.0.1:{port}/sampling"),
        Sampler::AlwaysOn,
    );
    assert!(down.wait_for_polls(2, Duration::from_secs(10)));
    assert_eq!(sampled(&down, "op", 50), 50);
    let down_off = sampler(
        &format!("http://127.0.0.1:{port}/sampling"),
        Sampler::AlwaysOff,
    );
    assert!(down_off.wait_for_polls(1, Duration::from_secs(10)));
    assert_eq!(sampled(&down_off, "op", 50), 0);

    // A strategy, then errors and garbage: the strategy stays.
    let server = Server::start(r#"{"probabilisticSampling":{"samplingRate":0.0}}"#);
    let s = sampler(&server.url(), Sampler::AlwaysOn);
    assert!(s.wait_for_polls(1, Duration::from_secs(10)));
    assert_eq!(sampled(&s, "op", 50), 0);
    *server.reply.lock().unwrap() = (500, "oops".to_owned());
    assert!(s.wait_for_polls(3, Duration::from_secs(10)));
    *server.reply.lock().unwrap() = (200, "not json".to_owned());
    assert!(s.wait_for_polls(5, Duration::from_secs(10)));
    assert_eq!(sampled(&s, "op", 50), 0);
}

#[test]
fn sampler_arg_configures_endpoint_interval_and_initial_rate() {
    let server = Server::start(r#"{"probabilisticSampling":{"samplingRate":1.0}}"#);
    let s = JaegerRemoteSampler::builder_from_arg(
        "svc",
        Some(&format!(
            "endpoint=http://127.0.0.1:{},pollingIntervalMs=40,initialSamplingRate=0.5,bogus=1",
            server.port
        )),
    )
    .build()
    .unwrap();
    let d = s.description();
    assert!(
        d.contains("TraceIdRatioBased{0.5}") && d.contains("40ms"),
        "{d}"
    );
    assert!(s.wait_for_polls(3, Duration::from_secs(10)));
    // No path given: `/sampling` is used.
    assert_eq!(
        server.requests.lock().unwrap()[0],
        "GET /sampling?service=svc HTTP/1.1"
    );
    assert_eq!(sampled(&s, "op", 20), 20);
    // Wrapped in ParentBased, the sampler is `parentbased_jaeger_remote`.
    let pb = Sampler::parent_based(s);
    assert!(pb
        .description()
        .starts_with("ParentBased{root:JaegerRemoteSampler"));
}
