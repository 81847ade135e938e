//! From a flat raw record to a canonical [`Incident`] or [`FollowUp`]: the column plan of the
//! file says which column feeds which field, and each value is normalized by its field's kind.
//! A value that is present but cannot be normalized rejects the record, naming the column, the
//! value and the reason; a missing optional value never does.

// A rejected record carries its whole explanation (place, field, value, reason); it is the
// normal outcome of bad input, not an exceptional path worth boxing.
#![allow(clippy::result_large_err)]

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::fields::name_key;
use super::fields::{ColumnPlan, Field, FieldKind, FollowUpField, IncidentField};
use super::mapping::Mapping;
use super::read::{RawRecord, RawValue};
use super::values::list::split_list;
use super::values::severity::parse_severity;
use super::values::status::{parse_follow_up_status, parse_incident_status};
use super::values::text::{clean_text, fold_spaces, repair_mojibake};
use super::values::time::{
    ColumnDateOrder, DateOrder, DateOrderClue, DateOrderEvidence, date_order_clue,
    date_order_evidence, parse_timestamp,
};
use crate::model::{FollowUp, FollowUpStatus, Incident, Source};
use crate::outcome::{RecordKind, Rejected, Warning};

/// Cell values that mean "no value" in every input.
const NULL_VALUES: &[&str] = &[
    "",
    "null",
    "none",
    "nil",
    "n/a",
    "na",
    "-",
    "--",
    "?",
    "nan",
    "(none)",
    "<none>",
    "undefined",
];

/// What every record of a run is read with.
#[derive(Debug, Clone)]
pub(crate) struct Context<'a> {
    pub mapping: &'a Mapping,
    pub zone: chrono_tz::Tz,
    /// Whether the zone was given (option or mapping); if not, naive times get a warning.
    pub zone_given: bool,
    pub default_order: DateOrder,
}

impl Context<'_> {
    fn is_null(&self, value: &str) -> bool {
        let value = value.trim();
        NULL_VALUES
            .iter()
            .any(|null| value.eq_ignore_ascii_case(null))
            || self
                .mapping
                .null_values
                .iter()
                .any(|null| value.eq_ignore_ascii_case(null.trim()))
    }
}

/// The plan of one file for one kind of record: winning columns and each time column's order.
#[derive(Debug, Clone)]
pub(crate) struct FilePlan<F> {
    pub columns: ColumnPlan<F>,
    /// Winning column → its field, for one hash lookup per cell.
    by_column: FxHashMap<String, F>,
    /// The order of each time field's column, and whether the column had conflicting evidence
    /// (then its ambiguous values are rejected rather than guessed).
    orders: BTreeMap<F, (DateOrder, bool)>,
    /// Columns that give a field when its winning column is empty, best first (a mapping's
    /// `[precedence]`).
    fallbacks: BTreeMap<F, Vec<String>>,
    /// Repeats of a list field's winning column (`Labels (2)`, `Labels (3)` beside `Labels`, as
    /// trackers export a multi-valued field), whose items join the list.
    repeats: BTreeMap<F, Vec<String>>,
    /// The columns of `fallbacks` and `repeats`: used, so not kept as extra.
    used: BTreeSet<String>,
}

/// The plans of a file of incidents: its own columns and those of its nested follow-ups.
#[derive(Debug, Clone)]
pub(crate) struct IncidentPlan {
    pub incident: FilePlan<IncidentField>,
    pub follow_up: FilePlan<FollowUpField>,
}

/// Decide the plan of a file of records, warning about date columns that need a look.
/// `precedence` lists, per field, the columns that may give it, best first.
pub(crate) fn plan_file<F: Field>(
    file: &str,
    records: &[&RawRecord],
    overrides: &BTreeMap<String, Option<F>>,
    precedence: &BTreeMap<F, Vec<String>>,
    context: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> FilePlan<F> {
    let mut seen = BTreeSet::new();
    let mut columns = Vec::new();
    for record in records {
        for (key, _) in &record.fields {
            if seen.insert(&**key) {
                columns.push(&**key);
            }
        }
    }
    let forced: BTreeMap<String, F> = overrides
        .iter()
        .filter_map(|(column, field)| field.map(|f| (column.clone(), f)))
        .collect();
    let kept_extra: BTreeSet<String> = overrides
        .iter()
        .filter(|(_, field)| field.is_none())
        .map(|(column, _)| name_key(column))
        .collect();
    let mut plan = ColumnPlan::decide(
        columns
            .iter()
            .copied()
            .filter(|column| !kept_extra.contains(&name_key(column))),
        &forced,
    );
    let mut fallbacks = BTreeMap::new();
    let mut used = BTreeSet::new();
    for (field, wanted) in precedence {
        let present: Vec<String> = wanted
            .iter()
            .filter_map(|want| {
                columns
                    .iter()
                    .find(|column| **column == want || name_key(column) == name_key(want))
                    .map(|column| (*column).to_owned())
            })
            .collect();
        let Some((first, rest)) = present.split_first() else {
            continue;
        };
        // A column given precedence for this field gives no other field.
        plan.fields
            .retain(|other, column| other == field || *column != *first);
        plan.fields.insert(*field, first.clone());
        used.extend(rest.iter().cloned());
        fallbacks.insert(*field, rest.to_vec());
    }
    let mut repeats = BTreeMap::new();
    for (field, winner) in &plan.fields {
        if field.kind() != FieldKind::List {
            continue;
        }
        let found: Vec<String> = columns
            .iter()
            .filter(|column| is_repeat_of(column, winner))
            .map(|column| (*column).to_owned())
            .collect();
        if !found.is_empty() {
            used.extend(found.iter().cloned());
            repeats.insert(*field, found);
        }
    }
    let mut orders = BTreeMap::new();
    for (field, column) in &plan.fields {
        if field.kind() != FieldKind::Time {
            continue;
        }
        let order = match context.mapping.date_order {
            Some(order) => (order, false),
            None => decide_order(file, column, records, context, warnings),
        };
        orders.insert(*field, order);
    }
    let by_column = plan
        .fields
        .iter()
        .map(|(field, column)| (column.clone(), *field))
        .collect();
    FilePlan {
        columns: plan,
        by_column,
        orders,
        fallbacks,
        repeats,
        used,
    }
}

/// Whether `column` repeats `winner` the way exports name repeated columns: `Labels (2)`
/// (the CSV reader's name for a second `Labels`, and what some trackers write themselves).
fn is_repeat_of(column: &str, winner: &str) -> bool {
    column
        .strip_prefix(winner)
        .and_then(|rest| rest.strip_prefix(" ("))
        .and_then(|rest| rest.strip_suffix(')'))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn decide_order(
    file: &str,
    column: &str,
    records: &[&RawRecord],
    context: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> (DateOrder, bool) {
    // Every value of the column is read for evidence: in parallel, a file can have millions.
    let evidence =
        records
            .par_chunks(4096)
            .map(|chunk| {
                date_order_evidence(chunk.iter().filter_map(|record| {
                    match lookup(record, column) {
                        Some(RawValue::Text(text)) if !context.is_null(text) => Some(text.as_ref()),
                        _ => None,
                    }
                }))
            })
            .reduce(DateOrderEvidence::default, DateOrderEvidence::merge);
    let name = |order: DateOrder| match order {
        DateOrder::DayFirst => "day-first",
        DateOrder::MonthFirst => "month-first",
    };
    let warn = |message: String| Warning {
        source: Source {
            file: file.to_owned(),
            record: 0,
            line: None,
        },
        field: Some(column.to_owned()),
        message,
    };
    match evidence.decide(context.default_order) {
        ColumnDateOrder::Decided(order) => (order, false),
        ColumnDateOrder::Assumed(order) => {
            warnings.push(warn(format!(
                "column {column:?}: {} numeric dates give no evidence of day-first or month-first; read as {} (set date_order in a mapping file to change)",
                evidence.ambiguous,
                name(order)
            )));
            (order, false)
        }
        ColumnDateOrder::Conflicting {
            day_first_only,
            month_first_only,
        } => {
            let order = if day_first_only >= month_first_only {
                DateOrder::DayFirst
            } else {
                DateOrder::MonthFirst
            };
            warnings.push(warn(format!(
                "column {column:?} mixes dates valid only day-first ({day_first_only}) and only month-first ({month_first_only}); read as {}; values that fit only the other order, or either, are rejected",
                name(order)
            )));
            (order, true)
        }
    }
}

fn lookup<'r>(record: &'r RawRecord<'r>, column: &str) -> Option<&'r RawValue<'r>> {
    lookup_keyed(record, column).map(|(_, value)| value)
}

/// A record's cell of a column, with the column name as the record holds it.
fn lookup_keyed<'r>(
    record: &'r RawRecord<'r>,
    column: &str,
) -> Option<(&'r str, &'r RawValue<'r>)> {
    record
        .fields
        .iter()
        .find_map(|(key, value)| (&**key == column).then_some((&**key, value)))
}

/// Per-run observations to be turned into one warning per column, not one per row.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// Columns with naive timestamps read in the default zone, with a count.
    pub zone_assumed: BTreeMap<String, usize>,
    /// Columns where mojibake was repaired, with a count.
    pub mojibake: BTreeMap<String, usize>,
    /// Warnings about one record (an unusual date, timestamps out of order, columns that
    /// disagree), in record order.
    pub warnings: Vec<Warning>,
}

impl Notes {
    pub fn merge(&mut self, mut other: Notes) {
        self.warnings.append(&mut other.warnings);
        for (column, n) in other.zone_assumed {
            *self.zone_assumed.entry(column).or_default() += n;
        }
        for (column, n) in other.mojibake {
            *self.mojibake.entry(column).or_default() += n;
        }
    }
}

/// A record converted to an incident.
#[derive(Debug)]
pub(crate) struct Converted {
    pub incident: Incident,
    pub updated_at: Option<DateTime<Utc>>,
    /// Nested follow-ups that could not be normalized.
    pub follow_up_rejects: Vec<Rejected>,
}

/// The outcome of one record.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub result: Result<Converted, Rejected>,
    /// Nested follow-up records read (accepted or not).
    pub follow_ups_read: usize,
    pub notes: Notes,
}

/// Reads the fields of one record under a plan.
struct FieldReader<'a, F> {
    record: &'a RawRecord<'a>,
    /// The record's cell of each field (by position in `F::ALL`), found in one pass.
    slots: Vec<Option<(&'a str, &'a RawValue<'a>)>>,
    plan: &'a FilePlan<F>,
    context: &'a Context<'a>,
    kind: RecordKind,
    notes: Notes,
    id: Option<String>,
}

impl<'a, F: Field> FieldReader<'a, F> {
    fn new(
        record: &'a RawRecord<'a>,
        plan: &'a FilePlan<F>,
        context: &'a Context<'a>,
        kind: RecordKind,
    ) -> Self {
        let mut slots = vec![None; F::ALL.len()];
        for (key, value) in &record.fields {
            if let Some(field) = plan.by_column.get(&**key)
                && let Some(index) = F::ALL.iter().position(|f| f == field)
            {
                slots[index] = Some((&**key, value));
            }
        }
        Self {
            record,
            slots,
            plan,
            context,
            kind,
            notes: Notes::default(),
            id: None,
        }
    }

    fn column(&self, field: F) -> Option<&'a str> {
        self.plan.columns.fields.get(&field).map(String::as_str)
    }

    fn raw(&self, field: F) -> Option<(&'a str, &'a RawValue<'a>)> {
        let index = F::ALL.iter().position(|f| *f == field)?;
        self.slots.get(index).copied().flatten()
    }

    /// The raw scalar text of a field, `None` when missing or a null marker; when the winning
    /// column has none, the first fallback column with a value.
    fn scalar(&self, field: F) -> Option<(&'a str, Cow<'a, str>)> {
        if let Some(found) = self
            .raw(field)
            .and_then(|(column, value)| self.text_of(column, value))
        {
            return Some(found);
        }
        self.plan.fallbacks.get(&field)?.iter().find_map(|column| {
            lookup_keyed(self.record, column).and_then(|(c, v)| self.text_of(c, v))
        })
    }

    /// The values of a field's fallback columns other than `chosen`, for a conflict check.
    fn alternatives(&self, field: F, chosen: &str) -> Vec<(&'a str, Cow<'a, str>)> {
        let Some(fallbacks) = self.plan.fallbacks.get(&field) else {
            return Vec::new();
        };
        let winner = self.raw(field);
        winner
            .into_iter()
            .chain(
                fallbacks
                    .iter()
                    .filter_map(|column| lookup_keyed(self.record, column)),
            )
            .filter(|(column, _)| *column != chosen)
            .filter_map(|(column, value)| self.text_of(column, value))
            .collect()
    }

    fn text_of(&self, column: &'a str, value: &'a RawValue<'a>) -> Option<(&'a str, Cow<'a, str>)> {
        let text = match value {
            RawValue::Text(text) => Cow::Borrowed(&**text),
            RawValue::List(items) => Cow::Owned(items.join("; ")),
            RawValue::Records(_) => return None,
        };
        (!self.context.is_null(&text)).then_some((column, text))
    }

    /// A warning about this record.
    fn warn(&mut self, field: F, message: String) {
        let id = self
            .id
            .as_deref()
            .map_or_else(String::new, |id| format!("{id}: "));
        self.notes.warnings.push(Warning {
            source: self.record.source.clone(),
            field: Some(field.name().to_owned()),
            message: format!("{id}{message}"),
        });
    }

    fn repaired<'t>(&mut self, column: &str, text: Cow<'t, str>) -> Cow<'t, str> {
        match repair_mojibake(&text) {
            Some(repaired) => {
                *self.notes.mojibake.entry(column.to_owned()).or_default() += 1;
                Cow::Owned(repaired)
            }
            None => text,
        }
    }

    fn text(&mut self, field: F) -> Option<String> {
        let (column, text) = self.scalar(field)?;
        let text = self.repaired(column, text);
        clean_text(&text)
    }

    fn plain(&mut self, field: F) -> Option<String> {
        let (column, text) = self.scalar(field)?;
        let text = self.repaired(column, text);
        let folded = fold_spaces(&text);
        (!folded.is_empty()).then_some(folded)
    }

    fn list(&mut self, field: F) -> Vec<String> {
        let repeats = self
            .plan
            .repeats
            .get(&field)
            .into_iter()
            .flatten()
            .filter_map(|column| lookup_keyed(self.record, column));
        let cells: Vec<(&'a str, &'a RawValue<'a>)> =
            self.raw(field).into_iter().chain(repeats).collect();
        let mut out: Vec<String> = Vec::new();
        for (column, value) in cells {
            let items = match value {
                RawValue::Text(text) if !self.context.is_null(text) => split_list(text),
                RawValue::List(items) => items.clone(),
                _ => Vec::new(),
            };
            for item in items {
                if self.context.is_null(&item) {
                    continue;
                }
                let item = self.repaired(column, Cow::Owned(item));
                if let Some(item) = clean_text(&item)
                    && !out.contains(&item)
                {
                    out.push(item);
                }
            }
        }
        // A list is pushed one item at a time; capacity to spare would be kept by every incident.
        out.shrink_to_fit();
        out
    }

    fn reject(&self, field: F, column: &str, value: &str, reason: String) -> Rejected {
        Rejected {
            source: self.record.source.clone(),
            id: self.id.clone(),
            field: Some(field.name().to_owned()),
            value: Some(value.to_owned()),
            reason: format!("column {column:?}: {reason}"),
            kind: self.kind,
        }
    }

    fn time(&mut self, field: F) -> Result<Option<DateTime<Utc>>, Rejected> {
        let Some((column, text)) = self.scalar(field) else {
            return Ok(None);
        };
        let (order, conflicting) = self
            .plan
            .orders
            .get(&field)
            .copied()
            .unwrap_or((self.context.default_order, false));
        if conflicting && date_order_clue(&text) == Some(DateOrderClue::Ambiguous) {
            return Err(self.reject(
                field,
                column,
                &text,
                "ambiguous date in a column that has dates written both day-first and month-first"
                    .to_owned(),
            ));
        }
        match parse_timestamp(&text, order, self.context.zone) {
            Ok(parsed) => {
                if parsed.unusual {
                    self.warn(
                        field,
                        format!(
                            "column {column:?}: {text:?} is outside the usual 1970 to 2099; read as the date it says"
                        ),
                    );
                }
                if parsed.zone_assumed && !self.context.zone_given {
                    *self
                        .notes
                        .zone_assumed
                        .entry(column.to_owned())
                        .or_default() += 1;
                }
                Ok(Some(parsed.at))
            }
            Err(error) => Err(self.reject(field, column, &text, error.to_string())),
        }
    }

    /// Every column that feeds no field, as text.
    fn extra(&self) -> crate::Extra {
        self.record
            .fields
            .iter()
            .filter(|(key, _)| {
                !self.plan.by_column.contains_key(&**key) && !self.plan.used.contains(&**key)
            })
            .filter_map(|(key, value)| {
                let text = match value {
                    RawValue::Text(text) => text.trim().to_owned(),
                    RawValue::List(items) => items.join("; "),
                    RawValue::Records(records) => format!("{} nested records", records.len()),
                };
                (!self.context.is_null(&text)).then(|| (key.to_string(), text))
            })
            .collect()
    }
}

/// Convert one raw record into an incident with its nested follow-ups.
pub(crate) fn convert_incident(
    record: &RawRecord,
    plan: &IncidentPlan,
    context: &Context<'_>,
) -> Outcome {
    let mut reader = FieldReader::new(record, &plan.incident, context, RecordKind::Incident);
    let nested = nested_follow_ups(&reader);
    let follow_ups_read = nested.len();
    let result = incident_fields(&mut reader).map(|(mut incident, updated_at)| {
        let mut follow_up_rejects = Vec::new();
        for item in nested {
            let outcome = match item {
                Nested::Record(raw) => {
                    let mut follow_up_reader =
                        FieldReader::new(raw, &plan.follow_up, context, RecordKind::FollowUp);
                    let result = follow_up_fields(&mut follow_up_reader, Some(&incident.id));
                    reader.notes.merge(follow_up_reader.notes);
                    result
                }
                Nested::Title(title) => Ok(FollowUp {
                    incident_id: incident.id.clone(),
                    title: clean_text(&title),
                    source: record.source.clone(),
                    ..FollowUp::default()
                }),
            };
            match outcome {
                Ok(follow_up) => incident.follow_ups.push(follow_up),
                Err(rejected) => follow_up_rejects.push(rejected),
            }
        }
        Converted {
            incident,
            updated_at,
            follow_up_rejects,
        }
    });
    Outcome {
        result,
        follow_ups_read,
        notes: reader.notes,
    }
}

enum Nested<'a> {
    Record(&'a RawRecord<'a>),
    Title(String),
}

fn nested_follow_ups<'a>(reader: &FieldReader<'a, IncidentField>) -> Vec<Nested<'a>> {
    match reader.raw(IncidentField::FollowUps) {
        Some((_, RawValue::Records(records))) => records.iter().map(Nested::Record).collect(),
        Some((_, RawValue::List(items))) => items
            .iter()
            .filter(|item| !reader.context.is_null(item))
            .map(|item| Nested::Title(item.clone()))
            .collect(),
        Some((_, RawValue::Text(text))) if !reader.context.is_null(text) => {
            split_list(text).into_iter().map(Nested::Title).collect()
        }
        _ => Vec::new(),
    }
}

fn incident_fields(
    reader: &mut FieldReader<'_, IncidentField>,
) -> Result<(Incident, Option<DateTime<Utc>>), Rejected> {
    use IncidentField as F;
    let Some(id) = reader.plain(F::Id) else {
        let columns = reader.column(F::Id).map_or_else(
            || "no column is recognized as the incident id".to_owned(),
            |column| format!("column {column:?} is empty"),
        );
        return Err(Rejected {
            source: reader.record.source.clone(),
            id: None,
            field: Some("id".to_owned()),
            value: None,
            reason: format!("no incident id: {columns}"),
            kind: RecordKind::Incident,
        });
    };
    reader.id = Some(id.clone());
    let (severity, severity_raw) = match reader.scalar(F::Severity) {
        None => (None, None),
        Some((column, raw)) => {
            let raw = raw.trim().to_owned();
            match severity_of(reader.context, &raw) {
                Ok(severity) => {
                    for (other, value) in reader.alternatives(F::Severity, column) {
                        let value = value.trim().to_owned();
                        if severity_of(reader.context, &value).ok() != Some(severity) {
                            reader.warn(
                                F::Severity,
                                format!(
                                    "column {column:?} gives severity {raw:?} (SEV{severity}) but column {other:?} gives {value:?}; kept {raw:?} (the mapping's precedence)"
                                ),
                            );
                        }
                    }
                    (Some(severity), Some(raw))
                }
                Err(error) => {
                    return Err(reader.reject(F::Severity, column, &raw, error.to_string()));
                }
            }
        }
    };
    let (status, status_raw) = match reader.scalar(F::Status) {
        None => (None, None),
        Some((column, raw)) => {
            let raw = raw.trim().to_owned();
            let custom = reader.context.mapping.status.get(&name_key(&raw)).copied();
            match custom.map_or_else(|| parse_incident_status(&raw), Ok) {
                Ok(status) => (Some(status), Some(raw)),
                Err(error) => {
                    return Err(reader.reject(F::Status, column, &raw, error.to_string()));
                }
            }
        }
    };
    let mut incident = Incident {
        started_at: reader.time(F::StartedAt)?,
        detected_at: reader.time(F::DetectedAt)?,
        acknowledged_at: reader.time(F::AcknowledgedAt)?,
        mitigated_at: reader.time(F::MitigatedAt)?,
        resolved_at: reader.time(F::ResolvedAt)?,
        // Read after the other fields (below), so that their problems are reported first.
        updated_at: None,
        title: reader.text(F::Title),
        severity,
        severity_raw,
        status,
        status_raw,
        services: reader.list(F::Services),
        teams: reader.list(F::Teams),
        owner: reader.plain(F::Owner),
        detection_method: reader.plain(F::DetectionMethod),
        alerts: reader.list(F::Alerts),
        summary: reader.text(F::Summary),
        trigger: reader.text(F::Trigger),
        root_cause: reader.text(F::RootCause),
        contributing_factors: reader.list(F::ContributingFactors),
        remediation: reader.text(F::Remediation),
        recovery: reader.text(F::Recovery),
        prevention: reader.text(F::Prevention),
        tags: reader.list(F::Tags),
        body: reader.text(F::Body),
        source: reader.record.source.clone(),
        follow_ups: Vec::new(),
        extra: reader.extra(),
        id,
    };
    incident.updated_at = reader.time(F::UpdatedAt)?;
    warn_time_order(reader, &incident);
    let updated_at = incident.updated_at;
    Ok((incident, updated_at))
}

/// The severity a value names, by the mapping's own names first.
fn severity_of(context: &Context<'_>, raw: &str) -> Result<u8, super::values::ValueError> {
    match context.mapping.severity.get(&name_key(raw)) {
        Some(&level) => Ok(level),
        None => parse_severity(raw),
    }
}

/// Warn about a record resolved before it started, or after an implausibly long time: its
/// time to resolve is left empty ([`Incident::time_to_resolve`]).
fn warn_time_order(reader: &mut FieldReader<'_, IncidentField>, incident: &Incident) {
    let (Some(started), Some(resolved)) = (incident.started_at, incident.resolved_at) else {
        return;
    };
    let format = |at: DateTime<Utc>| at.format("%Y-%m-%d %H:%M UTC").to_string();
    if resolved < started {
        reader.warn(
            IncidentField::ResolvedAt,
            format!(
                "resolved ({}) before it started ({}): time to resolve left empty; check the times and their zone",
                format(resolved),
                format(started)
            ),
        );
    } else if resolved - started > crate::model::MAX_TIME_TO_RESOLVE {
        reader.warn(
            IncidentField::ResolvedAt,
            format!(
                "resolved ({}) more than {} days after it started ({}): time to resolve left empty; check the dates",
                format(resolved),
                crate::model::MAX_TIME_TO_RESOLVE.num_days(),
                format(started)
            ),
        );
    }
}

/// Convert one record of a separate follow-ups file.
pub(crate) fn convert_follow_up(
    record: &RawRecord,
    plan: &FilePlan<FollowUpField>,
    context: &Context<'_>,
) -> (Result<FollowUp, Rejected>, Notes) {
    let mut reader = FieldReader::new(record, plan, context, RecordKind::FollowUp);
    let result = follow_up_fields(&mut reader, None);
    (result, reader.notes)
}

fn follow_up_fields(
    reader: &mut FieldReader<'_, FollowUpField>,
    incident_id: Option<&str>,
) -> Result<FollowUp, Rejected> {
    use FollowUpField as F;
    let id = reader.plain(F::Id);
    reader.id = id.clone();
    let incident_id = match incident_id {
        Some(incident_id) => incident_id.to_owned(),
        None => reader.plain(F::IncidentId).ok_or_else(|| Rejected {
            source: reader.record.source.clone(),
            id: id.clone(),
            field: Some("incident_id".to_owned()),
            value: None,
            reason: "no incident id: the follow-up cannot be joined to an incident".to_owned(),
            kind: RecordKind::FollowUp,
        })?,
    };
    let closed_at = reader.time(F::ClosedAt)?;
    let (status, status_raw) = match reader.scalar(F::Status) {
        None => (
            if closed_at.is_some() {
                FollowUpStatus::Done
            } else {
                FollowUpStatus::Open
            },
            None,
        ),
        Some((column, raw)) => {
            let raw = raw.trim().to_owned();
            let custom = reader
                .context
                .mapping
                .follow_up_status
                .get(&name_key(&raw))
                .copied();
            match custom.map_or_else(|| parse_follow_up_status(&raw), Ok) {
                Ok(status) => (status, Some(raw)),
                Err(error) => {
                    return Err(reader.reject(F::Status, column, &raw, error.to_string()));
                }
            }
        }
    };
    Ok(FollowUp {
        id,
        incident_id,
        title: reader.text(F::Title),
        owner: reader.plain(F::Owner),
        team: reader.plain(F::Team),
        status,
        status_raw,
        created_at: reader.time(F::CreatedAt)?,
        due_at: reader.time(F::DueAt)?,
        closed_at,
        tracker: reader.plain(F::Tracker),
        source: reader.record.source.clone(),
        extra: reader.extra(),
    })
}

/// Keys under which nested follow-ups are found: the follow-up aliases, by leaf name, or a
/// column the mapping assigns to `follow_ups`.
pub(crate) fn is_follow_up_key(mapping: &Mapping, key: &str) -> bool {
    if let Some(field) = mapping.columns.get(key) {
        return *field == Some(IncidentField::FollowUps);
    }
    let leaf = key.rsplit('.').next().unwrap_or(key);
    IncidentField::FollowUps
        .aliases()
        .contains(&name_key(leaf).as_str())
}
