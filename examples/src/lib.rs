//! Support code for the runnable examples (`cargo run --example NAME` from the repository
//! root). Each example's logic lives here so that it can be tested.

pub mod http;
pub mod trace_context_server;
