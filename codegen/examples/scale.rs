//! Codegen scale report: time, output size, lines per synthetic 20-field endpoint and peak memory.
//!
//! `cargo run --release -p snapbi-codegen --example scale -- 1000` (one run per process, so the peak
//! resident memory read from /proc/self/status belongs to that size alone).

#[path = "../benches/synthetic.rs"]
mod synthetic;

use std::path::Path;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let lines = |endpoints: usize| {
        let root = synthetic::write_spec_set(endpoints);
        let started = Instant::now();
        let generated = snapbi_codegen::generate(&root, Path::new("specs"), &snapbi_codegen::Options::default());
        let elapsed = started.elapsed();
        let _ = std::fs::remove_dir_all(&root);
        match generated {
            Ok(g) => (g.code.lines().count(), elapsed),
            Err(d) => {
                eprintln!("{}", snapbi_spec::diagnostic::render_all(&d));
                std::process::exit(1);
            }
        }
    };
    let (base_lines, _) = lines(0);
    let (total_lines, elapsed) = lines(n);
    let per_endpoint = (total_lines - base_lines) as f64 / n.max(1) as f64;
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into());
    println!("endpoints: {n}");
    println!(
        "generate (read + check + emit + render): {:.1} ms",
        elapsed.as_secs_f64() * 1e3
    );
    println!("generated lines: {total_lines} ({base_lines} without the synthetic endpoints)");
    println!("lines per 20-field endpoint: {per_endpoint:.1}");
    println!("peak resident memory (VmHWM): {peak}");
    // Phase timings last: the sequential emit of the whole file holds far more memory than generate().
    {
        let root = synthetic::write_spec_set(n);
        let t = Instant::now();
        let (set, _) = snapbi_spec::yaml::load_dir(&root, Path::new("specs"));
        let t_read = t.elapsed();
        let t2 = Instant::now();
        let _ = snapbi_spec::ir::lower::lower(&set);
        println!(
            "read+parse {:.1} ms, lower {:.1} ms",
            t_read.as_secs_f64() * 1e3,
            t2.elapsed().as_secs_f64() * 1e3
        );
        let t = Instant::now();
        let loaded = snapbi_spec::load(&root, Path::new("specs")).unwrap_or_else(|_| std::process::exit(1));
        let t_load = t.elapsed();
        let t = Instant::now();
        let tokens = snapbi_codegen::emit::api(&loaded.api, &snapbi_codegen::Options::default());
        let t_emit = t.elapsed();
        let t = Instant::now();
        let code = snapbi_codegen::render::render(tokens, &[]).unwrap_or_default();
        let t_render = t.elapsed();
        let _ = std::fs::remove_dir_all(&root);
        println!(
            "phases: load+check {:.1} ms, emit {:.1} ms, render {:.1} ms ({} bytes)",
            t_load.as_secs_f64() * 1e3,
            t_emit.as_secs_f64() * 1e3,
            t_render.as_secs_f64() * 1e3,
            code.len()
        );
    }
}
