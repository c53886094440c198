//! Stable ids. An id depends only on what identifies a thing to a reader (its phase, task,
//! section and words), never on its position in the file, so edits elsewhere keep it.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

/// "PROD Deployment (Jan 10)" -> "prod-deployment-jan-10".
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for ch in text.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "untitled".to_string()
    } else {
        trimmed.to_string()
    }
}

/// Words only: case, markdown emphasis and spacing do not change an item's identity.
/// Written into one string, without a string per word: it runs for every item.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        let word = word.trim_matches(|c| matches!(c, '*' | '_' | '`'));
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        if word.is_ascii() {
            out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        } else {
            out.push_str(&word.to_lowercase());
        }
    }
    out
}

pub fn digest(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hex::encode(&hasher.finalize()[..6])
}

/// Hands out ids, numbering repeats so that two identical items in one place stay distinct.
#[derive(Default)]
pub struct IdAllocator {
    seen: HashMap<String, u32>,
}

impl IdAllocator {
    /// A readable id from a key; "phase-8", then "phase-8-2" for a second phase 8.
    pub fn unique(&mut self, key: String) -> String {
        let n = self.seen.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            key
        } else {
            format!("{key}-{n}")
        }
    }

    /// A hashed id for a piece of content within a scope.
    pub fn hashed(&mut self, prefix: &str, scope: &[&str]) -> String {
        let base = digest(scope);
        let id = format!("{prefix}{base}");
        let n = self.seen.entry(id.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            id
        } else {
            format!("{prefix}{}", digest(&[&base, &n.to_string()]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(
            slug("Pre-Deployment Checklist (08:30-09:00)"),
            "pre-deployment-checklist-08-30-09-00"
        );
        assert_eq!(slug("***"), "untitled");
    }

    #[test]
    fn normalization_ignores_emphasis_and_spacing() {
        assert_eq!(
            normalize("**Security  Audit**"),
            normalize("security audit")
        );
    }

    #[test]
    fn repeated_content_gets_distinct_ids() {
        let mut ids = IdAllocator::default();
        let a = ids.hashed("i", &["p", "x"]);
        let b = ids.hashed("i", &["p", "x"]);
        let c = ids.hashed("i", &["p", "y"]);
        assert_ne!(a, b);
        assert_ne!(a, c);
        let mut again = IdAllocator::default();
        assert_eq!(again.hashed("i", &["p", "x"]), a);
        assert_eq!(again.hashed("i", &["p", "x"]), b);
    }
}
