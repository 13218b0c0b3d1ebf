//! The series of a synchronous stream: an open-addressing hash table read without locks.
//!
//! Readers load the current table and probe it with plain atomic loads: no read-modify-write,
//! so threads measuring at once share its cache lines instead of bouncing them. Writers
//! (new series) serialise on a mutex, fill empty slots (never overwrite one) and, when the
//! table gets half full, publish a copy twice the size. A replaced table is kept until the
//! next exclusive [`SeriesTable::retain`] or the table's drop, so a reader still probing it
//! stays safe; tables double, so the kept ones together are smaller than the current one.
//!
//! Items are only ever removed by [`SeriesTable::retain`], which the caller must run while no
//! reader is in the table (see its safety contract); a table that is never `retain`ed needs no
//! coordination between readers and writers at all.

use std::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

const INITIAL_SLOTS: usize = 16;

struct Slot<S> {
    /// Written before `item` (and read after it), never changed while `item` is set.
    hash: AtomicU64,
    /// Null while empty; else from `Arc::into_raw`, owned by the current table.
    item: AtomicPtr<S>,
}

struct Table<S> {
    slots: Box<[Slot<S>]>,
    mask: usize,
}

impl<S> Table<S> {
    fn with_slots(n: usize) -> Box<Self> {
        debug_assert!(n.is_power_of_two());
        Box::new(Table {
            slots: (0..n)
                .map(|_| Slot {
                    hash: AtomicU64::new(0),
                    item: AtomicPtr::new(std::ptr::null_mut()),
                })
                .collect(),
            mask: n - 1,
        })
    }

    /// Fills the first empty slot of `hash`'s probe sequence (the caller holds the writer
    /// lock, so no other writer races for it).
    fn put(&self, hash: u64, item: *mut S) {
        let mut i = hash as usize & self.mask;
        loop {
            let slot = &self.slots[i];
            if slot.item.load(Ordering::Relaxed).is_null() {
                slot.hash.store(hash, Ordering::Relaxed);
                // Release: a reader that sees the item sees the hash and the item's contents.
                slot.item.store(item, Ordering::Release);
                return;
            }
            i = (i + 1) & self.mask;
        }
    }
}

struct Writer<S> {
    /// The items of the current table in insertion order (dense, for iteration).
    items: Vec<NonNull<S>>,
    /// Replaced tables that readers may still be probing.
    retired: Vec<NonNull<Table<S>>>,
}

/// A concurrent map from a 64-bit hash to items (several items may share a hash).
pub(crate) struct SeriesTable<S> {
    current: AtomicPtr<Table<S>>,
    writer: Mutex<Writer<S>>,
}

// SAFETY: the table hands out `&S` to many threads and drops `S`s (through `Arc`) on whichever
// thread drops or retains the table: `S` must be `Send + Sync`, as for `Arc<S>`.
unsafe impl<S: Send + Sync> Send for SeriesTable<S> {}
// SAFETY: as above; all shared access to the slots is atomic.
unsafe impl<S: Send + Sync> Sync for SeriesTable<S> {}

impl<S> SeriesTable<S> {
    pub(crate) fn new() -> Self {
        SeriesTable {
            current: AtomicPtr::new(Box::into_raw(Table::with_slots(INITIAL_SLOTS))),
            writer: Mutex::new(Writer {
                items: Vec::new(),
                retired: Vec::new(),
            }),
        }
    }

    #[inline]
    fn table(&self) -> &Table<S> {
        // SAFETY: `current` always points at a live table: tables are freed only when they
        // are no longer current, by `retain` (no reader inside, per its contract) or `drop`.
        unsafe { &*self.current.load(Ordering::Acquire) }
    }

    /// The item with `hash` for which `is` holds. Lock-free.
    ///
    /// The reference stays valid until a [`retain`](Self::retain) (whose caller makes sure
    /// no reader is inside).
    #[inline]
    pub(crate) fn get(&self, hash: u64, is: impl Fn(&S) -> bool) -> Option<&S> {
        let table = self.table();
        let mut i = hash as usize & table.mask;
        loop {
            let slot = &table.slots[i];
            let item = slot.item.load(Ordering::Acquire);
            if item.is_null() {
                return None;
            }
            if slot.hash.load(Ordering::Relaxed) == hash {
                // SAFETY: a non-null item is a live `Arc` allocation owned by the current
                // table or, for a replaced table, by its successor; items are dropped only by
                // `retain` and `drop`, with no reader inside.
                let item = unsafe { &*item };
                if is(item) {
                    return Some(item);
                }
            }
            i = (i + 1) & table.mask;
        }
    }

    fn lock(&self) -> MutexGuard<'_, Writer<S>> {
        // Nothing under this lock can panic half-way through a change.
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The item with `hash` for which `is(item, &key)` holds, else the one `make(key)`
    /// returns (now in the table), else `None` (`make` declined: the caller falls back).
    /// Serialised with other writers.
    pub(crate) fn get_or_insert<K>(
        &self,
        hash: u64,
        key: K,
        is: impl Fn(&S, &K) -> bool,
        make: impl FnOnce(K) -> Option<Arc<S>>,
    ) -> Option<Arc<S>> {
        let mut writer = self.lock();
        if let Some(found) = self.get(hash, |s| is(s, &key)) {
            return Some(Self::share(found));
        }
        let item = make(key)?;
        let mut table = self.table();
        if (writer.items.len() + 1) * 2 > table.slots.len() {
            let bigger = Table::with_slots(table.slots.len() * 2);
            for slot in table.slots.iter() {
                let item = slot.item.load(Ordering::Relaxed);
                if !item.is_null() {
                    bigger.put(slot.hash.load(Ordering::Relaxed), item);
                }
            }
            let old = self.current.swap(Box::into_raw(bigger), Ordering::AcqRel);
            // `old` came from `Box::into_raw`, never null.
            writer.retired.extend(NonNull::new(old));
            table = self.table();
        }
        let raw = Arc::into_raw(Arc::clone(&item)).cast_mut();
        table.put(hash, raw);
        // `raw` came from `Arc::into_raw`: never null.
        writer.items.extend(NonNull::new(raw));
        Some(item)
    }

    /// A new owner of an item in the table.
    pub(crate) fn share(item: &S) -> Arc<S> {
        let ptr: *const S = item;
        // SAFETY: every item in the table came from `Arc::into_raw` and the table's own
        // reference keeps it alive while `item` is borrowed.
        unsafe {
            Arc::increment_strong_count(ptr);
            Arc::from_raw(ptr)
        }
    }

    /// Calls `f` with every item, in insertion order. Holds the writer lock meanwhile (new
    /// items wait; readers do not): the dense list is faster to walk than the sparse table.
    pub(crate) fn for_each(&self, mut f: impl FnMut(&S)) {
        let writer = self.lock();
        for item in &writer.items {
            // SAFETY: listed items are owned by the current table, and removed from the list
            // under this lock when the table drops them.
            f(unsafe { item.as_ref() });
        }
    }

    /// Keeps the items for which `keep` holds, drops the others (the table's reference to
    /// them), frees the replaced tables, and returns how many items were dropped.
    ///
    /// # Safety
    ///
    /// No reference returned by [`get`](Self::get) or passed by [`for_each`](Self::for_each)
    /// may be alive, and neither may run, until this returns: the caller excludes readers
    /// (the metrics streams that call this hold a write lock that every reader takes).
    pub(crate) unsafe fn retain(&self, mut keep: impl FnMut(&S) -> bool) -> usize {
        let mut writer = self.lock();
        let table = self.table();
        let mut removed: Vec<*mut S> = Vec::new();
        writer.items.retain(|item| {
            // SAFETY: as in `for_each`.
            let kept = keep(unsafe { item.as_ref() });
            if !kept {
                removed.push(item.as_ptr());
            }
            kept
        });
        for old in writer.retired.drain(..) {
            // SAFETY: retired tables came from `Box::into_raw`, are no longer current, and
            // no reader is inside (the contract); their items are owned by the current table.
            drop(unsafe { Box::from_raw(old.as_ptr()) });
        }
        if removed.is_empty() {
            return 0;
        }
        removed.sort_unstable();
        // Rebuild without the removed items (linear probing cannot just empty a slot).
        let fresh = Table::with_slots(table.slots.len());
        for slot in table.slots.iter() {
            let item = slot.item.load(Ordering::Relaxed);
            if !item.is_null() && removed.binary_search(&item).is_err() {
                fresh.put(slot.hash.load(Ordering::Relaxed), item);
            }
        }
        let old = self.current.swap(Box::into_raw(fresh), Ordering::AcqRel);
        // SAFETY: `old` was the current table (from `Box::into_raw`); no reader is inside.
        drop(unsafe { Box::from_raw(old) });
        for item in &removed {
            // SAFETY: the removed items were owned by the old table, which is gone; each is
            // released once.
            drop(unsafe { Arc::from_raw(item.cast_const()) });
        }
        removed.len()
    }
}

impl<S> Drop for SeriesTable<S> {
    fn drop(&mut self) {
        let writer = self.writer.get_mut().unwrap_or_else(|p| p.into_inner());
        for old in writer.retired.drain(..) {
            // SAFETY: retired tables came from `Box::into_raw` and are freed once; their
            // items belong to the current table.
            drop(unsafe { Box::from_raw(old.as_ptr()) });
        }
        // SAFETY: the current table came from `Box::into_raw`; `&mut self` excludes readers.
        let table = unsafe { Box::from_raw(*self.current.get_mut()) };
        for slot in table.slots.iter() {
            let item = slot.item.load(Ordering::Relaxed);
            if !item.is_null() {
                // SAFETY: the current table owns one reference to each of its items.
                drop(unsafe { Arc::from_raw(item.cast_const()) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn finds_inserts_grows_and_keeps_colliding_hashes_apart() {
        let t = SeriesTable::<(u64, u32)>::new();
        for i in 0..1000u64 {
            // Every 10 items share a hash.
            let hash = i / 10;
            let got = t.get_or_insert(hash, i, |s, i| s.0 == *i, |i| Some(Arc::new((i, 0))));
            assert_eq!(got.map(|s| s.0), Some(i));
        }
        for i in 0..1000u64 {
            assert_eq!(t.get(i / 10, |s| s.0 == i).map(|s| s.0), Some(i));
        }
        assert!(t.get(7, |s| s.0 == 5000).is_none());
        let mut n = 0;
        t.for_each(|_| n += 1);
        assert_eq!(n, 1000);
        // Declined inserts leave nothing behind.
        assert!(t.get_or_insert(1, (), |_, _| false, |_| None).is_none());
    }

    #[test]
    fn retain_drops_exactly_the_removed_items() {
        struct Counted(u64, Arc<AtomicUsize>);
        impl Drop for Counted {
            fn drop(&mut self) {
                self.1.fetch_add(1, Ordering::Relaxed);
            }
        }
        let drops = Arc::new(AtomicUsize::new(0));
        let t = SeriesTable::new();
        for i in 0..100u64 {
            t.get_or_insert(
                i % 7,
                i,
                |s: &Counted, i| s.0 == *i,
                |i| Some(Arc::new(Counted(i, drops.clone()))),
            );
        }
        let kept_outside = t
            .get_or_insert(3, 3, |s, i| s.0 == *i, |_| None)
            .map(|s| s.0);
        assert_eq!(kept_outside, Some(3));
        // SAFETY: no reader in this single-threaded test.
        let removed = unsafe { t.retain(|s| s.0 % 2 == 0) };
        assert_eq!(removed, 50);
        assert_eq!(drops.load(Ordering::Relaxed), 50);
        for i in 0..100u64 {
            assert_eq!(t.get(i % 7, |s| s.0 == i).is_some(), i % 2 == 0, "{i}");
        }
        drop(t);
        assert_eq!(drops.load(Ordering::Relaxed), 100);
    }

    #[test]
    fn readers_run_alongside_a_writer() {
        let t = SeriesTable::<u64>::new();
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 0..5000u64 {
                    let hash = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
                    t.get_or_insert(hash, i, |v, i| v == i, |i| Some(Arc::new(i)));
                }
            });
            s.spawn(|| {
                for _ in 0..50 {
                    for i in 0..5000u64 {
                        if let Some(v) = t.get(i.wrapping_mul(0x9e37_79b9_7f4a_7c15), |v| *v == i) {
                            assert_eq!(*v, i);
                        }
                    }
                }
            });
        });
        for i in 0..5000u64 {
            assert!(t
                .get(i.wrapping_mul(0x9e37_79b9_7f4a_7c15), |v| *v == i)
                .is_some());
        }
    }
}
