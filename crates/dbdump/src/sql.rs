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

/// Quotes text as a string literal. Runs of ordinary bytes are copied whole: text is most of a
/// dump, and this is the loop it spends its time in.
pub fn quote(text: &[u8], out: &mut Vec<u8>) {
    out.reserve(text.len() + 2);
    out.push(b'\'');
    let mut rest = text;
    while let Some(at) = rest
        .iter()
        .position(|b| matches!(b, 0 | b'\n' | b'\r' | b'\\' | b'\'' | 0x1a))
    {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(match rest[at] {
            0 => b"\\0",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\\' => b"\\\\",
            b'\'' => b"\\'",
            _ => b"\\Z",
        });
        rest = &rest[at + 1..];
    }
    out.extend_from_slice(rest);
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
