//! The batch processors' bounded lock-free queue.
//!
//! An array of slots, each with a stamp that says whether it is ready to be written or read
//! in the current lap (the bounded multi-producer multi-consumer queue design published by
//! Dmitry Vyukov). A position is `lap + index`, where a lap is the smallest power of two
//! above the capacity: incrementing a position never needs a division.
//!
//! It exists instead of a general-purpose queue for one reason: the items are large (an ended
//! span is ~240 bytes) and a general queue moves them several times on the way in and out.
//! Here [`Queue::push_from`] copies the item straight from where the caller holds it into its
//! slot,
//! and [`Queue::pop_into`] moves items straight from their slots into the batch `Vec`: one
//! copy each way.

use std::cell::UnsafeCell;
use std::mem::MaybeUninit;
use std::sync::atomic::{self, AtomicUsize, Ordering};

/// Keeps the producers' and the consumers' counters on cache lines of their own.
#[repr(align(128))]
struct Padded<T>(T);

/// Cache-line aligned: an ended span (240 bytes) plus its stamp fills exactly four lines,
/// so writing or reading a slot touches four lines rather than five for most slots.
#[repr(align(64))]
struct Slot<T> {
    /// `position` while the slot waits to be written at `position`; `position + 1` once
    /// written there (it then waits to be read at `position`).
    stamp: AtomicUsize,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A bounded queue of `T`, lock-free for producers and consumers.
pub(crate) struct Queue<T> {
    /// The next position to read.
    head: Padded<AtomicUsize>,
    /// The next position to write.
    tail: Padded<AtomicUsize>,
    slots: Box<[Slot<T>]>,
    /// The lap unit: a power of two larger than the capacity.
    one_lap: usize,
}

// SAFETY: items are moved between threads (so `T: Send`); a slot's value is accessed only by
// the thread that claimed the slot's position with a successful compare-exchange, and the
// stamp's release/acquire pairs order the write before the read and the read before the next
// write.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: see above.
unsafe impl<T: Send> Sync for Queue<T> {}

/// Spins briefly, then yields the thread: waits for another thread to finish the write or
/// read of a slot that it has already claimed.
struct Backoff(u32);

impl Backoff {
    fn wait(&mut self) {
        if self.0 < 6 {
            for _ in 0..(1 << self.0) {
                std::hint::spin_loop();
            }
            self.0 += 1;
        } else {
            std::thread::yield_now();
        }
    }
}

impl<T> Queue<T> {
    /// An empty queue holding at most `capacity` items (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        let slots = (0..capacity)
            .map(|i| Slot {
                stamp: AtomicUsize::new(i),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Queue {
            head: Padded(AtomicUsize::new(0)),
            tail: Padded(AtomicUsize::new(0)),
            slots,
            one_lap: (capacity + 1).next_power_of_two(),
        }
    }

    /// How many items the queue can hold.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// The position after `position`.
    #[inline]
    fn next(&self, position: usize) -> usize {
        let index = position & (self.one_lap - 1);
        if index + 1 < self.slots.len() {
            position + 1
        } else {
            (position & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    #[inline]
    fn slot(&self, position: usize) -> &Slot<T> {
        // The index part of a position is always below the capacity.
        &self.slots[position & (self.one_lap - 1)]
    }

    /// Adds `item` at the back; when the queue is full, drops it and returns false. The
    /// claim of the slot is a sequentially consistent read-modify-write.
    pub(crate) fn push(&self, item: T) -> bool {
        let mut item = std::mem::ManuallyDrop::new(item);
        // SAFETY: `item` is not used after being moved into the queue, and is dropped once
        // otherwise.
        unsafe {
            if self.push_from(&mut *item).is_some() {
                true
            } else {
                std::mem::ManuallyDrop::drop(&mut item);
                false
            }
        }
    }

    /// Moves `*item` to the back, copying it once, straight into its slot, and returns its
    /// sequence number (the number of items pushed before it); returns `None` (and leaves
    /// `*item` alone) when the queue is full. The claim of the slot is a sequentially
    /// consistent read-modify-write.
    ///
    /// # Safety
    /// When this returns `Some` the value was moved out: the caller must neither use nor
    /// drop `*item` afterwards (forget it).
    #[inline]
    pub(crate) unsafe fn push_from(&self, item: *mut T) -> Option<usize> {
        let tail = self.claim_tail()?;
        let slot = self.slot(tail);
        // SAFETY: the claim gives this thread the slot until the stamp says it is written;
        // its previous value was read out (the stamp said so). The caller gives up `*item`.
        unsafe { std::ptr::copy_nonoverlapping(item, (*slot.value.get()).as_mut_ptr(), 1) };
        slot.stamp.store(tail.wrapping_add(1), Ordering::Release);
        Some(self.sequence(tail))
    }

    /// The sequence number of a position: how many items were pushed before it (wrapping).
    #[inline]
    fn sequence(&self, position: usize) -> usize {
        let laps = position >> self.one_lap.trailing_zeros();
        laps.wrapping_mul(self.slots.len())
            .wrapping_add(position & (self.one_lap - 1))
    }

    /// The sequence number of the front item (how many items were popped so far, wrapping).
    pub(crate) fn head_sequence(&self) -> usize {
        self.sequence(self.head.0.load(Ordering::SeqCst))
    }

    /// Claims the position at the tail for writing; `None` when the queue is full.
    #[inline]
    fn claim_tail(&self) -> Option<usize> {
        let mut backoff = Backoff(0);
        let mut tail = self.tail.0.load(Ordering::Relaxed);
        loop {
            let stamp = self.slot(tail).stamp.load(Ordering::Acquire);
            if stamp == tail {
                // The slot is free in this lap: claim it.
                match self.tail.0.compare_exchange_weak(
                    tail,
                    self.next(tail),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => return Some(tail),
                    Err(current) => tail = current,
                }
            } else if stamp.wrapping_add(self.one_lap) == tail.wrapping_add(1) {
                // The slot still holds the previous lap's item: full, unless it was read
                // meanwhile.
                atomic::fence(Ordering::SeqCst);
                let head = self.head.0.load(Ordering::Relaxed);
                if head.wrapping_add(self.one_lap) == tail {
                    return None;
                }
                tail = self.tail.0.load(Ordering::Relaxed);
            } else {
                // Another producer claimed this position and moved the tail on.
                backoff.wait();
                tail = self.tail.0.load(Ordering::Relaxed);
            }
        }
    }

    /// Removes the front item and moves it to `dst`; false when the queue is empty.
    ///
    /// # Safety
    /// `dst` must be valid for a write of one `T`; what it held is overwritten, not dropped.
    #[inline]
    unsafe fn pop_to(&self, dst: *mut T) -> bool {
        let mut backoff = Backoff(0);
        let mut head = self.head.0.load(Ordering::Relaxed);
        loop {
            let slot = self.slot(head);
            let stamp = slot.stamp.load(Ordering::Acquire);
            if stamp == head.wrapping_add(1) {
                // The slot holds this lap's item: claim it.
                match self.head.0.compare_exchange_weak(
                    head,
                    self.next(head),
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                ) {
                    Ok(_) => {
                        // SAFETY: the claim gives this thread the written slot; the value is
                        // moved out once and the stamp then frees the slot for the next lap.
                        // The caller vouches for `dst`.
                        unsafe {
                            std::ptr::copy_nonoverlapping((*slot.value.get()).as_ptr(), dst, 1)
                        };
                        slot.stamp
                            .store(head.wrapping_add(self.one_lap), Ordering::Release);
                        return true;
                    }
                    Err(current) => head = current,
                }
            } else if stamp == head {
                // Not written in this lap: empty, unless a producer claimed it and is
                // writing (then wait for it).
                atomic::fence(Ordering::SeqCst);
                let tail = self.tail.0.load(Ordering::Relaxed);
                if tail == head {
                    return false;
                }
                backoff.wait();
                head = self.head.0.load(Ordering::Relaxed);
            } else {
                // Another consumer took this position.
                backoff.wait();
                head = self.head.0.load(Ordering::Relaxed);
            }
        }
    }

    /// Removes and returns the front item when it is ready, without waiting: `None` when the
    /// queue is empty, when the front item is still being written, or when another consumer
    /// took it first. For pools, where a miss only sends the caller to its fallback.
    #[inline]
    pub(crate) fn try_pop(&self) -> Option<T> {
        let head = self.head.0.load(Ordering::Relaxed);
        let slot = self.slot(head);
        if slot.stamp.load(Ordering::Acquire) != head.wrapping_add(1) {
            return None;
        }
        self.head
            .0
            .compare_exchange(head, self.next(head), Ordering::SeqCst, Ordering::Relaxed)
            .ok()?;
        // SAFETY: the stamp (read with acquire) said the slot holds this lap's item, and the
        // claim of `head` gives it to this thread alone; the value is moved out once and the
        // stamp then frees the slot for the next lap.
        let value = unsafe { (*slot.value.get()).as_ptr().read() };
        slot.stamp
            .store(head.wrapping_add(self.one_lap), Ordering::Release);
        Some(value)
    }

    /// Removes and returns the front item.
    pub(crate) fn pop(&self) -> Option<T> {
        let mut item = MaybeUninit::<T>::uninit();
        // SAFETY: `item` is valid for a write; it is read only when `pop_to` wrote it.
        unsafe { self.pop_to(item.as_mut_ptr()).then(|| item.assume_init()) }
    }

    /// Moves up to `max` items from the front to the end of `batch`; returns how many.
    ///
    /// The items written in a row at the front are claimed together, with one
    /// compare-exchange of the head (which producers never write), then moved out.
    pub(crate) fn pop_into(&self, batch: &mut Vec<T>, max: usize) -> usize {
        batch.reserve(max);
        let mut moved = 0;
        while moved < max {
            let head = self.head.0.load(Ordering::Relaxed);
            let mut end = head;
            let mut ready = 0;
            while moved + ready < max
                && self.slot(end).stamp.load(Ordering::Acquire) == end.wrapping_add(1)
            {
                ready += 1;
                end = self.next(end);
            }
            if ready == 0 {
                // Empty, or the front item is still being written: the one-item path tells
                // which (and waits for the writer).
                // SAFETY: `reserve` made room for `max` more items past the length, and the
                // length is raised only after the item was written.
                unsafe {
                    if !self.pop_to(batch.as_mut_ptr().add(batch.len())) {
                        break;
                    }
                    batch.set_len(batch.len() + 1);
                }
                moved += 1;
                continue;
            }
            if self
                .head
                .0
                .compare_exchange(head, end, Ordering::SeqCst, Ordering::Relaxed)
                .is_err()
            {
                continue; // another consumer took some: look again
            }
            let mut position = head;
            for _ in 0..ready {
                let slot = self.slot(position);
                // SAFETY: the claim gives this thread these written slots (their stamps were
                // read with acquire before the claim); each value is moved out once and its
                // stamp then frees the slot for the next lap. `reserve` made room for `max`
                // items and the length is raised only after the item was written.
                unsafe {
                    std::ptr::copy_nonoverlapping(
                        (*slot.value.get()).as_ptr(),
                        batch.as_mut_ptr().add(batch.len()),
                        1,
                    );
                    batch.set_len(batch.len() + 1);
                }
                slot.stamp
                    .store(position.wrapping_add(self.one_lap), Ordering::Release);
                position = self.next(position);
            }
            moved += ready;
        }
        moved
    }

    /// How many items are queued (a snapshot).
    pub(crate) fn len(&self) -> usize {
        loop {
            let tail = self.tail.0.load(Ordering::SeqCst);
            let head = self.head.0.load(Ordering::SeqCst);
            if self.tail.0.load(Ordering::SeqCst) != tail {
                continue;
            }
            let mask = self.one_lap - 1;
            let (hix, tix) = (head & mask, tail & mask);
            return if hix < tix {
                tix - hix
            } else if hix > tix {
                self.capacity() - hix + tix
            } else if tail == head {
                0
            } else {
                self.capacity()
            };
        }
    }

    /// Whether nothing is queued (a snapshot).
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        while self.pop().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_span_slot_is_four_whole_cache_lines() {
        use std::mem::{align_of, size_of};
        assert_eq!(align_of::<Slot<crate::trace::SpanData>>(), 64);
        assert_eq!(size_of::<Slot<crate::trace::SpanData>>(), 256);
        let q = Queue::<crate::trace::SpanData>::new(3);
        for slot in q.slots.iter() {
            assert_eq!(slot as *const _ as usize % 64, 0);
        }
    }

    #[test]
    fn fifo_bounded_and_reusable_across_laps() {
        for capacity in [1, 2, 3, 5, 8, 100] {
            let q = Queue::new(capacity);
            assert_eq!(q.capacity(), capacity);
            for lap in 0..5 {
                for i in 0..capacity {
                    assert!(q.push(lap * 1000 + i));
                    assert_eq!(q.len(), i + 1);
                }
                assert!(!q.push(usize::MAX), "capacity {capacity}");
                assert_eq!(q.len(), capacity);
                for i in 0..capacity {
                    assert_eq!(q.pop(), Some(lap * 1000 + i));
                }
                assert_eq!(q.pop(), None);
                assert!(q.is_empty());
            }
        }
    }

    #[test]
    fn len_wraps_around() {
        let q = Queue::new(3);
        assert!(q.push(1));
        assert!(q.push(2));
        assert_eq!(q.pop(), Some(1));
        assert!(q.push(3));
        assert!(q.push(4));
        assert_eq!(q.len(), 3);
        assert!(!q.push(5));
        let mut batch = vec![0];
        assert_eq!(q.pop_into(&mut batch, 2), 2);
        assert_eq!(batch, vec![0, 2, 3]);
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop_into(&mut batch, 10), 1);
        assert_eq!(batch, vec![0, 2, 3, 4]);
        assert_eq!(q.pop_into(&mut batch, 10), 0);
    }

    #[test]
    fn sequence_numbers_count_pushes_and_pops_across_laps() {
        let q = Queue::new(3);
        let mut pushed = 0;
        for _ in 0..5 {
            for _ in 0..3 {
                let mut item = pushed;
                // SAFETY: a `usize` needs no drop: forgetting it is a no-op.
                let seq = unsafe { q.push_from(&mut item) };
                assert_eq!(seq, Some(pushed));
                pushed += 1;
            }
            let mut item = 0;
            // SAFETY: as above.
            assert_eq!(unsafe { q.push_from(&mut item) }, None);
            assert_eq!(q.head_sequence(), pushed - 3);
            let mut batch = Vec::new();
            assert_eq!(q.pop_into(&mut batch, 2), 2);
            assert_eq!(batch, vec![pushed - 3, pushed - 2]);
            assert_eq!(q.pop(), Some(pushed - 1));
            assert_eq!(q.head_sequence(), pushed);
        }
    }

    #[test]
    fn queued_items_are_dropped_with_the_queue() {
        let item = Arc::new(());
        let q = Queue::new(4);
        for _ in 0..4 {
            assert!(q.push(item.clone()));
        }
        assert!(!q.push(item.clone()), "full: the item is dropped");
        drop(q.pop());
        assert_eq!(Arc::strong_count(&item), 4);
        drop(q);
        assert_eq!(Arc::strong_count(&item), 1);
    }

    #[test]
    fn try_pop_takes_ready_items_in_order_across_laps() {
        for capacity in [1, 2, 3, 8] {
            let q = Queue::new(capacity);
            assert_eq!(q.try_pop(), None::<usize>);
            for lap in 0..4 {
                for i in 0..capacity {
                    assert!(q.push(lap * 100 + i));
                }
                assert!(!q.push(usize::MAX));
                for i in 0..capacity {
                    assert_eq!(q.try_pop(), Some(lap * 100 + i));
                }
                assert_eq!(q.try_pop(), None);
                assert!(q.is_empty());
            }
        }
    }

    #[test]
    fn try_pop_consumers_racing_producers_lose_and_duplicate_nothing() {
        const PRODUCERS: usize = 3;
        const PER_PRODUCER: usize = 20_000;
        let q = Arc::new(Queue::new(5));
        let consumed = Arc::new(AtomicUsize::new(0));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        let item = Box::new(p * PER_PRODUCER + i);
                        while !q.push(item.clone()) {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (q, consumed) = (q.clone(), consumed.clone());
                std::thread::spawn(move || {
                    let mut seen = Vec::new();
                    while consumed.load(Ordering::Relaxed) < PRODUCERS * PER_PRODUCER {
                        match q.try_pop() {
                            Some(item) => {
                                seen.push(*item);
                                consumed.fetch_add(1, Ordering::Relaxed);
                            }
                            None => std::thread::yield_now(),
                        }
                    }
                    seen
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        let mut all: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (0..PRODUCERS * PER_PRODUCER).collect::<Vec<_>>());
        assert_eq!(q.try_pop(), None);
    }

    #[test]
    fn many_producers_many_consumers_lose_and_reorder_nothing() {
        const PRODUCERS: usize = 4;
        const PER_PRODUCER: usize = 20_000;
        let q = Arc::new(Queue::new(7));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for i in 0..PER_PRODUCER {
                        while !q.push((p, i, Box::new(i))) {
                            std::thread::yield_now();
                        }
                    }
                })
            })
            .collect();
        let consumed = Arc::new(AtomicUsize::new(0));
        let consumers: Vec<_> = (0..2)
            .map(|_| {
                let (q, consumed) = (q.clone(), consumed.clone());
                std::thread::spawn(move || {
                    let mut seen = Vec::new();
                    let mut batch = Vec::new();
                    while consumed.load(Ordering::Relaxed) < PRODUCERS * PER_PRODUCER {
                        let n = q.pop_into(&mut batch, 3);
                        if n == 0 {
                            std::thread::yield_now();
                        }
                        consumed.fetch_add(n, Ordering::Relaxed);
                        seen.append(&mut batch);
                    }
                    seen
                })
            })
            .collect();
        for p in producers {
            p.join().unwrap();
        }
        let mut last = [None::<usize>; PRODUCERS];
        let mut total = 0;
        for c in consumers {
            let seen = c.join().unwrap();
            // Each consumer sees each producer's items in order.
            let mut mine = [None::<usize>; PRODUCERS];
            for (p, i, boxed) in &seen {
                assert_eq!(**boxed, *i);
                assert!(mine[*p].map_or(true, |prev| prev < *i));
                mine[*p] = Some(*i);
                last[*p] = last[*p].max(Some(*i));
            }
            total += seen.len();
        }
        assert_eq!(total, PRODUCERS * PER_PRODUCER);
        assert!(last.iter().all(|l| *l == Some(PER_PRODUCER - 1)));
        assert!(q.is_empty());
    }
}
