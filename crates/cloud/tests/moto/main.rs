//! Everything in `flightdeck-cloud` tested against the moto emulator, in one test binary: each
//! file is a module here, so the AWS SDK is linked once rather than once per file. (Profiles keep
//! their own binary: that test sets process-wide AWS_* variables.)

#[path = "../common/mod.rs"]
mod common;

mod actions;
mod backups;
mod connection;
mod gonogo;
mod keyed;
mod team_log;
