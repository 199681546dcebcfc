//! The calls and returns of a sub-history in time order, sorted fast.
//!
//! Sorting them is most of what making a [`Search`](super::Search) costs,
//! and when the search soon finds a violation (a value out of thin air
//! early on) it is most of the check. Each event is packed into one
//! integer, (time, return?, position) from the high bits down. Sequence
//! numbers are small in practice, so the key usually fits in well under
//! 64 bits and a radix sort orders a few thousand of them in a few passes.
//! Making the search of the bench's 1,000-call register history took
//! 447,000 instructions (callgrind) sorting 128-bit keys by comparison,
//! 408,000 sorting 64-bit ones and 350,000 with the radix sort. Keys too
//! wide for it are compared, as 128-bit integers when they do not even fit
//! in 64.

/// Times at or above this stand for "never" (a call that may take effect
/// at any time after its call); at most two of them are used.
const NEVER: u64 = u64::MAX - 1;

/// Fewer events than this are sorted by comparison: a radix pass costs a
/// fixed table of counts besides one step per event.
const RADIX_FROM: usize = 256;
/// Longer keys are sorted by comparison: every byte is one radix pass.
const RADIX_BITS: u32 = 48;

/// The events of operations `0..n`, whose (call, return) times `times`
/// gives, each as `2 * position + 1` for a return and `2 * position` for
/// a call, in time order; at equal times calls come first (the two
/// operations then overlap, the more permissive reading), then by
/// position.
pub(super) fn sorted(n: usize, times: impl Fn(usize) -> (u64, u64)) -> Vec<u64> {
    let finite = |t: u64| if t >= NEVER { 0 } else { t };
    let latest = (0..n)
        .map(|j| {
            let (call, ret) = times(j);
            finite(call).max(finite(ret))
        })
        .max()
        .unwrap_or(0);
    // The times of "never" go just above every other time: the order is
    // the same, and the numbers are small.
    let squash = |t: u64| {
        if t >= NEVER {
            latest + 1 + (t - NEVER)
        } else {
            t
        }
    };
    let position_bits = usize::BITS - n.leading_zeros();
    // Time, then one bit for "return", then the position.
    let time_shift = position_bits + 1;
    let mut events = Vec::with_capacity(2 * n);
    if (latest + 2) >> (64 - time_shift) == 0 {
        let key = |time: u64, ret: u64, j: usize| {
            (squash(time) << time_shift) | (ret << position_bits) | j as u64
        };
        for j in 0..n {
            let (call, ret) = times(j);
            events.push(key(call, 0, j));
            events.push(key(ret, 1, j));
        }
        let bits = 64 - (latest + 2).leading_zeros() + time_shift;
        if events.len() >= RADIX_FROM && bits <= RADIX_BITS {
            radix_sort(&mut events, bits);
        } else {
            events.sort_unstable();
        }
        let position = (1u64 << position_bits) - 1;
        for e in &mut events {
            *e = ((*e & position) << 1) | ((*e >> position_bits) & 1);
        }
    } else {
        let key = |time: u64, ret: u128, j: usize| {
            (u128::from(squash(time)) << 64) | (ret << 63) | j as u128
        };
        let mut wide: Vec<u128> = Vec::with_capacity(2 * n);
        for j in 0..n {
            let (call, ret) = times(j);
            wide.push(key(call, 0, j));
            wide.push(key(ret, 1, j));
        }
        wide.sort_unstable();
        events.extend(
            wide.into_iter()
                .map(|e| (((e as u64) & (u64::MAX >> 1)) << 1) | ((e >> 63) as u64 & 1)),
        );
    }
    events
}

/// Sorts `keys`, none of them wider than `bits`, by least significant
/// digit first, a byte per pass; several times faster than a comparison
/// sort on the few thousand keys of a typical history. A byte that every
/// key shares is skipped.
fn radix_sort(keys: &mut Vec<u64>, bits: u32) {
    let mut sorted = vec![0; keys.len()];
    let mut shift = 0;
    while shift < bits {
        let digit = |key: u64| ((key >> shift) & 0xff) as usize;
        let mut counts = [0usize; 256];
        for &key in keys.iter() {
            counts[digit(key)] += 1;
        }
        if counts.contains(&keys.len()) {
            shift += 8;
            continue;
        }
        // Counts become where each digit's keys start.
        let mut start = 0;
        for count in &mut counts {
            (*count, start) = (start, start + *count);
        }
        for &key in keys.iter() {
            let d = digit(key);
            sorted[counts[d]] = key;
            counts[d] += 1;
        }
        std::mem::swap(keys, &mut sorted);
        shift += 8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order the packed keys must give, from plain tuples.
    fn by_tuples(times: &[(u64, u64)]) -> Vec<u64> {
        let mut events: Vec<(u64, u64, usize)> = times
            .iter()
            .enumerate()
            .flat_map(|(j, &(call, ret))| [(call, 0, j), (ret, 1, j)])
            .collect();
        events.sort_unstable();
        events
            .into_iter()
            .map(|(_, ret, j)| 2 * j as u64 + ret)
            .collect()
    }

    #[test]
    fn small_times_sort_like_tuples_with_calls_first_at_equal_times() {
        let times = [
            (5, 9),
            (1, NEVER),
            (5, 5),
            (2, u64::MAX),
            (0, 5),
            (3, NEVER),
        ];
        let sorted = sorted(times.len(), |j| times[j]);
        assert_eq!(sorted, by_tuples(&times));
        // At time 5: the calls of 0 and 2, then the returns of 2 and 4.
        assert_eq!(&sorted[4..8], [0, 4, 5, 9]);
    }

    #[test]
    fn times_too_large_to_pack_sort_like_tuples() {
        let times = [(1 << 62, NEVER), (3, 1 << 61), (1 << 62, 1 << 62), (2, 3)];
        assert_eq!(sorted(times.len(), |j| times[j]), by_tuples(&times));
    }

    #[test]
    fn many_random_histories_sort_like_tuples() {
        let mut rng = fastrand::Rng::with_seed(13);
        for n in [0, 1, 2, 63, 64, 65, 127, 128, 129, 1000, 5000] {
            for scale in [10, 1000, 1 << 20, 1 << 40, 1 << 50] {
                let times: Vec<(u64, u64)> = (0..n)
                    .map(|_| {
                        let call = rng.u64(..scale);
                        let ret = match rng.u8(..4) {
                            0 => NEVER,
                            1 => u64::MAX,
                            _ => call + rng.u64(..scale),
                        };
                        (call, ret)
                    })
                    .collect();
                assert_eq!(
                    sorted(n, |j| times[j]),
                    by_tuples(&times),
                    "n {n} scale {scale}"
                );
            }
        }
    }
}
