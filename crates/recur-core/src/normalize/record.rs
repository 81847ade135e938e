//! From a flat raw record to a canonical [`Incident`] or [`FollowUp`]: the column plan of the
//! file says which column feeds which field, and each value is normalized by its field's kind.
//! A value that is present but cannot be normalized rejects the record, naming the column, the
//! value and the reason; a missing optional value never does.

// A rejected record carries its whole explanation (place, field, value, reason); it is the
// normal outcome of bad input, not an exceptional path worth boxing.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::fields::name_key;
use super::fields::{ColumnPlan, Field, FieldKind, FollowUpField, IncidentField};
use super::mapping::Mapping;
use super::read::{RawRecord, RawValue};
use super::values::list::split_list;
use super::values::severity::parse_severity;
use super::values::status::{parse_follow_up_status, parse_incident_status};
use super::values::text::{clean_text, repair_mojibake};
use super::values::time::{
    ColumnDateOrder, DateOrder, DateOrderClue, date_order_clue, date_order_evidence,
    parse_timestamp,
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
    by_column: std::collections::HashMap<String, F>,
    /// The order of each time field's column, and whether the column had conflicting evidence
    /// (then its ambiguous values are rejected rather than guessed).
    orders: BTreeMap<F, (DateOrder, bool)>,
}

/// The plans of a file of incidents: its own columns and those of its nested follow-ups.
#[derive(Debug, Clone)]
pub(crate) struct IncidentPlan {
    pub incident: FilePlan<IncidentField>,
    pub follow_up: FilePlan<FollowUpField>,
}

/// Decide the plan of a file of records, warning about date columns that need a look.
pub(crate) fn plan_file<F: Field>(
    file: &str,
    records: &[&RawRecord],
    overrides: &BTreeMap<String, Option<F>>,
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
    let plan = ColumnPlan::decide(
        columns
            .iter()
            .copied()
            .filter(|column| !kept_extra.contains(&name_key(column))),
        &forced,
    );
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
    }
}

fn decide_order(
    file: &str,
    column: &str,
    records: &[&RawRecord],
    context: &Context<'_>,
    warnings: &mut Vec<Warning>,
) -> (DateOrder, bool) {
    let values = records
        .iter()
        .filter_map(|record| match lookup(record, column) {
            Some(RawValue::Text(text)) if !context.is_null(text) => Some(text.as_str()),
            _ => None,
        });
    let evidence = date_order_evidence(values);
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

fn lookup<'r>(record: &'r RawRecord, column: &str) -> Option<&'r RawValue> {
    record
        .fields
        .iter()
        .find_map(|(key, value)| (&**key == column).then_some(value))
}

/// Per-run observations to be turned into one warning per column, not one per row.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// Columns with naive timestamps read in the default zone, with a count.
    pub zone_assumed: BTreeMap<String, usize>,
    /// Columns where mojibake was repaired, with a count.
    pub mojibake: BTreeMap<String, usize>,
}

impl Notes {
    pub fn merge(&mut self, other: Notes) {
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
    record: &'a RawRecord,
    /// The record's cell of each field (by position in `F::ALL`), found in one pass.
    slots: Vec<Option<(&'a str, &'a RawValue)>>,
    plan: &'a FilePlan<F>,
    context: &'a Context<'a>,
    kind: RecordKind,
    notes: Notes,
    id: Option<String>,
}

impl<'a, F: Field> FieldReader<'a, F> {
    fn new(
        record: &'a RawRecord,
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

    fn raw(&self, field: F) -> Option<(&'a str, &'a RawValue)> {
        let index = F::ALL.iter().position(|f| *f == field)?;
        self.slots.get(index).copied().flatten()
    }

    /// The raw scalar text of a field, `None` when missing or a null marker.
    fn scalar(&self, field: F) -> Option<(&'a str, String)> {
        let (column, value) = self.raw(field)?;
        let text = match value {
            RawValue::Text(text) => text.clone(),
            RawValue::List(items) => items.join("; "),
            RawValue::Records(_) => return None,
        };
        (!self.context.is_null(&text)).then_some((column, text))
    }

    fn repaired(&mut self, column: &str, text: String) -> String {
        match repair_mojibake(&text) {
            Some(repaired) => {
                *self.notes.mojibake.entry(column.to_owned()).or_default() += 1;
                repaired
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
        let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!folded.is_empty()).then_some(folded)
    }

    fn list(&mut self, field: F) -> Vec<String> {
        let Some((column, value)) = self.raw(field) else {
            return Vec::new();
        };
        let items = match value {
            RawValue::Text(text) if !self.context.is_null(text) => split_list(text),
            RawValue::List(items) => items.clone(),
            _ => Vec::new(),
        };
        items
            .into_iter()
            .filter(|item| !self.context.is_null(item))
            .filter_map(|item| {
                let item = self.repaired(column, item);
                clean_text(&item)
            })
            .collect()
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
    fn extra(&self) -> BTreeMap<String, String> {
        self.record
            .fields
            .iter()
            .filter(|(key, _)| !self.plan.by_column.contains_key(&**key))
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
    Record(&'a RawRecord),
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
            let custom = reader
                .context
                .mapping
                .severity
                .get(&name_key(&raw))
                .copied();
            match custom.map_or_else(|| parse_severity(&raw), Ok) {
                Ok(severity) => (Some(severity), Some(raw)),
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
    let incident = Incident {
        started_at: reader.time(F::StartedAt)?,
        detected_at: reader.time(F::DetectedAt)?,
        acknowledged_at: reader.time(F::AcknowledgedAt)?,
        mitigated_at: reader.time(F::MitigatedAt)?,
        resolved_at: reader.time(F::ResolvedAt)?,
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
    let updated_at = reader.time(F::UpdatedAt)?;
    Ok((incident, updated_at))
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
