//! expect: owner-thread
//! A worker thread exists, but only for show: the count lives in an
//! Arc<Mutex<i64>> that every call locks directly, and the worker's channel
//! only ever carries the stop signal. Every call gives the right answer;
//! none of them goes through the worker.
use crossbeam_channel::{unbounded, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct Counter { n: Arc<Mutex<i64>>, stop: Sender<()>, worker: JoinHandle<()> }

impl Counter {
    pub fn start() -> Counter {
        let n = Arc::new(Mutex::new(0));
        let (stop, stop_rx) = unbounded::<()>();
        let worker = std::thread::spawn(move || {
            let _ = stop_rx.recv();
        });
        Counter { n, stop, worker }
    }
    pub fn increment(&self) { *self.n.lock().unwrap() += 1 }
    pub fn decrement(&self) { *self.n.lock().unwrap() -= 1 }
    pub fn reset(&self) { *self.n.lock().unwrap() = 0 }
    pub fn get(&self) -> i64 { *self.n.lock().unwrap() }
    pub fn shutdown(self) -> i64 {
        let _ = self.stop.send(());
        self.worker.join().unwrap();
        let n = *self.n.lock().unwrap();
        n
    }
}
