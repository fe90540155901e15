//! Shared code of the integration tests.
pub mod gogen;
pub mod process;
