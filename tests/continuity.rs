//! A review is a point in time, and a pattern keeps its identity from month to month: on the
//! bundled sample, the review as of a date equals the review of the export as it stood then,
//! and consecutive monthly reviews with one catalogue keep the ids and a person's names.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeZone, Utc};
use recur_core::as_of::as_of_view;
use recur_core::normalize::{Inputs, NormalizeOptions, normalize_paths};
use recur_core::{FollowUpStatus, Incident, IncidentStatus, Normalized};
use recur_review::catalogue::{Catalogue, PatternDecision};
use recur_review::history::run_history;
use recur_review::report::render_json;
use recur_review::review::{Review, ReviewOptions, run_review};

/// The bundled sample, normalized with its follow-ups.
fn sample() -> Normalized {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let inputs = Inputs {
        incidents: vec![
            root.join("incidents.csv"),
            root.join("platform.jsonl"),
            root.join("postmortems"),
        ],
        follow_ups: vec![root.join("follow_ups.csv")],
    };
    normalize_paths(&inputs, &NormalizeOptions::default())
}

fn at(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, 0, 0, 0)
        .single()
        .expect("valid date")
}

fn review(normalized: &Normalized, as_of: DateTime<Utc>, catalogue: &Catalogue) -> Review {
    let mut options = ReviewOptions::new(as_of);
    options.catalogue = catalogue.clone();
    run_review(normalized, &options).expect("the review runs")
}

/// report.json without its `input` accounting.
fn json_without_input(review: &Review) -> serde_json::Value {
    let mut json: serde_json::Value =
        serde_json::from_str(&render_json(review).expect("json")).expect("valid json");
    json.as_object_mut().expect("an object").remove("input");
    json
}

/// The export as it stood at `at`, written out the long way: the incidents that had started,
/// nothing resolved or closed later, no follow-up filed later.
fn export_as_it_stood(incidents: &[Incident], at: DateTime<Utc>) -> Vec<Incident> {
    let mut then = Vec::new();
    for incident in incidents {
        if incident.occurred_at().is_some_and(|start| start > at) {
            continue;
        }
        let mut copy = incident.clone();
        let later = |stamp: &mut Option<DateTime<Utc>>| {
            if stamp.is_some_and(|s| s > at) {
                *stamp = None;
            }
        };
        later(&mut copy.detected_at);
        later(&mut copy.acknowledged_at);
        later(&mut copy.mitigated_at);
        if copy.resolved_at.is_some_and(|r| r > at) {
            copy.resolved_at = None;
            copy.status = Some(if copy.mitigated_at.is_some() {
                IncidentStatus::Mitigated
            } else {
                IncidentStatus::Open
            });
            copy.status_raw = None;
        }
        copy.follow_ups
            .retain(|f| f.created_at.is_none_or(|c| c <= at));
        for follow_up in &mut copy.follow_ups {
            if follow_up.closed_at.is_some_and(|c| c > at) {
                follow_up.closed_at = None;
                follow_up.status = FollowUpStatus::Open;
                follow_up.status_raw = None;
            }
        }
        then.push(copy);
    }
    then
}

#[test]
fn the_review_as_of_a_date_equals_the_review_of_the_export_as_it_stood() {
    let full = sample();
    let as_of = at(2026, 6, 1);
    let truncated = Normalized {
        incidents: export_as_it_stood(&full.incidents, as_of),
        ..full.clone()
    };
    assert!(
        truncated.incidents.len() + 20 < full.incidents.len(),
        "the sample goes on after the date"
    );
    let of_full = review(&full, as_of, &Catalogue::default());
    let of_truncated = review(&truncated, as_of, &Catalogue::default());
    assert_eq!(of_full.run.month, "2026-05");
    assert!(of_full.input.after_as_of.incidents_after > 20);
    assert_eq!(of_truncated.input.after_as_of.incidents_after, 0);
    assert_eq!(
        json_without_input(&of_full),
        json_without_input(&of_truncated)
    );
    let latest = of_full
        .patterns
        .iter()
        .filter_map(|p| p.last_seen)
        .max()
        .expect("patterns");
    assert!(
        latest < as_of.date_naive(),
        "no pattern reaches past the date"
    );
}

/// The pattern id of each incident of a review, by incident id.
fn ids_by_incident(normalized: &Normalized, review: &Review) -> BTreeMap<String, Option<String>> {
    let view = as_of_view(&normalized.incidents, review.run.as_of);
    view.incidents
        .iter()
        .zip(&review.pattern_of)
        .map(|(incident, pattern)| {
            (
                incident.id.clone(),
                pattern.and_then(|p| review.pattern_ids.get(p).cloned()),
            )
        })
        .collect()
}

#[test]
fn consecutive_months_keep_pattern_ids_and_a_hand_edited_name() {
    let normalized = sample();
    let august = review(&normalized, at(2026, 9, 1), &Catalogue::default());
    assert_eq!(august.run.month, "2026-08");
    let mut catalogue = august.updated_catalogue.clone();
    let renamed = august.patterns[0].id.clone();
    let entry = catalogue
        .patterns
        .iter_mut()
        .find(|e| e.id == renamed)
        .expect("in the catalogue");
    entry.name = "Flaky CI, named by hand".to_owned();
    entry.workstream = Some("https://example.org/ws/7".to_owned());
    // Through the file, as a person would edit it.
    let catalogue = Catalogue::from_toml(&catalogue.to_toml().expect("toml")).expect("reads back");

    let september = review(&normalized, at(2026, 10, 1), &catalogue);
    let before = ids_by_incident(&normalized, &august);
    let after = ids_by_incident(&normalized, &september);
    let patterned: Vec<(&String, &String)> = before
        .iter()
        .filter_map(|(incident, id)| Some((incident, id.as_ref()?)))
        .collect();
    let kept = patterned
        .iter()
        .filter(|(incident, id)| after.get(*incident).and_then(Option::as_ref) == Some(id))
        .count();
    let share = kept as f64 / patterned.len() as f64;
    assert!(
        share >= 0.95,
        "{kept} of {} incidents kept their pattern id ({share:.3})",
        patterned.len()
    );
    let shown = september
        .patterns
        .iter()
        .find(|p| p.id == renamed)
        .expect("the renamed pattern is found again");
    assert_eq!(shown.label, "Flaky CI, named by hand");
    assert!(shown.named_by_person);
    assert_eq!(
        shown.workstream.as_deref(),
        Some("https://example.org/ws/7")
    );
    assert_eq!(shown.decision, PatternDecision::Active);
    let index = september
        .pattern_ids
        .iter()
        .position(|id| *id == renamed)
        .expect("an index");
    assert_eq!(september.pattern_labels[index], "Flaky CI, named by hand");
    let entry = september
        .updated_catalogue
        .entry(&renamed)
        .expect("still catalogued");
    assert_eq!(entry.name, "Flaky CI, named by hand");
    assert_ne!(entry.auto_name, entry.name);
}

#[test]
fn the_history_carries_one_catalogue_through_the_months() {
    let normalized = sample();
    let months: Vec<_> = (7..=9).map(|m| at(2026, m, 1).date_naive()).collect();
    let history = run_history(&normalized, &months, &ReviewOptions::new(at(2026, 10, 1)))
        .expect("the history runs");
    assert_eq!(history.months, ["2026-07", "2026-08", "2026-09"]);
    let last = history.last.as_ref().expect("a last review");
    assert_eq!(last.run.month, "2026-09");
    // One name per id over the whole table, the catalogue's after the last month.
    let mut names: BTreeMap<&str, &str> = BTreeMap::new();
    for row in &history.rows {
        let name = names.entry(&row.pattern_id).or_insert(&row.name);
        assert_eq!(*name, row.name.as_str());
    }
    for month in &history.months {
        let incidents: usize = history
            .rows
            .iter()
            .filter(|r| &r.month == month)
            .map(|r| r.incidents)
            .sum();
        assert!(incidents > 0, "{month} has patterned incidents");
    }
    let september: usize = history
        .rows
        .iter()
        .filter(|r| r.month == "2026-09")
        .map(|r| r.incidents)
        .sum();
    let patterned_in_september = last
        .trends
        .patterns
        .iter()
        .map(|p| p.this_month)
        .sum::<usize>();
    assert_eq!(september, patterned_in_september);
    let recurrences: usize = history
        .rows
        .iter()
        .filter(|r| r.month == "2026-09")
        .map(|r| r.recurrences)
        .sum();
    assert_eq!(
        recurrences,
        last.recurrences.iter().filter(|r| r.in_period).count()
    );
    // Ids persist: the ids of July's patterns are found again in the catalogue after September.
    for row in history.rows.iter().filter(|r| r.month == "2026-07") {
        assert!(last.updated_catalogue.entry(&row.pattern_id).is_some());
    }
}

#[test]
fn catalogue_decisions_shape_the_review() {
    let normalized = sample();
    let august = review(&normalized, at(2026, 9, 1), &Catalogue::default());
    let mut catalogue = august.updated_catalogue.clone();
    // Every pattern ignored: none is new or rising any more.
    for entry in &mut catalogue.patterns {
        entry.status = PatternDecision::Ignored;
    }
    let ignored = review(&normalized, at(2026, 9, 1), &catalogue);
    assert!(
        !august.new_or_rising.is_empty(),
        "the sample has a rising pattern"
    );
    assert!(ignored.new_or_rising.is_empty());
    // Every pattern addressed long ago: each patterned incident of August is flagged.
    let mut catalogue = august.updated_catalogue.clone();
    for entry in &mut catalogue.patterns {
        entry.status = PatternDecision::Addressed;
        entry.addressed_on = Some(at(2025, 1, 1).date_naive());
    }
    let addressed = review(&normalized, at(2026, 9, 1), &catalogue);
    let flagged = addressed
        .agenda
        .iter()
        .filter(|item| {
            item.reasons
                .iter()
                .any(|r| r.starts_with("recurred after it was marked addressed"))
        })
        .count();
    assert!(flagged > 0);
    assert!(
        addressed
            .agenda
            .iter()
            .filter(|item| item.pattern_id.is_some())
            .all(|item| item.reasons.iter().any(|r| r.contains("marked addressed")))
    );
}

#[test]
fn a_month_after_the_inputs_says_where_the_incidents_are() {
    let normalized = sample();
    let charts: &[recur_review::report::ChartRef] = &[];
    let after = review(&normalized, at(2026, 12, 7), &Catalogue::default());
    assert_eq!(after.run.incidents_in_period, 0);
    let markdown = recur_review::report::render_markdown(&after, charts);
    assert!(
        markdown.contains(
            "> **Nothing to review in this period.** No incident of the inputs started from \
             2026-11-01 to 2026-11-30: theirs started from 2024-11-01 to 2026-10-30. To review \
             the latest month, add --month 2026-10."
        ),
        "{markdown}"
    );
    let at_its_end = review(&normalized, at(2026, 11, 1), &Catalogue::default());
    assert_eq!(at_its_end.run.incidents_in_period, 17);
    assert_eq!(at_its_end.run.empty_period_notice(), None);
    assert!(
        !recur_review::report::render_markdown(&at_its_end, charts).contains("Nothing to review")
    );
    // Before the inputs: the span, and no month to suggest after it.
    let mut options = ReviewOptions::new(at(2026, 11, 1));
    options.period = Some(recur_review::review::Period::month_of(
        at(2023, 5, 1).date_naive(),
    ));
    let before = run_review(&normalized, &options).expect("the review runs");
    let notice = before.run.empty_period_notice().expect("a notice");
    assert!(
        notice.ends_with("from 2024-11-01 to 2026-10-30."),
        "{notice}"
    );
}
