//! Propagators: the OT trace text-map propagator and a binary span-context format.

mod binary;
mod ot;

pub use binary::{BinaryFormat, BinaryPropagator, ENCODED_LEN};
pub use ot::OtTracePropagator;
