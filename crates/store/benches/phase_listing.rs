use criterion::{criterion_group, criterion_main, Criterion};
use flightdeck_runbook::parse;
use flightdeck_store::{Actor, Author, ItemState, ItemUpdate, Role, SigningKey, Store};

/// One phase of 5,000 checklist items, a tenth of them with recorded state.
fn five_thousand_item_phase() -> String {
    let mut md = String::from("# Bench\n\n## Phase 1: Everything\n\n### Verification\n\n");
    for i in 0..5_000 {
        md.push_str(&format!("- [ ] Verification item number {i} passes\n"));
    }
    md
}

fn list_phase(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let runbook = parse("bench.md", five_thousand_item_phase().as_bytes()).unwrap();
    let outcome = store.import("bench.md", "0", &runbook).unwrap();
    let actor = Author::new(
        Some(Actor::new("Bench", Role::TechnicalLead).unwrap()),
        SigningKey::from_bytes(&[7; 32]),
    );
    let done = ItemUpdate {
        state: Some(ItemState::Done),
        note: Some("ok".into()),
    };
    for item in runbook.phases[0].items.iter().step_by(10) {
        store
            .set_item(&outcome.key, &item.id, &done, &actor)
            .unwrap();
    }
    let phase = runbook.phases[0].id.clone();
    assert_eq!(
        store.phase_items(&outcome.key, &phase).unwrap().len(),
        5_000
    );
    c.bench_function("list a 5,000-item phase", |b| {
        b.iter(|| store.phase_items(&outcome.key, &phase).unwrap())
    });
    c.bench_function("progress summary of a 5,000-item runbook", |b| {
        b.iter(|| store.summary(&outcome.key).unwrap())
    });
}

criterion_group!(benches, list_phase);
criterion_main!(benches);
