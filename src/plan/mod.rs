//! (stage `plan`: to be written)
