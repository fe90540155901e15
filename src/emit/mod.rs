//! Stage 3: Go assembly text (and, for the package flow, Go declarations and dispatch).

pub mod goasm;
pub mod model;
pub mod package;
