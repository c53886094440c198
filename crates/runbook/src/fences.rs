//! Nested code fences as runbook authors write them.
//!
//! Runbooks often show a document inside a code block, with the inner blocks indented:
//!
//! ````text
//! ```bash
//! cat > runbook.md <<EOF
//!    ```bash
//!    aws ecs update-service ...
//!    ```
//! EOF
//! ```
//! ````
//!
//! CommonMark closes the outer block at the first bare inner fence, and the text after it turns
//! into headings and checklists that were never meant as such. Authors mean the outer block to
//! end at the bare fence with the outer block's own indentation, so where such a fence exists
//! and inner fences come before it, we lengthen the outer pair by one fence character. Line
//! numbers and code content stay as they were.

struct Fence {
    indent: usize,
    ch: char,
    len: usize,
    bare: bool,
}

fn fence(line: &str) -> Option<Fence> {
    let trimmed = line.trim_start_matches(' ');
    let indent = line.len() - trimmed.len();
    let ch = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == ch).count();
    if indent > 3 || len < 3 {
        return None;
    }
    let info = trimmed[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some(Fence {
        indent,
        ch,
        len,
        bare: info.is_empty(),
    })
}

/// Whether a code block's source ends with the fence that closes it; an indented block needs
/// none. A fenced block without one ran on to the end of the text it was read from.
pub fn closes_itself(code: &str) -> bool {
    let mut lines = code.trim_end_matches(['\n', '\r']).lines();
    let Some(open) = lines.next().and_then(fence) else {
        return true;
    };
    lines
        .last()
        .and_then(fence)
        .is_some_and(|close| close.bare && close.ch == open.ch && close.len >= open.len)
}

/// Returns the text with nested fences made explicit, or `None` when nothing needed it.
pub fn lengthen_outer_fences(text: &str) -> Option<String> {
    let fences = fence_lines(text);
    let mut widen = Vec::new();
    let mut i = 0;
    while i < fences.len() {
        let (_, open) = &fences[i];
        let closes = |f: &Fence| f.bare && f.ch == open.ch && f.len >= open.len;
        let rest = || fences.iter().enumerate().skip(i + 1);
        let commonmark_close = rest().find(|(_, (_, f))| closes(f));
        let own_close = rest().find(|(_, (_, f))| closes(f) && f.indent == open.indent);
        match (commonmark_close, own_close) {
            (Some((first, _)), Some((own, (own_at, _)))) if own > first => {
                widen.push((fences[i].0 + open.indent, open.ch));
                widen.push((own_at + open.indent, open.ch));
                i = own + 1;
            }
            (Some((first, _)), _) => i = first + 1,
            (None, _) => break,
        }
    }
    if widen.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + widen.len());
    let mut copied = 0;
    for (at, ch) in widen {
        out.push_str(&text[copied..at]);
        out.push(ch);
        copied = at;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The lines that are fences, with where each starts, in order. Only lines that begin with a
/// backtick or tilde after their spaces are looked at: a large runbook has few among many lines.
fn fence_lines(text: &str) -> Vec<(usize, Fence)> {
    let bytes = text.as_bytes();
    let mut fences = Vec::new();
    let mut from = 0;
    while let Some(n) = memchr::memchr2(b'`', b'~', &bytes[from..]) {
        let at = from + n;
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |n| n + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n + 1);
        if bytes[start..at].iter().all(|b| *b == b' ') {
            if let Some(fence) = fence(&text[start..end]) {
                fences.push((start, fence));
            }
        }
        from = end;
    }
    fences
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Every line looked at in turn: what [`fence_lines`] must find.
    fn fence_lines_one_by_one(text: &str) -> Vec<(usize, usize, char, usize, bool)> {
        let mut start = 0;
        let mut found = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(f) = fence(line) {
                found.push((start, f.indent, f.ch, f.len, f.bare));
            }
            start += line.len();
        }
        found
    }

    proptest! {
        #[test]
        fn fence_lines_are_the_lines_that_are_fences(
            parts in proptest::collection::vec(prop_oneof![
                Just("```"), Just("~~~"), Just("````"), Just("   "), Just("    "), Just("\n"),
                Just("\r\n"), Just("bash"), Just("`"), Just("~"), Just("x ```"),
            ], 0..40)
        ) {
            let text = parts.concat();
            let found: Vec<_> = fence_lines(&text)
                .into_iter()
                .map(|(at, f)| (at, f.indent, f.ch, f.len, f.bare))
                .collect();
            prop_assert_eq!(found, fence_lines_one_by_one(&text));
        }
    }

    #[test]
    fn widens_an_outer_block_holding_indented_fences() {
        let text = "```bash\ncat <<EOF\n   ```bash\n   ls\n   ```\nEOF\n```\n- [ ] after\n";
        let out = lengthen_outer_fences(text).unwrap();
        assert_eq!(
            out,
            "````bash\ncat <<EOF\n   ```bash\n   ls\n   ```\nEOF\n````\n- [ ] after\n"
        );
    }

    #[test]
    fn leaves_ordinary_blocks_alone() {
        assert_eq!(
            lengthen_outer_fences("```\na\n```\n\n   ```bash\n   b\n   ```\n"),
            None
        );
        assert_eq!(lengthen_outer_fences("no code at all\n"), None);
    }
}
