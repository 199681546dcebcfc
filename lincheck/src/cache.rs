//! The search's memo: fingerprints of (set of linearized calls, state)
//! pairs in a flat table whose memory has a hard cap.
//!
//! A `HashSet<(BitSet, State)>` stores whole keys, re-hashes every key when
//! it grows and has no upper bound; on a hard history it took gigabytes and
//! most of the time went into resizing and then freeing it. Here a key is a
//! 128-bit fingerprint: 64 bits for the set (a Zobrist hash, updated with
//! one XOR per call placed or undone) and 64 bits for the state (hashed
//! once, when the state is made). Growing moves fingerprints without
//! hashing anything, freeing is one deallocation, and the table stops
//! growing when the check's [`MemoryBudget`] is spent. From then on a new
//! fingerprint that finds no free slot near its home replaces an old one:
//! the search stays correct (forgetting a pair only means it may be
//! explored again), it just gets slower.
//!
//! Two different pairs with the same fingerprint would make the search skip
//! a pair it has not explored. With random 64-bit Zobrist keys and a
//! mixed state hash, the chance over a check that stores `m` pairs and
//! looks up `s` is about `s * m / 2^128`: below 1e-20 for the largest table
//! and billions of lookups.

use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes the caches of one check may still take, shared by the searches
/// of every partition.
///
/// One hard part must not take it all and leave the others searching
/// without a memo, so an eighth is kept back for small tables (up to a
/// sixty-fourth of the whole each): only they may grow into it.
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    left: Arc<AtomicUsize>,
    total: usize,
}

impl MemoryBudget {
    /// A budget of `bytes`.
    pub fn new(bytes: usize) -> Self {
        MemoryBudget {
            left: Arc::new(AtomicUsize::new(bytes)),
            total: bytes,
        }
    }

    /// Bytes not yet taken.
    pub fn left(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }

    /// Takes `bytes` for a table that will hold `table` bytes.
    fn take(&self, bytes: usize, table: usize) -> bool {
        let reserve = if table <= self.total / 64 {
            0
        } else {
            self.total / 8
        };
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes).filter(|&rest| rest >= reserve)
            })
            .is_ok()
    }

    fn give(&self, bytes: usize) {
        self.left.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Slots in a table's first allocation.
const MIN_SLOTS: usize = 1 << 8;
/// Slots looked at before a full table evicts; keeps every insert O(1).
const MAX_PROBES: usize = 16;
const SLOT_BYTES: usize = size_of::<u128>();

/// A set of fingerprints (0 means an empty slot) with linear probing.
pub(crate) struct Cache {
    slots: Vec<u128>,
    len: usize,
    budget: MemoryBudget,
    /// Set once the budget refused to let the table grow.
    capped: bool,
    /// Fingerprints overwritten since the table stopped growing.
    pub(crate) evicted: u64,
}

impl Cache {
    pub(crate) fn new(budget: MemoryBudget) -> Self {
        Cache {
            slots: Vec::new(),
            len: 0,
            budget,
            capped: false,
            evicted: 0,
        }
    }

    /// Adds the fingerprint of (`set`, `state`); `true` when it was not
    /// there (or had been evicted).
    pub(crate) fn insert(&mut self, set: u64, state: u64) -> bool {
        if !self.capped && self.len * 2 >= self.slots.len() {
            self.grow();
        }
        if self.slots.is_empty() {
            // Not even the smallest table fits: search without a memo.
            return true;
        }
        let key = fingerprint(set, state);
        let mask = self.slots.len() - 1;
        let mut pos = home(key) & mask;
        for _ in 0..MAX_PROBES {
            let slot = self.slots[pos];
            if slot == key {
                return false;
            }
            if slot == 0 {
                self.slots[pos] = key;
                self.len += 1;
                return true;
            }
            pos = (pos + 1) & mask;
        }
        // Full neighbourhood: forget the last entry looked at. No slot is
        // emptied, so every other entry stays reachable from its home.
        self.slots[(pos + mask) & mask] = key;
        self.evicted += 1;
        true
    }

    /// Bytes the table holds.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.len() * SLOT_BYTES
    }

    fn grow(&mut self) {
        let old = self.slots.len();
        let new = (old * 2).max(MIN_SLOTS);
        // Both tables exist while moving, so take the new one whole first.
        if !self.budget.take(new * SLOT_BYTES, new * SLOT_BYTES) {
            self.capped = true;
            return;
        }
        let mut slots = vec![0u128; new];
        let mask = new - 1;
        for &key in self.slots.iter().filter(|&&k| k != 0) {
            let mut pos = home(key) & mask;
            while slots[pos] != 0 {
                pos = (pos + 1) & mask;
            }
            slots[pos] = key;
        }
        self.slots = slots;
        self.budget.give(old * SLOT_BYTES);
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.budget.give(self.bytes());
    }
}

fn fingerprint(set: u64, state: u64) -> u128 {
    (((set as u128) << 64) | state as u128).max(1)
}

fn home(key: u128) -> usize {
    let (hi, lo) = ((key >> 64) as u64, key as u64);
    (hi ^ lo.rotate_left(29).wrapping_mul(0x9e37_79b9_7f4a_7c15)) as usize
}

/// Hashes a state once, with a fixed (so replayable) fast hasher whose
/// result is mixed so every bit depends on every input bit.
pub(crate) fn hash_state<T: Hash>(value: &T) -> u64 {
    let mut hasher = Fold(0);
    value.hash(&mut hasher);
    mix(hasher.0)
}

/// The Zobrist key of position `j` of a search: fixed pseudo-random bits.
pub(crate) fn zobrist(j: usize) -> u64 {
    mix((j as u64)
        .wrapping_add(1)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// A final avalanche (MurmurHash3's fmix64).
fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    x ^ (x >> 33)
}

/// Folds words in with a rotate, xor and multiply; cheap, and [`mix`]
/// makes up for its weak avalanche.
struct Fold(u64);

impl Hasher for Fold {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_u8(&mut self, v: u8) {
        self.write_u64(v.into());
    }

    fn write_u16(&mut self, v: u16) {
        self.write_u64(v.into());
    }

    fn write_u32(&mut self, v: u32) {
        self.write_u64(v.into());
    }

    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_until_the_cap_then_evicts_but_stays_within_it() {
        let cap = 64 * MIN_SLOTS * SLOT_BYTES;
        let budget = MemoryBudget::new(cap);
        let mut cache = Cache::new(budget.clone());
        for i in 0..1000u64 {
            assert!(cache.insert(zobrist(i as usize), i));
        }
        assert!((0..1000u64).all(|i| !cache.insert(zobrist(i as usize), i)));
        for i in 1000..100_000u64 {
            cache.insert(zobrist(i as usize), i);
            assert!(cache.bytes() <= cap);
        }
        assert!(cache.evicted > 0);
        drop(cache);
        assert_eq!(budget.left(), cap, "memory given back");
    }

    #[test]
    fn big_tables_leave_room_for_small_ones() {
        let cap = 256 * MIN_SLOTS * SLOT_BYTES;
        let budget = MemoryBudget::new(cap);
        // Six hard parts, each filling its table until it may not grow:
        // without a reserve they would leave less than a small table needs.
        let big: Vec<Cache> = (0..6u64)
            .map(|b| {
                let mut cache = Cache::new(budget.clone());
                for i in 0..40_000u64 {
                    cache.insert(zobrist(i as usize), i ^ (b << 32));
                }
                cache
            })
            .collect();
        assert!(big.iter().all(|c| c.evicted > 0), "every big table is full");
        let mut small = Cache::new(budget.clone());
        // Up to a 64th of the cap (1,024 slots), kept at most half full.
        for i in 0..500u64 {
            assert!(small.insert(zobrist(i as usize), i));
        }
        assert!((0..500u64).all(|i| !small.insert(zobrist(i as usize), i)));
    }

    #[test]
    fn no_budget_means_no_memo() {
        let mut cache = Cache::new(MemoryBudget::new(0));
        assert!(cache.insert(1, 2));
        assert!(cache.insert(1, 2), "nothing remembered");
    }
}
