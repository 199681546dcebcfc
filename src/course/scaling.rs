//! A small benchmark for the scaling lesson: how four ways of keeping one
//! shared count behave as the number of client threads grows.
//!
//! * [`Strategy::Actor`]: one owner thread; clients send fire-and-forget
//!   increments through an unbounded channel.
//! * [`Strategy::Mutex`]: clients lock a `Mutex<u64>` and add one.
//! * [`Strategy::Atomic`]: clients `fetch_add` on an `AtomicU64`.
//! * [`Strategy::ShardedActor`]: [`SHARDS`] owner threads; each increment
//!   carries a key and goes to the owner of `key % SHARDS`.
//! * [`Strategy::BufferActor`]: one owner thread fed through the
//!   bounded-buffer exercise's reference `Buffer` (a `Mutex` and two
//!   `Condvar`s) instead of a channel.
//!
//! Every run performs the same total number of increments, split evenly
//! between the client threads, and the clock stops only once the state has
//! absorbed all of them (for the actors, when every owner has answered a
//! final read). [`run`] does the measuring and [`render`] turns the rows
//! into a table and a text bar chart; `examples/owners.rs` prints it.

use crossbeam_channel::{Sender, bounded, unbounded};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The bounded-buffer exercise's reference solution, as the hand-made
/// channel of [`Strategy::BufferActor`].
#[path = "../../pack/bounded-buffer/solution.rs"]
#[allow(dead_code)]
mod buffer;

/// Capacity of [`Strategy::BufferActor`]'s buffer.
pub const BUFFER_CAPACITY: usize = 1024;

/// How many owner threads the sharded actor uses.
pub const SHARDS: usize = 4;

/// One way of keeping the shared count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// A single owner thread fed by a channel.
    Actor,
    /// A `Mutex<u64>` locked by every client.
    Mutex,
    /// An `AtomicU64` updated with `fetch_add`.
    Atomic,
    /// [`SHARDS`] owner threads, each owning the counts of its keys.
    ShardedActor,
    /// One owner thread fed through a `Mutex` + `Condvar` bounded buffer
    /// of [`BUFFER_CAPACITY`].
    BufferActor,
}

impl Strategy {
    /// All strategies, in the order the table shows them.
    pub const ALL: [Strategy; 5] = [
        Strategy::Actor,
        Strategy::BufferActor,
        Strategy::Mutex,
        Strategy::Atomic,
        Strategy::ShardedActor,
    ];

    /// Short display name.
    pub fn name(self) -> &'static str {
        match self {
            Strategy::Actor => "actor",
            Strategy::Mutex => "mutex",
            Strategy::Atomic => "atomic",
            Strategy::ShardedActor => "sharded actor",
            Strategy::BufferActor => "buffer actor",
        }
    }
}

/// The result of one measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which strategy was measured.
    pub strategy: Strategy,
    /// How many client threads shared the work.
    pub threads: usize,
    /// Total increments performed.
    pub ops: u64,
    /// Wall-clock time from the first increment to the last one applied.
    pub elapsed: Duration,
    /// The count read back at the end (always equal to `ops`).
    pub total: u64,
}

impl Row {
    /// Increments per second.
    pub fn ops_per_sec(&self) -> f64 {
        self.ops as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Measures every [`Strategy`] once for each entry of `threads`, with `ops`
/// increments per measurement, and returns one [`Row`] per pair (grouped by
/// thread count). Thread counts of zero are treated as one.
pub fn run(threads: &[usize], ops: u64) -> Vec<Row> {
    let mut rows = Vec::with_capacity(threads.len() * Strategy::ALL.len());
    for &n in threads {
        let n = n.max(1);
        for strategy in Strategy::ALL {
            rows.push(measure(strategy, n, ops));
        }
    }
    rows
}

/// How many increments client `client` of `threads` performs.
fn share(ops: u64, threads: usize, client: usize) -> u64 {
    let threads = threads as u64;
    ops / threads + u64::from((client as u64) < ops % threads)
}

fn measure(strategy: Strategy, threads: usize, ops: u64) -> Row {
    let (elapsed, total) = match strategy {
        Strategy::Actor => with_owners(1, threads, ops),
        Strategy::ShardedActor => with_owners(SHARDS, threads, ops),
        Strategy::BufferActor => with_buffer(threads, ops),
        Strategy::Mutex => {
            let count = Mutex::new(0u64);
            let began = Instant::now();
            std::thread::scope(|s| {
                for client in 0..threads {
                    let count = &count;
                    s.spawn(move || {
                        for _ in 0..share(ops, threads, client) {
                            *count.lock().expect("no client panics") += 1;
                        }
                    });
                }
            });
            let total = *count.lock().expect("no client panics");
            (began.elapsed(), total)
        }
        Strategy::Atomic => {
            let count = AtomicU64::new(0);
            let began = Instant::now();
            std::thread::scope(|s| {
                for client in 0..threads {
                    let count = &count;
                    s.spawn(move || {
                        for _ in 0..share(ops, threads, client) {
                            count.fetch_add(1, Ordering::Relaxed);
                        }
                    });
                }
            });
            (began.elapsed(), count.load(Ordering::Relaxed))
        }
    };
    Row {
        strategy,
        threads,
        ops,
        elapsed,
        total,
    }
}

/// What the owner threads of the actor strategies understand.
enum Msg {
    /// Add one to the count of this key.
    Add(u64),
    /// Reply with the sum of all counts this owner holds.
    Total(Sender<u64>),
}

/// Runs `shards` owner threads and `threads` clients; returns the time until
/// every owner answered its final read, and the summed count.
fn with_owners(shards: usize, threads: usize, ops: u64) -> (Duration, u64) {
    std::thread::scope(|s| {
        let mut mailboxes = Vec::with_capacity(shards);
        for _ in 0..shards {
            let (tx, rx) = unbounded::<Msg>();
            mailboxes.push(tx);
            s.spawn(move || {
                // The owner's private state: one count per key it owns.
                let mut counts = std::collections::HashMap::<u64, u64>::new();
                for msg in rx {
                    match msg {
                        Msg::Add(key) => *counts.entry(key).or_default() += 1,
                        Msg::Total(reply) => {
                            let _ = reply.send(counts.values().sum());
                        }
                    }
                }
            });
        }
        let began = Instant::now();
        std::thread::scope(|clients| {
            for client in 0..threads {
                let mailboxes = &mailboxes;
                clients.spawn(move || {
                    for i in 0..share(ops, threads, client) {
                        let key = (client as u64) << 32 | (i % 64);
                        let shard = (i as usize + client) % mailboxes.len();
                        mailboxes[shard].send(Msg::Add(key)).expect("owner alive");
                    }
                });
            }
        });
        let mut total = 0;
        for mailbox in &mailboxes {
            let (reply, answer) = bounded(1);
            mailbox.send(Msg::Total(reply)).expect("owner alive");
            total += answer.recv().expect("owner alive");
        }
        let elapsed = began.elapsed();
        // Dropping the senders disconnects the owners, which then return and
        // are joined by the scope.
        drop(mailboxes);
        (elapsed, total)
    })
}

/// One owner thread counting the increments that `threads` clients push
/// into a [`buffer::Buffer`]; the clock stops when the owner, having
/// drained the closed buffer, hands back its count.
fn with_buffer(threads: usize, ops: u64) -> (Duration, u64) {
    let inbox = buffer::Buffer::new(BUFFER_CAPACITY);
    std::thread::scope(|s| {
        let inbox = &inbox;
        let began = Instant::now();
        let owner = s.spawn(move || {
            let mut count = 0u64;
            while inbox.pop().is_ok() {
                count += 1;
            }
            count
        });
        std::thread::scope(|clients| {
            for client in 0..threads {
                clients.spawn(move || {
                    for i in 0..share(ops, threads, client) {
                        inbox.push(i).expect("open until the clients are done");
                    }
                });
            }
        });
        inbox.close();
        let total = owner.join().expect("the owner never panics");
        (began.elapsed(), total)
    })
}

/// Formats `rows` as a table followed by one text bar per row, scaled so the
/// fastest row gets a bar `width` characters long.
pub fn render(rows: &[Row], width: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:>7}  {:<13} {:>14} {:>10}",
        "threads", "strategy", "ops/s", "ms"
    );
    for row in rows {
        let _ = writeln!(
            out,
            "{:>7}  {:<13} {:>14.0} {:>10.2}",
            row.threads,
            row.strategy.name(),
            row.ops_per_sec(),
            row.elapsed.as_secs_f64() * 1e3
        );
    }
    let best = rows.iter().map(Row::ops_per_sec).fold(0.0, f64::max);
    out.push('\n');
    for row in rows {
        let length = if best > 0.0 {
            ((row.ops_per_sec() / best) * width as f64).round() as usize
        } else {
            0
        };
        let label = format!("{} x{}", row.strategy.name(), row.threads);
        let _ = writeln!(out, "{label:<17} |{}", "#".repeat(length.max(1)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up() {
        for threads in 1..9 {
            let sum: u64 = (0..threads).map(|c| share(1003, threads, c)).sum();
            assert_eq!(sum, 1003);
        }
    }

    #[test]
    fn every_strategy_counts_every_increment() {
        let rows = run(&[1, 3], 2_000);
        assert_eq!(rows.len(), 10);
        for row in &rows {
            assert_eq!(row.total, 2_000, "{row:?}");
            assert!(row.ops_per_sec() > 0.0);
        }
        let text = render(&rows, 40);
        assert!(text.contains("sharded actor"));
        assert!(text.contains("buffer actor"));
        assert_eq!(text.lines().filter(|l| l.contains('|')).count(), 10);
    }
}
