//! Cross-crate tests: one binary made of modules, on fixtures the project wrote itself.

#[cfg(feature = "review")]
mod continuity;
mod factors;
mod mining;
mod normalize;
mod quality;
