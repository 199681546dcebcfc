//! The runtime: the terminal, the threads that feed the event loop, and
//! the effects. One loop owns the [`App`] and receives every input as a
//! [`Msg`] over one crossbeam channel; it blocks on that channel and only
//! ticks (for the spinner) while a check or the benchmark runs.
//!
//! The threads it owns live beside it: [`event_sources`] (input, file
//! saves, signals) and [`workers`] (checks, the benchmark).

mod event_sources;
mod workers;

use super::app::{App, Effect, Msg};
use super::progress::{self, Progress};
use super::update::update;
use crossbeam_channel::{RecvTimeoutError, unbounded};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use event_sources::{Input, Signals, Watch};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use std::io::Stdout;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use workers::{AheadFile, Bench, Worker};

/// How often the spinner moves while a check runs.
const TICK: Duration = Duration::from_millis(100);

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

/// The exercise files to compile ahead of their first check: those not
/// done yet first, each group in course order.
fn ahead_files(root: &Path, app: &App) -> Vec<AheadFile> {
    let mut files: Vec<(bool, AheadFile)> = app
        .steps
        .iter()
        .filter_map(|step| match &step.kind {
            super::app::StepKind::Exercise {
                checkable: true,
                file,
                ..
            } if root.join(file).is_file() => Some((
                app.progress.done.contains(&step.id),
                AheadFile {
                    exercise: step.id.clone(),
                    rel: file.clone(),
                    file: root.join(file),
                },
            )),
            _ => None,
        })
        .collect();
    // Stable: course order within each group.
    files.sort_by_key(|(done, _)| *done);
    files.into_iter().map(|(_, file)| file).collect()
}

/// Runs the app on the terminal until the learner leaves.
pub fn run(root: &Path, mut app: App, options: &RunOptions) -> anyhow::Result<Duration> {
    let started = Instant::now();
    install_panic_hook();
    enter_terminal()?;
    let _guard = Guard;
    let mut terminal: Term = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    wipe(&mut terminal)?;

    let size = terminal.size()?;

    // Nothing below returns early: every thread started here is stopped
    // and joined at the end, however the loop ends.
    let (tx, rx) = unbounded::<Msg>();
    let signals = Signals::spawn(tx.clone())?;
    let input = Input::spawn(tx.clone());
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
    let mut worker = Worker::spawn(tx.clone(), ahead_files(root, &app));
    let mut bench = Bench::new(tx.clone());
    drop(tx);

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
        if terminal
            .draw(|frame| frame.render_widget(&app, frame.area()))
            .is_err()
        {
            // The terminal cannot be written: it is gone. Leave in order.
            effects = update(&mut app, Msg::TerminalGone);
            continue;
        }
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
            let content = content_hash(&root.join(&file));
            io.worker
                .start(generation, exercise, file.clone(), root.join(&file));
            Some(Msg::CheckStarted(file, content))
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

/// A hash of what `file` holds (`None`: it cannot be read), to tell a save
/// that changed something from one that did not.
fn content_hash(file: &Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let content = std::fs::read(file).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    content.hash(&mut h);
    Some(h.finish())
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
