use super::*;
use std::sync::Mutex;

/// A stand-in program (its content names it) and the cache's directory.
fn program(dir: &Path, name: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, name).unwrap();
    path
}

fn kept(cache: &ProgramCache, key: ProgramKey) -> Option<String> {
    let found = cache.get(key)?;
    Some(std::fs::read_to_string(&found.binary).unwrap())
}

#[test]
fn a_key_changes_with_the_content_the_path_the_exercise_and_the_build() {
    let key = ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", "b");
    assert_eq!(
        key,
        ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", "b")
    );
    for other in [
        ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {} ", "b"),
        ProgramKey::new("counter", Path::new("/b.rs"), b"fn main() {}", "b"),
        ProgramKey::new("ledger", Path::new("/a.rs"), b"fn main() {}", "b"),
        ProgramKey::new("counter", Path::new("/a.rs"), b"fn main() {}", "c"),
    ] {
        assert_ne!(key, other);
    }
}

#[test]
fn the_cache_keeps_the_most_recently_used_and_removes_what_falls_out() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ProgramCache::in_dir(dir.path().join("programs"));
    let built = tempfile::tempdir().unwrap();
    let none = Inputs::default();
    // Distinct modification times order the entries.
    let tick = || std::thread::sleep(std::time::Duration::from_millis(5));
    cache.put(ProgramKey(0), &program(built.path(), "p0"), &none);
    for i in 1..KEPT as u64 {
        tick();
        cache.put(
            ProgramKey(i),
            &program(built.path(), &format!("p{i}")),
            &none,
        );
    }
    tick();
    // Used again: now the newest, so the next one pushes out key 1.
    assert_eq!(kept(&cache, ProgramKey(0)).as_deref(), Some("p0"));
    tick();
    cache.put(ProgramKey(100), &program(built.path(), "p100"), &none);
    assert_eq!(cache.len(), KEPT);
    assert_eq!(kept(&cache, ProgramKey(1)), None);
    assert_eq!(kept(&cache, ProgramKey(0)).as_deref(), Some("p0"));
    // A program handed out survives its entry's removal.
    let held = cache.get(ProgramKey(2)).unwrap();
    for i in 101..101 + KEPT as u64 {
        tick();
        cache.put(
            ProgramKey(i),
            &program(built.path(), &format!("p{i}")),
            &none,
        );
    }
    assert_eq!(kept(&cache, ProgramKey(0)), None);
    assert_eq!(std::fs::read_to_string(&held.binary).unwrap(), "p2");
    let work = held.work.path().to_path_buf();
    drop(held);
    assert!(!work.exists(), "a run's directory goes with its last user");
}

#[test]
fn a_program_is_reused_only_while_the_other_files_it_read_are_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let cache = ProgramCache::in_dir(dir.path().join("programs"));
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("helper.rs"), "pub fn one() -> i64 { 1 }").unwrap();
    let work = dir.path().join("work");
    // As rustc writes it: the glue (the tool's own, left out), the
    // learner's file, a module beside it, an environment variable.
    let dep_info = format!(
        "check: {w}/glue.rs {s}/counter.rs {s}/helper.rs\n\n{w}/glue.rs:\n{s}/counter.rs:\n\
         {s}/helper.rs:\n\n# env-dep:THREADLINGS_TEST_UNSET_VARIABLE\n",
        w = work.display(),
        s = src.display()
    );
    let inputs = Inputs::from_dep_info(&dep_info, &work, &work.join("glue.rs"));
    assert_eq!(inputs.files.len(), 2, "{inputs:?}");
    assert_eq!(Inputs::parse(&inputs.to_text()), Some(inputs.clone()));
    std::fs::write(src.join("counter.rs"), "mod helper;").unwrap();
    let inputs = Inputs::from_dep_info(&dep_info, &work, &work.join("glue.rs"));
    let built = tempfile::tempdir().unwrap();
    cache.put(ProgramKey(7), &program(built.path(), "p7"), &inputs);
    assert_eq!(kept(&cache, ProgramKey(7)).as_deref(), Some("p7"));
    std::fs::write(src.join("helper.rs"), "pub fn one() -> i64 { 2 }").unwrap();
    assert_eq!(kept(&cache, ProgramKey(7)), None, "the module changed");
    std::fs::write(src.join("helper.rs"), "pub fn one() -> i64 { 1 }").unwrap();
    assert_eq!(kept(&cache, ProgramKey(7)).as_deref(), Some("p7"));
    std::fs::remove_file(src.join("helper.rs")).unwrap();
    assert_eq!(kept(&cache, ProgramKey(7)), None, "the module is gone");
}

/// A check of unchanged content runs the program compiled before (no
/// compile time); an edit compiles again. Each check tells its progress
/// as it goes: the compile first, then each phase's end.
#[test]
fn a_check_of_the_same_content_reuses_its_program() {
    use crate::engine::{CheckOptions, Checked, Progress, ProgressSink, check};
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("counter.rs");
    let counter = crate::exercise::find("counter").unwrap();
    std::fs::write(&file, counter.reference).unwrap();
    let cache = ProgramCache::in_dir(dir.path().join("programs"));
    let told = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&told);
    let options = CheckOptions {
        programs: Some(cache.clone()),
        progress: Some(ProgressSink::new(move |p| sink.lock().unwrap().push(p))),
        ..CheckOptions::new()
    };
    let report = |options: &CheckOptions| match check(counter, &file, options).unwrap() {
        Checked::Done(report) => report,
        Checked::Cancelled => panic!("not cancelled"),
    };
    let first = report(&options);
    assert!(first.passed, "{}", first.to_json());
    assert!(first.timings.compile_ms > 0);
    assert_eq!(cache.len(), 1);
    let steps = std::mem::take(&mut *told.lock().unwrap());
    assert_eq!(steps.len(), 1 + counter.phases.len(), "{steps:?}");
    assert!(
        matches!(&steps[0], Progress::Compiled(c) if c.passed),
        "{steps:?}"
    );
    let mut ended: Vec<&str> = steps[1..]
        .iter()
        .map(|p| match p {
            Progress::PhaseEnded { phase, .. } => phase.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    ended.sort_unstable();
    let mut phases = counter.phases.clone();
    phases.sort_unstable();
    assert_eq!(ended, phases);

    let again = report(&options);
    assert!(again.passed, "{}", again.to_json());
    assert_eq!(again.timings.compile_ms, 0, "not compiled again");
    assert_eq!(cache.len(), 1);

    std::fs::write(&file, format!("{}\n// edited\n", counter.reference)).unwrap();
    let edited = report(&options);
    assert!(edited.timings.compile_ms > 0, "an edit compiles again");
    assert_eq!(cache.len(), 2);

    // A file that does not compile: its compile result is told too.
    std::fs::write(&file, "fn broken( {").unwrap();
    told.lock().unwrap().clear();
    let broken = report(&options);
    assert!(!broken.passed);
    let steps = told.lock().unwrap().clone();
    assert!(
        matches!(steps.as_slice(), [Progress::Compiled(c)] if !c.passed),
        "{steps:?}"
    );
}

/// Compiles reusing rustc's state from the file's earlier compiles never
/// change a verdict: a bug put in, taken out and put in again at the same
/// path is found each time.
#[test]
fn an_edit_compiled_incrementally_gets_its_own_verdict() {
    use crate::engine::{CheckOptions, Checked, check};
    let counter = crate::exercise::find("counter").unwrap();
    let buggy = include_str!("../../../pack/counter/corpus/buggy/unsigned_count.rs");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("counter.rs");
    let passed = |text: &str| {
        std::fs::write(&file, text).unwrap();
        match check(counter, &file, &CheckOptions::new()).unwrap() {
            Checked::Done(report) => (report.passed, report.timings.compile_ms > 0),
            Checked::Cancelled => panic!("not cancelled"),
        }
    };
    assert_eq!(passed(counter.reference), (true, true));
    assert_eq!(passed(buggy), (false, true));
    assert_eq!(passed(counter.reference), (true, true));
    assert_eq!(passed(buggy), (false, true));
}
