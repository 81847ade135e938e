//! Mapping files: a TOML file that tells the normalizer what its alias table cannot guess.
//!
//! ```toml
//! # every key is optional
//! null_values = ["?", "unknown"]     # cells that mean "no value", besides the built-in ones
//! date_order = "day-first"           # or "month-first": for numeric dates such as 03/04/2025
//! time_zone = "Europe/Berlin"        # zone of naive timestamps (default UTC)
//! event_log = true                   # one row per update: the row with the latest updated_at wins
//! applies_to = ["csv", "jira-*.csv"] # the inputs this mapping is for: formats (csv, json, jsonl,
//!                                    # markdown) or file-name globs (* and ?); default: all inputs
//! factors = "factors.toml"           # the team's factor catalogue, merged with the shipped one
//!
//! [columns]                          # source column = canonical field
//! "number" = "id"
//! "sys_updated_at" = "updated_at"
//! "category" = "extra"               # keep as an extra attribute, whatever the aliases say
//!
//! [precedence]                       # several columns for one field: the first with a value wins,
//! severity = ["Custom field (Severity)", "Priority"]  # and a record where they disagree is warned
//!
//! [values.severity]                  # the team's own severity names
//! "Blocker" = 1
//! [values.status]
//! "Awaiting Customer" = "open"
//! [values.follow_up_status]
//! "Parked" = "wont_do"
//!
//! [follow_ups.columns]               # columns of the separate follow-ups file
//! "Parent" = "incident_id"
//! ```
//!
//! Field names are the canonical names of [`IncidentField`] and [`FollowUpField`]; a column
//! mapped to `"extra"` is kept as an extra attribute even when an alias would have claimed it.
//!
//! `applies_to` keeps a tracker's mapping off the other inputs of the same run: with
//! `applies_to = ["csv"]`, the Markdown postmortems read beside a Jira export keep their own
//! headings (`## Summary` stays the summary). Files the mapping does not apply to are read with
//! the alias table alone and the command's `--time-zone`.
//!
//! `[precedence]` lists, for an incident field, the columns that may give it, best first: the
//! first column with a value gives the field; the others are not kept as extra; a record where a
//! later column holds a different value gets a warning naming both.

use std::collections::BTreeMap;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::fields::{Field, FollowUpField, IncidentField, name_key};
use super::read::Format;
use super::values::time::DateOrder;
use crate::model::{FollowUpStatus, IncidentStatus};

/// A parsed and validated mapping file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mapping {
    /// Source column → incident field (`None`: keep as extra).
    pub columns: BTreeMap<String, Option<IncidentField>>,
    /// Source column of the follow-ups file → follow-up field (`None`: keep as extra).
    pub follow_up_columns: BTreeMap<String, Option<FollowUpField>>,
    /// Custom severity names (compared by [`name_key`]) → 1 = most severe.
    pub severity: BTreeMap<String, u8>,
    /// Custom incident status names (by [`name_key`]).
    pub status: BTreeMap<String, IncidentStatus>,
    /// Custom follow-up status names (by [`name_key`]).
    pub follow_up_status: BTreeMap<String, FollowUpStatus>,
    /// Extra cell values that mean "no value" (compared trimmed, case-insensitively).
    pub null_values: Vec<String>,
    /// Order of numeric dates, forced for every column.
    pub date_order: Option<DateOrder>,
    /// Zone of naive timestamps.
    pub time_zone: Option<chrono_tz::Tz>,
    /// Whether inputs are event logs (`None`: decided from the data).
    pub event_log: Option<bool>,
    /// The inputs the mapping applies to: format names or file-name globs. Empty: all inputs.
    pub applies_to: Vec<String>,
    /// Field → the columns that may give it, best first.
    pub precedence: BTreeMap<IncidentField, Vec<String>>,
    /// A team's factor catalogue to merge with the shipped one (`factors = "factors.toml"`), as
    /// written: relative paths are relative to the mapping file. The normalizer does not read
    /// it; the review does.
    pub factors: Option<String>,
}

impl Mapping {
    /// Whether this mapping applies to an input of this name (the path as given) and format.
    /// A pattern is a format name (`csv`, `json`, `jsonl`, `markdown`) or a glob (`*`, `?`)
    /// matched against the file name, or against the whole path when it holds a `/`.
    pub fn applies_to_file(&self, name: &str, format: Format) -> bool {
        if self.applies_to.is_empty() {
            return true;
        }
        let file_name = std::path::Path::new(name)
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or(name);
        self.applies_to
            .iter()
            .any(|pattern| match format_named(pattern) {
                Some(named) => named == format,
                None if pattern.contains('/') => glob_match(pattern, name),
                None => glob_match(pattern, file_name),
            })
    }
}

fn format_named(pattern: &str) -> Option<Format> {
    match name_key(pattern).as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "jsonl" | "ndjson" => Some(Format::Jsonl),
        "markdown" | "md" => Some(Format::Markdown),
        _ => None,
    }
}

/// Whether `text` matches a glob of `*` (any run of characters) and `?` (one character).
fn glob_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.chars().collect();
    let text: Vec<char> = text.chars().collect();
    // The classic two-pointer match with backtracking to the last `*`: linear in practice.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// Why a mapping file was refused. Each names the key and value at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// Not valid TOML, or a key of the wrong type.
    #[error("mapping is not valid: {0}")]
    Syntax(String),
    /// `[columns]` names a field that does not exist.
    #[error("column {column:?} is mapped to unknown field {field:?} (known: {known})")]
    UnknownField {
        /// The source column.
        column: String,
        /// The field name given.
        field: String,
        /// The canonical names.
        known: String,
    },
    /// A severity outside 1..=5.
    #[error("severity {name:?} is mapped to {value}, outside 1 (most severe) to 5")]
    SeverityOutOfRange {
        /// The custom name.
        name: String,
        /// The number given.
        value: i64,
    },
    /// A status that is not one of the canonical ones.
    #[error("status {name:?} is mapped to {value:?}, expected one of {expected}")]
    UnknownStatus {
        /// The custom name.
        name: String,
        /// The value given.
        value: String,
        /// The canonical values.
        expected: &'static str,
    },
    /// `date_order` is neither `day-first` nor `month-first`.
    #[error("date_order {0:?} is neither \"day-first\" nor \"month-first\"")]
    DateOrder(String),
    /// `[precedence]` names a field that does not exist.
    #[error("precedence names unknown field {field:?} (known: {known})")]
    UnknownPrecedenceField {
        /// The field name given.
        field: String,
        /// The canonical names.
        known: String,
    },
    /// An `applies_to` pattern that is empty.
    #[error("applies_to holds an empty pattern")]
    EmptyPattern,
    /// An unknown IANA time zone.
    #[error("time_zone {0:?} is not an IANA time zone name (such as \"Europe/Berlin\")")]
    TimeZone(String),
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    values: ValuesFile,
    #[serde(default)]
    null_values: Vec<String>,
    date_order: Option<String>,
    time_zone: Option<String>,
    event_log: Option<bool>,
    factors: Option<String>,
    #[serde(default)]
    applies_to: Vec<String>,
    #[serde(default)]
    precedence: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    follow_ups: FollowUpsFile,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    #[serde(default)]
    severity: BTreeMap<String, i64>,
    #[serde(default)]
    status: BTreeMap<String, String>,
    #[serde(default)]
    follow_up_status: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct FollowUpsFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
}

impl FromStr for Mapping {
    type Err = MappingError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let file: MappingFile =
            toml::from_str(text).map_err(|error| MappingError::Syntax(error.to_string()))?;
        let mut mapping = Mapping {
            columns: field_map::<IncidentField>(&file.columns)?,
            follow_up_columns: field_map::<FollowUpField>(&file.follow_ups.columns)?,
            null_values: file.null_values,
            event_log: file.event_log,
            applies_to: file.applies_to,
            factors: file.factors,
            ..Mapping::default()
        };
        if mapping.applies_to.iter().any(|p| p.trim().is_empty()) {
            return Err(MappingError::EmptyPattern);
        }
        for (field, columns) in &file.precedence {
            let known = IncidentField::from_name(field).ok_or_else(|| {
                MappingError::UnknownPrecedenceField {
                    field: field.clone(),
                    known: known_names::<IncidentField>(),
                }
            })?;
            mapping.precedence.insert(known, columns.clone());
        }
        for (name, value) in &file.values.severity {
            let severity = u8::try_from(*value)
                .ok()
                .filter(|v| (1..=5).contains(v))
                .ok_or_else(|| MappingError::SeverityOutOfRange {
                    name: name.clone(),
                    value: *value,
                })?;
            mapping.severity.insert(name_key(name), severity);
        }
        for (name, value) in &file.values.status {
            let status = match name_key(value).as_str() {
                "open" => IncidentStatus::Open,
                "mitigated" => IncidentStatus::Mitigated,
                "resolved" => IncidentStatus::Resolved,
                "closed" => IncidentStatus::Closed,
                _ => {
                    return Err(MappingError::UnknownStatus {
                        name: name.clone(),
                        value: value.clone(),
                        expected: "open, mitigated, resolved, closed",
                    });
                }
            };
            mapping.status.insert(name_key(name), status);
        }
        for (name, value) in &file.values.follow_up_status {
            let status = match name_key(value).as_str() {
                "open" => FollowUpStatus::Open,
                "done" => FollowUpStatus::Done,
                "wontdo" => FollowUpStatus::WontDo,
                _ => {
                    return Err(MappingError::UnknownStatus {
                        name: name.clone(),
                        value: value.clone(),
                        expected: "open, done, wont_do",
                    });
                }
            };
            mapping.follow_up_status.insert(name_key(name), status);
        }
        if let Some(order) = &file.date_order {
            mapping.date_order = Some(match name_key(order).as_str() {
                "dayfirst" | "dmy" => DateOrder::DayFirst,
                "monthfirst" | "mdy" => DateOrder::MonthFirst,
                _ => return Err(MappingError::DateOrder(order.clone())),
            });
        }
        if let Some(zone) = &file.time_zone {
            mapping.time_zone = Some(
                zone.parse::<chrono_tz::Tz>()
                    .map_err(|_| MappingError::TimeZone(zone.clone()))?,
            );
        }
        Ok(mapping)
    }
}

fn field_map<F: Field>(
    columns: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, Option<F>>, MappingError> {
    columns
        .iter()
        .map(|(column, field)| {
            if name_key(field) == "extra" {
                return Ok((column.clone(), None));
            }
            F::from_name(field)
                .map(|f| (column.clone(), Some(f)))
                .ok_or_else(|| MappingError::UnknownField {
                    column: column.clone(),
                    field: field.clone(),
                    known: known_names::<F>(),
                })
        })
        .collect()
}

fn known_names<F: Field>() -> String {
    F::ALL
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_section() {
        let mapping: Mapping = r#"
            null_values = ["?"]
            date_order = "day-first"
            time_zone = "Europe/Berlin"
            event_log = true
            factors = "team-factors.toml"
            [columns]
            "number" = "id"
            "sys_updated_at" = "updated_at"
            "category" = "extra"
            [precedence]
            severity = ["Sev", "Priority"]
            [values.severity]
            "Blocker" = 1
            [values.status]
            "Awaiting Customer" = "open"
            [values.follow_up_status]
            "Parked" = "wont_do"
            [follow_ups.columns]
            "Parent" = "incident_id"
        "#
        .parse()
        .unwrap();
        assert_eq!(mapping.columns["number"], Some(IncidentField::Id));
        assert_eq!(
            mapping.columns["sys_updated_at"],
            Some(IncidentField::UpdatedAt)
        );
        assert_eq!(mapping.columns["category"], None);
        assert_eq!(
            mapping.precedence[&IncidentField::Severity],
            ["Sev", "Priority"]
        );
        assert_eq!(mapping.severity["blocker"], 1);
        assert_eq!(mapping.status["awaitingcustomer"], IncidentStatus::Open);
        assert_eq!(mapping.follow_up_status["parked"], FollowUpStatus::WontDo);
        assert_eq!(
            mapping.follow_up_columns["Parent"],
            Some(FollowUpField::IncidentId)
        );
        assert_eq!(mapping.date_order, Some(DateOrder::DayFirst));
        assert_eq!(mapping.time_zone, Some(chrono_tz::Europe::Berlin));
        assert_eq!(mapping.event_log, Some(true));
        assert_eq!(mapping.factors.as_deref(), Some("team-factors.toml"));
        assert_eq!(mapping.null_values, vec!["?"]);
    }

    #[test]
    fn each_bad_value_is_its_own_error() {
        let check = |text: &str, expected: fn(&MappingError) -> bool| {
            let error = text.parse::<Mapping>().unwrap_err();
            assert!(expected(&error), "{text}: {error}");
        };
        check(
            "[columns]\n\"x\" = \"nope\"",
            |e| matches!(e, MappingError::UnknownField { field, .. } if field == "nope"),
        );
        check("[values.severity]\n\"x\" = 9", |e| {
            matches!(e, MappingError::SeverityOutOfRange { value: 9, .. })
        });
        check("[values.status]\n\"x\" = \"gone\"", |e| {
            matches!(e, MappingError::UnknownStatus { .. })
        });
        check("date_order = \"sideways\"", |e| {
            matches!(e, MappingError::DateOrder(_))
        });
        check("time_zone = \"Mars/Base\"", |e| {
            matches!(e, MappingError::TimeZone(_))
        });
        check("colums = 1", |e| matches!(e, MappingError::Syntax(_)));
        check(
            "[precedence]\nsevere = [\"a\"]",
            |e| matches!(e, MappingError::UnknownPrecedenceField { field, .. } if field == "severe"),
        );
        check("applies_to = [\" \"]", |e| {
            matches!(e, MappingError::EmptyPattern)
        });
    }

    #[test]
    fn a_mapping_applies_to_the_formats_and_globs_it_names() {
        let all = Mapping::default();
        assert!(all.applies_to_file("pm/a.md", Format::Markdown));
        let mapping: Mapping = "applies_to = [\"csv\", \"jira-*.json\", \"exports/*/x?.jsonl\"]"
            .parse()
            .unwrap();
        assert!(mapping.applies_to_file("dir/any.csv", Format::Csv));
        assert!(!mapping.applies_to_file("dir/pm.md", Format::Markdown));
        assert!(mapping.applies_to_file("dir/jira-2025.json", Format::Json));
        assert!(!mapping.applies_to_file("dir/other.json", Format::Json));
        assert!(mapping.applies_to_file("exports/a/x1.jsonl", Format::Jsonl));
        assert!(!mapping.applies_to_file("exports/a/x12.jsonl", Format::Jsonl));
        assert!(glob_match("*a*b", "xxaxxb"));
        assert!(!glob_match("*a*b", "xxaxxbc"));
        assert!(glob_match("**", ""));
    }
}
