//! Quick start: `cargo run --example quickstart`.
//!
//! Sets OpenTelemetry up from the standard `OTEL_*` variables (any exporter variable left
//! unset means `console`), records one small request as a trace with correlated logs and a
//! few metrics, and exits after flushing. The logs are written with `tracing`, bridged by
//! `opentelemetry-appender-tracing`, which also turns the `#[instrument]`ed function's span
//! into an OpenTelemetry span of the same trace. Try `OTEL_TRACES_SAMPLER=always_off`,
//! `OTEL_SERVICE_NAME=shop`, `OTEL_TRACES_EXPORTER=none`, `OTEL_METRICS_EXPORTER=none` or
//! `OTEL_LOGS_EXPORTER=none`. To send everything to a collector over OTLP:
//! `OTEL_TRACES_EXPORTER=otlp OTEL_METRICS_EXPORTER=otlp OTEL_LOGS_EXPORTER=otlp`, with
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (default `http://localhost:4318`) and
//! `OTEL_EXPORTER_OTLP_PROTOCOL` (`http/protobuf`, `http/json` or `grpc`).

use opentelemetry::autoconfig::AutoConfig;
use opentelemetry::trace::{Link, Span, SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{global, Context, InstrumentationScope, KeyValue};
use opentelemetry_appender_tracing::OpenTelemetryTracingBridge;
use opentelemetry_semantic_conventions::attribute::{
    http_request_method, EXCEPTION_TYPE, HTTP_REQUEST_METHOD, HTTP_RESPONSE_STATUS_CODE, URL_PATH,
};
use opentelemetry_semantic_conventions::SCHEMA_URL;
use std::thread::sleep;
use std::time::Duration;
use tracing_subscriber::layer::SubscriberExt;

/// Reserves stock for the cart: a `tracing` span, exported as a child of the current span.
#[tracing::instrument]
fn reserve_stock(items: i64) {
    sleep(Duration::from_millis(1));
    tracing::info!(warehouse = "north", "stock reserved");
}

fn main() {
    let telemetry = AutoConfig::from_env()
        .with_default_exporter("console")
        .install();

    let scope = InstrumentationScope::builder("quickstart")
        .with_version(env!("CARGO_PKG_VERSION"))
        .with_schema_url(SCHEMA_URL)
        .build();
    let tracer = global::tracer_with_scope(scope.clone());
    let meter = global::meter_with_scope(scope);
    let orders = meter
        .u64_counter("shop.orders")
        .with_description("Orders placed")
        .with_unit("{order}")
        .build();
    let duration = meter
        .f64_histogram("shop.request.duration")
        .with_unit("ms")
        .with_boundaries(vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0])
        .build();
    let cart_size = meter.u64_gauge("shop.cart.items").build();
    let _queue = meter
        .i64_observable_up_down_counter("shop.queue.length")
        .with_callback(|observer| observer.observe(7, &[KeyValue::new("queue", "payments")]))
        .build();
    for (ms, method) in [
        (0.8, "card"),
        (3.5, "card"),
        (4.1, "card"),
        (12.0, "invoice"),
    ] {
        duration.record(ms, &[KeyValue::new("http.route", "/checkout")]);
        orders.add(1, &[KeyValue::new("payment.method", method)]);
    }
    cart_size.record(3, &[]);

    // `tracing` events become log records (correlated with the current span), `tracing`
    // spans become spans. Both go through the global providers the autoconfig installed.
    let bridge = OpenTelemetryTracingBridge::new(&global::logger_provider())
        .with_tracer(global::tracer("quickstart-tracing"));
    if let Err(err) =
        tracing::subscriber::set_global_default(tracing_subscriber::registry().with(bridge))
    {
        global::handle_error("Quickstart.TracingSubscriber", err);
    }

    // A message published earlier by another service; the request links to it.
    let mut publish = tracer
        .span_builder("publish order")
        .with_kind(SpanKind::Producer)
        .start(&tracer);
    let published = publish.span_context().clone();
    publish.end();

    let request = tracer
        .span_builder("POST /checkout")
        .with_kind(SpanKind::Server)
        .with_attributes([
            KeyValue::new(HTTP_REQUEST_METHOD, http_request_method::POST),
            KeyValue::new(URL_PATH, "/checkout"),
        ])
        .with_links(vec![Link::new(
            published,
            vec![KeyValue::new("messaging.operation.type", "process")],
        )])
        .start(&tracer);
    let cx = Context::current_with_span(request);
    let _guard = cx.clone().attach();

    tracer.in_span("load cart", |cx| {
        cx.span().set_attribute(KeyValue::new("cart.items", 3));
        sleep(Duration::from_millis(4));
        tracing::info!(cart.items = 3, "cart loaded");
    });
    reserve_stock(3);
    tracer.in_span("charge card", |cx| {
        let span = cx.span();
        span.set_attribute(KeyValue::new("payment.provider", "acme-pay"));
        sleep(Duration::from_millis(2));
        span.add_event("retrying", vec![KeyValue::new("attempt", 2)]);
        tracing::warn!(attempt = 2, "card processor slow, retrying");
        sleep(Duration::from_millis(3));
        let err = std::io::Error::new(std::io::ErrorKind::TimedOut, "card processor timed out");
        span.record_exception(&err, vec![KeyValue::new(EXCEPTION_TYPE, "std::io::Error")]);
        span.set_status(Status::error("card processor timed out"));
    });

    tracing::error!(http.response.status_code = 502, "payment failed");
    let span = cx.span();
    span.set_attribute(KeyValue::new(HTTP_RESPONSE_STATUS_CODE, 502));
    span.set_status(Status::error("payment failed"));
    span.end();

    if let Err(err) = telemetry.shutdown() {
        global::handle_error("Quickstart.Shutdown", err);
    }
}
