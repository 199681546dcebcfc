//! The shim behaves like crossbeam-channel for the code learners write, and
//! records what it does.

use std::time::{Duration, Instant};
use threadlings_channel::record::{self, Kind};
use threadlings_channel::{
    after, bounded, never, select, select_biased, tick, unbounded, Receiver, RecvTimeoutError,
    Sender, TryRecvError,
};

#[test]
fn select_accepts_crossbeams_grammar() {
    let (s1, r1) = unbounded::<i32>();
    let (s2, r2) = bounded::<i32>(1);
    s1.send(10).unwrap();
    // An expression body with a comma, then a block body without one.
    let got = select! {
        recv(r1) -> msg => msg.unwrap(),
        recv(r2) -> msg => { msg.unwrap() + 100 }
    };
    assert_eq!(got, 10);
    // A send arm, biased so the first ready arm wins.
    let fired = select_biased! {
        send(s2, 7) -> res => { res.unwrap(); "send" }
        recv(r1) -> _ => "recv",
    };
    assert_eq!(fired, "send");
    assert_eq!(r2.recv(), Ok(7));
    // Nothing ready: the default arm, with and without a timeout.
    let none = select! { recv(r1) -> _ => 1, default => 2 };
    assert_eq!(none, 2);
    let began = Instant::now();
    let late = select! {
        recv(r1) -> _ => 1,
        recv(never::<i32>()) -> _ => 3,
        default(Duration::from_millis(20)) => 2,
    };
    assert_eq!(late, 2);
    assert!(began.elapsed() >= Duration::from_millis(20));
    // Timers, references and a disconnected channel.
    let ticker = tick(Duration::from_millis(1));
    let at_once = after(Duration::ZERO);
    let which = select! {
        recv(&at_once) -> t => { assert!(t.is_ok()); "after" }
        recv(never::<Instant>()) -> _ => "never",
    };
    assert_eq!(which, "after");
    assert!(ticker.recv().is_ok());
    drop(s1);
    let gone = select! { recv(r1) -> msg => msg.is_err() };
    assert!(gone);
}

#[test]
fn select_arms_can_leave_the_loop() {
    let (s, r) = unbounded();
    let (stop_s, stop_r) = unbounded::<()>();
    for i in 0..3 {
        s.send(i).unwrap();
    }
    stop_s.send(()).unwrap();
    let mut seen = Vec::new();
    loop {
        select_biased! {
            recv(r) -> m => seen.push(m.unwrap()),
            recv(stop_r) -> _ => break,
        }
    }
    assert_eq!(seen, vec![0, 1, 2]);
}

#[test]
fn the_api_matches_crossbeams() {
    let (s, r): (Sender<u8>, Receiver<u8>) = bounded(2);
    assert_eq!(s.capacity(), Some(2));
    assert!(r.is_empty() && s.is_empty());
    s.try_send(1).unwrap();
    s.send_timeout(2, Duration::from_millis(5)).unwrap();
    assert!(s.is_full() && r.is_full());
    assert!(s.try_send(3).is_err());
    assert_eq!(r.len(), 2);
    assert_eq!(r.try_iter().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(r.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(
        r.recv_timeout(Duration::from_millis(1)),
        Err(RecvTimeoutError::Timeout)
    );
    let s2 = s.clone();
    assert!(s.same_channel(&s2));
    s2.send(9).unwrap();
    drop((s, s2));
    assert_eq!(r.iter().collect::<Vec<_>>(), vec![9]);
    assert_eq!(r.recv(), Err(threadlings_channel::RecvError));
    let (s, r) = unbounded::<String>();
    drop(r);
    assert_eq!(s.send("x".into()).unwrap_err().into_inner(), "x");
    assert_eq!(format!("{s:?}"), "Sender { .. }");
}

#[test]
fn every_message_is_numbered_and_recorded() {
    let (s, r) = unbounded();
    let worker = std::thread::spawn(move || r.into_iter().sum::<i32>());
    for i in 0..5 {
        s.send(i).unwrap();
    }
    drop(s);
    assert_eq!(worker.join().unwrap(), 10);
    let events = record::drain();
    // Tests run side by side: this test's channel is the one this thread made.
    let chan = events
        .iter()
        .find(|e| e.kind == Kind::Created && e.tid == record::tid())
        .unwrap()
        .chan;
    let of = |k: Kind| {
        events
            .iter()
            .filter(|e| e.chan == chan && e.kind == k)
            .map(|e| e.seq)
            .collect::<Vec<_>>()
    };
    assert_eq!(of(Kind::Sent), vec![0, 1, 2, 3, 4]);
    assert_eq!(of(Kind::Received), vec![0, 1, 2, 3, 4]);
    assert_eq!(of(Kind::SendersGone).len(), 1);
    assert_eq!(of(Kind::ReceiversGone).len(), 1);
    // Each receive is stamped after its send.
    for seq in 0..5 {
        let at = |k: Kind| {
            events
                .iter()
                .find(|e| e.chan == chan && e.kind == k && e.seq == seq)
                .unwrap()
                .tick
        };
        assert!(at(Kind::Sent) < at(Kind::Received));
    }
}
