use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flightdeck_runbook::{parse, read_stored_runbook, synthetic_runbook, Runbook};
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

/// Reading the 5 MB runbook back from its stored JSON: whole, and as the window opens a phase
/// (every phase's heading, one phase's body).
fn read_stored_5mb(c: &mut Criterion) {
    let md = synthetic_runbook(5 * 1024 * 1024);
    let json = serde_json::to_string(&parse("bench.md", md.as_bytes()).unwrap()).unwrap();
    let mut group = c.benchmark_group("stored");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("read the 5 MB runbook whole", |b| {
        b.iter(|| serde_json::from_str::<Runbook>(&json).unwrap())
    });
    group.bench_function("read its headings and the first phase", |b| {
        b.iter(|| read_stored_runbook(&json, |i, _| i == 0).unwrap())
    });
    group.finish();
}

criterion_group!(benches, import_5mb, read_stored_5mb);
criterion_main!(benches);
