//! The integration tests, in one binary: one module per area of the boundary they test.
//! One binary links the crate and the test dependencies once instead of once per file.

mod budgets;
mod cli;
mod data;
mod engines;
mod escape;
mod hostile;
mod layers;
mod linear;
mod messages;
mod no_panic;
mod parse;
mod pipeline;
mod project;
mod report;
mod sql;
mod three_valued;
