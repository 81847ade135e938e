//! Field recognition: which source column (or JSON path, or front-matter key) feeds which field
//! of the canonical record.
//!
//! Names are compared case-, space- and punctuation-insensitively ([`name_key`]) against a
//! built-in alias table. A nested JSON key is tried by its whole dotted path first, then by its
//! leaf name. When several columns could feed one field, the best-ranked wins (a mapping file's
//! column first, then a whole-path alias, then a leaf alias, each in the order of the table);
//! the others are kept as extra attributes, never dropped.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A field of the canonical incident record that a source column can feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentField {
    /// `id`
    Id,
    /// `title`
    Title,
    /// `severity`
    Severity,
    /// `status`
    Status,
    /// `started_at`
    StartedAt,
    /// `detected_at`
    DetectedAt,
    /// `acknowledged_at`
    AcknowledgedAt,
    /// `mitigated_at`
    MitigatedAt,
    /// `resolved_at`
    ResolvedAt,
    /// `services`
    Services,
    /// `teams`
    Teams,
    /// `owner`
    Owner,
    /// `detection_method`
    DetectionMethod,
    /// `alerts`
    Alerts,
    /// `summary`
    Summary,
    /// `trigger`
    Trigger,
    /// `root_cause`
    RootCause,
    /// `contributing_factors`
    ContributingFactors,
    /// `remediation`
    Remediation,
    /// `recovery`
    Recovery,
    /// `prevention`
    Prevention,
    /// `tags`
    Tags,
    /// `body`: narrative text
    Body,
    /// `updated_at`: when the report was last updated (for the pre-read deadline of `recur
    /// check`), or when an event-log row was written (the latest row of an id wins)
    UpdatedAt,
    /// `follow_ups`: nested follow-up records
    FollowUps,
}

/// A field of the canonical follow-up record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpField {
    /// `id`
    Id,
    /// `incident_id`
    IncidentId,
    /// `title`
    Title,
    /// `owner`
    Owner,
    /// `team`
    Team,
    /// `status`
    Status,
    /// `created_at`
    CreatedAt,
    /// `due_at`
    DueAt,
    /// `closed_at`
    ClosedAt,
    /// `tracker`
    Tracker,
}

/// What a field holds, which decides how its value is normalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// An identifier or short name, kept as written (trimmed).
    Plain,
    /// Prose: markup reduced to text, whitespace folded.
    Text,
    /// A list split from separators or a JSON array.
    List,
    /// A timestamp.
    Time,
    /// A severity.
    Severity,
    /// A status.
    Status,
    /// Nested records.
    Records,
}

/// A canonical field of either record, with its name and the aliases that name it.
pub trait Field: Copy + Ord + 'static {
    /// Every field, in declaration order.
    const ALL: &'static [Self];
    /// The canonical snake_case name.
    fn name(self) -> &'static str;
    /// How its value is normalized.
    fn kind(self) -> FieldKind;
    /// Alias keys (see [`name_key`]), best first. The canonical name is always an alias.
    fn aliases(self) -> &'static [&'static str];

    /// The field with this canonical name (`root_cause`), if any.
    fn from_name(name: &str) -> Option<Self> {
        let key = name_key(name);
        Self::ALL
            .iter()
            .copied()
            .find(|field| name_key(field.name()) == key)
    }
}

impl Field for IncidentField {
    const ALL: &'static [Self] = &[
        Self::Id,
        Self::Title,
        Self::Severity,
        Self::Status,
        Self::StartedAt,
        Self::DetectedAt,
        Self::AcknowledgedAt,
        Self::MitigatedAt,
        Self::ResolvedAt,
        Self::Services,
        Self::Teams,
        Self::Owner,
        Self::DetectionMethod,
        Self::Alerts,
        Self::Summary,
        Self::Trigger,
        Self::RootCause,
        Self::ContributingFactors,
        Self::Remediation,
        Self::Recovery,
        Self::Prevention,
        Self::Tags,
        Self::Body,
        Self::UpdatedAt,
        Self::FollowUps,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::Title => "title",
            Self::Severity => "severity",
            Self::Status => "status",
            Self::StartedAt => "started_at",
            Self::DetectedAt => "detected_at",
            Self::AcknowledgedAt => "acknowledged_at",
            Self::MitigatedAt => "mitigated_at",
            Self::ResolvedAt => "resolved_at",
            Self::Services => "services",
            Self::Teams => "teams",
            Self::Owner => "owner",
            Self::DetectionMethod => "detection_method",
            Self::Alerts => "alerts",
            Self::Summary => "summary",
            Self::Trigger => "trigger",
            Self::RootCause => "root_cause",
            Self::ContributingFactors => "contributing_factors",
            Self::Remediation => "remediation",
            Self::Recovery => "recovery",
            Self::Prevention => "prevention",
            Self::Tags => "tags",
            Self::Body => "body",
            Self::UpdatedAt => "updated_at",
            Self::FollowUps => "follow_ups",
        }
    }

    fn kind(self) -> FieldKind {
        match self {
            Self::Id | Self::Owner | Self::DetectionMethod => FieldKind::Plain,
            Self::Title
            | Self::Summary
            | Self::Trigger
            | Self::RootCause
            | Self::Remediation
            | Self::Recovery
            | Self::Prevention
            | Self::Body => FieldKind::Text,
            Self::Services
            | Self::Teams
            | Self::Alerts
            | Self::ContributingFactors
            | Self::Tags => FieldKind::List,
            Self::StartedAt
            | Self::DetectedAt
            | Self::AcknowledgedAt
            | Self::MitigatedAt
            | Self::ResolvedAt
            | Self::UpdatedAt => FieldKind::Time,
            Self::Severity => FieldKind::Severity,
            Self::Status => FieldKind::Status,
            Self::FollowUps => FieldKind::Records,
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Id => &[
                "id",
                "incidentid",
                "incidentkey",
                "incidentnumber",
                "incidentref",
                "key",
                "issuekey",
                "number",
                "uuid",
                "ticket",
                "ticketid",
                "ref",
                "reference",
                "incident",
                "issueid",
            ],
            Self::Title => &[
                "title",
                "incidenttitle",
                "name",
                "incidentname",
                "headline",
                "subject",
                "shortdescription",
            ],
            Self::Severity => &[
                "severity",
                "sev",
                "severitylevel",
                "incidentseverity",
                "priority",
                "level",
            ],
            Self::Status => &[
                "status",
                "state",
                "incidentstate",
                "incidentstatus",
                "currentstatus",
            ],
            Self::StartedAt => &[
                "startedat",
                "started",
                "start",
                "starttime",
                "startdate",
                "startedon",
                "begin",
                "began",
                "beganat",
                "impactstart",
                "impactstartedat",
                "incidentstart",
                "occurredat",
                "dateofincident",
                "incidentdate",
                "openedat",
                "opened",
                "createdat",
                "created",
                "date",
            ],
            Self::DetectedAt => &[
                "detectedat",
                "detected",
                "detectiontime",
                "detectedon",
                "reportedat",
                "alertedat",
            ],
            Self::AcknowledgedAt => &[
                "acknowledgedat",
                "acknowledged",
                "ackedat",
                "acktime",
                "acknowledgedon",
            ],
            Self::MitigatedAt => &["mitigatedat", "mitigated", "mitigationtime", "stabilizedat"],
            Self::ResolvedAt => &[
                "resolvedat",
                "resolved",
                "resolvedon",
                "resolutiontime",
                "endtime",
                "endedat",
                "ended",
                "end",
                "enddate",
                "impactend",
                "closedat",
                "closed",
            ],
            Self::Services => &[
                "services",
                "service",
                "affectedservices",
                "impactedservices",
                "servicenames",
                "servicename",
                "components",
                "component",
                "systems",
                "system",
                "applications",
                "application",
                "product",
                "products",
            ],
            Self::Teams => &[
                "teams",
                "team",
                "owningteam",
                "owningteams",
                "assignmentgroup",
                "squad",
                "group",
                "groups",
                "responderteams",
            ],
            Self::Owner => &[
                "owner",
                "incidentowner",
                "postmortemowner",
                "incidentcommander",
                "commander",
                "ic",
                "incidentlead",
                "lead",
                "author",
                "assignee",
                "assignedto",
            ],
            Self::DetectionMethod => &[
                "detectionmethod",
                "detection",
                "detectedby",
                "howdetected",
                "detectionsource",
                "contacttype",
            ],
            Self::Alerts => &[
                "alerts",
                "alert",
                "alertnames",
                "triggeredalerts",
                "monitors",
            ],
            Self::Summary => &[
                "summary",
                "description",
                "overview",
                "whathappened",
                "incidentsummary",
                "details",
            ],
            Self::Trigger => &["trigger", "triggers", "triggeringevent"],
            Self::RootCause => &[
                "rootcause",
                "rootcauses",
                "rootcauseanalysis",
                "rca",
                "cause",
                "causes",
                "whyithappened",
            ],
            Self::ContributingFactors => &[
                "contributingfactors",
                "contributingfactor",
                "contributingcauses",
                "contributors",
                "factors",
            ],
            Self::Remediation => &[
                "remediation",
                "mitigation",
                // Not "resolution": trackers use it for how an issue was closed (Fixed,
                // Won't Fix, Duplicate), which is no remediation.
                "fix",
                "actiontaken",
                "actionstaken",
                "whatwedid",
            ],
            Self::Recovery => &["recovery", "recoverysteps"],
            Self::Prevention => &[
                "prevention",
                "preventivemeasures",
                "preventionsteps",
                "howtoprevent",
                "lessonslearned",
            ],
            Self::Tags => &["tags", "labels", "keywords", "categories", "category"],
            Self::Body => &[
                "body",
                "narrative",
                "content",
                "text",
                "postmortem",
                "report",
            ],
            Self::UpdatedAt => &[
                "updatedat",
                "updated",
                "lastupdated",
                "sysupdatedat",
                "sysupdatedon",
                "modifiedat",
                "lastmodified",
                "lastmodifiedat",
                "lastupdatedat",
                "updatedon",
            ],
            Self::FollowUps => &[
                "followups",
                "followup",
                "actionitems",
                "actionitem",
                "tasks",
                "actions",
                "correctiveactions",
                "remediationitems",
                "repairitems",
                "todos",
            ],
        }
    }
}

impl Field for FollowUpField {
    const ALL: &'static [Self] = &[
        Self::Id,
        Self::IncidentId,
        Self::Title,
        Self::Owner,
        Self::Team,
        Self::Status,
        Self::CreatedAt,
        Self::DueAt,
        Self::ClosedAt,
        Self::Tracker,
    ];

    fn name(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::IncidentId => "incident_id",
            Self::Title => "title",
            Self::Owner => "owner",
            Self::Team => "team",
            Self::Status => "status",
            Self::CreatedAt => "created_at",
            Self::DueAt => "due_at",
            Self::ClosedAt => "closed_at",
            Self::Tracker => "tracker",
        }
    }

    fn kind(self) -> FieldKind {
        match self {
            Self::Id | Self::IncidentId | Self::Owner | Self::Team | Self::Tracker => {
                FieldKind::Plain
            }
            Self::Title => FieldKind::Text,
            Self::Status => FieldKind::Status,
            Self::CreatedAt | Self::DueAt | Self::ClosedAt => FieldKind::Time,
        }
    }

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::Id => &[
                "id",
                "followupid",
                "actionitem",
                "actionitemid",
                "key",
                "issuekey",
                "ticket",
                "ticketid",
                "taskid",
                "number",
            ],
            Self::IncidentId => &[
                "incidentid",
                "incident",
                "incidentkey",
                "incidentnumber",
                "incidentref",
                "parentincident",
                "parent",
                "parentid",
                "parentkey",
                "linkedincident",
            ],
            Self::Title => &[
                "title",
                "summary",
                "name",
                "task",
                "description",
                "actionitemtitle",
                "what",
            ],
            Self::Owner => &["owner", "assignee", "assignedto", "responsible", "who"],
            Self::Team => &[
                "team",
                "owningteam",
                "assignmentgroup",
                "group",
                "responsibleteam",
            ],
            Self::Status => &["status", "state"],
            Self::CreatedAt => &[
                "createdat",
                "created",
                "openedat",
                "opened",
                "filed",
                "filedat",
            ],
            Self::DueAt => &["dueat", "due", "duedate", "deadline", "targetdate", "dueon"],
            Self::ClosedAt => &[
                "closedat",
                "closed",
                "resolvedat",
                "resolved",
                "completedat",
                "completed",
                "doneat",
            ],
            Self::Tracker => &[
                "tracker",
                "url",
                "link",
                "ticketurl",
                "trackerurl",
                "issueurl",
                "ticketlink",
                "reference",
            ],
        }
    }
}

/// The comparison key of a column name: lower case, letters and digits only
/// (`"Start Time"`, `"start_time"` and `"START-TIME"` all give `"starttime"`).
pub fn name_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Which source column feeds which field, decided once per input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan<F> {
    /// The winning source column of each field.
    pub fields: BTreeMap<F, String>,
}

impl<F: Field> ColumnPlan<F> {
    /// Decide the plan for these column names (in their order of first appearance), with the
    /// columns a mapping file assigns (`column -> field`), which always win.
    pub fn decide<'a>(
        columns: impl IntoIterator<Item = &'a str>,
        overrides: &BTreeMap<String, F>,
    ) -> Self {
        let mut best: BTreeMap<F, (usize, String)> = BTreeMap::new();
        for (position, column) in columns.into_iter().enumerate() {
            let Some((field, rank)) = recognize::<F>(column, overrides) else {
                continue;
            };
            // Rank first, then the earlier column, so the plan does not depend on hashing.
            let score = rank * 100_000 + position;
            match best.get(&field) {
                Some((existing, _)) if *existing <= score => {}
                _ => {
                    best.insert(field, (score, column.to_owned()));
                }
            }
        }
        Self {
            fields: best
                .into_iter()
                .map(|(field, (_, column))| (field, column))
                .collect(),
        }
    }

    /// The field a column feeds under this plan, if it won one.
    pub fn field_of(&self, column: &str) -> Option<F> {
        self.fields
            .iter()
            .find_map(|(field, winner)| (winner == column).then_some(*field))
    }
}

/// The field a column name is recognized as, with its rank (lower is better).
fn recognize<F: Field>(column: &str, overrides: &BTreeMap<String, F>) -> Option<(F, usize)> {
    if let Some(field) = overrides.get(column).or_else(|| {
        overrides
            .iter()
            .find_map(|(k, f)| (name_key(k) == name_key(column)).then_some(f))
    }) {
        return Some((*field, 0));
    }
    let whole = name_key(column);
    if let Some((field, index)) = alias_match::<F>(&whole) {
        return Some((field, 1 + index));
    }
    let leaf = column.rsplit('.').next().unwrap_or(column);
    if leaf.len() < column.len() {
        let leaf = name_key(leaf);
        if let Some((field, index)) = alias_match::<F>(&leaf) {
            return Some((field, 100 + index));
        }
    }
    None
}

fn alias_match<F: Field>(key: &str) -> Option<(F, usize)> {
    F::ALL.iter().find_map(|field| {
        field
            .aliases()
            .iter()
            .position(|alias| *alias == key)
            .map(|index| (*field, index))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan_of<F: Field>(columns: &[&str]) -> ColumnPlan<F> {
        ColumnPlan::decide(columns.iter().copied(), &BTreeMap::new())
    }

    #[test]
    fn names_compare_without_case_space_or_punctuation() {
        assert_eq!(name_key("Start Time"), "starttime");
        assert_eq!(name_key("start_time"), "starttime");
        assert_eq!(name_key("START-TIME"), "starttime");
        assert_eq!(name_key("Service(s)"), "services");
    }

    #[test]
    fn every_canonical_name_is_its_own_alias_and_aliases_are_unique_per_record() {
        fn check<F: Field + std::fmt::Debug>() {
            let mut seen = BTreeMap::new();
            for field in F::ALL {
                assert!(
                    field.aliases().contains(&name_key(field.name()).as_str()),
                    "{field:?}"
                );
                for alias in field.aliases() {
                    assert_eq!(*alias, name_key(alias), "alias {alias} is not a key");
                    if let Some(other) = seen.insert(*alias, *field) {
                        panic!("alias {alias} names both {other:?} and {field:?}");
                    }
                }
            }
        }
        check::<IncidentField>();
        check::<FollowUpField>();
    }

    #[test]
    fn recognizes_the_sample_csv_headers() {
        let columns = crate::synth::export::INCIDENT_HEADERS;
        let plan = plan_of::<IncidentField>(&columns);
        assert_eq!(plan.fields.len(), 22);
        assert_eq!(plan.field_of("Incident ID"), Some(IncidentField::Id));
        assert_eq!(plan.field_of("Sev"), Some(IncidentField::Severity));
        assert_eq!(plan.field_of("Service(s)"), Some(IncidentField::Services));
        assert_eq!(plan.field_of("Owning Team"), Some(IncidentField::Teams));
        assert_eq!(plan.field_of("Region"), None);
    }

    #[test]
    fn nested_paths_match_by_whole_path_then_leaf() {
        let columns = [
            "key",
            "name",
            "timeline.begin",
            "postmortem.root_cause",
            "commander",
        ];
        let plan = plan_of::<IncidentField>(&columns);
        assert_eq!(
            plan.field_of("timeline.begin"),
            Some(IncidentField::StartedAt)
        );
        assert_eq!(
            plan.field_of("postmortem.root_cause"),
            Some(IncidentField::RootCause)
        );
        assert_eq!(plan.field_of("name"), Some(IncidentField::Title));
        assert_eq!(plan.field_of("commander"), Some(IncidentField::Owner));
    }

    #[test]
    fn the_best_ranked_column_wins_and_the_other_stays_unmapped() {
        // `start_time` is a better name for started_at than `created`.
        let plan = plan_of::<IncidentField>(&["created", "start_time"]);
        assert_eq!(plan.field_of("start_time"), Some(IncidentField::StartedAt));
        assert_eq!(plan.field_of("created"), None);
        // `resolved_at` beats `closed_at` (ServiceNow has both).
        let plan = plan_of::<IncidentField>(&["closed_at", "resolved_at"]);
        assert_eq!(
            plan.field_of("resolved_at"),
            Some(IncidentField::ResolvedAt)
        );
    }

    #[test]
    fn a_mapping_override_beats_every_alias() {
        let overrides = BTreeMap::from([("Summary".to_owned(), IncidentField::Title)]);
        let plan = ColumnPlan::decide(["Summary", "Description"], &overrides);
        assert_eq!(plan.field_of("Summary"), Some(IncidentField::Title));
        assert_eq!(plan.field_of("Description"), Some(IncidentField::Summary));
    }

    #[test]
    fn follow_up_headers_of_a_tracker_export() {
        let columns = crate::synth::export::FOLLOW_UP_HEADERS;
        let plan = plan_of::<FollowUpField>(&columns);
        assert_eq!(plan.fields.len(), 10);
        assert_eq!(plan.field_of("Incident"), Some(FollowUpField::IncidentId));
        assert_eq!(plan.field_of("Action Item"), Some(FollowUpField::Id));
        assert_eq!(plan.field_of("Due Date"), Some(FollowUpField::DueAt));
        assert_eq!(plan.field_of("Ticket URL"), Some(FollowUpField::Tracker));
    }

    #[test]
    fn from_name_reads_canonical_names() {
        assert_eq!(
            IncidentField::from_name("root_cause"),
            Some(IncidentField::RootCause)
        );
        assert_eq!(
            FollowUpField::from_name("due_at"),
            Some(FollowUpField::DueAt)
        );
        assert_eq!(IncidentField::from_name("nonsense"), None);
    }
}
