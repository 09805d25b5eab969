//! Codegen end to end (read YAML, check, emit, render) on the shipped specs and on synthetic sets of 10,
//! 100 and 1,000 endpoints × 20 fields. Run: `cargo bench -p snapbi-codegen --bench codegen`.

#[path = "synthetic.rs"]
mod synthetic;

use std::path::Path;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

fn generate(root: &Path) -> usize {
    match snapbi_codegen::generate(root, Path::new("specs"), &snapbi_codegen::Options::default()) {
        Ok(generated) => generated.code.len(),
        Err(d) => panic!("{}", snapbi_spec::diagnostic::render_all(&d)),
    }
}

fn bench(c: &mut Criterion) {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    c.bench_function("codegen/shipped specs", |b| b.iter(|| generate(&shipped)));
    let mut group = c.benchmark_group("codegen/synthetic endpoints x 20 fields");
    group.sample_size(10);
    for n in [10, 100, 1000] {
        let root = synthetic::write_spec_set(n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &root, |b, root| {
            b.iter(|| generate(root))
        });
        let _ = std::fs::remove_dir_all(&root);
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
