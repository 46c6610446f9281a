//! How long an editor waits after a keystroke: `Prepared::recheck` (parse one rule
//! file, check the whole suite against the loaded schema) on the flagship suite.
//! Run with `cargo bench --bench recheck`; not part of `cargo test`.

use factlint::project::{Options, Project};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let t = Instant::now();
    let prepared = Project::open(Options {
        config: Some(root.join("factlint.yaml")),
        ..Options::default()
    })
    .expect("config")
    .load()
    .expect("the flagship project loads");
    let load = t.elapsed();
    let file = prepared
        .rule_files
        .iter()
        .map(|f| f.span.file.to_string())
        .find(|f| f.ends_with("principles.rules"))
        .expect("principles.rules");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen("a.actor", "a.acter", 1);
    let mut times: Vec<Duration> = Vec::new();
    for i in 0..200 {
        let t = Instant::now();
        let diags = prepared.recheck(&file, if i % 2 == 0 { &text } else { &edited });
        times.push(t.elapsed());
        assert_eq!(diags.is_empty(), i % 2 == 0);
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "flagship: load {:.1} ms; recheck of {} over {} rules: median {:.2} ms, p90 {:.2} ms, max {:.2} ms ({} runs)",
        ms(load),
        file.rsplit('/').next().unwrap_or(&file),
        prepared.suite.rules.len(),
        ms(times[times.len() / 2]),
        ms(times[times.len() * 9 / 10]),
        ms(times[times.len() - 1]),
        times.len()
    );
}
