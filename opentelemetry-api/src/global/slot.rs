//! The storage behind each global (provider or propagator), and the per-scope delegates taken
//! from the global providers.

use super::swap::{Delegate, Generation, SwapCell};
use crate::InstrumentationScope;
use std::sync::OnceLock;

/// One global value: empty until installed, then replaced rarely, read without a lock.
pub(crate) struct GlobalSlot<T> {
    generation: Generation,
    cell: OnceLock<SwapCell<T>>,
}

impl<T: Send + Sync> GlobalSlot<T> {
    pub(crate) const fn new() -> Self {
        GlobalSlot {
            generation: Generation::new(),
            cell: OnceLock::new(),
        }
    }

    /// Installs `value`; returns the new generation (never 0).
    pub(crate) fn install(&self, value: T) -> u64 {
        if let Err(fresh) = self.cell.set(SwapCell::new(value)) {
            // Already installed once: replace the value, keeping the cell readers hold.
            if let Some(cell) = self.cell.get() {
                cell.store(fresh.into_inner());
            }
        }
        self.generation.bump()
    }

    /// How many times a value was installed; 0 means never (one atomic load).
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation.get()
    }

    /// The installed value, or `None` if nothing was ever installed.
    #[inline]
    pub(crate) fn get(&self) -> Option<&T> {
        self.cell.get().map(SwapCell::load)
    }
}

/// What a global tracer or logger holds: its scope, and the delegate built for it from the
/// installed provider, rebuilt when the provider is replaced.
pub(crate) struct ScopedDelegate<T> {
    pub(crate) scope: InstrumentationScope,
    delegate: Delegate<Option<T>>,
}

impl<T> ScopedDelegate<T> {
    pub(crate) fn new(scope: InstrumentationScope) -> Self {
        ScopedDelegate {
            scope,
            delegate: Delegate::new(0, None),
        }
    }

    /// The delegate for the provider installed in `slot`: `None` (one atomic load) while
    /// nothing is installed.
    #[inline]
    pub(crate) fn get<P: Send + Sync>(
        &self,
        slot: &GlobalSlot<P>,
        build: impl FnOnce(&P, &InstrumentationScope) -> T,
    ) -> Option<&T> {
        let generation = slot.generation();
        if generation == 0 {
            return None;
        }
        self.delegate
            .get(generation, || {
                slot.get().map(|provider| build(provider, &self.scope))
            })
            .as_ref()
    }
}
