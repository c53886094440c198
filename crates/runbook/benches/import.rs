use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flightdeck_runbook::{parse, synthetic_runbook, Phase, Runbook};
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

/// Reading the 5 MB runbook back from the JSON the store keeps: whole, and as the window opens
/// a phase (the outline, then one phase's body).
fn read_stored_5mb(c: &mut Criterion) {
    let md = synthetic_runbook(5 * 1024 * 1024);
    let runbook = parse("bench.md", md.as_bytes()).unwrap();
    let json = serde_json::to_string(&runbook).unwrap();
    let outline = serde_json::to_string(&runbook.outline()).unwrap();
    let first = serde_json::to_string(&runbook.phases[0]).unwrap();
    let mut group = c.benchmark_group("stored");
    group.sample_size(10);
    group.bench_function("read the 5 MB runbook whole", |b| {
        b.iter(|| serde_json::from_str::<Runbook>(&json).unwrap())
    });
    group.bench_function("read its outline and the first phase", |b| {
        b.iter(|| {
            let mut read = serde_json::from_str::<Runbook>(&outline).unwrap();
            read.phases[0] = serde_json::from_str::<Phase>(&first).unwrap();
            read
        })
    });
    group.finish();
}

criterion_group!(benches, import_5mb, read_stored_5mb);
criterion_main!(benches);
