//! CPU-bound background processes for the benches that measure under load.

use std::process::{Child, Command, Stdio};

/// `count` processes of `yes > /dev/null`, killed and reaped when dropped
/// (also when the bench panics).
pub struct Background(Vec<Child>);

impl Background {
    /// Starts `count` of them (none for 0).
    pub fn start(count: usize) -> Background {
        let children = (0..count)
            .map(|_| {
                Command::new("yes")
                    .stdout(Stdio::null())
                    .spawn()
                    .expect("cannot start `yes` for background load")
            })
            .collect();
        Background(children)
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
