//! The sequential model: a bounded FIFO queue with close, in which a
//! blocking call takes effect only when it is enabled (a `push` when there
//! is room or the buffer is closed, a `pop` when there is a value or the
//! buffer is closed). A disabled call has no successor state, so the
//! checker can place it only at a moment when it could have gone through.

use super::{Model, OpRecord};
use std::collections::VecDeque;

/// A call on the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// `push(v)`: waits for room.
    Push(u64),
    /// `pop()`: waits for a value.
    Pop,
    /// `try_push(v)`: never waits.
    TryPush(u64),
    /// `try_pop()`: never waits.
    TryPop,
    /// `close()`.
    Close,
    /// `len()`.
    Len,
}

/// What a call returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `Ok(())` from `push` or `try_push`.
    Pushed,
    /// `Ok(v)` from `pop` or `try_pop`.
    Value(u64),
    /// `Err(Closed)` from `push`, `pop` or `try_pop`.
    Closed,
    /// `Err(Full(v))` from `try_push`.
    Full(u64),
    /// `Err(Closed(v))` from `try_push`.
    ClosedWith(u64),
    /// `Err(Empty)` from `try_pop`.
    Empty,
    /// `close()` returned.
    Done,
    /// `len()`'s answer.
    Len(u64),
    /// Nothing yet: the call must wait here. Never a recorded result.
    Waits,
}

/// The buffer's state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fifo {
    /// The values inside, oldest first.
    pub items: VecDeque<u64>,
    /// How many values fit.
    pub capacity: usize,
    /// Whether `close()` has taken effect.
    pub closed: bool,
}

impl Fifo {
    /// An open, empty buffer of `capacity`.
    pub fn new(capacity: usize) -> Fifo {
        Fifo {
            items: VecDeque::new(),
            capacity,
            closed: false,
        }
    }

    fn full(&self) -> bool {
        self.items.len() >= self.capacity
    }
}

impl Model for Fifo {
    type Input = Call;
    type Output = Ret;

    fn step(&self, call: &Call) -> (Self, Ret) {
        let mut next = self.clone();
        let ret = match *call {
            Call::Push(_) if !self.closed && self.full() => Ret::Waits,
            Call::Push(_) | Call::TryPush(_) if self.closed => match *call {
                Call::TryPush(v) => Ret::ClosedWith(v),
                _ => Ret::Closed,
            },
            Call::TryPush(v) if self.full() => Ret::Full(v),
            Call::Push(v) | Call::TryPush(v) => {
                next.items.push_back(v);
                Ret::Pushed
            }
            Call::Pop | Call::TryPop => match next.items.pop_front() {
                Some(v) => Ret::Value(v),
                None if self.closed => Ret::Closed,
                None if *call == Call::Pop => Ret::Waits,
                None => Ret::Empty,
            },
            Call::Close => {
                next.closed = true;
                Ret::Done
            }
            Call::Len => Ret::Len(self.items.len() as u64),
        };
        (next, ret)
    }

    fn successors(&self, call: &Call, output: Option<&Ret>, next: &mut Vec<Self>) {
        let (after, expected) = self.step(call);
        // A call that must wait cannot take effect now, whatever it returned.
        if expected != Ret::Waits && output.is_none_or(|out| *out == expected) {
            next.push(after);
        }
    }

    fn describe(&self) -> String {
        let items: Vec<String> = self.items.iter().map(u64::to_string).collect();
        let fill = if self.items.is_empty() {
            "the buffer is empty".to_string()
        } else {
            format!("the buffer holds [{}]", items.join(", "))
        };
        let full = if self.full() { ", full" } else { "" };
        let state = if self.closed { "closed" } else { "open" };
        format!(
            "{fill} ({} of {}{full}, {state})",
            self.items.len(),
            self.capacity
        )
    }

    fn call_label(call: &Call) -> String {
        match call {
            Call::Push(v) => format!("push({v})"),
            Call::Pop => "pop()".into(),
            Call::TryPush(v) => format!("try_push({v})"),
            Call::TryPop => "try_pop()".into(),
            Call::Close => "close()".into(),
            Call::Len => "len()".into(),
        }
    }

    fn result_label(ret: &Ret) -> Option<String> {
        Some(match ret {
            Ret::Pushed => "Ok(())".into(),
            Ret::Value(v) => format!("Ok({v})"),
            Ret::Closed => "Err(Closed)".into(),
            Ret::Full(v) => format!("Err(Full({v}))"),
            Ret::ClosedWith(v) => format!("Err(Closed({v}))"),
            Ret::Empty => "Err(Empty)".into(),
            Ret::Len(n) => n.to_string(),
            Ret::Waits => "nothing yet (it has to wait here)".into(),
            Ret::Done => return None,
        })
    }
}

/// A recorded call as the model sees it; `None` for a record that is not a
/// buffer call.
pub fn parse(op: &OpRecord) -> Option<(Call, Option<Ret>)> {
    let (name, arg) = match op.input.split_once(':') {
        Some((name, arg)) => (name, Some(arg.parse::<u64>().ok()?)),
        None => (op.input.as_str(), None),
    };
    let call = match (name, arg) {
        ("push", Some(v)) => Call::Push(v),
        ("try_push", Some(v)) => Call::TryPush(v),
        ("pop", None) => Call::Pop,
        ("try_pop", None) => Call::TryPop,
        ("close", None) => Call::Close,
        ("len", None) => Call::Len,
        _ => return None,
    };
    let Some(out) = op.output.as_deref() else {
        return Some((call, None));
    };
    let given = |word: &str| -> Option<u64> { out.strip_prefix(word)?.parse().ok() };
    let ret = match (call, out) {
        (Call::Close, _) => Ret::Done,
        (Call::Len, n) => Ret::Len(n.parse().ok()?),
        (_, "ok") => Ret::Pushed,
        (_, "closed") => Ret::Closed,
        (_, "empty") => Ret::Empty,
        (Call::TryPush(_), _) if out.starts_with("full:") => Ret::Full(given("full:")?),
        (Call::TryPush(_), _) if out.starts_with("closed:") => Ret::ClosedWith(given("closed:")?),
        (_, v) => Ret::Value(v.parse().ok()?),
    };
    Some((call, Some(ret)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_into_a_full_open_buffer_has_no_successor_until_room_or_close() {
        let mut full = Fifo::new(1);
        full.items.push_back(7);
        let mut next = Vec::new();
        full.successors(&Call::Push(8), None, &mut next);
        full.successors(&Call::Push(8), Some(&Ret::Pushed), &mut next);
        assert!(next.is_empty(), "{next:?}");
        full.closed = true;
        full.successors(&Call::Push(8), Some(&Ret::Closed), &mut next);
        assert_eq!(next, vec![full.clone()]);
    }

    #[test]
    fn a_closed_buffer_drains_before_it_says_closed() {
        let mut b = Fifo::new(2);
        for v in [1, 2] {
            b = b.step(&Call::Push(v)).0;
        }
        b = b.step(&Call::Close).0;
        let (b, first) = b.step(&Call::Pop);
        let (b, second) = b.step(&Call::TryPop);
        assert_eq!((first, second), (Ret::Value(1), Ret::Value(2)));
        assert_eq!(b.step(&Call::Pop).1, Ret::Closed);
        assert_eq!(b.step(&Call::TryPush(5)).1, Ret::ClosedWith(5));
    }
}
