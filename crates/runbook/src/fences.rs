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

/// Returns the text with nested fences made explicit, or `None` when nothing needed it.
pub fn lengthen_outer_fences(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut widen = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some(open) = fence(lines[i]) else {
            i += 1;
            continue;
        };
        let closes = |f: &Fence| f.bare && f.ch == open.ch && f.len >= open.len;
        let rest = || lines.iter().enumerate().skip(i + 1);
        let commonmark_close = rest().find(|(_, l)| fence(l).is_some_and(|f| closes(&f)));
        let own_close =
            rest().find(|(_, l)| fence(l).is_some_and(|f| closes(&f) && f.indent == open.indent));
        match (commonmark_close, own_close) {
            (Some((first, _)), Some((own, _))) if own > first => {
                widen.push((i, open.indent, open.ch));
                widen.push((own, open.indent, open.ch));
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
    let mut next = widen.iter().peekable();
    for (n, line) in lines.iter().enumerate() {
        match next.peek() {
            Some((at, indent, ch)) if *at == n => {
                out.push_str(&line[..*indent]);
                out.push(*ch);
                out.push_str(&line[*indent..]);
                next.next();
            }
            _ => out.push_str(line),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::lengthen_outer_fences;

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
