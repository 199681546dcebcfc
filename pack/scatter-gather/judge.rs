//! Judging `scatter-gather`: the driver's tasks recorded, per call of
//! `run_all`, when each task started and ended on the global clock, what it
//! saw of the token and what it returned; these checks read those facts.
//!
//! Nothing here depends on wall-clock thresholds alone: the limit is judged
//! by overlapping intervals of the global clock, the first error by what
//! the failing task saw, and the only timing (how fast `wait` wakes) with
//! the time the threads spent waiting for a CPU taken out.

use threadlings_judge::{self as judge, CheckId, CheckResult, PhaseRun, Record, Runs};

// Loaded with `#[path]`, this file's submodules resolve beside it.
#[path = "judge/cancellation.rs"]
mod cancellation;
#[path = "judge/correctness.rs"]
mod correctness;
#[path = "judge/first_error.rs"]
mod first_error;
#[path = "judge/limit.rs"]
mod limit;
#[path = "judge/lost_messages.rs"]
mod lost_messages;
#[path = "judge/shared.rs"]
mod shared;

/// Every planned panic's message starts with this (the driver's
/// `PLANNED_PANIC`; the judge does not link the driver).
const PLANNED_PANIC: &str = "planned panic in a task of the tutor's";

/// At most `limit` tasks at once, and `limit` at a time.
pub const LIMIT: CheckId = CheckId::from_static("limit");
/// The first failure cancels the group.
pub const CANCELLATION: CheckId = CheckId::from_static("cancellation");
/// The error returned is the first failure.
pub const FIRST_ERROR: CheckId = CheckId::from_static("first-error");

/// One result per declared check after `compile`, in exercise.toml's order.
pub fn judge(runs: &Runs) -> Vec<CheckResult> {
    let filtered = Runs::new(without_planned_panics(runs.all()), runs.checks().to_vec());
    let [single, idle, load] = match filtered.phases(["single", "idle", "load"]) {
        Ok(found) => found,
        Err(missing) => return runs.none_checked(&missing),
    };
    let all = filtered.all();
    let s = groups(single);
    let l = groups(load);
    vec![
        correctness::correctness(single, &s),
        limit::limit(&[(single, &s), (load, &l)]),
        cancellation::cancellation(&[(single, &s), (load, &l)]),
        first_error::first_error(&[(single, &s), (load, &l)]),
        lost_messages::lost_messages(&[(single, &s), (load, &l)]),
        shared::leaked_workers(all),
        shared::hang(all),
        shared::busy_loop(idle),
        shared::panic(all),
    ]
}

/// The runs without the tutor's planned panics, which are not failures
/// and did not cut a run short.
fn without_planned_panics(runs: &[PhaseRun]) -> Vec<PhaseRun> {
    runs.iter()
        .map(|run| PhaseRun {
            records: run
                .records
                .iter()
                .filter(|r| {
                    !matches!(r, Record::Panic { message, .. } if message.starts_with(PLANNED_PANIC))
                })
                .cloned()
                .collect(),
            ..run.clone()
        })
        .collect()
}

/// What `run_all` returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok(Vec<u64>),
    Failed(usize, String),
    Panicked(usize),
    /// `run_all` itself panicked.
    Panic,
    /// It never returned.
    Pending,
}

/// What a task returned.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Out {
    Ok(u64),
    Err(String),
    Panic,
    /// It never got to its end.
    Unfinished,
}

/// One task, as it recorded itself.
#[derive(Debug, Clone)]
struct TaskFact {
    index: usize,
    plan: String,
    start: Option<u64>,
    end: Option<u64>,
    cancelled_at_start: bool,
    saw_cancel: bool,
    out: Out,
}

impl TaskFact {
    /// A planned failure (not a task that stopped because it was cancelled).
    fn planned_failure(&self) -> bool {
        matches!(self.plan.as_str(), "fail" | "panic" | "gate")
    }
    fn failed(&self) -> bool {
        matches!(self.out, Out::Err(_) | Out::Panic)
    }
}

/// How long a task took to see the cancellation after the first failure.
#[derive(Debug, Clone)]
struct Wake {
    index: usize,
    how: String,
    wall_us: u64,
    fair_us: u64,
    known: bool,
}

/// One call of `run_all` and everything its tasks recorded.
#[derive(Debug, Clone)]
struct Group {
    id: usize,
    limit: usize,
    n: usize,
    ret: Option<u64>,
    outcome: Outcome,
    tasks: Vec<TaskFact>,
    wakes: Vec<Wake>,
    /// `wait` calls that timed out: (task, timeout µs, elapsed µs).
    waited: Vec<(usize, u64, u64)>,
    /// For a group whose tasks wait for `limit` of them: (gave up, starved).
    meet: Option<(bool, bool)>,
}

impl Group {
    /// "group 7 (6 tasks, limit 2)".
    fn name(&self) -> String {
        format!(
            "run_all call {} ({}, limit {})",
            self.id,
            judge::count_of(self.n, "task"),
            self.limit
        )
    }

    /// "task 0 fails, task 1 waits, ...", for messages.
    fn plans(&self) -> String {
        let words: Vec<String> = self
            .tasks
            .iter()
            .map(|t| format!("{}: {}", t.index, t.plan))
            .collect();
        format!("the tasks' plans: {}", words.join(", "))
    }

    fn task(&self, index: usize) -> Option<&TaskFact> {
        self.tasks.iter().find(|t| t.index == index)
    }
}

/// The groups of a phase, in call order.
fn groups(run: &PhaseRun) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let find = |groups: &mut Vec<Group>, id: usize| groups.iter().position(|g| g.id == id);
    for r in &run.records {
        let Record::Fact { name, fields } = r else {
            continue;
        };
        let f = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
        let num = |i: usize| f(i).parse::<u64>().ok();
        let Some(id) = num(0).map(|id| id as usize) else {
            continue;
        };
        match name.as_str() {
            "group" => groups.push(Group {
                id,
                limit: num(2).unwrap_or(0) as usize,
                n: num(3).unwrap_or(0) as usize,
                ret: num(5),
                outcome: outcome(f(6)),
                tasks: Vec::new(),
                wakes: Vec::new(),
                waited: Vec::new(),
                meet: None,
            }),
            "task" => {
                if let Some(at) = find(&mut groups, id) {
                    groups[at].tasks.push(TaskFact {
                        index: num(1).unwrap_or(0) as usize,
                        plan: f(2).to_string(),
                        start: num(3),
                        end: num(4),
                        cancelled_at_start: f(5) == "1",
                        saw_cancel: f(6) == "1",
                        out: out(f(7)),
                    });
                }
            }
            "wake" => {
                if let Some(at) = find(&mut groups, id) {
                    groups[at].wakes.push(Wake {
                        index: num(1).unwrap_or(0) as usize,
                        how: f(2).to_string(),
                        wall_us: num(3).unwrap_or(0),
                        fair_us: num(4).unwrap_or(0),
                        known: f(5) == "1",
                    });
                }
            }
            "waited" => {
                if let (Some(at), Some(task), Some(timeout), Some(took)) =
                    (find(&mut groups, id), num(1), num(2), num(3))
                {
                    groups[at].waited.push((task as usize, timeout, took));
                }
            }
            "meet" => {
                if let Some(at) = find(&mut groups, id) {
                    groups[at].meet = Some((f(1) == "1", f(2) == "1"));
                }
            }
            _ => {}
        }
    }
    groups
}

fn outcome(text: &str) -> Outcome {
    if let Some(values) = text.strip_prefix("ok:") {
        let values = values
            .split(',')
            .filter(|v| !v.is_empty())
            .filter_map(|v| v.parse().ok())
            .collect();
        return Outcome::Ok(values);
    }
    if let Some(rest) = text.strip_prefix("failed:") {
        let (index, error) = rest.split_once(':').unwrap_or((rest, ""));
        return match index.parse() {
            Ok(index) => Outcome::Failed(index, error.to_string()),
            Err(_) => Outcome::Pending,
        };
    }
    if let Some(index) = text.strip_prefix("panicked:").and_then(|i| i.parse().ok()) {
        return Outcome::Panicked(index);
    }
    if text == "panic" {
        return Outcome::Panic;
    }
    Outcome::Pending
}

fn out(text: &str) -> Out {
    if let Some(v) = text.strip_prefix("ok:").and_then(|v| v.parse().ok()) {
        return Out::Ok(v);
    }
    if let Some(e) = text.strip_prefix("err:") {
        return Out::Err(e.to_string());
    }
    if text == "panic" {
        return Out::Panic;
    }
    Out::Unfinished
}

/// How an error returned by `run_all` reads in messages.
fn shown(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Ok(values) => {
            let v: Vec<String> = values.iter().map(u64::to_string).collect();
            format!("Ok([{}])", v.join(", "))
        }
        Outcome::Failed(index, error) => {
            format!("Err(Failed {{ index: {index}, error: TaskError({error:?}) }})")
        }
        Outcome::Panicked(index) => format!("Err(Panicked {{ index: {index} }})"),
        Outcome::Panic => "a panic".into(),
        Outcome::Pending => "nothing (it never returned)".into(),
    }
}

/// The verdict when nothing was found wrong: a pass if every phase it
/// reads ran to its end, else "not checked" with the reason.
fn pass_if_finished(id: CheckId, runs: &[&PhaseRun], message: String) -> CheckResult {
    match runs.iter().find(|r| !r.finished()) {
        Some(run) => judge::not_checked(id, run),
        None => CheckResult::pass(id, message),
    }
}

#[cfg(test)]
#[path = "judge/tests.rs"]
mod tests;
