use flightdeck_runbook::{diff, parse, synthetic_runbook, ImportError, Runbook, SignoffKind};
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Runbook {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).unwrap();
    parse(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn texts(runbook: &Runbook) -> Vec<&str> {
    runbook.items().map(|i| i.text.as_str()).collect()
}

#[test]
fn phase_metadata_objectives_and_tasks() {
    let rb = fixture("cutover.md");
    assert_eq!(rb.title, "Phase 3: Payments Cutover (Mar 4, 2026)");
    assert_eq!(rb.phases.len(), 1);
    let phase = &rb.phases[0];
    assert_eq!(phase.id, "phase-3");
    assert_eq!(phase.number.as_deref(), Some("3"));
    assert_eq!(phase.meta.duration.as_deref(), Some("3 hours"));
    assert_eq!(
        phase.meta.responsible.as_deref(),
        Some("Technical Lead + DBA")
    );
    assert_eq!(
        phase.meta.depends_on.as_deref(),
        Some("Phase 2 (Load Test Sign-Off)")
    );
    assert_eq!(phase.meta.status.as_deref(), Some("NOT STARTED"));
    assert_eq!(phase.meta.environment.as_deref(), Some("PROD"));
    assert_eq!(phase.meta.target.as_deref(), Some("payments.example.net"));
    assert_eq!(phase.meta.other[0].label, "Change Ticket");
    assert_eq!(
        phase.objectives,
        vec![
            "Move card payments to the new gateway",
            "Keep refunds working throughout"
        ]
    );
    let tasks: Vec<_> = phase
        .tasks
        .iter()
        .map(|t| (t.id.as_str(), t.number.as_deref()))
        .collect();
    assert_eq!(
        tasks,
        vec![
            ("phase-3/task-3-1", Some("3.1")),
            ("phase-3/task-3-2", Some("3.2"))
        ]
    );
    assert_eq!(phase.tasks[0].meta.duration.as_deref(), Some("30 minutes"));
    assert_eq!(
        phase.tasks[0].meta.responsible.as_deref(),
        Some("DevOps Engineer")
    );
    let step = &phase.tasks[0].steps[0];
    assert_eq!(step.title.as_deref(), Some("Stop new sessions:"));

    assert_eq!(step.lang.as_deref(), Some("bash"));
    assert_eq!(step.code, "payctl drain --gateway legacy --wait 300\n");
}

#[test]
fn nested_and_checked_items_know_their_section_and_parent() {
    let rb = fixture("cutover.md");
    let items: Vec<_> = rb.items().collect();
    assert_eq!(rb.checklist_items(), 13);
    assert_eq!(rb.checked_items(), 2);
    let find = |text: &str| {
        *items
            .iter()
            .find(|i| i.text == text)
            .unwrap_or_else(|| panic!("{text}"))
    };
    let parent = find("Gateway credentials in the vault");
    let child = find("Fallback key stored");
    let grandchild = find("Fallback key tested against sandbox");
    assert!(find("Load test report approved").checked);
    assert!(child.checked);
    assert_eq!(child.parent.as_deref(), Some(parent.id.as_str()));
    assert_eq!(grandchild.parent.as_deref(), Some(child.id.as_str()));
    assert_eq!((parent.depth, child.depth, grandchild.depth), (0, 1, 2));
    assert_eq!(parent.section.as_deref(), Some("Prerequisites"));
    let verification = find("Legacy gateway reports 0 open sessions");
    assert_eq!(verification.section.as_deref(), Some("Verification"));
    assert_eq!(verification.task.as_deref(), Some("phase-3/task-3-1"));
    assert_eq!(
        find("CNAME updated").task.as_deref(),
        Some("phase-3/task-3-2")
    );
    assert_eq!(
        find("Card payments succeed on the new gateway")
            .section
            .as_deref(),
        Some("Success Criteria")
    );
    assert_eq!(find("Card payments succeed on the new gateway").task, None);
    assert_eq!(
        find("Runbook updated with actual timings")
            .section
            .as_deref(),
        Some("Definition of Done")
    );
    assert_eq!(find("Load test report approved").line, 18);
}

#[test]
fn signoff_blocks_become_fields() {
    let rb = fixture("cutover.md");
    let fields: Vec<_> = rb.phases[0]
        .signoff
        .iter()
        .map(|f| (f.label.as_str(), f.kind.clone(), f.line))
        .collect();
    assert_eq!(
        fields,
        vec![
            (
                "Completed By",
                SignoffKind::Signature { with_date: true },
                58
            ),
            (
                "Verified By",
                SignoffKind::Signature { with_date: true },
                59
            ),
            ("Gateway Live", SignoffKind::YesNo { answer: None }, 60),
            (
                "Ready for Phase 4",
                SignoffKind::YesNo { answer: Some(true) },
                61
            ),
        ]
    );
}

#[test]
fn checklist_lines_inside_code_blocks_are_not_items() {
    let rb = fixture("code-lists.md");
    assert_eq!(texts(&rb), vec!["Real item one", "Real item two"]);
    assert_eq!(rb.phases.len(), 1);
    let steps = &rb.phases[0].steps;
    assert_eq!(steps.len(), 3);
    assert!(steps[0].code.contains("- [ ] not an item"));
    assert_eq!(steps[0].lang.as_deref(), Some("markdown"));
}

#[test]
fn mac_roman_mojibake_is_repaired() {
    let rb = fixture("mojibake.md");
    assert_eq!(rb.meta.status.as_deref(), Some("🚀 APPROVED"));
    assert_eq!(
        texts(&rb),
        vec![
            "📋 Review PROD account access",
            "Soak complete → Go/No-Go decision ✅",
            "⚠\u{fe0f} Café menu untouched: café"
        ]
    );
    assert!(rb.phases[0].steps[0].code.starts_with("├─ 14:00"));
    assert!(rb.phases[0].steps[0]
        .code
        .contains("└─ Status: 2/8 checkpoints complete ✅"));
    assert!(rb.repaired_characters >= 20);
}

#[test]
fn crlf_line_endings_give_the_same_runbook() {
    let path = format!("{}/tests/fixtures/cutover.md", env!("CARGO_MANIFEST_DIR"));
    let lf = std::fs::read_to_string(path).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let a = parse("lf.md", lf.as_bytes()).unwrap();
    let mut b = parse("crlf.md", crlf.as_bytes()).unwrap();
    for step in b
        .phases
        .iter_mut()
        .flat_map(|p| p.tasks.iter_mut())
        .flat_map(|t| t.steps.iter_mut())
    {
        step.code = step.code.replace("\r\n", "\n");
    }
    assert_eq!(a, b);
}

#[test]
fn phases_from_batches_sections_and_multiple_titles() {
    let rb = fixture("multi.md");
    assert_eq!(rb.title, "Immediate Deployment Plan");
    assert_eq!(rb.meta.status.as_deref(), Some("APPROVED"));
    let phases: Vec<_> = rb.phases.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        phases,
        vec![
            "Prerequisites (Check Now)",
            "Tomorrow: PROD Deployment",
            "Batch 1: Foundation (09:00-10:00)",
            "Batch 2: Backend (10:30-11:30)"
        ]
    );
    let tomorrow = &rb.phases[1];
    assert_eq!(
        tomorrow.items[0].section.as_deref(),
        Some("Pre-Deployment Checklist (08:30-09:00)")
    );
    let batch1 = &rb.phases[2];
    assert_eq!(batch1.id, "batch-1");
    assert_eq!(batch1.items[0].section.as_deref(), Some("DynamoDB Schemas"));
    assert_eq!(batch1.steps.len(), 1);
    let batch2 = &rb.phases[3];
    assert_eq!(batch2.tasks.len(), 2);
    assert_eq!(batch2.items[1].task.as_deref(), Some("batch-2/step-2"));
}

#[test]
fn ids_survive_unrelated_edits() {
    let path = format!("{}/tests/fixtures/cutover.md", env!("CARGO_MANIFEST_DIR"));
    let original = std::fs::read_to_string(path).unwrap();
    let edited = original
        .replace(
            "## Phase Objectives",
            "Some new introduction text.\n\n## Phase Objectives",
        )
        .replace("- [ ] TTL back to 3600", "- [ ] TTL back to 3600 seconds")
        .replace("- [ ] Freeze announced to merchants\n", "")
        .replace(
            "- [ ] Refund of a test payment succeeds",
            "- [ ] Refund of a test payment succeeds\n- [ ] Chargeback flow verified",
        )
        .replace("- [ ] CNAME updated", "- [x] CNAME updated");
    let a = parse("a.md", original.as_bytes()).unwrap();
    let b = parse("b.md", edited.as_bytes()).unwrap();
    let d = diff(&a, &b);
    assert_eq!(
        d.added.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
        vec!["Chargeback flow verified"]
    );
    assert_eq!(
        d.removed
            .iter()
            .map(|i| i.text.as_str())
            .collect::<Vec<_>>(),
        vec!["Freeze announced to merchants"]
    );
    let changed: Vec<_> = d
        .changed
        .iter()
        .map(|c| (c.new_text.as_str(), c.state_kept))
        .collect();
    assert_eq!(
        changed,
        vec![("CNAME updated", true), ("TTL back to 3600 seconds", false)]
    );
    assert_eq!(d.unchanged, 10);
    let same = |t: &str| {
        let x = a.items().find(|i| i.text == t).unwrap();
        let y = b.items().find(|i| i.text == t).unwrap();
        x.id == y.id
    };
    assert!(same("Load test report approved"));
    assert!(same("Fallback key tested against sandbox"));
}

#[test]
fn bad_input_is_refused_with_file_and_line() {
    let err = |bytes: &[u8]| parse("bad.md", bytes).unwrap_err();
    assert!(matches!(err(b""), ImportError::Empty { .. }));
    assert!(matches!(err(b"  \n\n\t"), ImportError::Empty { .. }));
    assert_eq!(
        err(b"# T\n\n- [ ] a\n\x00\x01binary"),
        ImportError::Binary {
            file: "bad.md".into(),
            line: 4,
            column: 1
        }
    );
    assert_eq!(
        err(b"# T\n- [ ] ok\n- [ ] caf\xe9\n"),
        ImportError::NotUtf8 {
            file: "bad.md".into(),
            line: 3,
            column: 10
        }
    );
    assert!(matches!(
        err(b"just some prose\n\nand more prose"),
        ImportError::NothingToImport { .. }
    ));
    let huge = vec![b'a'; flightdeck_runbook::MAX_RUNBOOK_BYTES as usize + 1];
    assert!(matches!(err(&huge), ImportError::TooLarge { .. }));
}

#[test]
fn an_unclosed_fence_is_a_warning_and_does_not_swallow_the_rest() {
    let md = "# T\n\n## Phase 1: A\n\n- [ ] before\n\n```bash\necho one\n\n- [ ] after the stray fence\n\n**Done**: [ ] YES [ ] NO\n";
    let rb = parse("stray.md", md.as_bytes()).unwrap();
    assert_eq!(rb.warnings.len(), 1);
    assert_eq!(rb.warnings[0].line, 7);
    assert!(
        rb.warnings[0].message.contains("never closed"),
        "{}",
        rb.warnings[0].message
    );
    assert_eq!(texts(&rb), vec!["before", "after the stray fence"]);
    assert_eq!(rb.phases[0].signoff.len(), 1);
}

#[test]
fn indented_fences_nest_inside_an_outer_block() {
    let md = "# Phase 2: B\n\n```bash\ncat > plan.md <<EOF\n## Checklist\n   ```bash\n   ls\n   ```\n- [ ] inside the heredoc\nEOF\n```\n\n- [ ] real item\n";
    let rb = parse("nested.md", md.as_bytes()).unwrap();
    assert!(rb.warnings.is_empty());
    assert_eq!(texts(&rb), vec!["real item"]);
    assert_eq!(rb.phases[0].steps.len(), 1);
    assert!(rb.phases[0].steps[0]
        .code
        .contains("   ```bash\n   ls\n   ```\n- [ ] inside the heredoc"));
}

#[test]
fn a_metadata_paragraph_does_not_title_the_next_code_step() {
    let md = "## Phase 1: A\n\n### Task 1.1: Freeze\n\n**Duration**: 10 minutes\n\n```bash\nfreeze\n```\n\nThen thaw:\n\n```bash\nthaw\n```\n";
    let rb = parse("steps.md", md.as_bytes()).unwrap();
    let titles: Vec<_> = rb.phases[0].tasks[0]
        .steps
        .iter()
        .map(|s| s.title.as_deref())
        .collect();
    assert_eq!(titles, vec![None, Some("Then thaw:")]);
}

#[test]
fn dependencies_and_signoff_roles_link_phases() {
    let md = "# R\n\n## Phase 1: A\n\n**Sign-Off Roles**: Technical Lead + Client Stakeholder\n\n- [ ] a\n\n## Phase 2: B\n\n**Depends On**: Phase 1 (A) and Phase 0 (elsewhere)\n\n- [ ] b\n";
    let rb = parse("deps.md", md.as_bytes()).unwrap();
    assert_eq!(rb.phases[1].depends_on, vec!["phase-1"]);
    assert_eq!(
        rb.phases[0].signoff_roles,
        vec![
            flightdeck_runbook::Role::TechnicalLead,
            flightdeck_runbook::Role::ClientStakeholder
        ]
    );
}

#[test]
fn dependency_cycles_and_unknown_roles_are_refused_with_a_line() {
    let cycle = "# R\n\n## Phase 1: A\n\n**Depends On**: Phase 3\n\n- [ ] a\n\n## Phase 2: B\n\n**Depends On**: Phase 1\n\n- [ ] b\n\n## Phase 3: C\n\n**Depends On**: Phase 2\n\n- [ ] c\n";
    let err = parse("cycle.md", cycle.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "runbook_dependency_cycle");
    assert_eq!(err.to_string(), "cycle.md:3: phases depend on each other in a cycle (phase-1 -> phase-3 -> phase-2 -> phase-1); a phase can only wait for earlier ones");
    let roles = "# R\n\n## Phase 1: A\n\n**Approvers**: Technical Lead, Chief Pilot\n\n- [ ] a\n";
    let err = parse("roles.md", roles.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "runbook_unknown_role");
    assert!(
        err.to_string()
            .starts_with("roles.md:5: unknown role 'Chief Pilot'"),
        "{err}"
    );
}

#[test]
fn criteria_blocks_become_typed_criteria() {
    let md = "# R\n\n## Phase 9: Go-Live\n\n### Go/No-Go Criteria\n\n- [ ] Error rate below 0.1%\n\n```flightdeck-criteria\n[[criterion]]\nname = \"5xx errors\"\nnamespace = \"AWS/ApplicationELB\"\nmetric = \"HTTPCode_Target_5XX_Count\"\ndimensions = { LoadBalancer = \"app/prod/1\" }\nstat = \"Sum\"\npass_when = \"<\"\nthreshold = 5\nfor = \"5m\"\n\n[[criterion]]\nname = \"All alarms green\"\nalarms = { allow = [\"noisy\"] }\n```\n";
    let rb = parse("c.md", md.as_bytes()).unwrap();
    let criteria = &rb.phases[0].criteria;
    assert_eq!(criteria.len(), 2);
    assert!(
        rb.phases[0].steps.is_empty(),
        "a criteria block is not a code step"
    );
    assert_eq!(criteria[0].line, 11);
    match &criteria[0].kind {
        flightdeck_runbook::CriterionKind::Metric {
            series: flightdeck_runbook::Series::Stat { metric },
            period,
            for_seconds,
            threshold,
            ..
        } => {
            assert_eq!(
                (metric.stat.as_str(), *period, *for_seconds, *threshold),
                ("Sum", 60, 300, 5.0)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        criteria[1].kind,
        flightdeck_runbook::CriterionKind::Alarms {
            allow: vec!["noisy".into()]
        }
    );

    let bad = md.replace("for = \"5m\"", "for = \"soon\"");
    let err = parse("c.md", bad.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "runbook_bad_criteria");
    assert!(
        err.to_string().starts_with(
            "c.md:11: go/no-go criteria: criterion '5xx errors' in phase-9: 'for = \"soon\"'"
        ),
        "{err}"
    );
    let typo = md.replace("threshold = 5", "treshold = 5");
    let err = parse("c.md", typo.as_bytes()).unwrap_err();
    assert!(
        err.to_string().contains("unknown field `treshold`"),
        "{err}"
    );
    assert!(err.to_string().starts_with("c.md:17:"), "{err}");
}

#[test]
fn expressions_checklists_confirmations_and_soaks() {
    use flightdeck_runbook::{CriterionKind, Role, Series};
    let md = "# R\n\n## Phase 8: Deploy\n\n- [ ] deploy\n\n## Phase 9: Soak\n\n- [ ] watch\n\n```flightdeck-criteria\n[soak]\ncheckpoints = 8\nevery = \"6h\"\n\n[[criterion]]\nname = \"Error rate\"\nexpression = \"100 * errors / requests\"\nmetrics.errors = { namespace = \"AWS/ApplicationELB\", metric = \"HTTPCode_Target_5XX_Count\", stat = \"Sum\" }\nmetrics.requests = { namespace = \"AWS/ApplicationELB\", metric = \"RequestCount\", stat = \"Sum\" }\npass_when = \"<\"\nthreshold = 5\nunit = \"%\"\n\n[[criterion]]\nname = \"Deployed\"\nsigned_off = \"Phase 8\"\n\n[[criterion]]\nname = \"Soak passed\"\ncheckpoints_passed = 8\n\n[[criterion]]\nname = \"Business ready\"\nconfirmed_by = \"Product Owner\"\n```\n";
    let rb = parse("s.md", md.as_bytes()).unwrap();
    let phase = &rb.phases[1];
    let soak = phase.soak.expect("soak declared");
    assert_eq!((soak.checkpoints, soak.every_seconds), (8, 6 * 3600));
    let kinds: Vec<&CriterionKind> = phase.criteria.iter().map(|c| &c.kind).collect();
    match kinds[0] {
        CriterionKind::Metric {
            series:
                Series::Math {
                    expression,
                    metrics,
                },
            ..
        } => {
            assert_eq!(expression, "100 * errors / requests");
            assert_eq!(metrics.keys().collect::<Vec<_>>(), ["errors", "requests"]);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        kinds[1],
        &CriterionKind::SignedOff {
            phase: "phase-8".into()
        }
    );
    assert_eq!(kinds[2], &CriterionKind::Checkpoints { passed: 8 });
    assert_eq!(
        kinds[3],
        &CriterionKind::Manual {
            role: Role::ProductOwner
        }
    );

    let refused = [
        (
            md.replace("100 * errors / requests", "100 * errors / total"),
            "the expression names 'total', which is not one of its metrics",
        ),
        (
            md.replace("signed_off = \"Phase 8\"", "signed_off = \"Phase 12\""),
            "signed_off names phase-12, which this runbook does not have",
        ),
        (
            md.replace("checkpoints_passed = 8", "checkpoints_passed = 9"),
            "checkpoints_passed = 9, but the soak has 8 checkpoints",
        ),
        (
            md.replace("[soak]\ncheckpoints = 8\nevery = \"6h\"\n", ""),
            "checkpoints_passed needs a [soak] schedule in the same phase",
        ),
        (
            md.replace("Product Owner", "Chief Pilot"),
            "unknown role 'Chief Pilot'",
        ),
        (
            md.replace("every = \"6h\"", "every = \"often\""),
            "'every = \"often\"' is not a duration",
        ),
    ];
    for (bad, why) in refused {
        let err = parse("s.md", bad.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "runbook_bad_criteria");
        assert!(err.to_string().contains(why), "{err}");
        assert!(err.to_string().starts_with("s.md:"), "{err}");
    }
}

#[test]
fn action_blocks_become_steps_of_their_task() {
    use flightdeck_runbook::{Action, Role};
    let md = "# R\n\n## Phase 8: Prep\n\n### Task 8.1: Scale\n\nScale the service:\n\n```flightdeck\nrollback_roles = [\"Technical Lead\", \"Client Stakeholder\"]\n\n[[action]]\nid = \"scale\"\nkind = \"ecs.scale\"\ncluster = \"prod\"\nservice = \"api\"\ndesired_count = 2\n```\n\n- [ ] scaled\n";
    let rb = parse("a.md", md.as_bytes()).unwrap();
    let phase = &rb.phases[0];
    assert!(
        phase.tasks[0].steps.is_empty(),
        "an action block is not a code step"
    );
    let step = &phase.actions[0];
    assert_eq!(step.id, "scale");
    assert_eq!(step.task.as_deref(), Some(phase.tasks[0].id.as_str()));
    assert_eq!(step.title.as_deref(), Some("Scale the service:"));
    assert_eq!(step.line, 13);
    assert_eq!(
        step.rollback_roles,
        vec![Role::TechnicalLead, Role::ClientStakeholder]
    );
    assert!(matches!(
        step.action,
        Action::EcsScale {
            desired_count: 2,
            ..
        }
    ));
    assert_eq!(
        rb.action("scale").map(|a| a.phase.as_str()),
        Some("phase-8")
    );

    let refused = [
        (md.replace("desired_count = 2", "desired_cnt = 2"), "a.md:13: action block: action 'scale': unknown field `desired_cnt`"),
        (md.replace("ecs.scale", "ecs.teleport"), "ecs.teleport"),
        (md.replace("Client Stakeholder", "Chief Pilot"), "unknown role 'Chief Pilot'"),
        (format!("{md}\n```flightdeck\n[[action]]\nid = \"scale\"\nkind = \"secret.delete\"\nname = \"x\"\n```\n"), "action id 'scale' is already used on line 13"),
    ];
    for (bad, why) in refused {
        let err = parse("a.md", bad.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "runbook_bad_action");
        assert!(err.to_string().contains(why), "{err}");
    }
}

/// The benchmark's 5 MB runbook imports to exactly this: speed work must not change the output.
#[test]
fn the_generated_five_megabyte_runbook_imports_to_the_same_runbook() {
    let md = synthetic_runbook(5 * 1024 * 1024);
    let runbook = parse("bench.md", md.as_bytes()).unwrap();
    let json = serde_json::to_vec(&runbook).unwrap();
    assert_eq!(
        (runbook.phases.len(), runbook.checklist_items()),
        (PINNED_PHASES, PINNED_ITEMS)
    );
    assert_eq!(hex::encode(Sha256::digest(&json)), PINNED_SHA256);
}

const PINNED_PHASES: usize = 701;
const PINNED_ITEMS: usize = 98_140;
const PINNED_SHA256: &str = "c4b33a851fee335769aa226d3e38037bee803dc7505cd2087b376d462bfd74ad";
