//! The `shutdown` check: `shutdown()` returns while clients still hold
//! their handles, and every call after it fails with `Err(Stopped)` at once
//! and for good.

use super::records::{label, ops_by_trial, shutdown_op};
use std::collections::BTreeSet;
use threadlings_judge::CheckResult;
use threadlings_judge::protocol::{OpRecord, Record};
use threadlings_judge::{self as judge, PhaseRun};

/// How long a call made after `shutdown()` returned may take.
const PROMPT_MICROS: u64 = 200_000;
pub(super) fn shutdown(runs: &[PhaseRun]) -> CheckResult {
    let id = super::SHUTDOWN;
    for run in runs {
        for r in &run.records {
            if let Record::Hang {
                thread,
                call,
                millis,
                ..
            } = r
            {
                if call.starts_with("shutdown") {
                    return CheckResult::fail(
                        id,
                        format!(
                            "shutdown() did not return within {millis} ms while clients still held their \
                             handles: shutdown() waits for the handles to be dropped. It must stop the \
                             worker itself (a stop message through the mailbox), not wait for every \
                             sender to go away"
                        ),
                    );
                }
                if call.ends_with("after shutdown()") {
                    return CheckResult::fail(
                        id,
                        format!(
                            "{thread}'s {call} blocked for {millis} ms: after shutdown every call must \
                             return Err(Stopped) at once"
                        ),
                    );
                }
            }
        }
    }
    let mut shutdowns = 0;
    let mut late_calls = 0;
    let mut slowest = 0;
    for run in runs {
        for (trial, ops) in ops_by_trial(run) {
            let shut = shutdown_op(&ops).and_then(|o| o.ret);
            if shut.is_some() {
                shutdowns += 1;
            }
            let lanes: BTreeSet<usize> = ops.iter().map(|o| o.thread).collect();
            for lane in lanes {
                let mut seen: Option<&OpRecord> = None;
                for op in ops
                    .iter()
                    .filter(|o| o.thread == lane && o.input != "shutdown")
                {
                    let Some(out) = op.output.as_deref() else {
                        continue;
                    };
                    if out == "stopped" {
                        seen.get_or_insert(op);
                    } else if let Some(first) = seen {
                        return CheckResult::fail(
                            id,
                            format!(
                                "in trial {trial} ({} phase), a thread got Err(Stopped) from {} and later \
                                 {}: once a thread has seen Stopped it must keep seeing it",
                                run.phase,
                                label(first).trim_end_matches(" -> Err(Stopped)"),
                                match out {
                                    "ok" => format!("{} returned Ok(())", label(op)),
                                    _ => format!("{} returned Ok", label(op)),
                                }
                            ),
                        );
                    }
                    if shut.is_some_and(|s| op.call > s) {
                        late_calls += 1;
                        if out != "stopped" {
                            return CheckResult::fail(
                                id,
                                format!(
                                    "in trial {trial} ({} phase), {} was called after shutdown() had \
                                     returned and {}; after shutdown every call must return Err(Stopped)",
                                    run.phase,
                                    label(op),
                                    if out == "ok" {
                                        "returned Ok(())"
                                    } else {
                                        "returned Ok"
                                    }
                                ),
                            );
                        }
                    }
                }
            }
        }
        for r in &run.records {
            if let Record::Fact { name, fields } = r
                && name == "after"
            {
                let calls: u64 = fields.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
                let micros: u64 = fields.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
                if calls > 0 {
                    slowest = slowest.max(micros);
                }
                if micros >= PROMPT_MICROS {
                    return CheckResult::fail(
                        id,
                        format!(
                            "a call made after shutdown() had returned took {} ms; it must return \
                             Err(Stopped) promptly (well under {} ms)",
                            micros / 1000,
                            PROMPT_MICROS / 1000
                        ),
                    );
                }
            }
        }
    }
    let load = runs.iter().find(|r| r.phase == "load");
    let load_shutdowns = load.map_or(0, |l| {
        l.ops()
            .filter(|o| o.input == "shutdown" && o.ret.is_some())
            .count()
    });
    if load_shutdowns == 0 || !load.is_some_and(|l| l.finished()) {
        let run = runs
            .iter()
            .find(|r| r.cut_short().is_some())
            .or(load)
            .unwrap_or(&runs[0]);
        return judge::not_checked(id, run);
    }
    CheckResult::pass(
        id,
        format!(
            "{} returned while clients held their handles and kept calling; \
             Stopped was final on every thread, and {} after shutdown failed \
             promptly (slowest {} µs)",
            judge::count_of(shutdowns, "shutdown"),
            judge::count_of(late_calls, "call"),
            slowest
        ),
    )
}
