//! The runtime: the terminal, the threads that feed the event loop, and
//! the effects. One loop owns the [`App`] and receives every input as a
//! [`Msg`] over one crossbeam channel; it blocks on that channel and only
//! ticks (for the spinner) while a check or the benchmark runs.

use super::app::{App, BenchmarkPlan, BenchmarkResult, CheckOutcome, Effect, Msg};
use super::progress::{self, Progress};
use super::update::update;
use crate::course::scaling;
use crate::engine::supervisor::Cancel;
use crate::engine::{self, CheckOptions, Checked};
use crate::exercise;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, MouseEventKind};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::collections::{BTreeSet, HashMap};
use std::io::Stdout;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the spinner moves while a check runs.
const TICK: Duration = Duration::from_millis(100);
/// Quiet time after the last file event before a save counts.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// How long the input thread blocks before it looks at its control channel.
const INPUT_POLL: Duration = Duration::from_millis(100);

type Term = Terminal<CrosstermBackend<Stdout>>;

/// Leaves raw mode and the alternate screen; safe to call twice.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = execute!(
        std::io::stdout(),
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

fn enter_terminal() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(std::io::stdout(), EnterAlternateScreen, EnableMouseCapture)
}

/// Restores the terminal before the panic message prints.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        previous(info);
    }));
}

/// Restores the terminal when dropped (errors and early returns).
struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

enum Ctl {
    Pause(Sender<()>),
    Resume,
    Stop,
}

/// Reads terminal events on its own thread; can be paused while an editor
/// owns the terminal.
struct Input {
    ctl: Sender<Ctl>,
    thread: JoinHandle<()>,
}

impl Input {
    fn spawn(tx: Sender<Msg>) -> Input {
        let (ctl, ctl_rx) = unbounded::<Ctl>();
        let thread = std::thread::Builder::new()
            .name("tui-input".into())
            .spawn(move || input_loop(&tx, &ctl_rx))
            .expect("spawn the input thread");
        Input { ctl, thread }
    }

    fn pause(&self) {
        let (ack, ack_rx) = bounded(1);
        if self.ctl.send(Ctl::Pause(ack)).is_ok() {
            let _ = ack_rx.recv_timeout(Duration::from_secs(2));
        }
    }

    fn resume(&self) {
        let _ = self.ctl.send(Ctl::Resume);
    }

    /// Stops the thread and joins it: it notices within one [`INPUT_POLL`].
    fn stop(self) {
        let _ = self.ctl.send(Ctl::Stop);
        let _ = self.thread.join();
    }
}

fn input_loop(tx: &Sender<Msg>, ctl: &Receiver<Ctl>) {
    loop {
        match ctl.try_recv() {
            Ok(Ctl::Pause(ack)) => {
                let _ = ack.send(());
                match ctl.recv() {
                    Ok(Ctl::Resume) => continue,
                    _ => return,
                }
            }
            // Told to stop, or its owner is gone: either way, done.
            Ok(Ctl::Stop) | Err(crossbeam_channel::TryRecvError::Disconnected) => return,
            Ok(Ctl::Resume) | Err(crossbeam_channel::TryRecvError::Empty) => {}
        }
        match event::poll(INPUT_POLL) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => return,
        }
        let msg = match event::read() {
            Ok(Event::Key(key)) => Msg::Key(key),
            Ok(Event::Mouse(mouse)) => match mouse.kind {
                MouseEventKind::ScrollDown => Msg::Scroll(3),
                MouseEventKind::ScrollUp => Msg::Scroll(-3),
                _ => continue,
            },
            Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
            Ok(_) => continue,
            Err(_) => return,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

struct Job {
    generation: u64,
    exercise: String,
    /// The exercise file as the project names it (`exercises/counter.rs`).
    rel: PathBuf,
    file: PathBuf,
    options: CheckOptions,
}

/// What a file holds, cheaply compared: its length and modification time.
fn fingerprint(file: &std::path::Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// The check worker: owns the checks it runs; the loop talks to it over
/// a channel and cancels through each job's [`Cancel`].
struct Worker {
    jobs: Sender<Job>,
    cancels: HashMap<u64, Cancel>,
    thread: JoinHandle<()>,
}

impl Worker {
    fn spawn(tx: Sender<Msg>) -> Worker {
        let (jobs, jobs_rx) = unbounded::<Job>();
        let thread = std::thread::Builder::new()
            .name("tui-checker".into())
            .spawn(move || {
                for job in jobs_rx {
                    let before = fingerprint(&job.file);
                    let outcome = run_job(&job);
                    // A save the watcher missed (it was not watching yet,
                    // or the filesystem sends no events) still gets checked.
                    // Sent first, so the stale result is never shown.
                    if fingerprint(&job.file) != before
                        && tx.send(Msg::FileChanged(job.rel.clone())).is_err()
                    {
                        return;
                    }
                    let done = Msg::CheckDone {
                        generation: job.generation,
                        outcome,
                    };
                    if tx.send(done).is_err() {
                        return;
                    }
                }
            })
            .expect("spawn the checker thread");
        Worker {
            jobs,
            cancels: HashMap::new(),
            thread,
        }
    }

    fn start(&mut self, generation: u64, exercise: String, rel: PathBuf, file: PathBuf) {
        let options = CheckOptions::new();
        self.cancels.insert(generation, options.cancel.clone());
        let _ = self.jobs.send(Job {
            generation,
            exercise,
            rel,
            file,
            options,
        });
    }

    fn cancel(&mut self, generation: u64) {
        if let Some(cancel) = self.cancels.remove(&generation) {
            cancel.cancel();
        }
    }

    fn stop(self) {
        for cancel in self.cancels.values() {
            cancel.cancel();
        }
        drop(self.jobs);
        let _ = self.thread.join();
    }
}

fn run_job(job: &Job) -> CheckOutcome {
    if job.options.cancel.is_cancelled() {
        return CheckOutcome::Cancelled;
    }
    let Some(exercise) = exercise::find(&job.exercise) else {
        return CheckOutcome::Error(format!("no exercise called {}", job.exercise));
    };
    match engine::check(exercise, &job.file, &job.options) {
        Ok(Checked::Done(report)) => CheckOutcome::Report(report),
        Ok(Checked::Cancelled) => CheckOutcome::Cancelled,
        Err(err) => CheckOutcome::Error(err.to_string()),
    }
}

/// Runs the owners benchmark on a thread of its own, so the loop stays
/// responsive. The runtime owns that thread and joins it on exit; a run
/// cannot be cancelled, which is why the plan keeps it short.
struct Bench {
    tx: Sender<Msg>,
    thread: Option<JoinHandle<()>>,
}

impl Bench {
    fn new(tx: Sender<Msg>) -> Bench {
        Bench { tx, thread: None }
    }

    /// Starts a run; its result comes back as [`Msg::BenchmarkDone`]. The
    /// returned message reports a thread that could not be started.
    fn start(&mut self, plan: BenchmarkPlan) -> Option<Msg> {
        // The app asks again only after the previous run's result arrived,
        // so that thread has sent its message and is at most exiting.
        if let Some(done) = self.thread.take() {
            let _ = done.join();
        }
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name("tui-benchmark".into())
            .spawn(move || {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let result = std::panic::catch_unwind(|| scaling::run(&plan.threads, plan.ops))
                    .map(|rows| BenchmarkResult {
                        rows,
                        cores,
                        optimised: !cfg!(debug_assertions),
                    })
                    .map_err(|_| "the benchmark thread panicked".to_string());
                let _ = tx.send(Msg::BenchmarkDone(result));
            });
        match spawned {
            Ok(thread) => {
                self.thread = Some(thread);
                None
            }
            Err(err) => Some(Msg::BenchmarkDone(Err(format!(
                "cannot start the benchmark thread: {err}"
            )))),
        }
    }

    /// Waits for a running benchmark to finish.
    fn stop(self) {
        drop(self.tx);
        if let Some(thread) = self.thread {
            let _ = thread.join();
        }
    }
}

/// Watches `exercises/` and sends one [`Msg::FileChanged`] per saved `.rs`
/// file once events have been quiet for [`DEBOUNCE`].
struct Watch {
    _watcher: notify::RecommendedWatcher,
    thread: JoinHandle<()>,
}

impl Watch {
    fn spawn(root: &Path, tx: Sender<Msg>) -> notify::Result<Watch> {
        use notify::{EventKind, RecursiveMode, Watcher};
        let (raw_tx, raw_rx) = unbounded::<PathBuf>();
        let mut watcher =
            notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
                if let Ok(event) = res
                    && matches!(event.kind, EventKind::Modify(_) | EventKind::Create(_))
                {
                    for path in event.paths {
                        let _ = raw_tx.send(path);
                    }
                }
            })?;
        watcher.watch(&root.join("exercises"), RecursiveMode::NonRecursive)?;
        let root = root.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("tui-watch".into())
            .spawn(move || {
                while let Ok(first) = raw_rx.recv() {
                    let mut paths = BTreeSet::from([first]);
                    loop {
                        match raw_rx.recv_timeout(DEBOUNCE) {
                            Ok(path) => {
                                paths.insert(path);
                            }
                            Err(RecvTimeoutError::Timeout) => break,
                            Err(RecvTimeoutError::Disconnected) => return,
                        }
                    }
                    for path in paths {
                        if path.extension().is_some_and(|e| e == "rs")
                            && let Ok(rel) = path.strip_prefix(&root)
                            && tx.send(Msg::FileChanged(rel.to_path_buf())).is_err()
                        {
                            return;
                        }
                    }
                }
            })
            .expect("spawn the watch thread");
        Ok(Watch {
            _watcher: watcher,
            thread,
        })
    }

    fn stop(self) {
        drop(self._watcher);
        let _ = self.thread.join();
    }
}

/// SIGTERM, SIGINT and SIGHUP become [`Msg::Signal`]; SIGINT is ignored
/// while an editor has the terminal (Ctrl-C there belongs to the editor).
struct Signals {
    handle: signal_hook::iterator::Handle,
    thread: JoinHandle<()>,
    editing: Arc<AtomicBool>,
}

impl Signals {
    fn spawn(tx: Sender<Msg>) -> std::io::Result<Signals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP])?;
        let handle = signals.handle();
        let editing = Arc::new(AtomicBool::new(false));
        let in_editor = Arc::clone(&editing);
        let thread = std::thread::Builder::new()
            .name("tui-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    if signal == SIGINT && in_editor.load(Ordering::SeqCst) {
                        continue;
                    }
                    if tx.send(Msg::Signal).is_err() {
                        return;
                    }
                }
            })?;
        Ok(Signals {
            handle,
            thread,
            editing,
        })
    }

    fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}

/// How the runtime was asked to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// No file watching; only `r` re-checks.
    pub manual_run: bool,
    /// A step to open at once (its id).
    pub open: Option<String>,
    /// Draw one frame, then leave (for measuring start-up).
    pub exit_after_first_frame: bool,
    /// Panic after the first frame (tests that the terminal is restored).
    pub panic_after_first_frame: bool,
    /// When the process started, for the time to the first frame.
    pub process_start: Option<Instant>,
}

/// Clears the screen and makes the next draw repaint every cell.
///
/// `Terminal::clear` would also ask the terminal where its cursor is and
/// wait for the answer, which some terminals never send (a 2 s stall, then
/// an error); a full-screen app has no use for that position.
fn wipe(terminal: &mut Term) -> std::io::Result<()> {
    use ratatui::backend::Backend;
    terminal.backend_mut().clear()?;
    // Both buffers blank: the next frame differs from "nothing" everywhere.
    terminal.current_buffer_mut().reset();
    terminal.swap_buffers();
    Ok(())
}

/// Runs the app on the terminal until the learner leaves.
pub fn run(root: &Path, mut app: App, options: &RunOptions) -> anyhow::Result<Duration> {
    let started = Instant::now();
    install_panic_hook();
    enter_terminal()?;
    let _guard = Guard;
    let mut terminal: Term = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    wipe(&mut terminal)?;

    let (tx, rx) = unbounded::<Msg>();
    let input = Input::spawn(tx.clone());
    let signals = Signals::spawn(tx.clone())?;
    let watch = if options.manual_run {
        None
    } else {
        match Watch::spawn(root, tx.clone()) {
            Ok(w) => Some(w),
            Err(err) => {
                app.status = format!("cannot watch files ({err}): press r to check");
                app.manual_run = true;
                None
            }
        }
    };
    let mut worker = Worker::spawn(tx.clone());
    let mut bench = Bench::new(tx.clone());
    drop(tx);

    let size = terminal.size()?;
    let mut effects = update(&mut app, Msg::Resize(size.width, size.height));
    if let Some(i) = options.open.as_deref().and_then(|id| app.step_index(id)) {
        effects = super::update::open(&mut app, i);
    }
    let mut quit = false;
    let mut first_frame = None;
    loop {
        for effect in effects.drain(..) {
            let mut io = Io {
                root,
                worker: &mut worker,
                bench: &mut bench,
                input: &input,
                editing: &signals.editing,
                terminal: &mut terminal,
            };
            quit |= execute(effect, &mut io, &mut app);
        }
        if quit {
            break;
        }
        terminal.draw(|frame| frame.render_widget(&app, frame.area()))?;
        if first_frame.is_none() {
            first_frame = Some(options.process_start.unwrap_or(started).elapsed());
            if options.exit_after_first_frame {
                break;
            }
            if options.panic_after_first_frame {
                panic!("test panic after the first frame, as asked");
            }
        }
        let msg = if app.busy() {
            match rx.recv_timeout(TICK) {
                Ok(msg) => msg,
                Err(RecvTimeoutError::Timeout) => Msg::Tick(started.elapsed()),
                Err(RecvTimeoutError::Disconnected) => break,
            }
        } else {
            match rx.recv() {
                Ok(msg) => msg,
                Err(_) => break,
            }
        };
        // Handle everything already queued before drawing again.
        for msg in std::iter::once(msg).chain(rx.try_iter()) {
            app.now = started.elapsed();
            if let Msg::CheckDone { generation, .. } = &msg {
                worker.cancels.remove(generation);
            }
            effects.extend(update(&mut app, msg));
        }
    }
    input.stop();
    signals.stop();
    if let Some(watch) = watch {
        watch.stop();
    }
    worker.stop();
    drop(terminal);
    restore_terminal();
    // After the terminal is back: a benchmark still running finishes first.
    bench.stop();
    Ok(first_frame.unwrap_or_default())
}

/// What effects act on.
struct Io<'a> {
    root: &'a Path,
    worker: &'a mut Worker,
    bench: &'a mut Bench,
    input: &'a Input,
    editing: &'a AtomicBool,
    terminal: &'a mut Term,
}

/// Runs one effect; `true` means leave.
fn execute(effect: Effect, io: &mut Io<'_>, app: &mut App) -> bool {
    let root = io.root;
    let feedback = match effect {
        Effect::Quit => return true,
        Effect::StartCheck {
            generation,
            exercise,
            file,
        } => {
            io.worker
                .start(generation, exercise, file.clone(), root.join(file));
            None
        }
        Effect::RunBenchmark(plan) => io.bench.start(plan),
        Effect::CancelCheck { generation } => {
            io.worker.cancel(generation);
            None
        }
        Effect::SaveProgress(progress) => progress
            .save(&Progress::path(root))
            .err()
            .map(|err| Msg::SaveFailed(err.to_string())),
        Effect::MoveProgressAside => Some(Msg::MovedAside(
            progress::move_aside(&Progress::path(root)).map_err(|e| e.to_string()),
        )),
        Effect::ResetFile { file, starter } => Some(Msg::ResetDone(reset(root, &file, &starter))),
        Effect::OpenEditor(file) => {
            io.input.pause();
            io.editing.store(true, Ordering::SeqCst);
            restore_terminal();
            let result = edit(&root.join(&file));
            let _ = enter_terminal();
            io.editing.store(false, Ordering::SeqCst);
            let _ = wipe(io.terminal);
            io.input.resume();
            Some(Msg::EditorClosed(result))
        }
    };
    if let Some(msg) = feedback {
        // Feedback goes straight into the state; its effects run next.
        for effect in update(app, msg) {
            if execute(effect, io, app) {
                return true;
            }
        }
    }
    false
}

/// Writes `file.bak`, then the starter over `file`.
fn reset(root: &Path, file: &Path, starter: &str) -> Result<PathBuf, String> {
    let path = root.join(file);
    // Never overwrite an older backup: .bak, then .bak.1, .bak.2, ...
    let backup = (0..)
        .map(|n| {
            let mut name = file.as_os_str().to_owned();
            name.push(if n == 0 {
                ".bak".to_string()
            } else {
                format!(".bak.{n}")
            });
            PathBuf::from(name)
        })
        .find(|candidate| !root.join(candidate).exists())
        .expect("some backup name is free");
    if path.exists() {
        std::fs::copy(&path, root.join(&backup)).map_err(|e| format!("cannot back up: {e}"))?;
    }
    std::fs::write(&path, starter).map_err(|e| e.to_string())?;
    Ok(backup)
}

fn edit(path: &Path) -> Result<(), String> {
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            std::env::var("EDITOR")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
        .unwrap_or_else(|| "vi".to_string());
    let mut parts = editor.split_whitespace();
    let program = parts.next().unwrap_or("vi");
    let status = std::process::Command::new(program)
        .args(parts)
        .arg(path)
        .status()
        .map_err(|e| format!("cannot run the editor `{editor}`: {e} (set $VISUAL or $EDITOR)"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the editor `{editor}` exited with {status}"))
    }
}
