//! The recorder: one clock, one event per channel operation, and which
//! threads are the harness's own.
//!
//! Events go to a buffer of the thread that made them (an uncontended lock),
//! so recording does not make the learner's threads wait for each other
//! more than their channels already do. The harness drains every buffer at
//! the end of a trial.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The global event clock the harness stamps call records with: a tick
/// taken inside a call lies between the call's own two ticks.
static CLOCK: AtomicU64 = AtomicU64::new(0);
/// Channels created so far (also the next channel's id).
static CHANNELS: AtomicU64 = AtomicU64::new(0);
/// Every thread's event buffer, for [`drain`].
static BUFFERS: Mutex<Vec<Arc<Mutex<Vec<Event>>>>> = Mutex::new(Vec::new());
/// Receiver handles alive now that a learner's thread received through
/// last: handle id to that thread's id.
static USED: Mutex<Option<HashMap<u64, u32>>> = Mutex::new(None);

/// The next tick of the global clock.
pub fn tick() -> u64 {
    CLOCK.fetch_add(1, Ordering::SeqCst)
}

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A channel was created.
    Created,
    /// A message was sent (the send succeeded).
    Sent,
    /// A message was received.
    Received,
    /// The channel's last sender was dropped.
    SendersGone,
    /// The channel's last receiver was dropped.
    ReceiversGone,
}

/// One recorded channel event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: Kind,
    /// The channel.
    pub chan: u64,
    /// The message's number on its channel (0 for channel-wide events).
    pub seq: u64,
    /// The clock tick just after it happened.
    pub tick: u64,
    /// The kernel's id of the thread that did it.
    pub tid: u32,
    /// The harness lane of that thread, if it is one of the harness's.
    pub lane: Option<u32>,
}

/// Who a thread is, as far as the recorder knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A thread of the learner's code (or anything not marked).
    Learner,
    /// A harness client thread: its sends may be delayed.
    Client,
    /// The harness's main thread: it calls `shutdown()` and is never delayed.
    Main,
}

thread_local! {
    static TID: Cell<u32> = const { Cell::new(0) };
    static ROLE: Cell<(Role, u32)> = const { Cell::new((Role::Learner, 0)) };
    static BUFFER: Arc<Mutex<Vec<Event>>> = {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        lock(&BUFFERS).push(Arc::clone(&buffer));
        buffer
    };
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The calling thread's kernel id.
pub fn tid() -> u32 {
    TID.with(|t| {
        if t.get() == 0 {
            // SAFETY: gettid takes no arguments and cannot fail.
            t.set(unsafe { libc::gettid() } as u32);
        }
        t.get()
    })
}

/// Marks the calling thread as the harness's, on `lane`.
pub fn mark(role: Role, lane: u32) {
    ROLE.with(|r| r.set((role, lane)));
}

/// The calling thread's role.
pub fn role() -> Role {
    ROLE.with(|r| r.get().0)
}

fn lane() -> Option<u32> {
    ROLE.with(|r| match r.get() {
        (Role::Learner, _) => None,
        (_, lane) => Some(lane),
    })
}

/// Records one event of the calling thread.
pub(crate) fn push(kind: Kind, chan: u64, seq: u64) {
    let event = Event {
        kind,
        chan,
        seq,
        tick: tick(),
        tid: tid(),
        lane: lane(),
    };
    // A thread being torn down has no buffer left; its event is dropped.
    let _ = BUFFER.try_with(|b| lock(b).push(event));
}

/// A new channel's id, its creation recorded.
pub(crate) fn new_channel() -> u64 {
    let chan = CHANNELS.fetch_add(1, Ordering::SeqCst) + 1;
    push(Kind::Created, chan, 0);
    chan
}

/// How many channels have been created so far.
pub fn channels_created() -> u64 {
    CHANNELS.load(Ordering::SeqCst)
}

/// Takes every event recorded so far, in clock order.
pub fn drain() -> Vec<Event> {
    let mut all = Vec::new();
    let mut buffers = lock(&BUFFERS);
    for buffer in buffers.iter() {
        all.append(&mut lock(buffer));
    }
    // Buffers of threads that have ended are empty now and nobody else
    // holds them.
    buffers.retain(|b| Arc::strong_count(b) > 1);
    all.sort_by_key(|e| e.tick);
    all
}

/// Notes that a learner's thread received through receiver handle `handle`.
pub(crate) fn used_by_learner(handle: u64, tid: u32) {
    lock(&USED)
        .get_or_insert_with(HashMap::new)
        .insert(handle, tid);
}

/// Notes that receiver handle `handle` was dropped.
pub(crate) fn receiver_dropped(handle: u64) {
    if let Some(used) = lock(&USED).as_mut() {
        used.remove(&handle);
    }
}

/// Receiver handles alive now that a learner's thread received through
/// last, with that thread's id: a worker that still holds its mailbox.
pub fn held_by_learner() -> Vec<u32> {
    lock(&USED)
        .as_ref()
        .map(|u| u.values().copied().collect())
        .unwrap_or_default()
}
