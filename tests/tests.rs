//! Cross-crate tests: one binary made of modules, on fixtures the project wrote itself.

mod factors;
mod mining;
mod normalize;
mod quality;
