use std::path::Path;
use std::time::Instant;
use threadlings::engine::{self, Built, CheckOptions, Checked, Progress, ProgressSink};
use threadlings::exercise;
fn main() {
    let ids: Vec<String> = std::env::args().skip(1).collect();
    for id in &ids {
        let ex = exercise::find(id).unwrap();
        let file = Path::new("pack").join(id).join("solution.rs");
        let Built::Program(p) = engine::build(ex, &file, &Default::default()).unwrap() else { panic!() };
        for _ in 0..5 {
            let t = Instant::now();
            let ends = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
            let e2 = ends.clone();
            let opts = CheckOptions { progress: Some(ProgressSink::new(move |p| if let Progress::PhaseEnded{phase, ..} = p { e2.lock().unwrap().push((phase, t.elapsed().as_millis())); })), ..CheckOptions::new() };
            let Checked::Done(r) = p.run(&opts).unwrap() else { panic!() };
            println!("{id}: {:?} total {} ms passed {}", ends.lock().unwrap(), t.elapsed().as_millis(), r.passed);
        }
    }
}
