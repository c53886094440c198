//! How dump files are compressed: zstd (the default), gzip (so `gunzip < f | mysql` works) or
//! none. Writing goes through a hashing counter, so each file's SHA-256 and size are known the
//! moment it is finished, without reading it back.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::manifest::FileEntry;
use crate::DumpError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Compression {
    /// Level 1 (fast) to 19 (small).
    Zstd {
        level: i32,
    },
    /// Level 1 (fast) to 9 (small).
    Gzip {
        level: u32,
    },
    None,
}

/// The default zstd level. Level 1 rather than the zstd tool's 3: on SQL dumps it compresses
/// about 1.8 times as fast (`zstd -b1 -e3` here), and on the WordPress benchmark's data its
/// output is even smaller; the benchmark prints both.
pub const ZSTD_DEFAULT_LEVEL: i32 = 1;

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd {
            level: ZSTD_DEFAULT_LEVEL,
        }
    }
}

impl Compression {
    /// The file name ending, after `.sql`.
    pub fn extension(&self) -> &'static str {
        match self {
            Compression::Zstd { .. } => ".sql.zst",
            Compression::Gzip { .. } => ".sql.gz",
            Compression::None => ".sql",
        }
    }

    /// `zstd`, `zstd:9`, `gzip`, `gzip:1` or `none`.
    pub fn parse(text: &str) -> Result<Compression, String> {
        let (name, given) = match text.split_once(':') {
            Some((n, l)) => (n, Some(l)),
            None => (text, None),
        };
        let level = |default: i64, max: i64| -> Result<i64, String> {
            let value = match given {
                None => default,
                Some(l) => l
                    .parse::<i64>()
                    .map_err(|_| format!("compression level {l:?} is not a number"))?,
            };
            if (1..=max).contains(&value) {
                Ok(value)
            } else {
                Err(format!("{name} levels go from 1 to {max}, not {value}"))
            }
        };
        match name {
            "zstd" => Ok(Compression::Zstd {
                level: level(ZSTD_DEFAULT_LEVEL.into(), 19)? as i32,
            }),
            "gzip" => Ok(Compression::Gzip {
                level: level(1, 9)? as u32,
            }),
            "none" if given.is_none() => Ok(Compression::None),
            _ => Err(format!(
                "unknown compression {text:?}: use zstd[:LEVEL], gzip[:LEVEL] or none"
            )),
        }
    }

    /// Opens a file of a dump for reading its SQL.
    pub fn reader(&self, path: &Path) -> Result<Box<dyn BufRead + Send>, DumpError> {
        let file = File::open(path).map_err(DumpError::io(path))?;
        Ok(match self {
            Compression::Zstd { .. } => Box::new(BufReader::with_capacity(
                1 << 16,
                zstd::Decoder::new(file).map_err(DumpError::io(path))?,
            )),
            Compression::Gzip { .. } => Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(BufReader::new(file)),
            )),
            Compression::None => Box::new(BufReader::with_capacity(1 << 16, file)),
        })
    }
}

/// Counts and hashes the bytes that reach the file.
struct Hashing {
    file: BufWriter<File>,
    hasher: Sha256,
    bytes: u64,
}

impl Write for Hashing {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

enum Encoder {
    Zstd(zstd::Encoder<'static, Hashing>),
    Gzip(flate2::write::GzEncoder<Hashing>),
    Plain(Hashing),
}

/// A dump file being written.
pub struct Output {
    name: String,
    path: std::path::PathBuf,
    encoder: Encoder,
}

impl Output {
    pub fn create(dir: &Path, name: String, compression: Compression) -> Result<Output, DumpError> {
        let path = dir.join(&name);
        let file = File::create(&path).map_err(DumpError::io(&path))?;
        let hashing = Hashing {
            file: BufWriter::with_capacity(1 << 16, file),
            hasher: Sha256::new(),
            bytes: 0,
        };
        let encoder = match compression {
            Compression::Zstd { level } => {
                Encoder::Zstd(zstd::Encoder::new(hashing, level).map_err(DumpError::io(&path))?)
            }
            Compression::Gzip { level } => Encoder::Gzip(flate2::write::GzEncoder::new(
                hashing,
                flate2::Compression::new(level),
            )),
            Compression::None => Encoder::Plain(hashing),
        };
        Ok(Output {
            name,
            path,
            encoder,
        })
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<(), DumpError> {
        match &mut self.encoder {
            Encoder::Zstd(e) => e.write_all(bytes),
            Encoder::Gzip(e) => e.write_all(bytes),
            Encoder::Plain(h) => h.write_all(bytes),
        }
        .map_err(DumpError::io(&self.path))
    }

    /// Ends the stream, flushes it to disk and returns the file's entry for the manifest.
    pub fn finish(self) -> Result<FileEntry, DumpError> {
        let path = self.path;
        let mut hashing = match self.encoder {
            Encoder::Zstd(e) => e.finish(),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Plain(h) => Ok(h),
        }
        .map_err(DumpError::io(&path))?;
        hashing.file.flush().map_err(DumpError::io(&path))?;
        hashing
            .file
            .get_ref()
            .sync_all()
            .map_err(DumpError::io(&path))?;
        Ok(FileEntry {
            name: self.name,
            bytes: hashing.bytes,
            sha256: hex::encode(hashing.hasher.finalize()),
        })
    }
}

/// A file read through: its size and SHA-256 as stored, and why it does not decompress.
pub struct Checked {
    pub bytes: u64,
    pub sha256: String,
    pub broken: Option<std::io::Error>,
}

/// Reads a file through once, hashing what is stored and decompressing it.
pub fn check_file(compression: Compression, path: &Path) -> std::io::Result<Checked> {
    struct Tee<R> {
        inner: R,
        hasher: Sha256,
        bytes: u64,
    }
    impl<R: Read> Read for Tee<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.hasher.update(&buf[..n]);
            self.bytes += n as u64;
            Ok(n)
        }
    }
    let file = File::open(path)?;
    let mut tee = Tee {
        inner: BufReader::with_capacity(1 << 16, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let decompressed = match compression {
        Compression::Zstd { .. } => zstd::Decoder::new(&mut tee)
            .and_then(|mut d| std::io::copy(&mut d, &mut std::io::sink())),
        Compression::Gzip { .. } => std::io::copy(
            &mut flate2::read::MultiGzDecoder::new(&mut tee),
            &mut std::io::sink(),
        ),
        Compression::None => std::io::copy(&mut tee, &mut std::io::sink()),
    };
    // Whatever is left after the compressed stream ends, or after where it broke, still counts.
    std::io::copy(&mut tee, &mut std::io::sink())?;
    Ok(Checked {
        bytes: tee.bytes,
        sha256: hex::encode(tee.hasher.finalize()),
        broken: decompressed.err(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_levels() {
        assert_eq!(
            Compression::parse("zstd"),
            Ok(Compression::Zstd { level: 1 })
        );
        assert_eq!(
            Compression::parse("zstd:3"),
            Ok(Compression::Zstd { level: 3 })
        );
        assert_eq!(
            Compression::parse("gzip:6"),
            Ok(Compression::Gzip { level: 6 })
        );
        assert_eq!(Compression::parse("none"), Ok(Compression::None));
        assert!(Compression::parse("gzip:12")
            .unwrap_err()
            .contains("from 1 to 9"));
        assert!(Compression::parse("lz4").unwrap_err().contains("unknown"));
    }

    #[test]
    fn every_kind_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        for compression in [
            Compression::default(),
            Compression::Gzip { level: 1 },
            Compression::None,
        ] {
            let name = format!("t{}", compression.extension());
            let mut out = Output::create(dir.path(), name.clone(), compression).unwrap();
            out.write(b"SELECT 1;\n").unwrap();
            let entry = out.finish().unwrap();
            let path = dir.path().join(&name);
            let mut text = String::new();
            compression
                .reader(&path)
                .unwrap()
                .read_to_string(&mut text)
                .unwrap();
            assert_eq!(text, "SELECT 1;\n");
            let checked = check_file(compression, &path).unwrap();
            assert_eq!((checked.bytes, checked.sha256), (entry.bytes, entry.sha256));
            assert!(checked.broken.is_none());
        }
    }
}
