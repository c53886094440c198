//! Splitting a dump into statements as it is read, so a file of any size is restored with the
//! memory of one statement. A statement ends with its delimiter at the end of a line: values
//! never hold a raw newline in our dumps (it is written `\n`) nor in the stock `mysqldump`'s,
//! and `DELIMITER ;;` blocks (triggers, routines) are honoured. Bytes, not text: the stock tool
//! writes blobs as raw bytes inside string literals.

use std::io::BufRead;

pub struct Statements<R> {
    reader: R,
    delimiter: Vec<u8>,
    line: Vec<u8>,
}

impl<R: BufRead> Statements<R> {
    pub fn new(reader: R) -> Self {
        Statements {
            reader,
            delimiter: b";".to_vec(),
            line: Vec::new(),
        }
    }
}

fn trim_end(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &b[..end]
}

fn trim(b: &[u8]) -> &[u8] {
    let b = trim_end(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

impl<R: BufRead> Iterator for Statements<R> {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut current = Vec::new();
        loop {
            self.line.clear();
            match self.reader.read_until(b'\n', &mut self.line) {
                Err(e) => return Some(Err(e)),
                Ok(0) => {
                    let rest = trim(&current);
                    return (!rest.is_empty()).then(|| Ok(rest.to_vec()));
                }
                Ok(_) => {}
            }
            let trimmed = trim_end(&self.line);
            if current.is_empty() {
                if let Some(d) = trimmed.strip_prefix(b"DELIMITER ") {
                    self.delimiter = trim_end(d).to_vec();
                    continue;
                }
            }
            let ends = trimmed.ends_with(&self.delimiter);
            current.extend_from_slice(&self.line);
            if ends {
                let body = trim_end(&current);
                let statement = trim(&body[..body.len() - self.delimiter.len()]);
                if !statement.is_empty() {
                    return Some(Ok(statement.to_vec()));
                }
                current.clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_at_line_ends_and_delimiters() {
        let sql = "SET NAMES utf8mb4;\nINSERT INTO t VALUES\n('a;\\nb'),\n('c');\n;\nDELIMITER ;;\nCREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END;;\nDELIMITER ;\nSELECT 1";
        let got: Vec<Vec<u8>> = Statements::new(sql.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            got,
            vec![
                b"SET NAMES utf8mb4".to_vec(),
                b"INSERT INTO t VALUES\n('a;\\nb'),\n('c')".to_vec(),
                b"CREATE TRIGGER x AFTER INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END".to_vec(),
                b"SELECT 1".to_vec(),
            ]
        );
    }
}
