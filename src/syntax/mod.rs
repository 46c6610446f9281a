//! Rule text to AST: spans, the nom grammar, the AST, and the canonical formatter.
//! Knows nothing of schemas or data.

pub mod ast;
