//! Reading the harness's report channel.
//!
//! Only lines that start with this run's secret count; anything else on the
//! channel is ignored. See the harness's `report` module for the writer.

use serde::{Deserialize, Serialize};

/// The watched thread that was still awake at the close of an idle window
/// and decides it: the one that spun, else the one kept longest from a
/// core, else the one that ran most.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwakeThread {
    /// Its CPU time in the window.
    pub ran_us: u64,
    /// How long it was running or waiting for a core in the window.
    pub runnable_us: u64,
    /// Its name as the kernel shows it (`unnamed` for a thread spawned
    /// without a name).
    pub name: String,
}

/// One call recorded by the harness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpRecord {
    /// Which trial (independent run of `start` .. `shutdown`) it belongs to.
    pub trial: usize,
    /// The client thread (lane) that made it.
    pub thread: usize,
    /// Global clock tick just before the call.
    pub call: u64,
    /// Global clock tick just after it returned; `None` if it never did.
    pub ret: Option<u64>,
    /// What was called, in the harness's short form (`inc`, `get`, ...).
    pub input: String,
    /// What it returned, in short form; `None` if it never returned.
    pub output: Option<String>,
}

/// What a stuck thread was doing, from its scheduler state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Doing {
    /// Runnable: it kept a core busy (a spin loop).
    Running,
    /// Asleep: blocked on a channel, a lock or a join.
    Sleeping,
}

/// One message a harness thread sent through the recording
/// `crossbeam_channel`, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MsgRecord {
    /// The trial it belongs to.
    pub trial: usize,
    /// The harness lane (client thread) that sent it.
    pub lane: usize,
    /// Global clock tick just after the send: it lies inside the call that
    /// sent it.
    pub sent: u64,
    /// The channel, numbered in order of creation.
    pub chan: u64,
    /// The message's number on its channel.
    pub seq: u64,
    /// Who received it first.
    pub receiver: Receiver,
    /// The tick just after it was received, if it was.
    pub received: Option<u64>,
    /// How many times it was received (more than once: duplicated).
    pub receives: u32,
}

/// Who received a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Receiver {
    /// A thread that `start()` spawned.
    Worker,
    /// A harness thread: the caller itself or another client.
    Client(usize),
    /// A thread the solution spawned after `start()` returned.
    Other,
    /// Nobody: the message was never received.
    Nobody,
}

/// One fact reported by the harness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Record {
    /// Threads that appeared during `start()`: how many, and their names.
    Threads { count: usize, names: String },
    /// A recorded call.
    Op(OpRecord),
    /// A recorded message.
    Msg(MsgRecord),
    /// A trial's end: its kind, the final value the clients' commands
    /// predict (when they do) and what `shutdown()` returned.
    Final {
        trial: usize,
        kind: String,
        expected: Option<String>,
        value: String,
    },
    /// Threads still alive after `shutdown()` returned (and a grace period).
    Leak {
        place: String,
        count: usize,
        names: String,
    },
    /// A window in which nobody called the solution's threads (`when` says
    /// what came just before), watched through the kernel's own accounting
    /// until the `busy-loop` verdict was settled.
    Cpu {
        when: String,
        /// How long the window lasted.
        window_us: u64,
        /// How many threads were watched.
        threads: u64,
        /// The CPU time they used in it, all together.
        used_us: u64,
        /// The thread that decides the window; `None` when every thread had
        /// been quiet (no CPU, no wait for one, not runnable) for a while
        /// at its close.
        awake: Option<AwakeThread>,
    },
    /// A panic on some thread.
    Panic {
        thread: String,
        location: String,
        message: String,
    },
    /// A call that stayed busy past the progress deadline.
    Hang {
        thread: String,
        call: String,
        millis: u64,
        /// What its thread was doing then, if the harness could tell.
        doing: Option<Doing>,
    },
    /// An exercise-specific fact: a name and free fields.
    Fact { name: String, fields: Vec<String> },
    /// The harness itself hit a problem it could name.
    Error(String),
    /// The phase ran to its end.
    Done,
}

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Parses every authentic record in `bytes`; lines without the secret, and
/// malformed ones, are skipped.
pub fn parse(bytes: &[u8], secret: &str) -> Vec<Record> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(secret)?.strip_prefix('\t')?;
            parse_record(rest)
        })
        .collect()
}

fn parse_record(body: &str) -> Option<Record> {
    let fields: Vec<&str> = body.split('\t').collect();
    let num = |i: usize| fields.get(i)?.parse::<u64>().ok();
    let text = |i: usize| fields.get(i).map(|s| unescape(s)).unwrap_or_default();
    Some(match *fields.first()? {
        "threads" => Record::Threads {
            count: num(1)? as usize,
            names: text(2),
        },
        "op" => Record::Op(OpRecord {
            trial: num(1)? as usize,
            thread: num(2)? as usize,
            call: num(3)?,
            ret: num(4),
            input: text(5),
            output: fields.get(6).filter(|s| **s != "-").map(|s| unescape(s)),
        }),
        "msg" => Record::Msg(MsgRecord {
            trial: num(1)? as usize,
            lane: num(2)? as usize,
            sent: num(3)?,
            chan: num(4)?,
            seq: num(5)?,
            receiver: match fields.get(6)? {
                &"worker" => Receiver::Worker,
                &"other" => Receiver::Other,
                &"-" => Receiver::Nobody,
                who => Receiver::Client(who.strip_prefix("client ")?.parse().ok()?),
            },
            received: num(7),
            receives: num(8)? as u32,
        }),
        "final" => Record::Final {
            trial: num(1)? as usize,
            kind: text(2),
            expected: fields.get(3).filter(|s| **s != "-").map(|s| unescape(s)),
            value: text(4),
        },
        "leak" => Record::Leak {
            place: text(1),
            count: num(2)? as usize,
            names: text(3),
        },
        "cpu" => Record::Cpu {
            when: text(1),
            window_us: num(2)?,
            threads: num(3)?,
            used_us: num(4)?,
            awake: match *fields.get(5)? {
                "-" => None,
                _ => Some(AwakeThread {
                    ran_us: num(5)?,
                    runnable_us: num(6)?,
                    name: text(7),
                }),
            },
        },
        "panic" => Record::Panic {
            thread: text(1),
            location: text(2),
            message: text(3),
        },
        "hang" => Record::Hang {
            thread: text(1),
            call: text(2),
            millis: num(3)?,
            doing: match fields.get(4).copied() {
                Some("running") => Some(Doing::Running),
                Some("sleeping") => Some(Doing::Sleeping),
                _ => None,
            },
        },
        "fact" => Record::Fact {
            name: text(1),
            fields: fields.iter().skip(2).map(|s| unescape(s)).collect(),
        },
        "error" => Record::Error(text(1)),
        "done" => Record::Done,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lines_with_the_secret_count() {
        let bytes = b"s3cret\tdone\nforged\tdone\ns3cretdone\n\tdone\ns3cret\tpanic\tmain\tf.rs:1:2\ta\\tb\\nc\n";
        let records = parse(bytes, "s3cret");
        assert_eq!(
            records,
            vec![
                Record::Done,
                Record::Panic {
                    thread: "main".into(),
                    location: "f.rs:1:2".into(),
                    message: "a\tb\nc".into()
                }
            ]
        );
    }

    #[test]
    fn ops_keep_pending_calls() {
        let records = parse(
            b"k\top\t3\t1\t10\t-\tget\t-\nk\top\t3\t1\t4\t9\tget\t7\n",
            "k",
        );
        let Record::Op(pending) = &records[0] else {
            panic!()
        };
        assert_eq!((pending.ret, pending.output.as_deref()), (None, None));
        let Record::Op(done) = &records[1] else {
            panic!()
        };
        assert_eq!((done.ret, done.output.as_deref()), (Some(9), Some("7")));
    }

    #[test]
    fn cpu_records_carry_the_window_and_the_thread_that_decides_it() {
        let records = parse(
            b"k\tcpu\tafter a read\t6120\t1\t31\t-\n\
              k\tcpu\tafter writes nobody has read\t4080\t2\t3950\t3900\t4010\tcounter\n\
              k\tcpu\tx\t1\t2\n",
            "k",
        );
        assert_eq!(
            records,
            vec![
                Record::Cpu {
                    when: "after a read".into(),
                    window_us: 6120,
                    threads: 1,
                    used_us: 31,
                    awake: None,
                },
                Record::Cpu {
                    when: "after writes nobody has read".into(),
                    window_us: 4080,
                    threads: 2,
                    used_us: 3950,
                    awake: Some(AwakeThread {
                        ran_us: 3900,
                        runnable_us: 4010,
                        name: "counter".into(),
                    }),
                },
            ]
        );
    }

    #[test]
    fn messages_name_their_receiver() {
        let records = parse(
            b"k\tmsg\t2\t3\t40\t1\t7\tworker\t44\t1\nk\tmsg\t2\t3\t41\t1\t8\t-\t-\t0\nk\tmsg\t2\t3\t42\t1\t9\tclient 3\t43\t1\n",
            "k",
        );
        let receivers: Vec<(Receiver, Option<u64>)> = records
            .iter()
            .map(|r| match r {
                Record::Msg(m) => (m.receiver.clone(), m.received),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            receivers,
            vec![
                (Receiver::Worker, Some(44)),
                (Receiver::Nobody, None),
                (Receiver::Client(3), Some(43))
            ]
        );
    }

    #[test]
    fn malformed_lines_are_skipped() {
        assert!(parse(b"k\top\tx\n k\tdone\nk\tnonsense\n", "k").is_empty());
    }
}
