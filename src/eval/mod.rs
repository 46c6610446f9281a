//! (stage `eval`: to be written)
