use flightdeck_runbook::parse;
use flightdeck_store::{
    Actor, Author, ItemState, ItemUpdate, PhaseStatus, Role, SigningKey, Store, StoreError,
};

const V1: &str = "# Go-Live\n\n## Phase 1: Prepare\n\n### Prerequisites\n\n- [ ] Backup taken\n- [ ] Alarms green\n- [x] Window agreed\n\n## Phase 2: Cut Over\n\n- [ ] DNS switched\n- [ ] Smoke tests pass\n";
const V2: &str = "# Go-Live\n\nIntro added.\n\n## Phase 1: Prepare\n\n### Prerequisites\n\n- [ ] Backup taken and verified\n- [ ] Alarms green\n- [x] Window agreed\n- [ ] On-call paged\n\n## Phase 2: Cut Over\n\n- [ ] DNS switched\n";

fn lead() -> Author {
    Author::new(
        Some(Actor::new("Naledi", Role::TechnicalLead).unwrap()),
        SigningKey::from_bytes(&[6; 32]),
    )
}

fn done(note: Option<&str>) -> ItemUpdate {
    ItemUpdate {
        state: Some(ItemState::Done),
        note: note.map(str::to_string),
    }
}

fn id_of(store: &Store, text: &str) -> String {
    store
        .items("go-live")
        .unwrap()
        .into_iter()
        .find(|i| i.text == text)
        .unwrap()
        .id
}

#[test]
fn state_is_recorded_with_who_and_when_and_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let backup;
    {
        let mut store = Store::open(&path).unwrap();
        let outcome = store
            .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
            .unwrap();
        assert_eq!(outcome.key, "go-live");
        assert!(outcome.created);
        backup = id_of(&store, "Backup taken");
        let view = store
            .set_item("go-live", &backup, &done(Some("snapshot rds-123")), &lead())
            .unwrap();
        assert_eq!(view.state, Some(ItemState::Done));
        assert_eq!(view.by.as_deref(), Some("Naledi"));
        assert_eq!(view.role.as_deref(), Some("technical_lead"));
        assert!(view.at.is_some());
    }
    let store = Store::open(&path).unwrap();
    let item = store.item("go-live", &backup).unwrap();
    assert_eq!(item.state, Some(ItemState::Done));
    assert_eq!(item.note.as_deref(), Some("snapshot rds-123"));
    let window = store
        .item("go-live", &id_of(&store, "Window agreed"))
        .unwrap();
    assert_eq!(
        (window.state, window.by.as_deref()),
        (Some(ItemState::Done), Some("runbook"))
    );
}

#[test]
fn progress_per_phase_counts_done_na_and_failed() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    let s = store.summary("go-live").unwrap();
    assert_eq!((s.total, s.complete), (5, 1));
    assert_eq!(s.phases[0].status, PhaseStatus::InProgress);
    assert_eq!(s.phases[1].status, PhaseStatus::NotStarted);
    let alarms = id_of(&store, "Alarms green");
    let backup = id_of(&store, "Backup taken");
    store
        .set_item(
            "go-live",
            &alarms,
            &ItemUpdate {
                state: Some(ItemState::Na),
                note: None,
            },
            &lead(),
        )
        .unwrap();
    store
        .set_item("go-live", &backup, &done(None), &lead())
        .unwrap();
    assert_eq!(
        store.summary("go-live").unwrap().phases[0].status,
        PhaseStatus::Complete
    );
    let dns = id_of(&store, "DNS switched");
    store
        .set_item(
            "go-live",
            &dns,
            &ItemUpdate {
                state: Some(ItemState::Failed),
                note: Some("NXDOMAIN".into()),
            },
            &lead(),
        )
        .unwrap();
    let s = store.summary("go-live").unwrap();
    assert_eq!(
        (s.phases[1].failed, s.phases[1].status),
        (1, PhaseStatus::Attention)
    );
    let window = id_of(&store, "Window agreed");
    let reopened = store
        .set_item(
            "go-live",
            &window,
            &ItemUpdate {
                state: None,
                note: None,
            },
            &lead(),
        )
        .unwrap();
    assert_eq!(reopened.state, None);
    assert_eq!(store.summary("go-live").unwrap().phases[0].done, 1);
}

#[test]
fn reimport_keeps_state_of_unchanged_items_and_reports_changes() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    for text in ["Backup taken", "Alarms green", "Smoke tests pass"] {
        let id = id_of(&store, text);
        store
            .set_item("go-live", &id, &done(None), &lead())
            .unwrap();
    }
    let outcome = store
        .import("v2.md", "sha2", &parse("v2.md", V2.as_bytes()).unwrap())
        .unwrap();
    assert!(!outcome.created);
    assert_eq!(outcome.revision, 2);
    let d = &outcome.diff;
    assert_eq!(
        d.added.iter().map(|a| a.text.as_str()).collect::<Vec<_>>(),
        vec!["On-call paged"]
    );
    assert_eq!(
        d.removed
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>(),
        vec!["Smoke tests pass"]
    );
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].new_text, "Backup taken and verified");
    assert_eq!(d.unchanged, 3);

    let state =
        |store: &Store, text: &str| store.item("go-live", &id_of(store, text)).unwrap().state;
    assert_eq!(state(&store, "Alarms green"), Some(ItemState::Done));
    assert_eq!(state(&store, "Backup taken and verified"), None);
    assert_eq!(state(&store, "On-call paged"), None);

    let back = store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    assert_eq!(back.revision, 3);
    assert_eq!(
        state(&store, "Smoke tests pass"),
        Some(ItemState::Done),
        "state of a returning item is kept"
    );
    assert_eq!(state(&store, "Backup taken"), Some(ItemState::Done));

    let same = store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    assert_eq!(
        same.revision, 3,
        "an identical import is not a new revision"
    );
    assert!(same.diff.is_empty());
}

#[test]
fn unknown_runbook_item_and_phase_are_clear_errors() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    let e = store
        .set_item("nope", "x", &done(None), &lead())
        .unwrap_err();
    assert!(matches!(e, StoreError::UnknownRunbook(_)), "{e}");
    let e = store
        .set_item("go-live", "i000", &done(None), &lead())
        .unwrap_err();
    assert_eq!(e.to_string(), "runbook 'go-live' has no item 'i000'");
    let e = store.phase_items("go-live", "phase-9").unwrap_err();
    assert_eq!(e.code(), "unknown_phase");
    assert!("Chief Pilot".parse::<Role>().is_err());
    assert_eq!(
        "Technical Lead".parse::<Role>().unwrap(),
        Role::TechnicalLead
    );
}

#[test]
fn search_matches_every_word_and_escapes_wildcards() {
    let mut store = Store::open_in_memory().unwrap();
    store
        .import("v1.md", "sha1", &parse("v1.md", V1.as_bytes()).unwrap())
        .unwrap();
    let hits = store.search("smoke PASS", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].phase_id, "phase-2");
    assert!(store.search("%", 10).unwrap().is_empty());
    assert!(store.search("   ", 10).unwrap().is_empty());
}

#[test]
fn identity_round_trips() {
    let mut store = Store::open_in_memory().unwrap();
    assert_eq!(store.identity().unwrap(), None);
    let me = Actor::new("Sipho: DBA", Role::Dba).unwrap();
    store.set_identity(&me).unwrap();
    assert_eq!(store.identity().unwrap(), Some(me));
    assert!(matches!(
        Actor::new("  ", Role::Dba),
        Err(flightdeck_model::ModelError::EmptyName)
    ));
}

#[test]
fn progress_counts_each_phase_by_state_and_an_empty_phase_as_zero() {
    let md = "# Go-Live\n\n## Phase 1: Prepare\n\n- [ ] a\n- [x] b\n- [ ] c\n- [ ] d\n\n## Phase 2: Wait\n\nNothing to tick.\n\n## Phase 3: Cut Over\n\n- [ ] e\n";
    let mut store = Store::open_in_memory().unwrap();
    store
        .import("p.md", "sha", &parse("p.md", md.as_bytes()).unwrap())
        .unwrap();
    for (text, state) in [
        ("a", ItemState::Done),
        ("c", ItemState::Na),
        ("d", ItemState::Failed),
    ] {
        let item = id_of(&store, text);
        let update = ItemUpdate {
            state: Some(state),
            note: Some("why".into()),
        };
        store.set_item("go-live", &item, &update, &lead()).unwrap();
    }
    let s = store.summary("go-live").unwrap();
    let counts: Vec<(u32, u32, u32, u32, PhaseStatus)> = s
        .phases
        .iter()
        .map(|p| (p.total, p.done, p.na, p.failed, p.status))
        .collect();
    assert_eq!(
        counts,
        vec![
            (4, 2, 1, 1, PhaseStatus::Attention),
            (0, 0, 0, 0, PhaseStatus::NotStarted),
            (1, 0, 0, 0, PhaseStatus::NotStarted),
        ]
    );
    assert_eq!((s.total, s.complete), (5, 3));
}
