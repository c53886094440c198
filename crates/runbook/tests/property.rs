use flightdeck_runbook::parse;
use proptest::prelude::*;

/// Markdown-ish fragments, so that generated input reaches the interesting parser paths.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("# Phase 1: A\n".to_string()),
        Just("## Task 1.1: B\n".to_string()),
        Just("- [ ] item\n".to_string()),
        Just("  - [x] nested\n".to_string()),
        Just("```bash\n".to_string()),
        Just("**Duration**: 1h\n".to_string()),
        Just("**Ready**: [ ] YES [ ] NO\n".to_string()),
        Just("‚úÖ üìã ‚îú‚îÄ\n".to_string()),
        Just("\r\n".to_string()),
        ".{0,40}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse("fuzz.md", &bytes);
    }

    #[test]
    fn never_panics_on_markdown_like_text(parts in proptest::collection::vec(fragment(), 0..60)) {
        let text = parts.concat();
        if let Ok(runbook) = parse("fuzz.md", text.as_bytes()) {
            let mut ids: Vec<_> = runbook.items().map(|i| i.id).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), n, "item ids must be unique");
        }
    }
}
