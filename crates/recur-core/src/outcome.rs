//! What a normalization run returns besides the incidents: the rejected records, the warnings,
//! the files that could not be read, and the accounting that ties them together.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::{Incident, Source};

/// The result of normalizing one or more inputs.
///
/// Invariant: `accounting.records_read == accounting.accepted + accounting.rejected +
/// accounting.merged + accounting.skipped`, and likewise for follow-ups; [`Accounting::balances`]
/// checks it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Normalized {
    /// The accepted incidents, one per id, ordered by `(occurred_at, id)` with undated
    /// incidents last, so that output does not depend on input order or thread scheduling.
    pub incidents: Vec<Incident>,
    /// Records that could not be normalized, with the reason; also the documents skipped as not
    /// being incidents at all (a README, an unfilled template), whose reason starts with
    /// `skipped:` and which [`Accounting::skipped`] counts apart from the rejected ones.
    pub rejected: Vec<Rejected>,
    /// Every merge of two records with the same id that were not rows of one event log: where
    /// each was and which fields disagreed (`merges.csv`).
    pub merges: Vec<Merge>,
    /// Things that were accepted but deserve a look (an ambiguous date column, a lossy UTF-8
    /// repair, a time zone assumed, a duplicate id merged).
    pub warnings: Vec<Warning>,
    /// Inputs that could not be read at all. Other inputs of the same run still load.
    pub errors: Vec<InputError>,
    /// The counts.
    pub accounting: Accounting,
}

/// A record that could not be normalized: where it is, which field, the value, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// Where the record is.
    pub source: Source,
    /// The record's id when one could be read.
    pub id: Option<String>,
    /// The canonical (or source) field at fault, when one is.
    pub field: Option<String>,
    /// The offending value, as read.
    pub value: Option<String>,
    /// Why it was rejected, in words a user can act on.
    pub reason: String,
    /// Whether the record was an incident or a follow-up.
    pub kind: RecordKind,
}

/// Which kind of record a count or a rejection is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// An incident record.
    Incident,
    /// A follow-up record, nested in an incident or read from a separate file.
    FollowUp,
}

/// A record merged into an earlier record with the same id (not an event-log collapse). The
/// first record's values win; `conflicts` names the fields whose values differed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Merge {
    /// The shared incident id.
    pub id: String,
    /// Where the record that was kept is.
    pub kept: Source,
    /// Where the record merged into it is.
    pub merged: Source,
    /// Canonical names of the fields whose values differed (the kept record's value stays), in
    /// field order.
    pub conflicts: Vec<String>,
}

impl Merge {
    /// Whether the two records disagree on their title or start time: then they are likely two
    /// different things under one id (a follow-up table read as incidents, an id reused), not
    /// one incident exported twice.
    pub fn is_suspicious(&self) -> bool {
        self.conflicts
            .iter()
            .any(|field| field == "title" || field == "started_at")
    }
}

/// Something accepted that a user should know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The file (and record) it concerns.
    pub source: Source,
    /// The field or column it concerns, when one.
    pub field: Option<String>,
    /// What happened.
    pub message: String,
}

/// An input that could not be read at all (missing, not UTF-8 where text is expected,
/// truncated JSON, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputError {
    /// The file.
    pub file: String,
    /// The 1-based line where reading failed, when known.
    pub line: Option<usize>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// Counts of a normalization run. Every record read is accepted, rejected, merged into
/// another record with the same id, or skipped as not an incident at all.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accounting {
    /// Incident records read (rows, array elements, lines, documents).
    pub records_read: usize,
    /// Incidents accepted (after merging: one per id).
    pub accepted: usize,
    /// Incident records rejected.
    pub rejected: usize,
    /// Incident records merged into an earlier record with the same id (duplicates, or the
    /// older events of an event-log export).
    pub merged: usize,
    /// Of the merged, those whose title or start time disagreed with the kept record's
    /// ([`Merge::is_suspicious`]); each is listed in [`Normalized::merges`].
    pub merged_conflicting: usize,
    /// Documents that are not incidents (a Markdown file with no field of an incident, such as
    /// a README or an unfilled template), skipped with a warning and listed with the reason.
    pub skipped: usize,
    /// Follow-up records read, nested in incidents or from separate follow-up files.
    pub follow_ups_read: usize,
    /// Of those, attached to an incident.
    pub follow_ups_attached: usize,
    /// Of those, rejected (no incident with that id, an unreadable value, …).
    pub follow_ups_rejected: usize,
    /// Of those, merged into an earlier follow-up with the same id.
    pub follow_ups_merged: usize,
}

impl Accounting {
    /// Whether every record read is accounted for, for incidents and follow-ups alike.
    pub fn balances(&self) -> bool {
        self.records_read == self.accepted + self.rejected + self.merged + self.skipped
            && self.follow_ups_read
                == self.follow_ups_attached + self.follow_ups_rejected + self.follow_ups_merged
    }
}

impl fmt::Display for Accounting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} records read: {} accepted, {} rejected, {} merged",
            self.records_read, self.accepted, self.rejected, self.merged
        )?;
        if self.merged_conflicting > 0 {
            write!(
                f,
                " ({} with a conflicting title or start time: see merges.csv)",
                self.merged_conflicting
            )?;
        }
        if self.skipped > 0 {
            write!(f, ", {} skipped as not incidents", self.skipped)?;
        }
        if self.follow_ups_read > 0 {
            write!(
                f,
                "; {} follow-ups read: {} attached, {} rejected, {} merged",
                self.follow_ups_read,
                self.follow_ups_attached,
                self.follow_ups_rejected,
                self.follow_ups_merged
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounting_balances_only_when_every_record_is_counted() {
        let mut accounting = Accounting {
            records_read: 5,
            accepted: 3,
            rejected: 1,
            merged: 1,
            ..Accounting::default()
        };
        assert!(accounting.balances());
        assert_eq!(
            accounting.to_string(),
            "5 records read: 3 accepted, 1 rejected, 1 merged"
        );
        accounting.follow_ups_read = 2;
        accounting.follow_ups_attached = 1;
        assert!(!accounting.balances(), "one follow-up unaccounted for");
        accounting.follow_ups_rejected = 1;
        assert!(accounting.balances());
        accounting.records_read = 6;
        assert!(
            !accounting.balances(),
            "one incident record unaccounted for"
        );
        accounting.skipped = 1;
        accounting.merged_conflicting = 1;
        assert!(accounting.balances());
        assert_eq!(
            accounting.to_string(),
            "6 records read: 3 accepted, 1 rejected, 1 merged (1 with a conflicting title or start \
             time: see merges.csv), 1 skipped as not incidents; 2 follow-ups read: 1 attached, 1 \
             rejected, 0 merged"
        );
    }
}
