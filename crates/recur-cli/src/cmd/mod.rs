//! One module per subcommand, each with its clap `Args` and a `run` returning the exit code.

pub mod check;
pub mod followups;
pub mod generate;
pub mod normalize;
pub mod review;
pub mod similar;
pub mod template;
