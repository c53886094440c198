use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flightdeck_runbook::{parse, synthetic_runbook};

fn import_5mb(c: &mut Criterion) {
    let md = synthetic_runbook(5 * 1024 * 1024);
    // The same document, for timing reference tools (`cmark`) against `flightdeck runbook inspect`.
    let copy = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../target/bench-runbook-5mb.md"
    );
    std::fs::write(copy, &md).unwrap();
    let items = parse("bench.md", md.as_bytes()).unwrap().checklist_items();
    let mut group = c.benchmark_group("import");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(md.len() as u64));
    group.bench_function(format!("parse 5 MB runbook ({items} items)"), |b| {
        b.iter(|| parse("bench.md", md.as_bytes()).unwrap())
    });
    group.finish();
}

criterion_group!(benches, import_5mb);
criterion_main!(benches);
