//! `crossbeam_channel` as a checked program sees it.
//!
//! The tutor compiles a learner's file with `--extern crossbeam_channel=`
//! this crate, so `use crossbeam_channel::{unbounded, Sender}` lands here.
//! The public API is crossbeam-channel's (the same names, signatures and
//! error types; every operation is delegated to the real crate), so a
//! solution that works with crossbeam works here unchanged. What this crate
//! adds is invisible to the learner's code:
//!
//! - every message carries a sequence number, and every send and receive is
//!   recorded with its thread, channel, message and a tick of the same clock
//!   the harness stamps its call records with ([`record`]);
//! - the creation of each channel and the drop of its last sender and last
//!   receiver are recorded too, and which receivers the learner's own
//!   threads still hold can be asked at any moment;
//! - the harness can hold a client's send back for a moment, so that races
//!   between "check a flag, then send" and "set the flag, then send Stop"
//!   happen on purpose ([`delay`]).
//!
//! The harness reads the records through [`record`]'s hidden functions;
//! judging them is the tutor's work, never this crate's.

mod chan;
#[doc(hidden)]
pub mod delay;
#[doc(hidden)]
pub mod record;
mod select;

pub use chan::{
    after, at, bounded, never, tick, unbounded, IntoIter, Iter, Receiver, Sender, TryIter,
};
pub use crossbeam_channel::{
    ReadyTimeoutError, RecvError, RecvTimeoutError, SelectTimeoutError, SendError,
    SendTimeoutError, TryReadyError, TryRecvError, TrySelectError, TrySendError,
};

/// What the `select!` macro expands to; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crossbeam_channel::Select;
}
