//! `owner-thread` (exactly `workers` threads) and `panic` (a job's panic
//! is contained: the pool keeps its workers, nothing else panics).

use super::records::Trial;
use super::{CheckId, CheckResult, JOB_PANIC, PhaseRun, Record, count_of, shared};

/// `owner-thread`: `start(workers, _)` started exactly `workers` threads,
/// and after a job panicked no more than `workers` were alive.
pub fn owner_thread(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    let mut counted = 0;
    for trial in trials {
        for c in &trial.counts {
            counted += 1;
            let w = trial.workers;
            let names = if c.names.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.names)
            };
            if c.when == "start" && c.count != w {
                let hint = if c.count == 0 {
                    "start() must spawn the workers itself, not wait for the first job"
                } else if c.count > w {
                    "spawn exactly `workers` threads, once, in start(): no thread per job"
                } else {
                    "spawn one thread per worker in start()"
                };
                return CheckResult::fail(
                    CheckId::OWNER_THREAD,
                    format!(
                        "{}, start({w}, {}) started {}{names}, not {w}: {hint}",
                        trial.place(),
                        trial.queue,
                        count_of(c.count, "thread"),
                    ),
                );
            }
            if c.when == "after-panic" && c.count > w {
                return CheckResult::fail(
                    CheckId::OWNER_THREAD,
                    format!(
                        "{}, after a job panicked {} of the pool were alive{names}: a worker \
                         replaced after a panic must be gone before its replacement serves, \
                         never more than {w}",
                        trial.place(),
                        count_of(c.count, "thread"),
                    ),
                );
            }
        }
    }
    if counted == 0 {
        return shared::not_checked(CheckId::OWNER_THREAD, &runs[0]);
    }
    CheckResult::pass(
        CheckId::OWNER_THREAD,
        format!(
            "every pool started exactly as many threads as it had workers ({})",
            count_of(counted, "count")
        ),
    )
}

/// Whether a panic record is one of the tutor's jobs panicking on purpose.
fn on_purpose(record: &Record) -> bool {
    matches!(record, Record::Panic { message, .. } if message.starts_with(JOB_PANIC))
}

/// The runs without the jobs' panics on purpose, each counted instead in a
/// `fact\tjob-panics\t<n>` record at the end of its run's records.
pub fn without_job_panics(runs: &[PhaseRun]) -> Vec<PhaseRun> {
    runs.iter()
        .map(|run| {
            let mut records: Vec<Record> = Vec::with_capacity(run.records.len());
            let mut jobs = 0usize;
            for r in &run.records {
                if on_purpose(r) {
                    jobs += 1;
                } else {
                    records.push(r.clone());
                }
            }
            records.push(Record::Fact {
                name: "job-panics".into(),
                fields: vec![jobs.to_string()],
            });
            PhaseRun {
                records,
                ..run.clone()
            }
        })
        .collect()
}

/// `panic`: the shared check over every panic but the jobs' own (taken out
/// by [`without_job_panics`]), and a pool that lost a worker to a job's panic.
pub fn panic(trials: &[Trial], runs: &[PhaseRun]) -> CheckResult {
    for trial in trials {
        for c in trial.counts.iter().filter(|c| c.when == "after-panic") {
            if c.count < trial.workers {
                return CheckResult::fail(
                    CheckId::PANIC,
                    format!(
                        "{}, a job panicked and the pool was left with {} of its {}: the panic \
                         killed its worker. Run each job under std::panic::catch_unwind, answer \
                         its ticket with Err(JobPanicked), and keep serving",
                        trial.place(),
                        count_of(c.count, "thread"),
                        trial.workers,
                    ),
                );
            }
        }
    }
    let result = shared::panic(runs);
    if result.passed {
        let jobs: usize = runs
            .iter()
            .flat_map(|r| &r.records)
            .filter_map(|r| match r {
                Record::Fact { name, fields } if name == "job-panics" => {
                    fields.first()?.parse::<usize>().ok()
                }
                _ => None,
            })
            .sum();
        return CheckResult::pass(
            CheckId::PANIC,
            format!(
                "nothing panicked but the jobs meant to ({}, each contained)",
                count_of(jobs, "job")
            ),
        );
    }
    result
}
