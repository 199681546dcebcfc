//! Streaming verdicts: a check is judged the moment every phase it reads
//! has ended, not when the slowest phase of the run is done.
//!
//! A judge reads all phases at once, so a check is judged early by running
//! the judge on the phases the ready checks read, with every other phase
//! standing in as a run that recorded nothing, and keeping only the ready
//! checks' results. A check reads only the phases it declares, so its
//! result is the one the full judgement gives; the full judgement still
//! makes the report, so a wrong declaration can only make the early
//! result differ from the final one, never the verdict wrong.

use super::exercise::{Exercise, JudgeError};
use super::judge::{CheckId, CheckResult, Ending, PhaseRun};
use std::collections::BTreeSet;

/// The phases of one run that have ended, and the checks told so far.
pub(crate) struct Stream {
    exercise: &'static Exercise,
    ended: Vec<PhaseRun>,
    told: BTreeSet<CheckId>,
}

impl Stream {
    pub(crate) fn new(exercise: &'static Exercise) -> Stream {
        Stream {
            exercise,
            ended: Vec::new(),
            told: BTreeSet::new(),
        }
    }

    /// Whether a phase was cancelled: the run has no verdict.
    pub(crate) fn cancelled(&self) -> bool {
        self.ended.iter().any(|r| r.ending == Ending::Cancelled)
    }

    /// Whether every phase has ended.
    pub(crate) fn complete(&self) -> bool {
        self.ended.len() >= self.exercise.phases.len()
    }

    /// Takes in a phase that ended; returns the results of the checks it
    /// completes (every phase they read has ended), judged now, in report
    /// order. Nothing once every phase has ended: the full judgement
    /// follows ([`Stream::finish`]); nothing either when a phase was
    /// cancelled, or when the judge fails (the full judgement says so).
    pub(crate) fn ended(&mut self, run: PhaseRun) -> Vec<CheckResult> {
        self.ended.push(run);
        if self.complete() || self.cancelled() {
            return Vec::new();
        }
        let exercise = self.exercise;
        let has_ended = |phase: &str| self.ended.iter().any(|r| r.phase == phase);
        let ready: Vec<CheckId> = exercise
            .checks
            .iter()
            .skip(1)
            .filter(|c| !self.told.contains(&c.id))
            .filter(|c| exercise.phases_of(c).iter().all(|p| has_ended(p)))
            .map(|c| c.id)
            .collect();
        if ready.is_empty() {
            return Vec::new();
        }
        // Only the phases the ready checks read are handed over: the other
        // checks, judged on empty runs, cost next to nothing.
        let read: BTreeSet<&str> = exercise
            .checks
            .iter()
            .filter(|c| ready.contains(&c.id))
            .flat_map(|c| exercise.phases_of(c).iter().copied())
            .collect();
        let runs = exercise
            .phases
            .iter()
            .map(|&phase| {
                self.ended
                    .iter()
                    .find(|r| r.phase == phase && read.contains(phase))
                    .cloned()
                    .unwrap_or_else(|| stand_in(phase))
            })
            .collect();
        let Ok(results) = exercise.judge(runs) else {
            return Vec::new();
        };
        let results: Vec<CheckResult> = results
            .into_iter()
            .filter(|r| ready.contains(&r.id))
            .collect();
        self.told.extend(results.iter().map(|r| r.id));
        results
    }

    /// Judges every phase, in the declared order: the report's checks
    /// after `compile`, and those of them not told yet, to tell now.
    pub(crate) fn judge_all(mut self) -> Result<(Vec<CheckResult>, Vec<CheckResult>), JudgeError> {
        let phases = &self.exercise.phases;
        self.ended
            .sort_by_key(|r| phases.iter().position(|&p| p == r.phase));
        let results = self.exercise.judge(self.ended)?;
        let untold = results
            .iter()
            .filter(|r| !self.told.contains(&r.id))
            .cloned()
            .collect();
        Ok((results, untold))
    }
}

/// A phase that has not ended, as the judge sees it: nothing recorded.
fn stand_in(phase: &str) -> PhaseRun {
    PhaseRun {
        phase: phase.to_string(),
        records: Vec::new(),
        ending: Ending::Exited(0),
        stderr_tail: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::exercise::{CheckSpec, Judge, Picture};
    use crate::engine::judge::Runs;
    use crate::engine::{CheckOptions, Checked, Program, Progress, ProgressSink, Timings};
    use std::sync::{Arc, Mutex};

    const FAST: CheckId = CheckId::from_static("fast-check");
    const SLOW: CheckId = CheckId::from_static("slow-check");

    /// Passes a check when the real run of its phase was handed over (the
    /// program writes `ran` on stderr; a stand-in wrote nothing).
    fn judge(runs: &Runs) -> Vec<CheckResult> {
        let seen = |phase: &str| runs.phase(phase).is_ok_and(|r| r.stderr_tail == "ran");
        [(FAST, "fast"), (SLOW, "slow")]
            .into_iter()
            .map(|(id, phase)| match seen(phase) {
                true => CheckResult::pass(id, format!("the {phase} phase ran")),
                false => CheckResult::fail(id, format!("no run of the {phase} phase")),
            })
            .collect()
    }

    fn spec(id: CheckId, phases: Option<Vec<&'static str>>) -> CheckSpec {
        CheckSpec {
            id,
            description: id.to_string(),
            weight: 1.0,
            picture: Picture::None,
            phases,
        }
    }

    /// Two phases; `fast-check` reads only `fast`, while `slow` waits until
    /// someone has seen `fast-check`'s result. Without streaming, `slow`
    /// would end only at its time limit (not with status 0), so the order
    /// of the news is forced, not timed.
    #[test]
    fn a_checks_result_arrives_before_the_last_phase_ends() {
        let counter = crate::exercise::find("counter").unwrap();
        let exercise: &'static Exercise = Box::leak(Box::new(Exercise {
            id: "streaming",
            title: counter.title,
            file: counter.file,
            starter: counter.starter,
            reference: counter.reference,
            text: counter.text.clone(),
            checks: vec![
                counter.checks[0].clone(),
                spec(FAST, Some(vec!["fast"])),
                spec(SLOW, None),
            ],
            phases: vec!["fast", "slow"],
            forbid: Vec::new(),
            forbid_why: "",
            glue: counter.glue,
            judge: Judge::BuiltIn(judge),
            drivers: counter.drivers,
        }));
        let work = tempfile::tempdir().unwrap();
        let release = work.path().join("release");
        let binary = work.path().join("program");
        std::fs::write(
            &binary,
            format!(
                "#!/bin/sh\ncase \"$1\" in\n  slow) while [ ! -e '{}' ]; do sleep 0.01; done ;;\nesac\n\
                 echo ran >&2\n",
                release.display()
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
        let program = Program {
            exercise,
            binary,
            display: "program".into(),
            timings: Timings::default(),
            isolation: None,
            protections: None,
            reused: false,
            _work: Arc::new(work),
        };
        let told = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&told);
        let options = CheckOptions {
            progress: Some(ProgressSink::new(move |progress: Progress| {
                if let Progress::PhaseEnded { checks, .. } = &progress
                    && checks.iter().any(|c| c.id == FAST)
                {
                    std::fs::write(&release, "").unwrap();
                }
                sink.lock().unwrap().push(progress);
            })),
            ..CheckOptions::new()
        };
        let Checked::Done(report) = program.run(&options).unwrap() else {
            panic!("not cancelled")
        };
        let told = told.lock().unwrap().clone();
        let fast_pass = CheckResult::pass(FAST, "the fast phase ran");
        let slow_pass = CheckResult::pass(SLOW, "the slow phase ran");
        assert_eq!(
            told,
            vec![
                Progress::PhaseEnded {
                    phase: "fast".into(),
                    ending: Ending::Exited(0),
                    checks: vec![fast_pass.clone()],
                },
                Progress::PhaseEnded {
                    phase: "slow".into(),
                    ending: Ending::Exited(0),
                    checks: vec![slow_pass.clone()],
                },
            ]
        );
        assert_eq!(report.checks[1..], [fast_pass, slow_pass]);
    }

    /// Only the ready checks are told, judged on the phases they read; a
    /// check reading every phase waits for the full judgement.
    #[test]
    fn a_stream_tells_each_check_once_when_its_phases_have_ended() {
        let counter = crate::exercise::find("counter").unwrap();
        let mut stream = Stream::new(counter);
        let run = |phase: &str| PhaseRun {
            phase: phase.into(),
            records: Vec::new(),
            ending: Ending::Exited(0),
            stderr_tail: String::new(),
        };
        let ids = |results: Vec<CheckResult>| -> Vec<CheckId> {
            results.into_iter().map(|r| r.id).collect()
        };
        assert_eq!(ids(stream.ended(run("idle"))), [CheckId::BUSY_LOOP]);
        assert_eq!(
            ids(stream.ended(run("single"))),
            [CheckId::OWNER_THREAD, CheckId::CORRECTNESS]
        );
        assert!(
            stream.ended(run("load")).is_empty(),
            "the full judgement follows"
        );
        assert!(stream.complete());
        let (results, untold) = stream.judge_all().unwrap();
        assert_eq!(results.len(), counter.checks.len() - 1);
        assert_eq!(
            ids(untold),
            [
                CheckId::LINEARIZABLE,
                CheckId::LOST_MESSAGES,
                CheckId::LEAKED_WORKERS,
                CheckId::HANG,
                CheckId::PANIC
            ]
        );
    }
}
