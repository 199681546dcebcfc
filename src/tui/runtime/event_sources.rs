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

    /// Stops watching and joins the debounce thread.
    pub(super) fn stop(self) {
        drop(self._watcher);
        let _ = self.thread.join();
    }
}

/// SIGTERM, SIGINT and SIGHUP become [`Msg::Signal`]; SIGINT is ignored
/// while an editor has the terminal (Ctrl-C there belongs to the editor).
pub(super) struct Signals {
    handle: signal_hook::iterator::Handle,
    thread: JoinHandle<()>,
    /// Set while an editor owns the terminal.
    pub(super) editing: Arc<AtomicBool>,
}

impl Signals {
    pub(super) fn spawn(tx: Sender<Msg>) -> std::io::Result<Signals> {
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

    /// Stops listening and joins the thread.
    pub(super) fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}
