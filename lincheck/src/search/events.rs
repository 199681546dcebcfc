//! The calls and returns of a sub-history in time order, sorted fast.
//!
//! Sorting them is most of what making a [`Search`](super::Search) costs,
//! and when the search soon finds a violation (a value out of thin air
//! early on) it is most of the check. Times recorded by one counter for
//! every call and return are about as many as the events, so one counting
//! pass over the times places every event. Times spread wider (a part of
//! a longer history) are packed with the event into one integer, (time,
//! return?, position) from the high bits down, which usually fits in well
//! under 64 bits and is radix-sorted a byte per pass. Making the search of
//! the bench's 1,000-call register history took 447,000 instructions
//! (callgrind) sorting 128-bit keys by comparison, 408,000 sorting 64-bit
//! ones, 350,000 with the radix sort and 259,000 with counting. Keys too wide
//! for the radix sort are compared, as 128-bit integers when they do not
//! even fit in 64.

/// Times at or above this stand for "never" (a call that may take effect
/// at any time after its call); at most two of them are used.
const NEVER: u64 = u64::MAX - 1;

/// Times spanning at most this many values per event are placed by one
/// counting pass over the times themselves.
const COUNTING_SPAN: u64 = 4;
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
    let times: Vec<(u64, u64)> = (0..n).map(times).collect();
    let (mut earliest, mut latest) = (u64::MAX, 0);
    for t in times.iter().flat_map(|&(call, ret)| [call, ret]) {
        if t < NEVER {
            earliest = earliest.min(t);
            latest = latest.max(t);
        }
    }
    let earliest = earliest.min(latest);
    // The times of "never" go just above every other time: the order is
    // the same, and the numbers are small.
    let squash = |t: u64| {
        if t >= NEVER {
            latest + 1 + (t - NEVER)
        } else {
            t
        }
    };
    // Times as recorded (one counter for every call and return) are about
    // as many as the events: sorting is then one pass of counting.
    let span = latest.saturating_add(3) - earliest;
    if span <= COUNTING_SPAN.saturating_mul(2 * n as u64) {
        let slot = |t: u64| (squash(t) - earliest) as usize;
        // Per time: how many events have it, then where the first goes.
        let mut next = vec![0usize; span as usize];
        for &(call, ret) in &times {
            next[slot(call)] += 1;
            next[slot(ret)] += 1;
        }
        let mut start = 0;
        for count in &mut next {
            (*count, start) = (start, start + *count);
        }
        // Every call before every return, each by position: at equal times
        // that is the order wanted.
        let mut events = vec![0; 2 * n];
        for (j, &(call, _)) in times.iter().enumerate() {
            events[next[slot(call)]] = 2 * j as u64;
            next[slot(call)] += 1;
        }
        for (j, &(_, ret)) in times.iter().enumerate() {
            events[next[slot(ret)]] = 2 * j as u64 + 1;
            next[slot(ret)] += 1;
        }
        return events;
    }
    let position_bits = usize::BITS - n.leading_zeros();
    // Time, then one bit for "return", then the position.
    let time_shift = position_bits + 1;
    let mut events = Vec::with_capacity(2 * n);
    if (latest + 2) >> (64 - time_shift) == 0 {
        let key = |time: u64, ret: u64, j: usize| {
            (squash(time) << time_shift) | (ret << position_bits) | j as u64
        };
        for (j, &(call, ret)) in times.iter().enumerate() {
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
        for (j, &(call, ret)) in times.iter().enumerate() {
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
        // Small scales take the counting pass, larger ones the radix sort,
        // the largest the comparison sort.
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
