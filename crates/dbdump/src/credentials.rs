//! Database credentials as Secrets Manager keeps them for RDS (`host`, `port`, `username`,
//! `password`, `dbname`), read from there or from the OS keyring by the caller, and turned into
//! connection options here. The password never appears in `Debug` output or in errors.

use std::fmt;
use std::path::PathBuf;

use mysql_async::{Opts, OptsBuilder, SslOpts};
use serde::{Deserialize, Deserializer};

use crate::DumpError;

#[derive(Clone, Deserialize)]
pub struct Credentials {
    pub host: String,
    #[serde(default = "default_port", deserialize_with = "port")]
    pub port: u16,
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub dbname: Option<String>,
    /// Encrypt the connection (RDS with `require_secure_transport`), verifying the server
    /// against the public roots, or against `ssl_ca` when given.
    #[serde(default)]
    pub ssl: bool,
    /// A PEM bundle to verify the server with, e.g. Amazon RDS's `global-bundle.pem`.
    #[serde(default)]
    pub ssl_ca: Option<PathBuf>,
}

fn default_port() -> u16 {
    3306
}

/// Secrets Manager's rotation templates write the port as a number, people often as text.
fn port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u16),
        Text(String),
    }
    match Port::deserialize(d)? {
        Port::Number(n) => Ok(n),
        Port::Text(t) => t.trim().parse().map_err(serde::de::Error::custom),
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &"(hidden)")
            .field("dbname", &self.dbname)
            .field("ssl", &self.ssl)
            .field("ssl_ca", &self.ssl_ca)
            .finish()
    }
}

impl Credentials {
    /// Parses the secret's JSON; `origin` names where it came from in the error, which never
    /// quotes the text (it holds the password).
    pub fn from_json(text: &str, origin: &str) -> Result<Credentials, DumpError> {
        serde_json::from_str(text).map_err(|e| {
            // Only a missing field is named: other messages may quote a value.
            let message = e.to_string();
            let missing = message
                .split_once(" at line")
                .map(|(m, _)| m)
                .filter(|m| m.starts_with("missing field"))
                .map(|m| format!(": {m}"))
                .unwrap_or_default();
            DumpError::Refused(format!(
                "{origin} does not hold database credentials as JSON with host, port, username \
                 and password{missing}"
            ))
        })
    }

    /// Connection options, with no default database.
    pub fn opts(&self) -> Opts {
        let ssl = self.ssl.then(|| {
            SslOpts::default()
                .with_root_certs(self.ssl_ca.iter().map(|path| path.clone().into()).collect())
        });
        OptsBuilder::default()
            .ip_or_hostname(self.host.clone())
            .tcp_port(self.port)
            .user(Some(self.username.clone()))
            .pass(Some(self.password.clone()))
            .prefer_socket(false)
            .ssl_opts(ssl)
            .into()
    }

    /// `user@host:port`, for messages (with "over TLS" when encrypted).
    pub fn describe(&self) -> String {
        let tls = if self.ssl { " over TLS" } else { "" };
        format!("{}@{}:{}{tls}", self.username, self.host, self.port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_rds_secret_shape_and_hides_the_password() {
        let c = Credentials::from_json(
            r#"{"engine":"mysql","host":"db.example","port":"3307","username":"admin","password":"s3cr3t!","dbname":"wp"}"#,
            "secret sit/db",
        )
        .unwrap();
        assert_eq!((c.port, c.dbname.as_deref()), (3307, Some("wp")));
        assert!(!format!("{c:?}").contains("s3cr3t!"));
        let c = Credentials::from_json(
            r#"{"host":"h","username":"u","password":"p"}"#,
            "keyring entry db",
        )
        .unwrap();
        assert_eq!(c.port, 3306);
        let err = Credentials::from_json(r#"{"host":"h","password":"hunter2"}"#, "secret x")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("secret x does not hold"), "{err}");
        assert!(err.ends_with("missing field `username`"), "{err}");
        assert!(!err.contains("hunter2"));
    }
}
