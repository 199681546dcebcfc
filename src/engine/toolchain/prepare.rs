//! Building everything a check links against before a check is asked for:
//! `threadlings prepare`, and the tutor's background build at start.

use super::{Cancel, ToolchainError, pack_library_or_build, prebuilt_or_build};
use crate::engine::exercise::{DriverCrate, Exercise};
use std::time::{Duration, Instant};

/// One part of the cache that [`prepare`] made ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// What it is, in words (`the check harness`, `the drivers of counter,
    /// ledger`).
    pub what: String,
    /// Whether it was built now (`false`: it was already in the cache).
    pub built: bool,
    /// How long making it ready took (waiting for another process's build
    /// of it included).
    pub took: Duration,
}

/// Builds the harness and the driver crate of every pack among
/// `exercises` into the cache, each once; what is already there costs a
/// file lookup. `starting` is told what is about to be made ready, before
/// the work starts, so a caller can say what it waits for.
pub fn prepare(
    exercises: &[&Exercise],
    cancel: &Cancel,
    mut starting: impl FnMut(&str),
) -> Result<Vec<Prepared>, ToolchainError> {
    let mut done = Vec::new();
    let what = "the check harness".to_string();
    starting(&what);
    let started = Instant::now();
    let (prebuilt, built) = prebuilt_or_build(cancel)?;
    done.push(Prepared {
        what,
        built,
        took: started.elapsed(),
    });
    for (drivers, ids) in packs(exercises) {
        if cancel.is_cancelled() {
            return Err(ToolchainError::Cancelled);
        }
        let what = format!("the drivers of {}", ids.join(", "));
        starting(&what);
        let started = Instant::now();
        let (_, built) = pack_library_or_build(&prebuilt, drivers, cancel)?;
        done.push(Prepared {
            what,
            built,
            took: started.elapsed(),
        });
    }
    Ok(done)
}

/// The distinct driver crates among `exercises` (one per pack), each with
/// the ids of its exercises, in course order.
fn packs<'a>(exercises: &[&'a Exercise]) -> Vec<(&'a DriverCrate, Vec<&'a str>)> {
    let mut packs: Vec<(&DriverCrate, Vec<&str>)> = Vec::new();
    for exercise in exercises {
        match packs.iter_mut().find(|(d, _)| *d == exercise.drivers) {
            Some((_, ids)) => ids.push(exercise.id),
            None => packs.push((exercise.drivers, vec![exercise.id])),
        }
    }
    packs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_exercises_share_one_driver_crate() {
        let all = crate::exercise::all();
        let packs = packs(all);
        assert_eq!(packs.len(), 1);
        assert_eq!(
            packs[0].1,
            all.iter().map(|e| e.id).collect::<Vec<_>>(),
            "every exercise, in course order"
        );
    }
}
