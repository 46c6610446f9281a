//! (stage `check`: to be written)
