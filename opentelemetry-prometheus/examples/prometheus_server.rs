//! Serves `/metrics` with a steady workload of every instrument kind.
//!
//! `cargo run -p opentelemetry-prometheus --example prometheus_server -- [--duration SECS] [--port PORT]`
//!
//! Runs until stopped (Ctrl-C / SIGTERM end the process; nothing needs flushing for a pull
//! exporter) or for `--duration` seconds. Scrape it with
//! `curl -H 'Accept: application/openmetrics-text' http://localhost:9464/metrics`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use opentelemetry_api::metrics::MeterProvider;
use opentelemetry_api::KeyValue;
use opentelemetry_sdk::metrics::{Aggregation, InstrumentSelector, SdkMeterProvider, Stream, View};
use opentelemetry_sdk::Resource;
use std::time::{Duration, Instant};

fn arg(name: &str) -> Option<u64> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == name)?;
    args.get(i + 1)?.parse().ok()
}

fn main() {
    let mut builder = opentelemetry_prometheus::exporter();
    if let Some(port) = arg("--port") {
        builder = builder.with_port(port as u16);
    }
    let exporter = builder.build();
    let provider = SdkMeterProvider::builder()
        .with_resource(
            Resource::builder()
                .with_service_name("prometheus-example")
                .build(),
        )
        .with_reader(exporter.reader())
        .with_view(View::new(
            InstrumentSelector::new().with_name("payload.size"),
            Stream::new().with_aggregation(Aggregation::Base2ExponentialHistogram {
                max_size: 160,
                max_scale: 3,
                record_min_max: true,
            }),
        ))
        .build();
    let server = match exporter.serve() {
        Ok(server) => server,
        Err(err) => {
            eprintln!("cannot serve: {err}");
            std::process::exit(1);
        }
    };
    println!("serving http://{}/metrics", server.local_addr());

    let meter = provider.meter("prometheus-example");
    let requests = meter
        .u64_counter("http.server.requests")
        .with_description("Requests served")
        .build();
    let bytes = meter.f64_counter("bytes.sent").with_unit("By").build();
    let active = meter
        .i64_up_down_counter("http.server.active_requests")
        .with_unit("{request}")
        .build();
    let latency = meter
        .f64_histogram("http.server.request.duration")
        .with_unit("s")
        .with_description("Request latency")
        .build();
    let payload = meter.u64_histogram("payload.size").with_unit("By").build();
    let temperature = meter.f64_gauge("room.temperature").with_unit("Cel").build();
    let _uptime = meter
        .f64_observable_counter("process.uptime")
        .with_unit("s")
        .with_callback({
            let start = Instant::now();
            move |o| o.observe(start.elapsed().as_secs_f64(), &[])
        })
        .build();
    let _threads = meter
        .i64_observable_up_down_counter("process.threads")
        .with_callback(|o| o.observe(4, &[]))
        .build();
    let _load = meter
        .f64_observable_gauge("system.load")
        .with_unit("1")
        .with_callback(|o| o.observe(0.42, &[]))
        .build();

    let deadline = arg("--duration").map(|s| Instant::now() + Duration::from_secs(s));
    let routes = ["/", "/cart", "/checkout"];
    let mut tick = 0u64;
    while deadline.map_or(true, |d| Instant::now() < d) {
        let route = routes[(tick % 3) as usize];
        let attrs = [
            KeyValue::new("http.route", route),
            KeyValue::new("http.response.status_code", 200),
        ];
        active.add(1, &attrs[..1]);
        requests.add(1, &attrs);
        bytes.add(512.0 + (tick % 7) as f64 * 100.0, &attrs[..1]);
        latency.record(0.005 * (1 + tick % 40) as f64, &attrs);
        payload.record(64 << (tick % 10), &[]);
        temperature.record(20.0 + (tick % 10) as f64 / 10.0, &[]);
        active.add(-1, &attrs[..1]);
        tick += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    server.shutdown();
    let _ = provider.shutdown();
}
