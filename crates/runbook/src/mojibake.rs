//! Repair of UTF-8 text that was once decoded as Mac Roman and saved again as UTF-8.
//!
//! "✅" is the bytes E2 9C 85; read as Mac Roman they become "‚úÖ". We map each run of
//! non-ASCII characters back to Mac Roman bytes and decode those bytes as UTF-8 where they form
//! valid sequences. The Mac Roman byte F0 is the Apple logo, which editors often drop, so a
//! four-byte emoji (F0 9F xx xx) usually survives as three characters ("üìã" for "📋"); a run
//! starting with 9F and two continuation bytes is completed with the lost F0.

use std::borrow::Cow;

use encoding_rs::MACINTOSH;

/// Returns the repaired text and the number of characters it replaced. ASCII text is returned
/// as it is; otherwise ASCII passes through in whole spans and only the non-ASCII characters are
/// looked at one by one.
pub fn repair_mac_roman(text: &str) -> (Cow<'_, str>, u32) {
    if text.is_ascii() {
        return (Cow::Borrowed(text), 0);
    }
    let mut out = String::with_capacity(text.len());
    let mut repaired = 0;
    let mut run: Vec<char> = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.bytes().position(|b| !b.is_ascii()) {
        if at > 0 {
            repaired += flush_run(&mut run, &mut out);
            out.push_str(&rest[..at]);
        }
        let ch = rest[at..].chars().next().expect("a character starts here");
        if mac_roman_byte(ch).is_some() {
            run.push(ch);
        } else {
            repaired += flush_run(&mut run, &mut out);
            out.push(ch);
        }
        rest = &rest[at + ch.len_utf8()..];
    }
    repaired += flush_run(&mut run, &mut out);
    out.push_str(rest);
    (Cow::Owned(out), repaired)
}

fn mac_roman_byte(ch: char) -> Option<u8> {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = MACINTOSH.encode(ch.encode_utf8(&mut buf));
    match (unmappable, bytes.as_ref()) {
        (false, [b]) if *b >= 0x80 => Some(*b),
        _ => None,
    }
}

fn is_continuation(b: u8) -> bool {
    (0x80..=0xBF).contains(&b)
}

fn sequence_len(lead: u8) -> usize {
    match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 0,
    }
}

/// Writes the run to `out`, decoded where it forms UTF-8, and returns how many characters of the
/// run were replaced.
fn flush_run(run: &mut Vec<char>, out: &mut String) -> u32 {
    if run.len() < 2 {
        out.extend(run.drain(..));
        return 0;
    }
    let bytes: Vec<u8> = run.iter().filter_map(|c| mac_roman_byte(*c)).collect();
    let mut replaced = 0;
    let mut i = 0;
    while i < bytes.len() {
        let need = sequence_len(bytes[i]);
        if need > 0 && i + need <= bytes.len() {
            if let Ok(s) = std::str::from_utf8(&bytes[i..i + need]) {
                out.push_str(s);
                replaced += need as u32;
                i += need;
                continue;
            }
        }
        if bytes[i] == 0x9F
            && i + 3 <= bytes.len()
            && is_continuation(bytes[i + 1])
            && is_continuation(bytes[i + 2])
        {
            let emoji = [0xF0, bytes[i], bytes[i + 1], bytes[i + 2]];
            if let Ok(s) = std::str::from_utf8(&emoji) {
                out.push_str(s);
                replaced += 3;
                i += 3;
                continue;
            }
        }
        out.push(run[i]);
        i += 1;
    }
    run.clear();
    replaced
}

#[cfg(test)]
mod tests {
    use super::repair_mac_roman;

    #[test]
    fn repairs_symbols_box_drawing_and_emoji() {
        assert_eq!(repair_mac_roman("Done ‚úÖ").0, "Done ✅");
        assert_eq!(repair_mac_roman("‚îú‚îÄ 14:00").0, "├─ 14:00");
        assert_eq!(repair_mac_roman("‚îî‚îÄ end").0, "└─ end");
        assert_eq!(repair_mac_roman("üìã Review").0, "📋 Review");
        assert_eq!(repair_mac_roman("üöÄ GO").0, "🚀 GO");
        assert_eq!(repair_mac_roman("A ‚Üí B").0, "A → B");
        assert_eq!(repair_mac_roman("‚ö†Ô∏è careful").0, "⚠\u{fe0f} careful");
    }

    #[test]
    fn leaves_correct_text_alone() {
        for text in [
            "café crème",
            "✅ ├─ → 📋",
            "naïve résumé",
            "plain ascii",
            "Zürich ©",
        ] {
            let (out, n) = repair_mac_roman(text);
            assert_eq!(out, text);
            assert_eq!(n, 0, "{text}");
        }
    }

    #[test]
    fn counts_repaired_characters() {
        assert_eq!(repair_mac_roman("‚úÖ and ‚úÖ").1, 6);
    }
}
