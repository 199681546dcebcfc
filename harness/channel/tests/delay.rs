//! Held-back sends (own test binary: the window is process-wide).

use threadlings_channel::record::{self, Role};
use threadlings_channel::{delay, unbounded};

/// Whether thread `tid` of this process is asleep in the kernel.
fn asleep(tid: u32) -> bool {
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).unwrap();
    let state = stat[stat.rfind(')').unwrap() + 1..]
        .trim_start()
        .chars()
        .next();
    state == Some('S')
}

// One test, so nothing else opens or closes the window meanwhile.
#[test]
fn a_parked_send_waits_for_the_shutdown_thread_to_send_or_block() {
    record::mark(Role::Main, 9);
    let (tx, rx) = unbounded::<&str>();
    delay::shutdown_begins();
    delay::arm();
    let client_tx = tx.clone();
    let client = std::thread::spawn(move || {
        record::mark(Role::Client, 0);
        client_tx.send("command").unwrap();
    });
    // However long the client takes to get there, it parks.
    while delay::parked() == 0 {
        std::thread::yield_now();
    }
    tx.send("stop").unwrap();
    client.join().unwrap();
    delay::disarm();
    assert_eq!(rx.try_iter().collect::<Vec<_>>(), vec!["stop", "command"]);

    // The thread in shutdown() is blocked (as in a join or on a lock a
    // client holds): a parked send goes on, so correct designs never stall.
    let (wake, blocked) = std::sync::mpsc::channel::<()>();
    let (tid_tx, tid_rx) = std::sync::mpsc::channel();
    let shutdown = std::thread::spawn(move || {
        delay::shutdown_begins();
        tid_tx.send(record::tid()).unwrap();
        blocked.recv().unwrap();
    });
    let tid = tid_rx.recv().unwrap();
    while !asleep(tid) {
        std::thread::yield_now();
    }
    delay::arm();
    let client_tx = tx.clone();
    let client = std::thread::spawn(move || {
        record::mark(Role::Client, 0);
        client_tx.send("late").unwrap();
    });
    client.join().unwrap();
    assert_eq!(
        delay::gave_way(),
        1,
        "it went on because shutdown() was blocked"
    );

    // Several held at once, each on its own channel: one watches the
    // shutdown thread for all, and each goes on because it was blocked
    // (none runs into the cap instead).
    let crowd: Vec<_> = (0..3)
        .map(|n| {
            let (client_tx, client_rx) = unbounded::<u32>();
            let client = std::thread::spawn(move || {
                record::mark(Role::Client, n);
                client_tx.send(n).unwrap();
            });
            (client, client_rx)
        })
        .collect();
    for (n, (client, client_rx)) in crowd.into_iter().enumerate() {
        client.join().unwrap();
        assert_eq!(client_rx.try_recv(), Ok(n as u32));
    }
    assert_eq!(delay::gave_way(), 4, "each went on because it was blocked");
    delay::disarm();
    wake.send(()).unwrap();
    shutdown.join().unwrap();
    assert_eq!(rx.try_recv(), Ok("late"));
}
