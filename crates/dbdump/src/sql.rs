//! Values as SQL literals the mysql client reads back exactly: numbers as they are, binary data
//! as hex, text quoted with the escapes the server's parser knows.

use mysql_async::consts::ColumnType;
use mysql_async::{Column, Value};

/// The `binary` character set's id: such strings are bytes, not text.
const BINARY_CHARSET: u16 = 63;

/// Quotes an identifier with backticks, doubling any inside.
pub fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// Quotes text as a string literal. Text is most of a dump and this is the loop it spends its
/// time in, so the bytes that need an escape are found with `memchr3` (SIMD), in two sets of
/// three; each set's next position is kept until it is passed, so no byte is scanned twice by
/// the same set.
pub fn quote(text: &[u8], out: &mut Vec<u8>) {
    let controls = |from: usize| memchr::memchr3(0, b'\n', b'\r', &text[from..]).map(|p| p + from);
    let quotes = |from: usize| memchr::memchr3(b'\\', b'\'', 0x1a, &text[from..]).map(|p| p + from);
    out.reserve(text.len() + 2);
    out.push(b'\'');
    let (mut copied, mut next_control, mut next_quote) = (0, controls(0), quotes(0));
    while let Some(at) = match (next_control, next_quote) {
        (Some(c), Some(q)) => Some(c.min(q)),
        (c, q) => c.or(q),
    } {
        out.extend_from_slice(&text[copied..at]);
        out.extend_from_slice(match text[at] {
            0 => b"\\0",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\\' => b"\\\\",
            b'\'' => b"\\'",
            _ => b"\\Z",
        });
        copied = at + 1;
        if next_control == Some(at) {
            next_control = controls(copied);
        } else {
            next_quote = quotes(copied);
        }
    }
    out.extend_from_slice(&text[copied..]);
    out.push(b'\'');
}

/// How a column's values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal {
    Number,
    Hex,
    Text,
}

pub fn literal_for(column: &Column) -> Literal {
    use ColumnType::*;
    match column.column_type() {
        MYSQL_TYPE_TINY
        | MYSQL_TYPE_SHORT
        | MYSQL_TYPE_LONG
        | MYSQL_TYPE_INT24
        | MYSQL_TYPE_LONGLONG
        | MYSQL_TYPE_DECIMAL
        | MYSQL_TYPE_NEWDECIMAL
        | MYSQL_TYPE_FLOAT
        | MYSQL_TYPE_DOUBLE
        | MYSQL_TYPE_YEAR => Literal::Number,
        MYSQL_TYPE_BIT | MYSQL_TYPE_GEOMETRY => Literal::Hex,
        MYSQL_TYPE_TINY_BLOB
        | MYSQL_TYPE_MEDIUM_BLOB
        | MYSQL_TYPE_LONG_BLOB
        | MYSQL_TYPE_BLOB
        | MYSQL_TYPE_STRING
        | MYSQL_TYPE_VAR_STRING
        | MYSQL_TYPE_VARCHAR
            if column.character_set() == BINARY_CHARSET =>
        {
            Literal::Hex
        }
        _ => Literal::Text,
    }
}

/// Appends one value of a text-protocol row.
pub fn write_value(value: &Value, literal: Literal, out: &mut Vec<u8>) {
    match value {
        Value::NULL => out.extend_from_slice(b"NULL"),
        Value::Bytes(bytes) => match literal {
            Literal::Number => out.extend_from_slice(bytes),
            Literal::Hex if bytes.is_empty() => out.extend_from_slice(b"''"),
            Literal::Hex => {
                out.extend_from_slice(b"0x");
                out.extend_from_slice(hex::encode_upper(bytes).as_bytes());
            }
            Literal::Text => quote(bytes, out),
        },
        other => out.extend_from_slice(other.as_sql(false).as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let mut out = Vec::new();
        quote(b"it's a \\ \n\r\0\x1a test", &mut out);
        assert_eq!(out, b"'it\\'s a \\\\ \\n\\r\\0\\Z test'");
        assert_eq!(ident("we`ird"), "`we``ird`");
    }

    /// Byte by byte, the obvious way: what the fast scan must agree with.
    fn quote_slowly(text: &[u8]) -> Vec<u8> {
        let mut out = vec![b'\''];
        for &b in text {
            match b {
                0 => out.extend_from_slice(b"\\0"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\'' => out.extend_from_slice(b"\\'"),
                0x1a => out.extend_from_slice(b"\\Z"),
                _ => out.push(b),
            }
        }
        out.push(b'\'');
        out
    }

    #[test]
    fn quoting_agrees_with_the_byte_by_byte_rule() {
        let every_byte: Vec<u8> = (0..=255).collect();
        let mut texts = vec![Vec::new(), every_byte.clone(), every_byte.repeat(3)];
        // Escapes of one set dense and the other rare, at both ends and side by side.
        texts.push(b"\n\n\n'x\n\n\\\n".to_vec());
        texts.push([b"'".repeat(100), b"a\0".to_vec(), b"\r".repeat(100)].concat());
        texts.push("emoji \u{1F680} and latin1 \u{e9}'\n".as_bytes().to_vec());
        for text in texts {
            let mut out = Vec::new();
            quote(&text, &mut out);
            assert_eq!(out, quote_slowly(&text), "{text:?}");
        }
    }

    #[test]
    fn values() {
        let mut out = Vec::new();
        write_value(&Value::NULL, Literal::Text, &mut out);
        out.push(b',');
        write_value(&Value::Bytes(vec![0, 255]), Literal::Hex, &mut out);
        out.push(b',');
        write_value(&Value::Bytes(b"-1.50".to_vec()), Literal::Number, &mut out);
        out.push(b',');
        write_value(&Value::Bytes(Vec::new()), Literal::Text, &mut out);
        assert_eq!(out, b"NULL,0x00FF,-1.50,''");
    }
}
