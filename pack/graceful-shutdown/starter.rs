//! Exercise: graceful shutdown.
//!
//! One worker thread owns every order of a small shop and applies commands
//! one at a time. Clients hold cloned `Handle`s and talk to the worker over
//! crossbeam channels. The owner, `Orders`, can shut the service down at any
//! moment, even while clients are still calling, and the rule that makes
//! the shutdown *graceful* is:
//!
//!     accepted means applied.
//!
//! If `submit` returned `Ok(())`, the command is applied before `shutdown`
//! returns, and the summary shows it. Once shutdown has begun, calls return
//! `Err(Stopped)` instead; a thread that has seen `Stopped` keeps seeing it.
//!
//! Order life cycle:
//! - `Create(id)` on an unknown id: Created
//! - `Pay`: Created -> Paid
//! - `Ship`: Paid -> Shipped
//! - `Cancel`: Created or Paid -> Cancelled
//!
//! Anything else is rejected: nothing changes and it counts in
//! `Summary::rejected`. `Summary::applied` counts the commands that changed
//! an order.
//!
//! Keep the types and signatures below exactly as they are: `threadlings
//! check graceful-shutdown` drives them from its own threads.

use std::collections::BTreeMap;

/// An order number.
pub type OrderId = u64;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Created,
    Paid,
    Shipped,
    Cancelled,
}

/// A command for the order service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Create(OrderId),
    Pay(OrderId),
    Ship(OrderId),
    Cancel(OrderId),
}

/// The service has begun shutting down: the call was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// What `shutdown` returns: every order's status and the command counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub statuses: BTreeMap<OrderId, Status>,
    pub applied: u64,
    pub rejected: u64,
}

/// The owner of the service: starts it and shuts it down.
pub struct Orders {
    // TODO: what the owner needs (the worker's JoinHandle, ...).
}

/// What clients hold. It must be `Send + Sync`: the checks clone it and
/// move the clones to their own threads.
#[derive(Clone)]
pub struct Handle {
    // TODO: what a client needs to reach the worker.
}

impl Orders {
    /// Spawns the worker thread that owns every order, and returns at once.
    pub fn start() -> Orders {
        todo!()
    }

    /// A new handle for a client.
    pub fn handle(&self) -> Handle {
        todo!()
    }

    /// Stops accepting, applies every accepted command, joins the worker,
    /// returns the summary.
    ///
    /// Must return even while clients still hold handles and keep calling
    /// them: do not wait for every handle to be dropped.
    pub fn shutdown(self) -> Summary {
        todo!()
    }
}

impl Handle {
    /// Fire-and-forget. `Ok(())` = accepted, and then guaranteed to be
    /// applied before `shutdown` returns. `Err(Stopped)` once shutdown has
    /// begun; once a thread has seen `Stopped` it keeps seeing it. After
    /// shutdown it must return `Err(Stopped)` at once: never block, never
    /// panic.
    pub fn submit(&self, cmd: Command) -> Result<(), Stopped> {
        let _ = cmd;
        todo!()
    }

    /// The order's status (`None` if it does not exist), including every
    /// command this thread submitted before. Same `Stopped` rules as
    /// `submit`.
    pub fn status(&self, id: OrderId) -> Result<Option<Status>, Stopped> {
        let _ = id;
        todo!()
    }
}
