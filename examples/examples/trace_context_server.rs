//! The service for the W3C Trace Context conformance harness.
//!
//! ```text
//! LISTEN=127.0.0.1:5000 cargo run --example trace_context_server
//! # then, from the harness checkout: python test/test.py http://127.0.0.1:5000/test
//! ```
//!
//! `POST /test` with a JSON array `[{"url": U, "arguments": A}, ...]`: for each item, a new
//! child span of the incoming trace context calls `POST U` with body `A` and the child's
//! `traceparent` and `tracestate` headers.

use examples::trace_context_server::Server;
use opentelemetry_api::global::{self, DiagnosticLevel};

#[allow(clippy::print_stderr)]
fn main() {
    // Show propagation diagnostics (an ignored header, a failed call) while testing.
    global::set_diagnostic_handler(DiagnosticLevel::Debug, |d| eprintln!("{d}"));
    let addr = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:5000".to_string());
    match Server::start(&addr) {
        Ok(server) => {
            eprintln!(
                "trace_context_server listening on http://{}/test",
                server.local_addr()
            );
            server.wait();
        }
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    }
}
