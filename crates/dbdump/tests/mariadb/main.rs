//! The dump engine against real MariaDB servers started for the tests, in one test binary (one
//! link of mysql_async and the TLS stack rather than one per file).

mod parallel;
mod roundtrip;
mod tls;
