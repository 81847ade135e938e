//! The normalizer: whatever a team exports from its incident tracker, into canonical
//! [`Incident`]s, without losing or silently mangling a record.
//!
//! Data flow: [`read`] turns each file into flat records → [`fields`] decides, per file, which
//! column feeds which field (alias table, or a [`Mapping`]) → `record` normalizes each value
//! (rejecting a record whose present value cannot be normalized) → duplicates are merged and
//! event logs collapsed → follow-ups from separate files are joined by incident id.
//!
//! ```
//! use recur_core::normalize::{NormalizeOptions, normalize_str};
//!
//! let csv = "Incident ID,Sev,Start Time,Root Cause\n\
//!            INC-1,SEV2,2025-03-04 10:22,connection pool exhausted\n\
//!            ,P1,2025-03-05 09:00,no id here\n";
//! let out = normalize_str("export.csv", csv, None, &NormalizeOptions::default());
//! assert_eq!(out.incidents[0].severity, Some(2));
//! assert_eq!(out.rejected[0].reason, "no incident id: column \"Incident ID\" is empty");
//! assert!(out.accounting.balances());
//! ```

pub mod fields;
pub mod mapping;
pub mod read;
mod record;
pub mod values;

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;

pub use mapping::{Mapping, MappingError};
pub use read::Format;
pub use values::time::DateOrder;

use crate::model::{FollowUp, Incident, Source};
use crate::outcome::{Accounting, InputError, Normalized, RecordKind, Rejected, Warning};
use fields::{FollowUpField, IncidentField};
use read::{RawFile, RawRecord};
use record::{
    Context, IncidentPlan, Notes, convert_follow_up, convert_incident, is_follow_up_key, plan_file,
};

/// How to normalize. Every field has a default that works without configuration.
#[derive(Debug, Clone, Default)]
pub struct NormalizeOptions {
    /// Column and value overrides (`--mapping FILE`). Default: none, the alias table decides.
    pub mapping: Mapping,
    /// Zone of naive timestamps. Default `None`: UTC, with a warning per column that has naive
    /// times. A mapping's `time_zone` wins over this.
    pub time_zone: Option<chrono_tz::Tz>,
    /// Order of numeric dates in columns that give no evidence either way. Default month-first.
    /// A mapping's `date_order` forces the order for every column instead.
    pub date_order: DateOrder,
}

/// Files and folders to read: incident inputs and separate follow-up files.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Incident files, or folders read recursively.
    pub incidents: Vec<PathBuf>,
    /// Separate follow-up files, joined to incidents by incident id.
    pub follow_ups: Vec<PathBuf>,
}

/// Normalize files and folders. Unreadable files become [`InputError`]s; the other inputs
/// still load.
pub fn normalize_paths(inputs: &Inputs, options: &NormalizeOptions) -> Normalized {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let incident_paths = expand(&inputs.incidents, &mut errors, &mut warnings);
    let follow_up_paths = expand(&inputs.follow_ups, &mut errors, &mut warnings);
    // Files are loaded one at a time, as they are normalized, so only one file's text is in
    // memory at once.
    let mut normalized = normalize_each(
        incident_paths.iter().map(|path| load(path)),
        follow_up_paths.iter().map(|path| load(path)),
        options,
    );
    errors.append(&mut normalized.errors);
    warnings.append(&mut normalized.warnings);
    normalized.errors = errors;
    normalized.warnings = warnings;
    normalized
}

/// Normalize one input given as text (`name` is used in messages and to detect the format
/// when `format` is `None`).
pub fn normalize_str(
    name: &str,
    text: &str,
    format: Option<Format>,
    options: &NormalizeOptions,
) -> Normalized {
    let file = LoadedFile {
        name: name.to_owned(),
        text: text.to_owned(),
        format: format.or_else(|| Format::from_path(Path::new(name))),
    };
    normalize_texts(&[file], &[], options)
}

/// An input file's text, ready to parse.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The name used in messages (the path as given).
    pub name: String,
    /// The text.
    pub text: String,
    /// The format, when known; otherwise sniffed from the text.
    pub format: Option<Format>,
}

/// Normalize loaded texts: incident inputs and separate follow-up inputs.
pub fn normalize_texts(
    incident_files: &[LoadedFile],
    follow_up_files: &[LoadedFile],
    options: &NormalizeOptions,
) -> Normalized {
    normalize_each(
        incident_files.iter().map(Ok),
        follow_up_files.iter().map(Ok),
        options,
    )
}

/// Normalize files as they come: incident inputs, then follow-up inputs.
fn normalize_each<I: Borrow<LoadedFile>, F: Borrow<LoadedFile>>(
    incident_files: impl Iterator<Item = Result<I, InputError>>,
    follow_up_files: impl Iterator<Item = Result<F, InputError>>,
    options: &NormalizeOptions,
) -> Normalized {
    let context = Context {
        mapping: &options.mapping,
        zone: options
            .mapping
            .time_zone
            .or(options.time_zone)
            .unwrap_or(chrono_tz::UTC),
        zone_given: options.mapping.time_zone.is_some() || options.time_zone.is_some(),
        default_order: options.date_order,
    };
    let mut run = Run::default();
    let mut candidates = Vec::new();
    for file in incident_files {
        match file {
            Ok(file) => run.incident_file(file.borrow(), &context, &mut candidates),
            Err(error) => run.errors.push(error),
        }
    }
    let mut incidents = run.merge(candidates, options.mapping.event_log);
    for file in follow_up_files {
        match file {
            Ok(file) => run.follow_up_file(file.borrow(), &context, &mut incidents),
            Err(error) => run.errors.push(error),
        }
    }
    run.note_warnings(context.zone);
    run.finish(incidents)
}

/// An accepted incident before duplicates are merged.
struct Candidate {
    incident: Incident,
    updated_at: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Run {
    rejected: Vec<Rejected>,
    warnings: Vec<Warning>,
    errors: Vec<InputError>,
    accounting: Accounting,
    /// Column → (values, files) with naive timestamps read in the default zone.
    zone_notes: BTreeMap<String, (usize, BTreeSet<String>)>,
    /// Column → (values, files) where mojibake was repaired.
    mojibake_notes: BTreeMap<String, (usize, BTreeSet<String>)>,
}

fn file_warning(file: &str, field: Option<&str>, message: String) -> Warning {
    Warning {
        source: Source {
            file: file.to_owned(),
            record: 0,
            line: None,
        },
        field: field.map(str::to_owned),
        message,
    }
}

impl Run {
    fn read(&mut self, file: &LoadedFile, context: &Context<'_>) -> Option<RawFile> {
        let format = file.format.unwrap_or_else(|| Format::sniff(&file.text));
        let records_key = |key: &str| is_follow_up_key(context.mapping, key);
        match read::read_text(&file.name, &file.text, format, &records_key) {
            Ok(raw) => Some(raw),
            Err(error) => {
                self.errors.push(error);
                None
            }
        }
    }

    /// Gather per-column observations; they become one warning per column at the end.
    fn notes(&mut self, file: &str, notes: Notes) {
        for (column, count) in notes.zone_assumed {
            let entry = self.zone_notes.entry(column).or_default();
            entry.0 += count;
            entry.1.insert(file.to_owned());
        }
        for (column, count) in notes.mojibake {
            let entry = self.mojibake_notes.entry(column).or_default();
            entry.0 += count;
            entry.1.insert(file.to_owned());
        }
    }

    fn note_warnings(&mut self, zone: chrono_tz::Tz) {
        let place = |files: &BTreeSet<String>| match files.len() {
            1 => String::new(),
            n => format!(" in {n} files"),
        };
        for (column, (count, files)) in std::mem::take(&mut self.zone_notes) {
            let first = files.iter().next().cloned().unwrap_or_default();
            self.warnings.push(file_warning(
                &first,
                Some(&column),
                format!("column {column:?}: {count} timestamps without a zone read as {zone}{} (set --time-zone or time_zone in a mapping file)", place(&files)),
            ));
        }
        for (column, (count, files)) in std::mem::take(&mut self.mojibake_notes) {
            let first = files.iter().next().cloned().unwrap_or_default();
            self.warnings.push(file_warning(
                &first,
                Some(&column),
                format!(
                    "column {column:?}: repaired mis-decoded UTF-8 (mojibake) in {count} values{}",
                    place(&files)
                ),
            ));
        }
    }

    fn incident_file(
        &mut self,
        file: &LoadedFile,
        context: &Context<'_>,
        out: &mut Vec<Candidate>,
    ) {
        let Some(raw) = self.read(file, context) else {
            return;
        };
        self.accounting.records_read += raw.records.len() + raw.rejected.len();
        self.accounting.rejected += raw.rejected.len();
        self.rejected.extend(raw.rejected);
        let records: Vec<&RawRecord> = raw.records.iter().collect();
        let incident = plan_file(
            &file.name,
            &records,
            &context.mapping.columns,
            context,
            &mut self.warnings,
        );
        let nested: Vec<&RawRecord> = incident
            .columns
            .fields
            .get(&IncidentField::FollowUps)
            .map(|column| {
                records
                    .iter()
                    .flat_map(|record| record.fields.iter())
                    .filter(|(key, _)| **key == **column)
                    .flat_map(|(_, value)| match value {
                        read::RawValue::Records(nested) => nested.iter().collect(),
                        _ => Vec::new(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let follow_up = plan_file(
            &file.name,
            &nested,
            &context.mapping.follow_up_columns,
            context,
            &mut self.warnings,
        );
        let plan = IncidentPlan {
            incident,
            follow_up,
        };
        // Each raw record is dropped as soon as it is converted, on the worker that converted
        // it: the raw and the canonical forms of a large file never sit in memory together.
        let outcomes: Vec<_> = raw
            .records
            .into_par_iter()
            .map(|record| convert_incident(&record, &plan, context))
            .collect();
        let mut notes = Notes::default();
        for outcome in outcomes {
            notes.merge(outcome.notes);
            self.accounting.follow_ups_read += outcome.follow_ups_read;
            match outcome.result {
                Ok(converted) => {
                    self.accounting.follow_ups_rejected += converted.follow_up_rejects.len();
                    self.rejected.extend(converted.follow_up_rejects);
                    out.push(Candidate {
                        incident: converted.incident,
                        updated_at: converted.updated_at,
                    });
                }
                Err(rejected) => {
                    // Its nested follow-ups go with it, each accounted for.
                    self.accounting.rejected += 1;
                    self.accounting.follow_ups_rejected += outcome.follow_ups_read;
                    for n in 0..outcome.follow_ups_read {
                        self.rejected.push(Rejected {
                            source: rejected.source.clone(),
                            id: None,
                            field: None,
                            value: None,
                            reason: format!("follow-up {} of a rejected incident record", n + 1),
                            kind: RecordKind::FollowUp,
                        });
                    }
                    self.rejected.push(rejected);
                }
            }
        }
        self.notes(&file.name, notes);
    }

    /// Merge candidates with the same id. An event log (every row has `updated_at`, all rows
    /// of an id in one file, or `event_log = true`) keeps the latest row; other duplicates are
    /// merged field by field, the first record's values winning, and each merge is reported.
    fn merge(&mut self, candidates: Vec<Candidate>, event_log: Option<bool>) -> Vec<Incident> {
        // Find duplicates by borrowing ids; only the duplicated ones are regrouped.
        let mut later_of: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        let mut is_later = vec![false; candidates.len()];
        {
            let mut first_of: std::collections::HashMap<&str, usize> =
                std::collections::HashMap::with_capacity(candidates.len());
            for (index, candidate) in candidates.iter().enumerate() {
                match first_of.entry(candidate.incident.id.as_str()) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        later_of.entry(*first.get()).or_default().push(index);
                        is_later[index] = true;
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(index);
                    }
                }
            }
        }
        let mut slots: Vec<Option<Candidate>> = candidates.into_iter().map(Some).collect();
        let mut collapsed: BTreeMap<String, usize> = BTreeMap::new();
        let mut incidents = Vec::with_capacity(slots.len());
        for index in 0..slots.len() {
            if is_later[index] {
                continue;
            }
            let Some(first) = slots[index].take() else {
                continue;
            };
            let Some(laters) = later_of.get(&index) else {
                incidents.push(first.incident);
                continue;
            };
            let mut group = vec![first];
            group.extend(laters.iter().filter_map(|&later| slots[later].take()));
            self.accounting.merged += group.len() - 1;
            let same_file = group
                .iter()
                .all(|c| c.incident.source.file == group[0].incident.source.file);
            let is_log =
                event_log.unwrap_or(same_file && group.iter().all(|c| c.updated_at.is_some()));
            let merged = if is_log {
                *collapsed
                    .entry(group[0].incident.source.file.clone())
                    .or_default() += group.len() - 1;
                self.latest(group)
            } else {
                self.combine(group)
            };
            incidents.push(merged);
        }
        for (file, rows) in collapsed {
            self.warnings.push(file_warning(
                &file,
                Some("updated_at"),
                format!("event log: {rows} older update rows collapsed into the latest row of their incident"),
            ));
        }
        incidents
    }

    fn latest(&mut self, group: Vec<Candidate>) -> Incident {
        // The latest update wins; among equal times, the later row.
        let mut best: Option<Candidate> = None;
        let mut follow_ups = Vec::new();
        for candidate in group {
            match &best {
                Some(current) if candidate.updated_at < current.updated_at => {
                    follow_ups.extend(candidate.incident.follow_ups);
                }
                _ => {
                    if let Some(previous) = best.replace(candidate) {
                        follow_ups.extend(previous.incident.follow_ups);
                    }
                }
            }
        }
        let mut incident = best.map(|c| c.incident).unwrap_or_default();
        for follow_up in follow_ups {
            self.add_follow_up(&mut incident, follow_up);
        }
        incident
    }

    fn combine(&mut self, group: Vec<Candidate>) -> Incident {
        let mut iter = group.into_iter();
        let Some(first) = iter.next() else {
            return Incident::default();
        };
        let mut base = first.incident;
        let mut places = vec![place(&base.source)];
        let mut conflicts = Vec::new();
        for other in iter {
            places.push(place(&other.incident.source));
            let follow_ups = merge_into(&mut base, other.incident, &mut conflicts);
            for follow_up in follow_ups {
                self.add_follow_up(&mut base, follow_up);
            }
        }
        conflicts.sort();
        conflicts.dedup();
        let conflict_note = if conflicts.is_empty() {
            String::new()
        } else {
            format!(
                "; differing values kept from the first: {}",
                conflicts.join(", ")
            )
        };
        self.warnings.push(Warning {
            source: base.source.clone(),
            field: Some("id".to_owned()),
            message: format!(
                "incident {} appears {} times ({}); merged into one{conflict_note}",
                base.id,
                places.len(),
                places.join(", ")
            ),
        });
        base
    }

    /// Attach a follow-up, merging it into one with the same id.
    fn add_follow_up(&mut self, incident: &mut Incident, follow_up: FollowUp) {
        let same = follow_up.id.as_ref().and_then(|id| {
            incident
                .follow_ups
                .iter_mut()
                .find(|existing| existing.id.as_ref() == Some(id))
        });
        match same {
            Some(existing) => {
                self.accounting.follow_ups_merged += 1;
                fill_follow_up(existing, follow_up);
            }
            None => incident.follow_ups.push(follow_up),
        }
    }

    fn follow_up_file(
        &mut self,
        file: &LoadedFile,
        context: &Context<'_>,
        incidents: &mut [Incident],
    ) {
        let Some(raw) = self.read(file, context) else {
            return;
        };
        let count = raw.records.len() + raw.rejected.len();
        self.accounting.follow_ups_read += count;
        self.accounting.follow_ups_rejected += raw.rejected.len();
        self.rejected.extend(raw.rejected.into_iter().map(|mut r| {
            r.kind = RecordKind::FollowUp;
            r
        }));
        let records: Vec<&RawRecord> = raw.records.iter().collect();
        let plan = plan_file(
            &file.name,
            &records,
            &context.mapping.follow_up_columns,
            context,
            &mut self.warnings,
        );
        if !plan.columns.fields.contains_key(&FollowUpField::IncidentId) {
            self.warnings.push(file_warning(
                &file.name,
                None,
                "no column is recognized as the incident id of a follow-up (name it incident_id, or map one in [follow_ups.columns])".to_owned(),
            ));
        }
        let by_id: std::collections::HashMap<String, usize> = incidents
            .iter()
            .enumerate()
            .map(|(index, incident)| (incident.id.clone(), index))
            .collect();
        let converted: Vec<_> = raw
            .records
            .into_par_iter()
            .map(|record| convert_follow_up(&record, &plan, context))
            .collect();
        let mut notes = Notes::default();
        for (result, record_notes) in converted {
            notes.merge(record_notes);
            match result {
                Ok(follow_up) => match by_id.get(&follow_up.incident_id) {
                    Some(&index) => self.add_follow_up(&mut incidents[index], follow_up),
                    None => {
                        self.accounting.follow_ups_rejected += 1;
                        self.rejected.push(Rejected {
                            reason: format!(
                                "no accepted incident has id {:?}",
                                follow_up.incident_id
                            ),
                            source: follow_up.source,
                            id: follow_up.id,
                            field: Some("incident_id".to_owned()),
                            value: Some(follow_up.incident_id),
                            kind: RecordKind::FollowUp,
                        });
                    }
                },
                Err(rejected) => {
                    self.accounting.follow_ups_rejected += 1;
                    self.rejected.push(rejected);
                }
            }
        }
        self.notes(&file.name, notes);
    }

    fn finish(mut self, mut incidents: Vec<Incident>) -> Normalized {
        incidents.sort_by(|a, b| {
            let (at_a, at_b) = (a.occurred_at(), b.occurred_at());
            (at_a.is_none(), at_a, &a.id).cmp(&(at_b.is_none(), at_b, &b.id))
        });
        self.accounting.accepted = incidents.len();
        self.accounting.follow_ups_attached = incidents.iter().map(|i| i.follow_ups.len()).sum();
        Normalized {
            incidents,
            rejected: self.rejected,
            warnings: self.warnings,
            errors: self.errors,
            accounting: self.accounting,
        }
    }
}

fn place(source: &Source) -> String {
    match source.line {
        Some(line) => format!("{} line {line}", source.file),
        None => format!("{} record {}", source.file, source.record),
    }
}

/// Fill `base`'s empty fields from `other`; lists are united. Returns `other`'s follow-ups.
fn merge_into(
    base: &mut Incident,
    other: Incident,
    conflicts: &mut Vec<&'static str>,
) -> Vec<FollowUp> {
    fn fill<T: PartialEq>(
        name: &'static str,
        base: &mut Option<T>,
        other: Option<T>,
        conflicts: &mut Vec<&'static str>,
    ) {
        match (base.as_ref(), other) {
            (None, other) => *base = other,
            (Some(current), Some(other)) if *current != other => conflicts.push(name),
            _ => {}
        }
    }
    fn unite(base: &mut Vec<String>, other: Vec<String>) {
        for item in other {
            if !base.contains(&item) {
                base.push(item);
            }
        }
    }
    fill("title", &mut base.title, other.title, conflicts);
    fill("severity", &mut base.severity, other.severity, conflicts);
    fill(
        "severity_raw",
        &mut base.severity_raw,
        other.severity_raw,
        &mut Vec::new(),
    );
    fill("status", &mut base.status, other.status, conflicts);
    fill(
        "status_raw",
        &mut base.status_raw,
        other.status_raw,
        &mut Vec::new(),
    );
    fill(
        "started_at",
        &mut base.started_at,
        other.started_at,
        conflicts,
    );
    fill(
        "detected_at",
        &mut base.detected_at,
        other.detected_at,
        conflicts,
    );
    fill(
        "acknowledged_at",
        &mut base.acknowledged_at,
        other.acknowledged_at,
        conflicts,
    );
    fill(
        "mitigated_at",
        &mut base.mitigated_at,
        other.mitigated_at,
        conflicts,
    );
    fill(
        "resolved_at",
        &mut base.resolved_at,
        other.resolved_at,
        conflicts,
    );
    fill("owner", &mut base.owner, other.owner, conflicts);
    fill(
        "detection_method",
        &mut base.detection_method,
        other.detection_method,
        conflicts,
    );
    fill("summary", &mut base.summary, other.summary, conflicts);
    fill("trigger", &mut base.trigger, other.trigger, conflicts);
    fill(
        "root_cause",
        &mut base.root_cause,
        other.root_cause,
        conflicts,
    );
    fill(
        "remediation",
        &mut base.remediation,
        other.remediation,
        conflicts,
    );
    fill("recovery", &mut base.recovery, other.recovery, conflicts);
    fill(
        "prevention",
        &mut base.prevention,
        other.prevention,
        conflicts,
    );
    fill("body", &mut base.body, other.body, conflicts);
    unite(&mut base.services, other.services);
    unite(&mut base.teams, other.teams);
    unite(&mut base.alerts, other.alerts);
    unite(&mut base.contributing_factors, other.contributing_factors);
    unite(&mut base.tags, other.tags);
    for (key, value) in other.extra {
        base.extra.entry(key).or_insert(value);
    }
    other.follow_ups
}

fn fill_follow_up(base: &mut FollowUp, other: FollowUp) {
    base.title = base.title.take().or(other.title);
    base.owner = base.owner.take().or(other.owner);
    base.team = base.team.take().or(other.team);
    base.status_raw = base.status_raw.take().or(other.status_raw);
    base.created_at = base.created_at.or(other.created_at);
    base.due_at = base.due_at.or(other.due_at);
    base.closed_at = base.closed_at.or(other.closed_at);
    base.tracker = base.tracker.take().or(other.tracker);
}

/// Expand folders (recursively, in name order) into the files of known formats.
fn expand(
    paths: &[PathBuf],
    errors: &mut Vec<InputError>,
    warnings: &mut Vec<Warning>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let file = entry.into_path();
                    if Format::from_path(&file).is_some() {
                        files.push(file);
                    } else {
                        warnings.push(file_warning(
                            &file.display().to_string(),
                            None,
                            "skipped: not a CSV, JSON, JSONL or Markdown file".to_owned(),
                        ));
                    }
                }
                Ok(_) => {}
                Err(error) => errors.push(InputError {
                    file: error
                        .path()
                        .map_or_else(|| path.display().to_string(), |p| p.display().to_string()),
                    line: None,
                    message: format!("cannot read folder: {error}"),
                }),
            }
        }
    }
    files
}

/// Read a file as UTF-8 text.
fn load(path: &Path) -> Result<LoadedFile, InputError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|error| InputError {
        file: name.clone(),
        line: None,
        message: format!("cannot read: {error}"),
    })?;
    let text = read::decode(&name, bytes)?;
    Ok(LoadedFile {
        name,
        format: Format::from_path(path),
        text,
    })
}
