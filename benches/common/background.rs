//! CPU-bound background processes for the benches that measure under load.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// `count` processes of `yes > /dev/null`, killed and reaped when dropped
/// (also when the bench panics), and killed by the kernel when the bench
/// dies without unwinding (SIGTERM, SIGINT, SIGKILL): a `Drop` never runs
/// then, and they used to spin on.
///
/// The kernel's signal fires when the thread that started them ends, so
/// start them on a thread that outlives the measurement (`main`).
pub struct Background(Vec<Child>);

impl Background {
    /// Starts `count` of them (none for 0).
    pub fn start(count: usize) -> Background {
        // SAFETY: getpid has no preconditions.
        let bench = unsafe { libc::getpid() };
        let children = (0..count)
            .map(|_| {
                let mut cmd = Command::new("yes");
                cmd.stdout(Stdio::null());
                // SAFETY: prctl, getppid and _exit are async-signal-safe.
                unsafe {
                    cmd.pre_exec(move || {
                        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                            return Err(std::io::Error::last_os_error());
                        }
                        // The bench died before the line above took effect.
                        if libc::getppid() != bench {
                            libc::_exit(1);
                        }
                        Ok(())
                    });
                }
                cmd.spawn().expect("cannot start `yes` for background load")
            })
            .collect();
        Background(children)
    }

    /// The process ids of the background processes.
    #[allow(dead_code)] // Read by the test of this module, not the benches.
    pub fn pids(&self) -> Vec<u32> {
        self.0.iter().map(Child::id).collect()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
