//! A lock-free, read-mostly cell for the global providers and the delegates taken from them.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::Mutex;

/// Holds one value that readers see without a lock and writers replace rarely.
///
/// A replaced value is kept (not freed) until the cell itself is dropped, so a reference handed
/// out by [`SwapCell::load`] stays valid for as long as the cell is borrowed. Values are
/// replaced only when a global provider is installed, so what is kept is bounded by the number
/// of installs.
pub(crate) struct SwapCell<T> {
    current: AtomicPtr<T>,
    retired: Mutex<Vec<NonNull<T>>>,
}

// SAFETY: the cell hands out `&T` to many threads and moves `T`s between threads on replace.
unsafe impl<T: Send + Sync> Send for SwapCell<T> {}
// SAFETY: as above; every shared access to a `T` is through `&T`.
unsafe impl<T: Send + Sync> Sync for SwapCell<T> {}

impl<T> SwapCell<T> {
    pub(crate) fn new(value: T) -> Self {
        SwapCell {
            current: AtomicPtr::new(Box::into_raw(Box::new(value))),
            retired: Mutex::new(Vec::new()),
        }
    }

    #[inline]
    pub(crate) fn load(&self) -> &T {
        // SAFETY: `current` always points at a live boxed `T`: it is set from `Box::into_raw`
        // and values are freed only in `drop`, which needs `&mut self`.
        unsafe { &*self.current.load(Ordering::Acquire) }
    }

    /// The value of a cell no reader can hold any more.
    pub(crate) fn into_inner(mut self) -> T {
        let current = std::mem::replace(self.current.get_mut(), std::ptr::null_mut());
        // SAFETY: `current` came from `Box::into_raw` and is owned by this cell; it is nulled
        // above so that `drop` does not free it again.
        *unsafe { Box::from_raw(current) }
    }

    /// Replaces the value; readers holding the old one keep a valid reference.
    pub(crate) fn store(&self, value: T) {
        let new = Box::into_raw(Box::new(value));
        let mut retired = self.retired.lock().unwrap_or_else(|p| p.into_inner());
        let old = self.current.swap(new, Ordering::AcqRel);
        if let Some(old) = NonNull::new(old) {
            retired.push(old);
        }
    }
}

impl<T> Drop for SwapCell<T> {
    fn drop(&mut self) {
        let retired = std::mem::take(self.retired.get_mut().unwrap_or_else(|p| p.into_inner()));
        for ptr in retired {
            // SAFETY: every retired pointer came from `Box::into_raw` and is freed once.
            drop(unsafe { Box::from_raw(ptr.as_ptr()) });
        }
        let current = *self.current.get_mut();
        if !current.is_null() {
            // SAFETY: as above, for the current value (null once taken by `into_inner`).
            drop(unsafe { Box::from_raw(current) });
        }
    }
}

/// A delegate that follows one global provider: it rebuilds its inner value when the global
/// provider it was taken from is replaced, and otherwise costs one atomic load per use.
pub(crate) struct Delegate<T> {
    cell: SwapCell<(u64, T)>,
    /// Held while rebuilding, so that threads racing on a new generation build it once.
    rebuild: Mutex<()>,
}

impl<T> Delegate<T> {
    pub(crate) fn new(generation: u64, value: T) -> Self {
        Delegate {
            cell: SwapCell::new((generation, value)),
            rebuild: Mutex::new(()),
        }
    }

    /// The inner value for `generation`, rebuilt by `build` if it was built for another one.
    #[inline]
    pub(crate) fn get(&self, generation: u64, build: impl FnOnce() -> T) -> &T {
        let current = self.cell.load();
        if current.0 == generation {
            return &current.1;
        }
        self.refresh(generation, build)
    }

    #[cold]
    fn refresh(&self, generation: u64, build: impl FnOnce() -> T) -> &T {
        let _building = self.rebuild.lock().unwrap_or_else(|p| p.into_inner());
        // Another thread may have rebuilt while this one waited: build once per generation,
        // and never go back to an older one.
        let current = self.cell.load();
        if current.0 >= generation {
            return &current.1;
        }
        self.cell.store((generation, build()));
        &self.cell.load().1
    }
}

/// A counter bumped each time a global provider of one signal is installed.
pub(crate) struct Generation(AtomicU64);

impl Generation {
    pub(crate) const fn new() -> Self {
        Generation(AtomicU64::new(0))
    }

    /// The current generation; 0 means no provider was ever installed.
    #[inline]
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    pub(crate) fn bump(&self) -> u64 {
        self.0.fetch_add(1, Ordering::AcqRel) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn readers_keep_old_values_valid_across_replacements() {
        let cell = SwapCell::new(Arc::new(1));
        let first = cell.load();
        cell.store(Arc::new(2));
        assert_eq!(**first, 1);
        assert_eq!(**cell.load(), 2);
    }

    #[test]
    fn delegate_rebuilds_only_when_generation_changes() {
        let d = Delegate::new(0, 10);
        let mut builds = 0;
        assert_eq!(*d.get(0, || unreachable!()), 10);
        assert_eq!(
            *d.get(1, || {
                builds += 1;
                11
            }),
            11
        );
        assert_eq!(*d.get(1, || unreachable!()), 11);
        assert_eq!(builds, 1);
    }

    #[test]
    fn racing_threads_build_a_generation_once() {
        use std::sync::atomic::AtomicUsize;
        let d = Delegate::new(0, 0usize);
        let builds = AtomicUsize::new(0);
        let start = std::sync::Barrier::new(8);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    start.wait();
                    let built = d.get(1, || {
                        builds.fetch_add(1, Ordering::Relaxed);
                        // Widen the window in which the others see the old generation.
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        7
                    });
                    assert_eq!(*built, 7);
                });
            }
        });
        assert_eq!(builds.load(Ordering::Relaxed), 1);
        // An older generation never replaces a newer one.
        assert_eq!(*d.get(0, || unreachable!()), 7);
    }

    #[test]
    fn concurrent_readers_and_writers() {
        let cell = Arc::new(SwapCell::new(0usize));
        let writers: Vec<_> = (0..2)
            .map(|t| {
                let cell = cell.clone();
                std::thread::spawn(move || {
                    for i in 0..1000 {
                        cell.store(t * 1000 + i);
                    }
                })
            })
            .collect();
        for _ in 0..10_000 {
            assert!(*cell.load() < 2000);
        }
        writers.into_iter().for_each(|w| w.join().unwrap());
    }
}
