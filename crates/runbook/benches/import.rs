use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flightdeck_runbook::{parse, synthetic_runbook};
use pulldown_cmark::{Options, Parser};

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
    // The floor under it, in the same run: pulldown-cmark's events alone, with the options and
    // offsets the importer asks for.
    group.bench_function("pulldown-cmark events alone (reference)", |b| {
        let options =
            Options::ENABLE_TASKLISTS | Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        b.iter(|| Parser::new_ext(&md, options).into_offset_iter().count())
    });
    group.finish();
}

criterion_group!(benches, import_5mb);
criterion_main!(benches);
