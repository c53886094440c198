//! Stable ids. An id depends only on what identifies a thing to a reader (its phase, task,
//! section and words), never on its position in the file, so edits elsewhere keep it.

use rustc_hash::{FxHashMap, FxHashSet};

use sha2::{Digest, Sha256};

use crate::item_id::ItemId;

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
        out.push_str(&word.to_lowercase());
    }
    out
}

/// [`normalize`] as bytes, appended to `out`: the importer reuses one buffer for every item, and
/// reads ASCII text, nearly all of it, byte by byte. Unicode whitespace within ASCII is these six.
fn normalize_onto(out: &mut Vec<u8>, text: &str) {
    if !text.is_ascii() {
        out.extend_from_slice(normalize(text).as_bytes());
        return;
    }
    let start = out.len();
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r');
    let emphasis = |b: &u8| matches!(b, b'*' | b'_' | b'`');
    for word in text.as_bytes().split(space) {
        let Some(first) = word.iter().position(|b| !emphasis(b)) else {
            continue;
        };
        let last = word.iter().rposition(|b| !emphasis(b)).unwrap_or(first);
        if out.len() > start {
            out.push(b' ');
        }
        out.extend(word[first..=last].iter().map(u8::to_ascii_lowercase));
    }
}

/// The first six bytes of the SHA-256 of `input`.
fn digest(input: &[u8]) -> [u8; 6] {
    let mut out = [0u8; 6];
    out.copy_from_slice(&Sha256::digest(input)[..6]);
    out
}

/// "i" and six digest bytes -> "i3fa94c02d1b7". `prefix` is a lowercase ASCII letter.
fn hashed_id(prefix: u8, digest: &[u8; 6]) -> ItemId {
    let mut id = [prefix; ItemId::LEN];
    hex::encode_to_slice(digest, &mut id[1..]).expect("12 hex digits hold 6 bytes");
    ItemId::from_hex(id)
}

/// Hands out readable ids, numbering repeats: "phase-8", then "phase-8-2" for a second phase 8.
#[derive(Default)]
pub struct NameIds {
    /// Names come from the runbook being read, not from a network peer: a fast hash will do.
    seen: FxHashMap<String, u32>,
}

impl NameIds {
    /// The keys handed out so far, repeats once.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.seen.keys().map(String::as_str)
    }

    pub fn contains(&self, key: &str) -> bool {
        self.seen.contains_key(key)
    }

    pub fn unique(&mut self, key: String) -> String {
        let n = self.seen.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            key
        } else {
            format!("{key}-{n}")
        }
    }
}

/// Hands out hashed ids for content within a scope, numbering repeats so that two identical
/// items in one place stay distinct. Runs for every item: it keeps no string per id, and lays
/// out what it hashes in one reused buffer.
#[derive(Default)]
pub struct ContentIds {
    /// A prefix and its digest packed into one word per id handed out: the digest is a hash
    /// already, so a fast hash of the word serves as well as a keyed one. A set of words, half
    /// the size of a map of counts, as nearly every id is handed out once.
    seen: FxHashSet<u64>,
    /// How many times each id handed out more than once was asked for.
    repeats: FxHashMap<u64, u32>,
    /// The scope's parts and the normalised words, each followed by a zero byte.
    input: Vec<u8>,
}

/// A prefix letter and a digest as one word, the key [`ContentIds`] counts repeats under.
fn packed(prefix: u8, digest: &[u8; 6]) -> u64 {
    let mut word = [0u8; 8];
    word[0] = prefix;
    word[1..7].copy_from_slice(digest);
    u64::from_le_bytes(word)
}

impl ContentIds {
    /// The ids handed out so far (prefix and digest, packed), repeats once.
    pub fn keys(&self) -> impl Iterator<Item = &u64> {
        self.seen.iter()
    }

    pub fn contains(&self, key: &u64) -> bool {
        self.seen.contains(key)
    }

    /// The id of `words` (normalised) within `scope`: `prefix` and a digest of both.
    pub fn hashed(&mut self, prefix: char, scope: &[&str], words: &str) -> String {
        self.item(prefix, scope, words).to_string()
    }

    /// [`ContentIds::hashed`], kept inline as a checklist item's id is.
    pub fn item(&mut self, prefix: char, scope: &[&str], words: &str) -> ItemId {
        let prefix = u8::try_from(prefix)
            .ok()
            .filter(u8::is_ascii_lowercase)
            .expect("id prefixes are lowercase ASCII letters");
        self.input.clear();
        for part in scope {
            self.input.extend_from_slice(part.as_bytes());
            self.input.push(0);
        }
        normalize_onto(&mut self.input, words);
        self.input.push(0);
        let base = digest(&self.input);
        let key = packed(prefix, &base);
        let base = hashed_id(prefix, &base);
        if self.seen.insert(key) {
            base
        } else {
            let n = self.repeats.entry(key).or_insert(1);
            *n += 1;
            self.input.clear();
            self.input.extend_from_slice(&base.as_bytes()[1..]);
            self.input.push(0);
            self.input.extend_from_slice(n.to_string().as_bytes());
            self.input.push(0);
            hashed_id(prefix, &digest(&self.input))
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

    proptest::proptest! {
        #[test]
        fn words_as_bytes_are_the_normalised_words(text in "[ a-zA-Z*_`\t\n\x0b\x0c\r\u{a0}\u{85}Éσς]{0,40}") {
            let mut bytes = b"scope\0".to_vec();
            normalize_onto(&mut bytes, &text);
            proptest::prop_assert_eq!(&bytes[..6], b"scope\0");
            proptest::prop_assert_eq!(String::from_utf8(bytes[6..].to_vec()).unwrap(), normalize(&text));
        }
    }

    #[test]
    fn repeated_content_gets_distinct_ids() {
        let mut ids = ContentIds::default();
        let a = ids.hashed('i', &["p"], "x");
        let b = ids.hashed('i', &["p"], "x");
        let c = ids.hashed('i', &["p"], "y");
        assert_ne!(a, b);
        assert_ne!(a, c);
        let mut again = ContentIds::default();
        assert_eq!(again.hashed('i', &["p"], "*X*"), a);
        assert_eq!(again.hashed('i', &["p"], "x"), b);
    }

    #[test]
    fn an_id_is_its_prefix_and_twelve_hex_digits_of_the_scope_digest() {
        let mut ids = ContentIds::default();
        let expected = Sha256::digest(b"p\0two words\0");
        assert_eq!(
            ids.hashed('g', &["p"], "Two  **Words**"),
            format!("g{}", hex::encode(&expected[..6]))
        );
    }
}
