//! Shared machinery for driving a solution under concurrent load: seeded
//! workloads, small random pauses between calls, a global clock for call
//! histories, and catching panics so one failing call does not end the run.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once any thread panicked, so drivers can stop early.
static PANICKED: AtomicBool = AtomicBool::new(false);

/// The next tick of the global event clock: every call takes a number
/// before it starts and after it returns, so `a.ret < b.call` means a really
/// finished before b began. The recording `crossbeam_channel` stamps its
/// sends and receives on the same clock.
pub fn tick() -> u64 {
    threadlings_channel::record::tick()
}

/// Whether any thread has panicked so far in this run.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Reports every panic, on any thread, with its message and location.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        PANICKED.store(true, Ordering::SeqCst);
        let message = if let Some(s) = info.payload().downcast_ref::<&str>() {
            s.to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "(a panic with a non-text payload)".to_string()
        };
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        let name = thread.name().unwrap_or("(unnamed thread)").to_string();
        crate::report::send(
            "panic",
            &[
                &crate::report::escape(&name),
                &crate::report::escape(&location),
                &crate::report::escape(&message),
            ],
        );
    }));
}

/// Runs one call into learner code, catching a panic: `None` if it panicked.
pub fn call<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// A small random pause between calls, so that threads interleave in many
/// different ways even on a machine with two cores.
pub fn jitter(rng: &mut fastrand::Rng) {
    match rng.u8(0..100) {
        0..=49 => {}
        50..=74 => {
            for _ in 0..rng.u32(0..200) {
                std::hint::spin_loop();
            }
        }
        75..=89 => std::thread::yield_now(),
        _ => std::thread::sleep(std::time::Duration::from_micros(rng.u64(0..50))),
    }
}

/// One recorded call: `op\t<trial>\t<thread>\t<call>\t<ret>\t<input>\t<output>`,
/// with `-` for the return tick and output of a call that never returned.
pub fn op_record(
    trial: usize,
    thread: usize,
    call: u64,
    ret: Option<u64>,
    input: &str,
    output: Option<&str>,
) -> String {
    format!(
        "op\t{trial}\t{thread}\t{call}\t{}\t{input}\t{}",
        ret.map_or("-".to_string(), |r| r.to_string()),
        output.unwrap_or("-"),
    )
}

/// The run's seed, from the command line (`<phase> <seed>`).
pub fn seed_from_args() -> u64 {
    std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// Runs one trial's `clients` client threads at once and returns what each
/// returned, in client order. Client `n` runs on a thread named `client n`
/// with its own RNG, seeded from the run's seed, the trial and `n`, so a
/// seed replays the same workload. A client whose thread panicked gives
/// `T::default()` (the panic itself is reported by the panic hook).
pub fn run_clients<T, F>(clients: usize, seed: u64, trial: usize, client: F) -> Vec<T>
where
    T: Default + Send,
    F: Fn(usize, &mut fastrand::Rng) -> T + Sync,
{
    let client = &client;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|n| {
                std::thread::Builder::new()
                    .name(format!("client {n}"))
                    .spawn_scoped(scope, move || {
                        let mut rng = fastrand::Rng::with_seed(
                            seed ^ ((trial as u64) << 32) ^ ((n as u64 + 1) * 0x9E37_79B9),
                        );
                        crate::messages::client_thread(n, rng.u64(..));
                        client(n, &mut rng)
                    })
                    .expect("cannot start a client thread")
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_default())
            .collect()
    })
}
