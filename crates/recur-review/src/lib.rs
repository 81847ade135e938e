//! `recur-review` turns normalized incidents and mined patterns into the monthly pattern review:
//! trends (polars group-bys), charts (plotters, PNG and SVG), the agenda and audience, follow-up
//! accountability, and the report in Markdown, HTML and JSON. It returns data and rendered
//! bytes; it writes no files.
#![warn(missing_docs)]

pub mod accountability;
pub mod agenda;
pub mod charts;
pub mod report;
pub mod review;
pub mod trends;
