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
use rustc_hash::FxHashMap;

pub use mapping::{Mapping, MappingError};
pub use read::Format;
pub use values::time::DateOrder;

use crate::model::{FollowUp, Incident, Source};
use crate::outcome::{Accounting, InputError, Merge, Normalized, RecordKind, Rejected, Warning};
use fields::{Field, FollowUpField, IncidentField};
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
    // A mapping applies to the inputs it names (`applies_to`); the others are read with the
    // alias table alone.
    let unmapped = Mapping::default();
    let contexts = Contexts {
        mapped: context_of(&options.mapping, options),
        unmapped: context_of(&unmapped, options),
    };
    let mut run = Run::default();
    let mut candidates = Vec::new();
    for file in incident_files {
        match file {
            Ok(file) => {
                let file = file.borrow();
                run.incident_file(file, contexts.of(file), &mut candidates);
            }
            Err(error) => run.errors.push(error),
        }
    }
    let mut incidents = run.merge(candidates, options.mapping.event_log);
    for (file, mapped) in std::mem::take(&mut run.follow_up_tables) {
        let context = if mapped {
            &contexts.mapped
        } else {
            &contexts.unmapped
        };
        run.follow_up_file(&file, context, &mut incidents);
    }
    for file in follow_up_files {
        match file {
            Ok(file) => {
                let file = file.borrow();
                run.follow_up_file(file, contexts.of(file), &mut incidents);
            }
            Err(error) => run.errors.push(error),
        }
    }
    run.note_warnings(contexts.mapped.zone);
    run.finish(incidents)
}

fn context_of<'a>(mapping: &'a Mapping, options: &NormalizeOptions) -> Context<'a> {
    Context {
        mapping,
        zone: mapping
            .time_zone
            .or(options.time_zone)
            .unwrap_or(chrono_tz::UTC),
        zone_given: mapping.time_zone.is_some() || options.time_zone.is_some(),
        default_order: options.date_order,
    }
}

/// The context of the files a mapping applies to, and of the others.
struct Contexts<'a> {
    mapped: Context<'a>,
    unmapped: Context<'a>,
}

impl Contexts<'_> {
    fn of(&self, file: &LoadedFile) -> &Context<'_> {
        let format = file.format.unwrap_or_else(|| Format::sniff(&file.text));
        if self.mapped.mapping.applies_to_file(&file.name, format) {
            &self.mapped
        } else {
            &self.unmapped
        }
    }
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
    merges: Vec<Merge>,
    /// Follow-up tables found among the incident inputs (the file, whether the mapping
    /// applies), read again and joined once the incidents are merged: their text is smaller
    /// than their records.
    follow_up_tables: Vec<(LoadedFile, bool)>,
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
    fn read<'f>(&mut self, file: &'f LoadedFile, context: &Context<'_>) -> Option<RawFile<'f>> {
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

    /// Gather per-column observations; they become one warning per column at the end. Per-record
    /// warnings are kept as they are.
    fn notes(&mut self, file: &str, mut notes: Notes) {
        self.warnings.append(&mut notes.warnings);
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
        let format = file.format.unwrap_or_else(|| Format::sniff(&file.text));
        if let Some(why) = follow_up_table(&file.name, format, &raw.records, context.mapping) {
            self.warnings.push(file_warning(
                &file.name,
                None,
                format!("read as a table of follow-ups, not incidents ({why}); pass it with --follow-ups to say so"),
            ));
            let mapped = context.mapping.applies_to_file(&file.name, format);
            drop(raw);
            self.follow_up_tables.push((file.clone(), mapped));
            return;
        }
        self.accounting.records_read += raw.records.len() + raw.rejected.len() + raw.skipped.len();
        self.accounting.rejected += raw.rejected.len();
        self.accounting.skipped += raw.skipped.len();
        for skipped in &raw.skipped {
            self.warnings.push(Warning {
                source: skipped.source.clone(),
                field: None,
                message: skipped.reason.clone(),
            });
        }
        self.rejected.extend(raw.rejected);
        self.rejected.extend(raw.skipped);
        let records: Vec<&RawRecord> = raw.records.iter().collect();
        let incident = plan_file(
            &file.name,
            &records,
            &context.mapping.columns,
            &context.mapping.precedence,
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
            &BTreeMap::new(),
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
        out.reserve(outcomes.len());
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
            let mut first_of: FxHashMap<&str, usize> =
                FxHashMap::with_capacity_and_hasher(candidates.len(), Default::default());
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
            let merged_from = other.incident.source.clone();
            let mut these = Vec::new();
            let follow_ups = merge_into(&mut base, other.incident, &mut these);
            let merge = Merge {
                id: base.id.clone(),
                kept: base.source.clone(),
                merged: merged_from,
                conflicts: these.iter().map(|&field| field.to_owned()).collect(),
            };
            if merge.is_suspicious() {
                self.accounting.merged_conflicting += 1;
            }
            self.merges.push(merge);
            conflicts.extend(these);
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
        self.follow_up_records(&file.name, raw, context, incidents);
    }

    /// Join the records of a follow-up table to the incidents by incident id.
    fn follow_up_records(
        &mut self,
        name: &str,
        raw: RawFile<'_>,
        context: &Context<'_>,
        incidents: &mut [Incident],
    ) {
        let count = raw.records.len() + raw.rejected.len() + raw.skipped.len();
        self.accounting.follow_ups_read += count;
        self.accounting.follow_ups_rejected += raw.rejected.len() + raw.skipped.len();
        self.rejected
            .extend(raw.rejected.into_iter().chain(raw.skipped).map(|mut r| {
                r.kind = RecordKind::FollowUp;
                r
            }));
        let records: Vec<&RawRecord> = raw.records.iter().collect();
        let plan = plan_file(
            name,
            &records,
            &context.mapping.follow_up_columns,
            &BTreeMap::new(),
            context,
            &mut self.warnings,
        );
        if !plan.columns.fields.contains_key(&FollowUpField::IncidentId) {
            self.warnings.push(file_warning(
                name,
                None,
                "no column is recognized as the incident id of a follow-up (name it incident_id, or map one in [follow_ups.columns])".to_owned(),
            ));
        }
        let by_id: FxHashMap<String, usize> = incidents
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
        self.notes(name, notes);
    }

    fn finish(mut self, mut incidents: Vec<Incident>) -> Normalized {
        // Follow-ups were joined one push at a time, which leaves room for four: a million
        // incidents would keep hundreds of megabytes of it.
        incidents
            .par_iter_mut()
            .for_each(|incident| incident.follow_ups.shrink_to_fit());
        incidents.par_sort_by(|a, b| {
            let (at_a, at_b) = (a.occurred_at(), b.occurred_at());
            (at_a.is_none(), at_a, &a.id).cmp(&(at_b.is_none(), at_b, &b.id))
        });
        for incident in &incidents {
            if incident.occurred_at().is_none() {
                self.warnings.push(Warning {
                    source: incident.source.clone(),
                    field: Some("started_at".to_owned()),
                    message: format!(
                        "incident {} has no usable date (no start, detection, acknowledgement, mitigation or resolution time): it is counted in no month",
                        incident.id
                    ),
                });
            }
        }
        self.accounting.accepted = incidents.len();
        self.accounting.follow_ups_attached = incidents.iter().map(|i| i.follow_ups.len()).sum();
        Normalized {
            incidents,
            rejected: self.rejected,
            merges: self.merges,
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
    base.updated_at = base.updated_at.max(other.updated_at);
    unite(&mut base.services, other.services);
    unite(&mut base.teams, other.teams);
    unite(&mut base.alerts, other.alerts);
    unite(&mut base.contributing_factors, other.contributing_factors);
    unite(&mut base.tags, other.tags);
    for (key, value) in other.extra {
        base.extra.try_insert(key, value);
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

/// Incident fields a follow-up table does not have: a table with one of them is incidents.
const INCIDENT_ONLY: &[IncidentField] = &[
    IncidentField::Severity,
    IncidentField::DetectedAt,
    IncidentField::AcknowledgedAt,
    IncidentField::MitigatedAt,
    IncidentField::Services,
    IncidentField::DetectionMethod,
    IncidentField::Alerts,
    IncidentField::Trigger,
    IncidentField::RootCause,
    IncidentField::ContributingFactors,
    IncidentField::Recovery,
    IncidentField::Prevention,
];

/// Why a table among the incident inputs is a table of follow-ups (an export folder laid out
/// like `data/sample/`), or `None` when it is incidents. A follow-up table has a column naming
/// the incident of each row, and either a name that says so (`follow_ups.csv`,
/// `action-items.json`) or the columns of follow-ups (a title and an owner, due date or
/// status) without any column only incidents have (severity, root cause, …).
fn follow_up_table(
    name: &str,
    format: Format,
    records: &[RawRecord],
    mapping: &Mapping,
) -> Option<String> {
    if format == Format::Markdown || records.is_empty() {
        return None;
    }
    let mut seen = BTreeSet::new();
    let columns: Vec<&str> = records
        .iter()
        .flat_map(|record| record.fields.iter().map(|(key, _)| &**key))
        .filter(|key| seen.insert(*key))
        .collect();
    let forced =
        |overrides: &BTreeMap<String, Option<FollowUpField>>| -> BTreeMap<String, FollowUpField> {
            overrides
                .iter()
                .filter_map(|(column, field)| field.map(|f| (column.clone(), f)))
                .collect()
        };
    let follow_up =
        fields::ColumnPlan::decide(columns.iter().copied(), &forced(&mapping.follow_up_columns));
    let incident_column = follow_up.fields.get(&FollowUpField::IncidentId)?;
    if mapping.columns.contains_key(incident_column.as_str()) {
        // The mapping says what this column is in an incident table.
        return None;
    }
    let stem = Path::new(name)
        .file_stem()
        .and_then(|stem| stem.to_str())
        .unwrap_or_default();
    let words: Vec<&str> = stem
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let named = (1..=words.len().min(3)).any(|n| {
        let tail = fields::name_key(&words[words.len() - n..].concat());
        IncidentField::FollowUps.aliases().contains(&tail.as_str())
    });
    if named {
        return Some(format!(
            "its name says so and column {incident_column:?} names the incident"
        ));
    }
    let incident_forced: BTreeMap<String, IncidentField> = mapping
        .columns
        .iter()
        .filter_map(|(column, field)| field.map(|f| (column.clone(), f)))
        .collect();
    let incident = fields::ColumnPlan::decide(columns.iter().copied(), &incident_forced);
    let has_incident_field = INCIDENT_ONLY
        .iter()
        .any(|field| incident.fields.contains_key(field));
    let follow_up_like = follow_up.fields.contains_key(&FollowUpField::Title)
        && [
            FollowUpField::Owner,
            FollowUpField::DueAt,
            FollowUpField::Status,
            FollowUpField::ClosedAt,
        ]
        .iter()
        .any(|field| follow_up.fields.contains_key(field));
    (follow_up_like && !has_incident_field).then(|| {
        format!(
            "column {incident_column:?} names the incident, and no column holds a severity, root cause or other incident field"
        )
    })
}

/// Expand folders (recursively, in name order) into the files of known formats. Symbolic links
/// to files and folders are followed (a link back into a folder already read is reported and
/// not read twice); dangling links, fifos, sockets and devices are skipped with a warning that
/// names them.
fn expand(
    paths: &[PathBuf],
    errors: &mut Vec<InputError>,
    warnings: &mut Vec<Warning>,
) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut seen_files = BTreeSet::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    let at = error
                        .path()
                        .map_or_else(|| path.display().to_string(), |p| p.display().to_string());
                    if error.loop_ancestor().is_some() {
                        warnings.push(file_warning(
                            &at,
                            None,
                            "skipped: a symbolic link back to a folder already being read"
                                .to_owned(),
                        ));
                    } else if error.path().is_some_and(|p| p.is_symlink() && !p.exists()) {
                        warnings.push(file_warning(
                            &at,
                            None,
                            "skipped: a symbolic link to nothing (dangling)".to_owned(),
                        ));
                    } else {
                        errors.push(InputError {
                            file: at,
                            line: None,
                            message: format!("cannot read folder: {error}"),
                        });
                    }
                    continue;
                }
            };
            let file_type = entry.file_type();
            if file_type.is_dir() {
                continue;
            }
            let file = entry.into_path();
            if !file_type.is_file() {
                warnings.push(file_warning(
                    &file.display().to_string(),
                    None,
                    format!("skipped: {}, not a regular file", special_kind(&file)),
                ));
                continue;
            }
            if Format::from_path(&file).is_none() {
                warnings.push(file_warning(
                    &file.display().to_string(),
                    None,
                    "skipped: not a CSV, JSON, JSONL or Markdown file".to_owned(),
                ));
                continue;
            }
            // Two links to one file inside the inputs: read it once.
            let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if !seen_files.insert(canonical.clone()) {
                warnings.push(file_warning(
                    &file.display().to_string(),
                    None,
                    format!(
                        "skipped: the same file as {} (a symbolic link), already read",
                        canonical.display()
                    ),
                ));
                continue;
            }
            files.push(file);
        }
    }
    files
}

/// What a path that is not a regular file or folder is, in words.
fn special_kind(path: &Path) -> &'static str {
    let Ok(metadata) = std::fs::metadata(path) else {
        return "unreadable";
    };
    let file_type = metadata.file_type();
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a fifo (named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_block_device() || file_type.is_char_device() {
            return "a device";
        }
    }
    if file_type.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// Read a file as UTF-8 text. A fifo, socket or device is refused without opening it (reading
/// one could block forever).
fn load(path: &Path) -> Result<LoadedFile, InputError> {
    let name = path.display().to_string();
    let cannot = |error: std::io::Error| InputError {
        file: name.clone(),
        line: None,
        message: format!("cannot read: {error}"),
    };
    let metadata = std::fs::metadata(path).map_err(cannot)?;
    if !metadata.is_file() {
        return Err(InputError {
            file: name.clone(),
            line: None,
            message: format!("cannot read: {}, not a regular file", special_kind(path)),
        });
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    let text = read::unify_line_ends(read::decode(&name, bytes)?);
    Ok(LoadedFile {
        name,
        format: Format::from_path(path),
        text,
    })
}
