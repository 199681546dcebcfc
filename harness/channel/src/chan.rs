//! `Sender` and `Receiver`: crossbeam's, with every message numbered and
//! every operation recorded.

use crate::delay;
use crate::record::{self, Kind, Role};
use crossbeam_channel as cb;
use crossbeam_channel::{
    RecvError, RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError,
};
use std::fmt;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A message on the wire: the learner's value and its number.
pub(crate) struct Envelope<T> {
    seq: u64,
    msg: T,
}

impl<T> Envelope<T> {
    /// The message's number on its channel.
    pub(crate) fn seq(&self) -> u64 {
        self.seq
    }
    /// The learner's value.
    pub(crate) fn into_msg(self) -> T {
        self.msg
    }
}

/// What every handle of one channel shares.
pub(crate) struct Channel {
    id: u64,
    /// Messages numbered so far (the next one's number).
    next: AtomicU64,
    /// Successful sends so far, for [`delay`].
    pub(crate) sent: AtomicU64,
    senders: AtomicUsize,
    receivers: AtomicUsize,
}

impl Channel {
    fn new() -> Arc<Channel> {
        Arc::new(Channel {
            id: record::new_channel(),
            next: AtomicU64::new(0),
            sent: AtomicU64::new(0),
            senders: AtomicUsize::new(1),
            receivers: AtomicUsize::new(1),
        })
    }
}

/// The sending side of a channel.
pub struct Sender<T> {
    pub(crate) inner: cb::Sender<Envelope<T>>,
    pub(crate) chan: Arc<Channel>,
}

/// How a receiver gets its messages: from a channel of numbered messages,
/// or from one of crossbeam's timers (`tick`, `after`, `at`, `never`).
pub(crate) enum Flavor<T> {
    Messages(cb::Receiver<Envelope<T>>),
    Timer(cb::Receiver<T>),
}

/// The receiving side of a channel.
pub struct Receiver<T> {
    pub(crate) flavor: Flavor<T>,
    pub(crate) chan: Arc<Channel>,
    /// This handle's id, for the recorder's list of held receivers.
    handle: u64,
    /// The learner's thread that received through this handle last (0: none).
    user: AtomicU32,
}

static HANDLES: AtomicU64 = AtomicU64::new(0);

fn wrap<T>(
    (s, r): (cb::Sender<Envelope<T>>, cb::Receiver<Envelope<T>>),
) -> (Sender<T>, Receiver<T>) {
    let chan = Channel::new();
    let sender = Sender {
        inner: s,
        chan: Arc::clone(&chan),
    };
    (sender, Receiver::new(Flavor::Messages(r), chan))
}

/// Creates a channel of unbounded capacity.
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    wrap(cb::unbounded())
}

/// Creates a channel of bounded capacity (zero: every send waits for a receive).
pub fn bounded<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    wrap(cb::bounded(cap))
}

fn timer(r: cb::Receiver<Instant>) -> Receiver<Instant> {
    let chan = Channel::new();
    chan.senders.store(0, Ordering::SeqCst);
    Receiver::new(Flavor::Timer(r), chan)
}

/// Creates a receiver that delivers a message after a certain duration of time.
pub fn after(duration: Duration) -> Receiver<Instant> {
    timer(cb::after(duration))
}

/// Creates a receiver that delivers a message at a certain instant in time.
pub fn at(when: Instant) -> Receiver<Instant> {
    timer(cb::at(when))
}

/// Creates a receiver that never delivers messages.
pub fn never<T>() -> Receiver<T> {
    let chan = Channel::new();
    chan.senders.store(0, Ordering::SeqCst);
    Receiver::new(Flavor::Timer(cb::never()), chan)
}

/// Creates a receiver that delivers messages periodically.
pub fn tick(duration: Duration) -> Receiver<Instant> {
    timer(cb::tick(duration))
}

fn unwrap_send<T>(e: SendError<Envelope<T>>) -> SendError<T> {
    SendError(e.0.msg)
}

impl<T> Sender<T> {
    /// The next message's envelope; the send is held back first if the
    /// harness says so.
    pub(crate) fn envelope(&self, msg: T) -> Envelope<T> {
        delay::before_send(&self.chan.sent);
        self.numbered(msg)
    }

    /// The next message's envelope, at once (a send `select!` has already
    /// chosen is never held: its partner may be waiting for it).
    pub(crate) fn numbered(&self, msg: T) -> Envelope<T> {
        Envelope {
            seq: self.chan.next.fetch_add(1, Ordering::Relaxed),
            msg,
        }
    }

    /// Records a send that went through.
    pub(crate) fn sent(&self, seq: u64) {
        self.chan.sent.fetch_add(1, Ordering::SeqCst);
        record::push(Kind::Sent, self.chan.id, seq);
        delay::after_send();
    }

    /// Records the outcome of sending message `seq`.
    pub(crate) fn finish<E>(&self, seq: u64, result: Result<(), E>) -> Result<(), E> {
        if result.is_ok() {
            self.sent(seq);
        }
        result
    }

    /// Attempts to send a message into the channel without blocking.
    pub fn try_send(&self, msg: T) -> Result<(), TrySendError<T>> {
        let env = self.envelope(msg);
        let seq = env.seq;
        let result = self.inner.try_send(env).map_err(|e| match e {
            TrySendError::Full(e) => TrySendError::Full(e.msg),
            TrySendError::Disconnected(e) => TrySendError::Disconnected(e.msg),
        });
        self.finish(seq, result)
    }

    /// Blocks the current thread until a message is sent or the channel is disconnected.
    pub fn send(&self, msg: T) -> Result<(), SendError<T>> {
        let env = self.envelope(msg);
        let seq = env.seq;
        let result = self.inner.send(env).map_err(unwrap_send);
        self.finish(seq, result)
    }

    /// Waits for a message to be sent into the channel, but only for a limited time.
    pub fn send_timeout(&self, msg: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        let env = self.envelope(msg);
        let seq = env.seq;
        let result = self.inner.send_timeout(env, timeout).map_err(|e| match e {
            SendTimeoutError::Timeout(e) => SendTimeoutError::Timeout(e.msg),
            SendTimeoutError::Disconnected(e) => SendTimeoutError::Disconnected(e.msg),
        });
        self.finish(seq, result)
    }

    /// Waits for a message to be sent into the channel, but only until a given deadline.
    pub fn send_deadline(&self, msg: T, deadline: Instant) -> Result<(), SendTimeoutError<T>> {
        self.send_timeout(msg, deadline.saturating_duration_since(Instant::now()))
    }

    /// Returns `true` if the channel is empty.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Returns `true` if the channel is full.
    pub fn is_full(&self) -> bool {
        self.inner.is_full()
    }

    /// Returns the number of messages in the channel.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// If the channel is bounded, returns its capacity.
    pub fn capacity(&self) -> Option<usize> {
        self.inner.capacity()
    }

    /// Returns `true` if senders belong to the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.inner.same_channel(&other.inner)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.senders.fetch_add(1, Ordering::SeqCst);
        Sender {
            inner: self.inner.clone(),
            chan: Arc::clone(&self.chan),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if self.chan.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            record::push(Kind::SendersGone, self.chan.id, 0);
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> Receiver<T> {
    fn new(flavor: Flavor<T>, chan: Arc<Channel>) -> Receiver<T> {
        Receiver {
            flavor,
            chan,
            handle: HANDLES.fetch_add(1, Ordering::Relaxed),
            user: AtomicU32::new(0),
        }
    }

    /// Opens an envelope that arrived, recording the receive.
    pub(crate) fn opened(&self, env: Envelope<T>) -> T {
        record::push(Kind::Received, self.chan.id, env.seq);
        if record::role() == Role::Learner {
            let tid = record::tid();
            if self.user.swap(tid, Ordering::Relaxed) != tid {
                record::used_by_learner(self.handle, tid);
            }
        }
        env.msg
    }

    /// Attempts to receive a message from the channel without blocking.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.flavor {
            Flavor::Messages(r) => r.try_recv().map(|e| self.opened(e)),
            Flavor::Timer(r) => r.try_recv(),
        }
    }

    /// Blocks the current thread until a message is received or the channel is empty and disconnected.
    pub fn recv(&self) -> Result<T, RecvError> {
        match &self.flavor {
            Flavor::Messages(r) => r.recv().map(|e| self.opened(e)),
            Flavor::Timer(r) => r.recv(),
        }
    }

    /// Waits for a message to be received from the channel, but only for a limited time.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        match &self.flavor {
            Flavor::Messages(r) => r.recv_timeout(timeout).map(|e| self.opened(e)),
            Flavor::Timer(r) => r.recv_timeout(timeout),
        }
    }

    /// Waits for a message to be received from the channel, but only before a given deadline.
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        match &self.flavor {
            Flavor::Messages(r) => r.recv_deadline(deadline).map(|e| self.opened(e)),
            Flavor::Timer(r) => r.recv_deadline(deadline),
        }
    }

    /// Returns `true` if the channel is empty.
    pub fn is_empty(&self) -> bool {
        match &self.flavor {
            Flavor::Messages(r) => r.is_empty(),
            Flavor::Timer(r) => r.is_empty(),
        }
    }

    /// Returns `true` if the channel is full.
    pub fn is_full(&self) -> bool {
        match &self.flavor {
            Flavor::Messages(r) => r.is_full(),
            Flavor::Timer(r) => r.is_full(),
        }
    }

    /// Returns the number of messages in the channel.
    pub fn len(&self) -> usize {
        match &self.flavor {
            Flavor::Messages(r) => r.len(),
            Flavor::Timer(r) => r.len(),
        }
    }

    /// If the channel is bounded, returns its capacity.
    pub fn capacity(&self) -> Option<usize> {
        match &self.flavor {
            Flavor::Messages(r) => r.capacity(),
            Flavor::Timer(r) => r.capacity(),
        }
    }

    /// A blocking iterator over messages in the channel.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { receiver: self }
    }

    /// A non-blocking iterator over messages in the channel.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { receiver: self }
    }

    /// Returns `true` if receivers belong to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        self.chan.receivers.fetch_add(1, Ordering::SeqCst);
        let flavor = match &self.flavor {
            Flavor::Messages(r) => Flavor::Messages(r.clone()),
            Flavor::Timer(r) => Flavor::Timer(r.clone()),
        };
        Receiver::new(flavor, Arc::clone(&self.chan))
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if self.user.load(Ordering::Relaxed) != 0 {
            delay::before_receiver_drop();
            record::receiver_dropped(self.handle);
        }
        if self.chan.receivers.fetch_sub(1, Ordering::SeqCst) == 1 {
            record::push(Kind::ReceiversGone, self.chan.id, 0);
        }
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}

/// A blocking iterator over messages in a channel.
pub struct Iter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> fmt::Debug for Iter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Iter { .. }")
    }
}

/// A non-blocking iterator over messages in a channel.
pub struct TryIter<'a, T> {
    receiver: &'a Receiver<T>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.try_recv().ok()
    }
}

impl<T> fmt::Debug for TryIter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("TryIter { .. }")
    }
}

/// A blocking iterator over messages in a channel.
pub struct IntoIter<T> {
    receiver: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.receiver.recv().ok()
    }
}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("IntoIter { .. }")
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        IntoIter { receiver: self }
    }
}
