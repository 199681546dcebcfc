//! The driver's records, read back into one [`Trial`] per pool: the calls,
//! the jobs that ran with their ticks, the threads counted and what
//! `shutdown()` returned.

use super::{OpRecord, PhaseRun, Record};
use std::collections::BTreeMap;

/// A `submit` or `try_submit` call.
#[derive(Debug, Clone)]
pub struct Submit {
    /// The client thread (lane) that made it.
    pub lane: usize,
    /// The job it handed over.
    pub job: u64,
    /// `try_submit` rather than `submit`.
    pub tried: bool,
    /// Ticks just before and just after the call (`None`: never returned).
    pub call: u64,
    pub ret: Option<u64>,
    /// `Some(true)` for a ticket, `Some(false)` for `Full`.
    pub accepted: Option<bool>,
}

/// A `Ticket::wait` call.
#[derive(Debug, Clone)]
pub struct Wait {
    /// Whose ticket.
    pub job: u64,
    /// What it returned: the value, `panicked`, or `None` if it never did.
    pub output: Option<String>,
}

/// How a job's body ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It returned this value.
    Returned(u64),
    /// It panicked (on purpose).
    Panicked,
}

/// A job that began, with the ticks taken inside its body.
#[derive(Debug, Clone, Copy)]
pub struct Ran {
    pub start: u64,
    pub end: u64,
    pub outcome: Outcome,
}

/// Threads of the pool counted at one moment.
#[derive(Debug, Clone)]
pub struct Count {
    /// `start` (just after `start()`) or `after-panic`.
    pub when: String,
    pub count: usize,
    pub names: String,
}

/// One pool's life: `start` to `shutdown`.
#[derive(Debug, Clone)]
pub struct Trial {
    /// Its number within the phase.
    pub trial: usize,
    pub workers: usize,
    pub queue: usize,
    /// `fifo`, `panic`, `meet`, `gate`, `drain`, `tiny`, `idle` or `load`.
    pub scenario: String,
    pub submits: Vec<Submit>,
    pub waits: Vec<Wait>,
    /// Every job that began, by id.
    pub ran: BTreeMap<u64, Ran>,
    pub counts: Vec<Count>,
    /// When the tutor let held jobs go.
    pub gate: Option<u64>,
    /// `shutdown()`'s ticks and its `completed panicked`, once it returned.
    pub shutdown: Option<(u64, u64, String)>,
    /// What the jobs did, as `completed panicked`, next to what
    /// `shutdown()` said.
    pub stats: Option<(String, String)>,
}

impl Trial {
    /// Where this trial ran, for messages.
    pub fn place(&self) -> String {
        match self.scenario.as_str() {
            "load" => format!(
                "in load trial {} (a pool of {} and a queue of {})",
                self.trial,
                super::count_of(self.workers, "worker"),
                self.queue
            ),
            "idle" => "in the idle run".to_string(),
            scenario => format!(
                "in the {scenario} run (a pool of {} and a queue of {})",
                super::count_of(self.workers, "worker"),
                self.queue
            ),
        }
    }
}

fn field(fields: &[String], i: usize) -> Option<u64> {
    fields.get(i)?.parse().ok()
}

/// Every trial of `run`, in the order they started.
pub fn trials(run: &PhaseRun) -> Vec<Trial> {
    let mut trials: Vec<Trial> = Vec::new();
    let find = |trials: &mut Vec<Trial>, n: usize| trials.iter().rposition(|t| t.trial == n);
    for r in &run.records {
        match r {
            Record::Fact { name, fields } => {
                let Some(n) = field(fields, 0).map(|n| n as usize) else {
                    continue;
                };
                if name == "pool" {
                    let (Some(workers), Some(queue)) = (field(fields, 1), field(fields, 2)) else {
                        continue;
                    };
                    trials.push(Trial {
                        trial: n,
                        workers: workers as usize,
                        queue: queue as usize,
                        scenario: fields.get(3).cloned().unwrap_or_default(),
                        submits: Vec::new(),
                        waits: Vec::new(),
                        ran: BTreeMap::new(),
                        counts: Vec::new(),
                        gate: None,
                        shutdown: None,
                        stats: None,
                    });
                    continue;
                }
                let Some(i) = find(&mut trials, n) else {
                    continue;
                };
                let trial = &mut trials[i];
                match name.as_str() {
                    "threads" => {
                        if let Some(count) = field(fields, 2) {
                            trial.counts.push(Count {
                                when: fields.get(1).cloned().unwrap_or_default(),
                                count: count as usize,
                                names: fields.get(3).cloned().unwrap_or_default(),
                            });
                        }
                    }
                    "job" => {
                        let (Some(job), Some(start), Some(end)) =
                            (field(fields, 1), field(fields, 2), field(fields, 3))
                        else {
                            continue;
                        };
                        let outcome = match fields.get(4).map(String::as_str) {
                            Some("panic") => Outcome::Panicked,
                            Some(ret) => {
                                match ret.strip_prefix("ret:").and_then(|v| v.parse().ok()) {
                                    Some(v) => Outcome::Returned(v),
                                    None => continue,
                                }
                            }
                            None => continue,
                        };
                        trial.ran.insert(
                            job,
                            Ran {
                                start,
                                end,
                                outcome,
                            },
                        );
                    }
                    "gate" => trial.gate = field(fields, 1),
                    _ => {}
                }
            }
            Record::Op(op) => {
                if let Some(i) = find(&mut trials, op.trial) {
                    add_op(&mut trials[i], op);
                }
            }
            Record::Final {
                trial,
                kind,
                expected: Some(expected),
                value,
            } if kind == "stats" => {
                if let Some(i) = find(&mut trials, *trial) {
                    trials[i].stats = Some((expected.clone(), value.clone()));
                }
            }
            _ => {}
        }
    }
    trials
}

fn add_op(trial: &mut Trial, op: &OpRecord) {
    let (verb, job) = op.input.split_once(' ').unwrap_or((op.input.as_str(), ""));
    let job: Option<u64> = job.parse().ok();
    match (verb, job) {
        ("submit" | "try_submit", Some(job)) => trial.submits.push(Submit {
            lane: op.thread,
            job,
            tried: verb == "try_submit",
            call: op.call,
            ret: op.ret,
            accepted: op.output.as_deref().map(|o| o == "ticket"),
        }),
        ("wait", Some(job)) => trial.waits.push(Wait {
            job,
            output: op.output.clone(),
        }),
        ("shutdown", None) => {
            if let (Some(ret), Some(out)) = (op.ret, &op.output) {
                trial.shutdown = Some((op.call, ret, out.clone()));
            }
        }
        _ => {}
    }
}

/// The trials of every phase, in phase order.
pub fn all_trials(runs: &[PhaseRun]) -> Vec<Trial> {
    runs.iter().flat_map(trials).collect()
}
