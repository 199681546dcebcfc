//! Drives a learner's `run_all` (the `scatter-gather` exercise).
//!
//! The tasks are the driver's own closures. Each records, on the global
//! clock, when it was called and when it was about to return, whether the
//! token was already cancelled when it started and whether it saw it
//! cancelled later, and what it returned. Plans are seeded: a task returns
//! a value, fails, panics, sleeps ignoring the token, sleeps in `wait`,
//! polls `is_cancelled`, or waits for `limit` tasks to be running at once.
//!
//! Phases, one per process:
//! - `single`: one caller, one group at a time: results, first error,
//!   cancellation (with how long `wait` took to wake, discounted by the
//!   time the process's threads spent waiting for a CPU), the limit, and
//!   leftover threads after every call.
//! - `idle`: a group whose tasks sleep (one on a channel of the tutor's,
//!   one in `wait`): do `run_all` and `wait` sleep too?
//! - `load`: several callers run groups at once; groups must stay apart.
//!
//! Records (all `fact`): `group`, `task`, `wake`, `waited`, `meet`; see
//! [`Group::send`] and the task runner for their fields.

use threadlings_harness::cpu::{self, FairClock};
use threadlings_harness::load::{self, call, tick};
use threadlings_harness::phase;
use threadlings_harness::report::{self, send};
use threadlings_harness::threads;
use threadlings_harness::watchdog::guard;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The learner's `Token`, as the driver's tasks see it (glue implements it).
pub trait TokenApi {
    /// `Token::is_cancelled`.
    fn is_cancelled(&self) -> bool;
    /// `Token::wait`.
    fn wait(&self, timeout: Duration) -> bool;
}

/// One task, in the driver's terms: the error is the `TaskError`'s text.
pub type Task = Box<dyn FnOnce(&dyn TokenApi) -> Result<u64, String> + Send>;

/// `GroupError`, in the driver's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// `GroupError::Failed`, with the `TaskError`'s text.
    Failed { index: usize, error: String },
    /// `GroupError::Panicked`.
    Panicked { index: usize },
}

/// The learner's `run_all`, adapted by the glue.
pub type RunAll = fn(Vec<Task>, usize) -> Result<Vec<u64>, Failure>;

/// Every planned panic's message starts with this, so that the judge can
/// tell the tutor's panics from the learner's.
pub const PLANNED_PANIC: &str = "planned panic in a task of the tutor's";

const HANG_LIMIT: Duration = Duration::from_millis(3000);
/// How long a cancelled task's `wait` may sleep in the plans: far longer
/// than a wake-up, short enough that a `wait` that ignores cancellation
/// costs little.
const LONG_WAIT: Duration = Duration::from_millis(300);
/// How long a task waits (fair time) for `limit` tasks to be running at once.
const MEET_FAIR: Duration = Duration::from_millis(400);
/// However loaded the machine, a meeting is given up after this long.
const MEET_WALL: Duration = Duration::from_secs(4);
/// Callers at once in the load phase, and groups each.
const CALLERS: usize = 3;
const GROUPS_PER_CALLER: usize = 14;

/// The entry point of the generated check program.
pub fn main(run_all: RunAll) {
    phase::main(
        run_all,
        HANG_LIMIT,
        phase::Phases {
            single,
            idle,
            load: under_load,
        },
    );
}

/// What one task does.
#[derive(Debug, Clone, Copy)]
enum Plan {
    /// Returns `Ok(v)` at once.
    Quick(u64),
    /// Sleeps, ignoring the token, then returns `Ok(v)`.
    Ignore(u64, u64),
    /// Sleeps in `wait(ms)`: `Ok(v)` on a timeout, `Err` when cancelled.
    Wait(u64, u64),
    /// `wait(Duration::MAX)`; the group must have a failure to end it.
    WaitForever,
    /// Polls `is_cancelled` every millisecond for `ms`.
    Poll(u64, u64),
    /// Waits for `limit` tasks of the group to be running, then `Ok(v)`.
    Meet(u64),
    /// Sleeps `ms` ignoring the token, then fails.
    Fail(u64),
    /// Sleeps `ms` ignoring the token, then panics.
    Panic(u64),
    /// Blocks until the tutor opens the gate, then fails.
    Gate,
}

impl Plan {
    fn word(self) -> &'static str {
        match self {
            Plan::Quick(_) => "quick",
            Plan::Ignore(..) => "ignore",
            Plan::Wait(..) => "wait",
            Plan::WaitForever => "wait-forever",
            Plan::Poll(..) => "poll",
            Plan::Meet(_) => "meet",
            Plan::Fail(_) => "fail",
            Plan::Panic(_) => "panic",
            Plan::Gate => "gate",
        }
    }
}

/// The moment a failure returned: the time and how long each thread of
/// the process had waited for a CPU so far.
struct Moment {
    at: Instant,
    waited: BTreeMap<u32, Duration>,
    /// Whether the kernel reports run-queue waits at all.
    known: bool,
}

fn moment() -> Moment {
    let mut waited = BTreeMap::new();
    let mut known = false;
    for tid in threads::live() {
        if let Some(s) = cpu::sched(tid) {
            known |= s.slices > 0;
            waited.insert(tid, s.waited);
        }
    }
    Moment {
        at: Instant::now(),
        waited,
        known,
    }
}

/// What one task did, as far as it got.
#[derive(Default, Clone)]
struct Seen {
    start: Option<u64>,
    end: Option<u64>,
    cancelled_at_start: bool,
    saw_cancel: bool,
    out: Option<String>,
}

/// One call of `run_all`: what its tasks share.
struct Group {
    id: usize,
    limit: usize,
    plans: Vec<Plan>,
    seen: Mutex<Vec<Seen>>,
    /// Tasks running now, and the most at once.
    running: Mutex<(usize, usize)>,
    changed: Condvar,
    gave_up: AtomicBool,
    starved: AtomicBool,
    /// The first failure's moment, when wake-ups are measured.
    failed_at: Mutex<Option<Moment>>,
    measure_wakes: bool,
    extra: Mutex<Vec<String>>,
    gate: Mutex<Option<crossbeam_channel::Receiver<()>>>,
    started: AtomicUsize,
}

static NEXT_GROUP: AtomicUsize = AtomicUsize::new(0);

impl Group {
    fn new(limit: usize, plans: Vec<Plan>, measure_wakes: bool) -> Arc<Group> {
        Arc::new(Group {
            id: NEXT_GROUP.fetch_add(1, Ordering::SeqCst),
            limit,
            seen: Mutex::new(vec![Seen::default(); plans.len()]),
            plans,
            running: Mutex::new((0, 0)),
            changed: Condvar::new(),
            gave_up: AtomicBool::new(false),
            starved: AtomicBool::new(false),
            failed_at: Mutex::new(None),
            measure_wakes,
            extra: Mutex::new(Vec::new()),
            gate: Mutex::new(None),
            started: AtomicUsize::new(0),
        })
    }

    fn tasks(self: &Arc<Group>) -> Vec<Task> {
        (0..self.plans.len())
            .map(|index| {
                let group = Arc::clone(self);
                let task: Task = Box::new(move |token: &dyn TokenApi| group.run(index, token));
                task
            })
            .collect()
    }

    fn note(&self, index: usize, f: impl FnOnce(&mut Seen)) {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut seen[index]);
    }

    fn fact(&self, fields: &[String]) {
        let mut line = String::from("fact");
        for f in fields {
            line.push('\t');
            line.push_str(f);
        }
        self.extra
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(line);
    }

    /// Runs task `index`: called by the learner's code, once.
    fn run(&self, index: usize, token: &dyn TokenApi) -> Result<u64, String> {
        let cancelled = token.is_cancelled();
        let start = tick();
        self.note(index, |s| {
            s.start = Some(start);
            s.cancelled_at_start = cancelled;
        });
        self.started.fetch_add(1, Ordering::SeqCst);
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.0 += 1;
            running.1 = running.1.max(running.0);
            self.changed.notify_all();
        }
        let (result, saw) = self.act(index, token);
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            running.0 -= 1;
        }
        let end = tick();
        let out = match &result {
            Ok(v) => format!("ok:{v}"),
            Err(_) if matches!(self.plans[index], Plan::Panic(_)) => "panic".to_string(),
            Err(e) => format!("err:{e}"),
        };
        self.note(index, |s| {
            s.end = Some(end);
            s.saw_cancel = saw;
            s.out = Some(out);
        });
        if matches!(self.plans[index], Plan::Panic(_)) {
            panic!("{PLANNED_PANIC} (task {index})");
        }
        result
    }

    /// What the plan does; the result and whether the token was seen
    /// cancelled on the way.
    fn act(&self, index: usize, token: &dyn TokenApi) -> (Result<u64, String>, bool) {
        let failing = |ms: u64| {
            std::thread::sleep(Duration::from_millis(ms));
            // Seen cancelled just before failing: another failure returned
            // earlier, so this one cannot be the first.
            let saw = token.is_cancelled();
            self.failed();
            (Err(format!("task {index} failed")), saw)
        };
        match self.plans[index] {
            Plan::Quick(v) => (Ok(v), false),
            Plan::Ignore(v, ms) => {
                std::thread::sleep(Duration::from_millis(ms));
                (Ok(v), token.is_cancelled())
            }
            Plan::Wait(v, ms) => self.wait(index, token, Duration::from_millis(ms), v),
            Plan::WaitForever => self.wait(index, token, Duration::MAX, 0),
            Plan::Poll(v, ms) => {
                let began = Instant::now();
                while began.elapsed() < Duration::from_millis(ms) {
                    if token.is_cancelled() {
                        self.woke(index, "poll");
                        return (Err("cancelled".into()), true);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                (Ok(v), token.is_cancelled())
            }
            Plan::Meet(v) => {
                self.meet();
                (Ok(v), token.is_cancelled())
            }
            Plan::Fail(ms) | Plan::Panic(ms) => failing(ms),
            Plan::Gate => {
                let gate = self.gate.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(gate) = gate {
                    let _ = gate.recv();
                }
                failing(0)
            }
        }
    }

    fn wait(
        &self,
        index: usize,
        token: &dyn TokenApi,
        timeout: Duration,
        v: u64,
    ) -> (Result<u64, String>, bool) {
        let began = Instant::now();
        let cancelled = token.wait(timeout);
        let took = began.elapsed();
        if cancelled {
            self.woke(index, "wait");
            return (Err("cancelled".into()), true);
        }
        self.fact(&[
            "waited".into(),
            self.id.to_string(),
            index.to_string(),
            timeout.as_micros().min(u64::MAX as u128).to_string(),
            took.as_micros().to_string(),
        ]);
        (Ok(v), token.is_cancelled())
    }

    /// A failure is about to return: the first one's moment is kept.
    fn failed(&self) {
        if !self.measure_wakes {
            return;
        }
        let mut first = self.failed_at.lock().unwrap_or_else(|e| e.into_inner());
        if first.is_none() {
            *first = Some(moment());
        }
    }

    /// A task saw the cancellation: how long after the first failure, in
    /// wall time and with the threads' waits for a CPU taken out.
    fn woke(&self, index: usize, how: &str) {
        if !self.measure_wakes {
            return;
        }
        let now = moment();
        let first = self.failed_at.lock().unwrap_or_else(|e| e.into_inner());
        let Some(first) = first.as_ref() else { return };
        let wall = now.at.saturating_duration_since(first.at);
        let queued: Duration = now
            .waited
            .iter()
            .filter_map(|(tid, w)| Some(w.saturating_sub(*first.waited.get(tid)?)))
            .sum();
        let fair = wall.saturating_sub(queued);
        self.fact(&[
            "wake".into(),
            self.id.to_string(),
            index.to_string(),
            how.into(),
            wall.as_micros().to_string(),
            fair.as_micros().to_string(),
            u8::from(first.known && now.known).to_string(),
        ]);
    }

    /// Waits until `limit` tasks have been running at once, or gives up
    /// after [`MEET_FAIR`] of fair time (a solution that runs fewer) or
    /// [`MEET_WALL`] of wall time (a machine too loaded to tell).
    fn meet(&self) {
        let began = Instant::now();
        let mut clock: Option<FairClock> = None;
        loop {
            {
                let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
                if running.1 >= self.limit || self.gave_up.load(Ordering::SeqCst) {
                    return;
                }
                let _ = self
                    .changed
                    .wait_timeout(running, Duration::from_millis(5))
                    .unwrap_or_else(|e| e.into_inner());
            }
            let fair = clock
                .get_or_insert_with(|| FairClock::all_but(&[]))
                .advance();
            if fair >= MEET_FAIR || began.elapsed() >= MEET_WALL {
                self.starved.store(fair < MEET_FAIR, Ordering::SeqCst);
                self.gave_up.store(true, Ordering::SeqCst);
                return;
            }
        }
    }

    /// Sends everything the group recorded: `task` facts, then the extra
    /// ones, then `meet` for a group that meets.
    fn send(&self, lane: usize, call: u64, ret: Option<u64>, result: &str) {
        let mut bodies = vec![format!(
            "fact\tgroup\t{}\t{lane}\t{}\t{}\t{call}\t{}\t{}",
            self.id,
            self.limit,
            self.plans.len(),
            ret.map_or("-".to_string(), |r| r.to_string()),
            report::escape(result),
        )];
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let tick_or = |t: Option<u64>| t.map_or("-".to_string(), |t| t.to_string());
        for (index, s) in seen.iter().enumerate() {
            bodies.push(format!(
                "fact\ttask\t{}\t{index}\t{}\t{}\t{}\t{}\t{}\t{}",
                self.id,
                self.plans[index].word(),
                tick_or(s.start),
                tick_or(s.end),
                u8::from(s.cancelled_at_start),
                u8::from(s.saw_cancel),
                report::escape(s.out.as_deref().unwrap_or("-")),
            ));
        }
        bodies.extend(
            self.extra
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .drain(..),
        );
        if self.plans.iter().any(|p| matches!(p, Plan::Meet(_))) {
            bodies.push(format!(
                "fact\tmeet\t{}\t{}\t{}",
                self.id,
                u8::from(self.gave_up.load(Ordering::SeqCst)),
                u8::from(self.starved.load(Ordering::SeqCst)),
            ));
        }
        report::send_batch(&bodies);
    }
}

/// Calls `run_all` on a group under the watchdog and records it. `false`
/// if `run_all` panicked or the caller should stop.
fn call_group(run_all: RunAll, group: &Arc<Group>, lane: usize, slot: usize) -> bool {
    let tasks = group.tasks();
    let called = tick();
    let out = {
        let _g = guard(slot, "run_all()");
        call(|| run_all(tasks, group.limit))
    };
    let returned = tick();
    let result = match &out {
        None => "panic".to_string(),
        Some(Ok(values)) => {
            let v: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            format!("ok:{}", v.join(","))
        }
        Some(Err(Failure::Failed { index, error })) => format!("failed:{index}:{error}"),
        Some(Err(Failure::Panicked { index })) => format!("panicked:{index}"),
    };
    group.send(lane, called, out.as_ref().map(|_| returned), &result);
    out.is_some()
}

fn value(rng: &mut fastrand::Rng) -> u64 {
    rng.u64(1..1_000_000)
}

/// A group in which every task succeeds, finishing out of order.
fn success_plans(rng: &mut fastrand::Rng, n: usize) -> Vec<Plan> {
    (0..n)
        .map(|i| {
            let v = value(rng);
            match rng.u8(0..4) {
                0 => Plan::Quick(v),
                1 => Plan::Ignore(v, ((n - i) % 4) as u64 * 2),
                2 => Plan::Wait(v, rng.u64(1..6)),
                _ => Plan::Poll(v, rng.u64(1..4)),
            }
        })
        .collect()
}

/// A group with one early failure (or panic) among tasks that wait, poll
/// or ignore the token; with `slow_first`, task 0 fails later, ignoring
/// the token, so that the first failure in time is not the lowest index.
fn failing_plans(
    rng: &mut fastrand::Rng,
    n: usize,
    limit: usize,
    panic: bool,
    ignore_ms: u64,
    slow_first: bool,
) -> Vec<Plan> {
    let mut plans: Vec<Plan> = (0..n)
        .map(|_| {
            let v = value(rng);
            match rng.u8(0..3) {
                0 => Plan::Wait(v, LONG_WAIT.as_millis() as u64),
                1 => Plan::Poll(v, LONG_WAIT.as_millis() as u64),
                _ => Plan::Ignore(v, rng.u64(0..3)),
            }
        })
        .collect();
    let at = if slow_first && limit >= 2 {
        1
    } else {
        rng.usize(0..limit.min(n))
    };
    plans[at] = if panic {
        Plan::Panic(rng.u64(0..3))
    } else {
        Plan::Fail(rng.u64(0..3))
    };
    if slow_first && limit >= 2 {
        plans[0] = Plan::Fail(30);
    }
    // A task that ignores the token for long: still waited for, and still
    // running well after a `run_all` that does not join.
    if ignore_ms > 0 {
        let other = (0..limit.min(n)).find(|&i| i != at && !(slow_first && i == 0));
        if let Some(other) = other {
            plans[other] = Plan::Ignore(value(rng), ignore_ms);
        }
    }
    // The others that start with the failure sleep in wait() or poll: how
    // fast they see the cancel is measured.
    for (i, plan) in plans.iter_mut().enumerate().take(limit) {
        if matches!(*plan, Plan::Ignore(_, ms) if ms < 10) {
            let v = value(rng);
            *plan = if i % 2 == 0 {
                Plan::Wait(v, LONG_WAIT.as_millis() as u64)
            } else {
                Plan::Poll(v, LONG_WAIT.as_millis() as u64)
            };
        }
    }
    plans
}

fn single(run_all: RunAll, seed: u64) {
    let baseline = threads::live();
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut leak_seen = false;
    let mut run = |group: Arc<Group>, place: &str| -> bool {
        let ok = call_group(run_all, &group, 0, 0);
        if ok && !leak_seen {
            let place = format!("after run_all returned ({place}, group {})", group.id);
            leak_seen = threads::report_leftover(&place, &baseline) > 0;
        }
        ok
    };
    let mut groups: Vec<(Arc<Group>, &str)> = vec![(Group::new(3, Vec::new(), true), "no tasks")];
    for _ in 0..5 {
        let n = rng.usize(1..9);
        let limit = rng.usize(1..5);
        groups.push((
            Group::new(limit, success_plans(&mut rng, n), true),
            "success",
        ));
    }
    for (limit, n) in [(2, 5), (3, 7)] {
        let plans = (0..n).map(|_| Plan::Meet(value(&mut rng))).collect();
        groups.push((Group::new(limit, plans, true), "success"));
    }
    for k in 0..8 {
        // Wide groups, so that several tasks are running when one fails.
        let limit = if k == 7 { 1 } else { rng.usize(2..5) };
        let n = limit + rng.usize(3..7);
        let ignore = if k < 3 { 250 } else { 0 };
        let plans = failing_plans(&mut rng, n, limit, false, ignore, k % 2 == 0);
        groups.push((Group::new(limit, plans, true), "a failure"));
    }
    for k in 0..3 {
        let limit = rng.usize(2..5);
        let n = limit + rng.usize(2..6);
        let plans = failing_plans(
            &mut rng,
            n,
            limit,
            true,
            if k == 0 { 250 } else { 0 },
            false,
        );
        groups.push((Group::new(limit, plans, true), "a panic"));
    }
    // Last, as it may never end: a wait(Duration::MAX) that a failure ends.
    let forever = vec![Plan::WaitForever, Plan::Fail(5), Plan::Quick(7)];
    groups.push((Group::new(2, forever, true), "a failure"));
    for (group, place) in groups {
        if !run(group, place) {
            return;
        }
    }
}

fn idle(run_all: RunAll) {
    let baseline = threads::live();
    let (open, gate) = crossbeam_channel::bounded::<()>(0);
    let plans = vec![Plan::Gate, Plan::Wait(1, 800), Plan::Quick(2)];
    let group = Group::new(2, plans, false);
    *group.gate.lock().unwrap_or_else(|e| e.into_inner()) = Some(gate);
    let caller = {
        let group = Arc::clone(&group);
        std::thread::Builder::new()
            .name("client 0".into())
            .spawn(move || call_group(run_all, &group, 1, 1))
            .expect("cannot start a client thread")
    };
    // Both sleeping tasks started: now nothing should use a CPU.
    let began = Instant::now();
    while group.started.load(Ordering::SeqCst) < 2 && began.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(2));
    }
    // Let the second task get into wait().
    std::thread::sleep(Duration::from_millis(20));
    cpu::report_idle_cpu(&baseline, "while run_all waited for two sleeping tasks");
    // Disconnecting opens the gate, even if its task never got to it.
    drop(open);
    if caller.join().unwrap_or(false) {
        threads::report_leftover("idle, after run_all returned", &baseline);
    }
}

fn under_load(run_all: RunAll, seed: u64) {
    let baseline = threads::live();
    let finished = load::run_clients(CALLERS, seed, 0, |lane, rng| {
        for _ in 0..GROUPS_PER_CALLER {
            let limit = rng.usize(1..4);
            let n = rng.usize(2..10);
            let plans = match rng.u8(0..3) {
                0 => success_plans(rng, n),
                kind => {
                    let slow_first = rng.bool();
                    let mut plans = failing_plans(rng, n, limit, kind == 2, 0, slow_first);
                    // Shorter waits: the load phase judges places, not wake-ups.
                    for p in &mut plans {
                        if let Plan::Wait(v, _) | Plan::Poll(v, _) = *p {
                            *p = Plan::Wait(v, 40);
                        }
                    }
                    plans
                }
            };
            if !call_group(run_all, &Group::new(limit, plans, false), lane, lane + 1) {
                return false;
            }
        }
        true
    });
    if finished.iter().all(|&f| f) {
        threads::report_leftover("load, after every run_all returned", &baseline);
    }
    send("fact", &["callers", &CALLERS.to_string()]);
}
