//! The threads that turn the outside world into [`Msg`]s for the loop:
//! terminal input, file saves and signals.

use crate::tui::app::Msg;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded, unbounded};
use crossterm::event::{self, Event, MouseEventKind};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Quiet time after the last file event before a save counts.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// How long the input thread blocks before it looks at its control channel.
const INPUT_POLL: Duration = Duration::from_millis(100);
/// How long crossterm may take to turn bytes already waiting into an event.
const CROSSTERM_POLL: Duration = Duration::from_millis(20);

enum Ctl {
    Pause(Sender<()>),
    Resume,
    Stop,
}

/// Reads terminal events on its own thread; can be paused while an editor
/// owns the terminal.
pub(super) struct Input {
    ctl: Sender<Ctl>,
    thread: JoinHandle<()>,
}

impl Input {
    pub(super) fn spawn(tx: Sender<Msg>) -> Input {
        let (ctl, ctl_rx) = unbounded::<Ctl>();
        let thread = std::thread::Builder::new()
            .name("tui-input".into())
            .spawn(move || input_loop(&tx, &ctl_rx))
            .expect("spawn the input thread");
        Input { ctl, thread }
    }

    /// Stops reading and waits (briefly) until the thread has.
    pub(super) fn pause(&self) {
        let (ack, ack_rx) = bounded(1);
        if self.ctl.send(Ctl::Pause(ack)).is_ok() {
            let _ = ack_rx.recv_timeout(Duration::from_secs(2));
        }
    }

    /// Reads again after [`Input::pause`].
    pub(super) fn resume(&self) {
        let _ = self.ctl.send(Ctl::Resume);
    }

    /// Stops the thread and joins it: it notices within one [`INPUT_POLL`].
    pub(super) fn stop(self) {
        let _ = self.ctl.send(Ctl::Stop);
        let _ = self.thread.join();
    }
}

/// The terminal as the input thread sees it: the descriptor crossterm reads
/// (standard input when it is a terminal, else `/dev/tty`), watched with
/// `poll(2)` before crossterm is asked for anything.
///
/// Why: once the terminal hangs up (the window closed, tmux killed, SSH
/// lost) every read returns at once with nothing. crossterm's default
/// reader retries such reads forever; the `use-dev-tty` one we build with
/// retries them until its timeout. Seeing the hang-up here first means
/// crossterm is only asked when bytes wait, and a hang-up that lands
/// between the two costs at most one [`CROSSTERM_POLL`] of spinning.
struct Tty {
    fd: std::os::fd::RawFd,
    /// Keeps `/dev/tty` open when standard input is not the terminal.
    _owned: Option<std::fs::File>,
}

/// What the terminal had for the input thread.
#[derive(Debug, PartialEq)]
enum Ready {
    /// Bytes to read.
    Input,
    /// Nothing within the wait.
    Idle,
    /// Hung up, closed or failing: it will never give input again.
    Gone,
}

impl Tty {
    fn open() -> std::io::Result<Tty> {
        use std::io::IsTerminal;
        use std::os::fd::AsRawFd;
        if std::io::stdin().is_terminal() {
            return Ok(Tty {
                fd: libc::STDIN_FILENO,
                _owned: None,
            });
        }
        let file = std::fs::File::open("/dev/tty")?;
        Ok(Tty {
            fd: file.as_raw_fd(),
            _owned: Some(file),
        })
    }

    /// Waits up to `timeout` for input or a hang-up.
    fn wait(&self, timeout: Duration) -> Ready {
        let mut pfd = libc::pollfd {
            fd: self.fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, and its count is 1.
        let n = unsafe { libc::poll(&mut pfd, 1, millis) };
        if n < 0 {
            return if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                Ready::Idle
            } else {
                Ready::Gone
            };
        }
        if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            Ready::Gone
        } else if pfd.revents & libc::POLLIN != 0 {
            Ready::Input
        } else {
            Ready::Idle
        }
    }
}

fn input_loop(tx: &Sender<Msg>, ctl: &Receiver<Ctl>) {
    let tty = match Tty::open() {
        Ok(tty) => tty,
        Err(_) => {
            let _ = tx.send(Msg::TerminalGone);
            return;
        }
    };
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
        match tty.wait(INPUT_POLL) {
            Ready::Input => {}
            Ready::Idle => continue,
            Ready::Gone => {
                let _ = tx.send(Msg::TerminalGone);
                return;
            }
        }
        // Bytes are waiting, so this returns at once with an event or with
        // a partial escape sequence's worth of nothing.
        match event::poll(CROSSTERM_POLL) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(_) => {
                let _ = tx.send(Msg::TerminalGone);
                return;
            }
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
            Err(_) => {
                let _ = tx.send(Msg::TerminalGone);
                return;
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// Watches `exercises/` and sends one [`Msg::FileChanged`] per saved `.rs`
/// file once events have been quiet for [`DEBOUNCE`].
pub(super) struct Watch {
    _watcher: notify::RecommendedWatcher,
    thread: JoinHandle<()>,
}

impl Watch {
    pub(super) fn spawn(root: &Path, tx: Sender<Msg>) -> notify::Result<Watch> {
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
                            && tx
                                .send(Msg::FileChanged(
                                    rel.to_path_buf(),
                                    super::content_hash(&path),
                                ))
                                .is_err()
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

    /// Stops watching and joins the debounce thread.
    pub(super) fn stop(self) {
        drop(self._watcher);
        let _ = self.thread.join();
    }
}

/// SIGTERM, SIGINT and SIGHUP become [`Msg::Signal`]; SIGINT is ignored
/// while an editor has the terminal (Ctrl-C there belongs to the editor).
/// SIGWINCH becomes [`Msg::Resize`]: the input thread asks crossterm for
/// events only when the terminal has bytes, so a resize is heard here.
pub(super) struct Signals {
    handle: signal_hook::iterator::Handle,
    thread: JoinHandle<()>,
    /// Set while an editor owns the terminal.
    pub(super) editing: Arc<AtomicBool>,
}

impl Signals {
    pub(super) fn spawn(tx: Sender<Msg>) -> std::io::Result<Signals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM, SIGWINCH};
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP, SIGWINCH])?;
        let handle = signals.handle();
        let editing = Arc::new(AtomicBool::new(false));
        let in_editor = Arc::clone(&editing);
        let thread = std::thread::Builder::new()
            .name("tui-signals".into())
            .spawn(move || {
                for signal in signals.forever() {
                    let msg = match signal {
                        SIGWINCH => match crossterm::terminal::size() {
                            Ok((w, h)) => Msg::Resize(w, h),
                            Err(_) => continue,
                        },
                        SIGINT if in_editor.load(Ordering::SeqCst) => continue,
                        _ => Msg::Signal,
                    };
                    if tx.send(msg).is_err() {
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

    /// Stops listening and joins the thread.
    pub(super) fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}
