//! The report in three forms: Markdown (the pre-read), self-contained HTML (the same content,
//! charts inlined as SVG, one stylesheet, no scripts, no network), and JSON (the [`Review`]
//! itself, documented in `docs/report-json.md`).
//!
//! The HTML is rendered from the Markdown with pulldown-cmark, so the two cannot disagree. Any
//! HTML inside incident text is turned into plain text on the way, so a report can never carry
//! markup or scripts from an incident.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use serde::Serialize;

use crate::catalogue::PatternDecision;
use crate::review::{IncidentRef, Review};

/// A chart as the report needs it: where its PNG is (relative to the report) and its SVG.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartRef {
    /// File stem (`incidents_by_pattern`).
    pub name: String,
    /// Title.
    pub title: String,
    /// The SVG document, inlined in HTML.
    pub svg: String,
}

/// Up to this many incidents (of the point-in-time view), `report.json` is self-contained: every
/// member id of every pattern and factor, every recurrence, every overdue follow-up. Above it,
/// [`summarize_for_json`] keeps counts and the first examples, and the full memberships are in
/// the Parquet tables beside it ([`crate::tables`]).
pub const JSON_FULL_MAX_INCIDENTS: usize = 20_000;

/// How [`summarize_for_json`] cuts a large review's lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonLimits {
    /// Up to this many incidents nothing is cut. Default [`JSON_FULL_MAX_INCIDENTS`].
    pub full_up_to: usize,
    /// Member ids kept per pattern, factor and the undated list. Default 20.
    pub example_ids: usize,
    /// Items kept of each long list: recurrences (those of the period first), overdue
    /// follow-ups (most overdue first, as listed), teams that should act. Default 500.
    pub items: usize,
}

impl Default for JsonLimits {
    fn default() -> Self {
        Self {
            full_up_to: JSON_FULL_MAX_INCIDENTS,
            example_ids: 20,
            items: 500,
        }
    }
}

/// What a summarized `report.json` keeps (`summarized` in it): the limits, and the full length
/// of each list that was cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonSummary {
    /// Incidents of the review (above `full_up_to`).
    pub incidents: usize,
    /// The size up to which the file is self-contained.
    pub full_up_to: usize,
    /// Member ids kept per pattern, factor and the undated list (`incident_ids`); `size`,
    /// `incidents` and `count` keep the full counts.
    pub example_ids: usize,
    /// Items kept of each long list.
    pub items: usize,
    /// Recurrences in all (`recurrences` keeps `items` of them, those of the period first).
    pub recurrences: usize,
    /// Overdue follow-ups in all (`follow_ups.overdue_items` keeps the first `items`).
    pub overdue_items: usize,
    /// Incidents with teams that should act too, in all.
    pub teams_that_should_act: usize,
    /// Where the full lists are: the tables written beside `report.json`.
    pub full_tables: Vec<String>,
}

/// Cut a review of more than `limits.full_up_to` incidents to the summary `report.json` holds
/// (see [`JsonLimits`]) and record what was kept in `review.summarized`; a smaller review is
/// left as it is. Returns whether it was cut. Call it after everything else that needs the full
/// lists (the Markdown, the tables).
pub fn summarize_for_json(review: &mut Review, limits: &JsonLimits) -> bool {
    let incidents = review.pattern_of.len();
    if incidents <= limits.full_up_to {
        return false;
    }
    let ids = limits.example_ids;
    for pattern in review.patterns.iter_mut().chain(&mut review.new_or_rising) {
        pattern.incident_ids.truncate(ids);
    }
    for factor in &mut review.factors {
        factor.incident_ids.truncate(ids);
    }
    review.undated.incident_ids.truncate(ids);
    let recurrences = review.recurrences.len();
    // Those of the period first, then the others, each in the list's order.
    let in_period = review.recurrences.iter().filter(|r| r.in_period).count();
    let mut period_left = limits.items;
    let mut others_left = limits.items.saturating_sub(in_period);
    review.recurrences.retain(|recurrence| {
        let left = if recurrence.in_period {
            &mut period_left
        } else {
            &mut others_left
        };
        let keep = *left > 0;
        *left = left.saturating_sub(1);
        keep
    });
    let overdue_items = review.follow_ups.overdue_items.len();
    review.follow_ups.overdue_items.truncate(limits.items);
    let should_act = &mut review.accountability.teams_that_should_act;
    let teams_that_should_act = should_act.len();
    should_act.truncate(limits.items);
    review.summarized = Some(JsonSummary {
        incidents,
        full_up_to: limits.full_up_to,
        example_ids: ids,
        items: limits.items,
        recurrences,
        overdue_items,
        teams_that_should_act,
        full_tables: crate::tables::FULL_TABLES
            .iter()
            .map(|name| (*name).to_owned())
            .collect(),
    });
    true
}

/// Write the review as `report.json` to a writer (a million incidents make a large file).
pub fn write_json<W: std::io::Write>(
    mut writer: W,
    review: &Review,
) -> Result<(), serde_json::Error> {
    serde_json::to_writer_pretty(&mut writer, review)?;
    writer.write_all(b"\n").map_err(serde_json::Error::io)
}

/// The review as `report.json`.
pub fn render_json(review: &Review) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(review)?;
    text.push('\n');
    Ok(text)
}

/// Escape text for a Markdown table cell or line: no line breaks, no pipes, no markup.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '|' => out.push_str("\\|"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

fn hours(value: Option<f64>) -> String {
    match value {
        None => "–".to_owned(),
        Some(h) if h < 48.0 => format!("{h:.1} h"),
        Some(h) => format!("{:.1} d", h / 24.0),
    }
}

fn date(at: Option<DateTime<Utc>>) -> String {
    at.map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "–".to_owned())
}

fn incident(reference: &IncidentRef) -> String {
    match &reference.title {
        Some(title) => format!("**{}** {}", md(&reference.id), md(title)),
        None => format!("**{}**", md(&reference.id)),
    }
}

fn severity(value: Option<u8>) -> String {
    value
        .map(|s| format!("SEV{s}"))
        .unwrap_or_else(|| "–".to_owned())
}

fn list<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(|s| md(s.as_ref())).collect();
    let mut text = shown.join(", ");
    if items.len() > max {
        let _ = write!(text, " (+{})", items.len() - max);
    }
    if text.is_empty() {
        "–".to_owned()
    } else {
        text
    }
}

/// The Markdown pre-read. Charts are linked as `charts/<name>.png`.
pub fn render_markdown(review: &Review, charts: &[ChartRef]) -> String {
    let mut out = String::new();
    let run = &review.run;
    let _ = writeln!(out, "# Incident pattern review: {}\n", run.month);
    unreadable(&mut out, review);
    let _ = writeln!(
        out,
        "Pre-read for the monthly review of incidents from {} to {} (inclusive; {}), compared with \
         the {} months before it. Everything is as of {}: incidents, resolutions and follow-ups \
         as they stood then. {} patterns found ({}), seed {}.\n",
        run.period.since,
        run.period.until.pred_opt().unwrap_or(run.period.until),
        md(&run.period_reason),
        review.trends.months.len().saturating_sub(1),
        run.as_of.format("%Y-%m-%d %H:%M UTC"),
        run.k,
        if run.k_automatic {
            "k chosen automatically"
        } else {
            "k given"
        },
        run.seed
    );
    if let Some(notice) = run.empty_period_notice() {
        let _ = writeln!(
            out,
            "> **Nothing to review in this period.** {}\n",
            md(&notice)
        );
    }
    catalogue(&mut out, review);
    headline(&mut out, review);
    undated(&mut out, review);
    agenda(&mut out, review);
    audience(&mut out, review);
    new_or_rising(&mut out, review);
    patterns(&mut out, review);
    factors(&mut out, review);
    recurrences(&mut out, review);
    follow_ups(&mut out, review);
    accountability(&mut out, review);
    if !charts.is_empty() {
        out.push_str("## Charts\n\n");
        for chart in charts {
            let _ = writeln!(out, "![{}](charts/{}.png)\n", md(&chart.title), chart.name);
        }
    }
    input(&mut out, review);
    out
}

/// First in the report, when inputs are missing (`--keep-going`): the review is incomplete.
fn unreadable(out: &mut String, review: &Review) {
    let missing = &review.input.unreadable;
    if missing.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "> **Incomplete review: {} input(s) could not be read**, and everything they hold is \
         missing from every count below:\n>",
        missing.len()
    );
    for error in missing {
        let _ = writeln!(out, "> - {}", md(&error.to_string()));
    }
    out.push('\n');
}

/// Incidents with no usable date: counted everywhere but in no month, so listed by name.
fn undated(out: &mut String, review: &Review) {
    let undated = &review.undated;
    if undated.count == 0 {
        return;
    }
    out.push_str("## Undated incidents\n\n");
    let _ = writeln!(
        out,
        "{} incidents have no usable start (or any other) date: they are in the patterns, \
         factors and follow-ups, but in no month's count. Give them a date to place them.\n",
        undated.count
    );
    for (reference, source) in &undated.shown {
        let _ = writeln!(out, "- {} ({})", incident(reference), md(source));
    }
    if undated.count > undated.shown.len() {
        let _ = writeln!(
            out,
            "- … and {} more (report.json's `undated`)",
            undated.count - undated.shown.len()
        );
    }
    out.push('\n');
}

fn catalogue(out: &mut String, review: &Review) {
    let c = &review.catalogue;
    let mut text = format!(
        "Pattern ids are kept from month to month by the pattern catalogue: {} patterns kept \
         their id",
        c.matched
    );
    if !c.new_ids.is_empty() {
        let _ = write!(
            text,
            ", {} are new ({})",
            c.new_ids.len(),
            list(&c.new_ids, 10)
        );
    }
    let _ = writeln!(
        out,
        "{text}; {} catalogued patterns were not found this time.\n",
        c.dormant
    );
}

/// `2025-08 to 2026-07`: the months before the month under review.
fn trailing_span(review: &Review) -> String {
    let months = &review.trends.months;
    match months.len() {
        0 | 1 => "none".to_owned(),
        n => format!("{} to {}", months[0], months[n - 2]),
    }
}

/// `2025-08 to 2026-08`: the whole trend window.
fn window_span(review: &Review) -> String {
    match (review.trends.months.first(), review.trends.months.last()) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "none".to_owned(),
    }
}

fn headline(out: &mut String, review: &Review) {
    let this = &review.trends.headline.this_month;
    let window = &review.trends.headline.trailing;
    out.push_str("## Headline\n\n");
    let _ = writeln!(
        out,
        "| | {} | the {} months before ({}) |",
        review.run.month,
        review.trends.months.len().saturating_sub(1),
        trailing_span(review)
    );
    out.push_str("|---|---:|---:|\n");
    let _ = writeln!(
        out,
        "| Incidents | {} | {} |",
        this.incidents, window.incidents
    );
    let severities: std::collections::BTreeSet<&String> = this
        .by_severity
        .keys()
        .chain(window.by_severity.keys())
        .collect();
    for severity in severities {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(severity),
            this.by_severity.get(severity).copied().unwrap_or(0),
            window.by_severity.get(severity).copied().unwrap_or(0)
        );
    }
    let _ = writeln!(
        out,
        "| Median time to resolve | {} | {} |",
        hours(this.median_ttr_hours),
        hours(window.median_ttr_hours)
    );
    let _ = writeln!(
        out,
        "| p90 time to resolve | {} | {} |",
        hours(this.p90_ttr_hours),
        hours(window.p90_ttr_hours)
    );
    let f = &review.follow_ups;
    let _ = writeln!(
        out,
        "\nFollow-ups: **{}** open, **{}** overdue, {} done, {} won't do, {} open without an owner ({} in all).\n",
        f.open, f.overdue, f.done, f.wont_do, f.unowned, f.total
    );
}

fn agenda(out: &mut String, review: &Review) {
    out.push_str("## Agenda\n\n");
    if review.agenda.is_empty() {
        out.push_str("No incident of the period meets the agenda rules.\n\n");
        return;
    }
    let _ = writeln!(
        out,
        "{} merit{} review, grouped by pattern so that one discussion covers each.\n",
        count(review.agenda_candidates, "incident"),
        if review.agenda_candidates == 1 {
            "s"
        } else {
            ""
        }
    );
    if review.agenda_candidates > review.agenda.len() {
        let _ = writeln!(
            out,
            "The first {} are listed, most severe patterns first; the rest are in report.json's \
             recurrences and patterns, or rerun with stricter agenda rules.\n",
            review.agenda.len()
        );
    }
    let mut current: Option<Option<&str>> = None;
    for item in &review.agenda {
        if current != Some(item.pattern_id.as_deref()) {
            current = Some(item.pattern_id.as_deref());
            let heading = match (&item.pattern_label, &item.pattern_id) {
                (Some(label), Some(id)) => format!("Pattern {}: {}", md(id), md(label)),
                _ => "Not part of a pattern".to_owned(),
            };
            let _ = writeln!(out, "\n### {heading}\n");
            if let Some(workstream) = item
                .pattern_id
                .as_deref()
                .and_then(|id| review.workstreams.get(id))
            {
                let _ = writeln!(out, "Workstream: {}\n", md(workstream));
            }
            out.push_str(
                "| Incident | Sev | Owner | Teams | Why | Factors | Report |\n|---|---|---|---|---|---|---|\n",
            );
        }
        let report = if item.complete {
            "complete".to_owned()
        } else {
            format!("incomplete: {}", list(&item.missing, 3))
        };
        let report = crate::agenda::mark_late(item, report);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            incident(&item.incident),
            severity(item.incident.severity),
            md(item.incident.owner.as_deref().unwrap_or("–")),
            list(&item.teams, 3),
            list(&item.reasons, 3),
            list(&item.factors, 3),
            report
        );
    }
    out.push('\n');
}

fn audience(out: &mut String, review: &Review) {
    let audience = &review.audience;
    out.push_str("## Audience\n\n");
    if audience.invite.is_empty() {
        out.push_str("Nobody to invite: the agenda is empty.\n\n");
        return;
    }
    let _ = writeln!(out, "Teams involved: {}.\n", list(&audience.teams, 20));
    for invitee in &audience.invite {
        let _ = writeln!(
            out,
            "- **{}**: {}",
            md(&invitee.name),
            list(&invitee.reasons, 4)
        );
    }
    out.push('\n');
}

fn new_or_rising(out: &mut String, review: &Review) {
    out.push_str("## New or rising this month\n\n");
    if review.new_or_rising.is_empty() {
        out.push_str("No pattern is new or rising this month.\n\n");
        return;
    }
    for pattern in &review.new_or_rising {
        let _ = writeln!(
            out,
            "- **{} {}** ({}): {} this month, {} in all; teams {}{}",
            md(&pattern.id),
            md(&pattern.label),
            pattern.status.as_str(),
            pattern.this_month,
            pattern.size,
            list(&pattern.teams, 4),
            pattern
                .workstream
                .as_deref()
                .map(|w| format!("; workstream {}", md(w)))
                .unwrap_or_default()
        );
    }
    out.push('\n');
}

fn patterns(out: &mut String, review: &Review) {
    out.push_str("## Top recurring patterns\n\n");
    if review.patterns.is_empty() {
        out.push_str("No patterns: the incidents have no text to compare.\n\n");
        return;
    }
    let _ = writeln!(
        out,
        "The patterns with the most incidents from {}, the window of the incidents-by-pattern \
         chart.\n",
        window_span(review)
    );
    for pattern in &review.patterns {
        let recent: Vec<String> = pattern
            .monthly_counts
            .iter()
            .rev()
            .take(6)
            .rev()
            .map(usize::to_string)
            .collect();
        let _ = writeln!(out, "### {} {}\n", md(&pattern.id), md(&pattern.label));
        let _ = writeln!(
            out,
            "{} incidents from {} ({} this month; last six months: {}); {} in all, from {} to {}; \
             {}.\n",
            pattern.window_total,
            window_span(review),
            pattern.this_month,
            recent.join(" "),
            pattern.size,
            pattern
                .first_seen
                .map_or_else(|| "–".to_owned(), |d| d.to_string()),
            pattern
                .last_seen
                .map_or_else(|| "–".to_owned(), |d| d.to_string()),
            pattern.status.as_str(),
        );
        if let Some(workstream) = &pattern.workstream {
            let _ = writeln!(out, "- Workstream: {}", md(workstream));
        }
        if let Some(team) = &pattern.owner_team {
            let _ = writeln!(out, "- Owner team: {}", md(team));
        }
        match (pattern.decision, pattern.addressed_on) {
            (PatternDecision::Addressed, Some(on)) => {
                let _ = writeln!(out, "- Marked addressed on {on}");
            }
            (PatternDecision::Ignored, _) => {
                out.push_str("- Marked ignored: never listed as new or rising\n");
            }
            _ => {}
        }
        let _ = writeln!(out, "- Defining terms: {}", list(&pattern.terms, 8));
        let _ = writeln!(out, "- Teams: {}", list(&pattern.teams, 6));
        let _ = writeln!(out, "- Services: {}", list(&pattern.services, 6));
        let _ = writeln!(
            out,
            "- Representative: {}\n",
            incident(&pattern.representative)
        );
    }
}

fn factors(out: &mut String, review: &Review) {
    out.push_str("## Contributing factors\n\n");
    let concepts: Vec<_> = review
        .factors
        .iter()
        .filter(|f| f.concept.is_some())
        .collect();
    let unclassified: Vec<_> = review
        .factors
        .iter()
        .filter(|f| f.concept.is_none())
        .collect();
    let cross: Vec<&str> = review
        .factors
        .iter()
        .filter(|f| f.cross_cutting)
        .map(|f| f.factor.as_str())
        .collect();
    if cross.is_empty() {
        out.push_str("No contributing factor spans several teams and patterns.\n\n");
    } else {
        let _ = writeln!(
            out,
            "Cross-cutting factors appear behind incidents of several teams and patterns: each \
             deserves an org-wide workstream, not one more ticket: {}.\n",
            cross
                .iter()
                .map(|f| format!("**{}**", md(f)))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let coverage = &review.factor_coverage;
    let _ = writeln!(
        out,
        "Factors are found by the factor catalogue in every text field (listed factors, root \
         cause, trigger, summary, narrative, lessons, follow-ups), sentence by sentence; an \
         incident counts once per factor. The catalogue recognised {} of {} listed factor phrases \
         ({}) and found a factor in {} of {} incidents.\n",
        coverage.classified_phrases,
        coverage.listed_phrases,
        percent(coverage.classified_phrases, coverage.listed_phrases),
        coverage.incidents_with_concept,
        coverage.incidents,
    );
    if !concepts.is_empty() {
        let _ = writeln!(
            out,
            "Incidents citing each factor in {}, from {} (the window of the contributing-factors \
             chart), and all time.\n",
            review.run.month,
            window_span(review)
        );
        let _ = writeln!(
            out,
            "| Factor | {} | {} | All time | Teams | Patterns | Cross-cutting | Last seen |\n\
             |---|---:|---:|---:|---|---:|---|---|",
            review.run.month,
            window_span(review)
        );
        let mut ranked = concepts.clone();
        // The order of the chart beside it: most incidents in the window first.
        ranked.sort_by(|a, b| {
            b.window_incidents
                .cmp(&a.window_incidents)
                .then(b.incidents.cmp(&a.incidents))
                .then_with(|| a.factor.cmp(&b.factor))
        });
        for factor in ranked.iter().take(15) {
            let cross_cutting = if !factor.root_cause {
                "not a root cause"
            } else if factor.cross_cutting {
                "**yes**"
            } else {
                "no"
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(&factor.factor),
                factor.this_month,
                factor.window_incidents,
                factor.incidents,
                list(&factor.teams, 4),
                factor.patterns.len(),
                cross_cutting,
                date(factor.last_seen)
            );
        }
        out.push_str("\nEvidence, so each claim can be checked at a glance:\n\n");
        for factor in concepts.iter().take(15) {
            let _ = writeln!(
                out,
                "- **{}** ({}): {}",
                md(&factor.factor),
                md(factor.concept.as_deref().unwrap_or_default()),
                md(&factor.description)
            );
            if !factor.root_cause {
                out.push_str(
                    "  - Not a root cause: blameless reviews ask what made the error easy. \
                     Look for the factors these incidents share instead.\n",
                );
            }
            for evidence in &factor.evidence {
                let _ = writeln!(
                    out,
                    "  - {} ({}): \"{}\"",
                    md(&evidence.incident_id),
                    md(&evidence.field),
                    md(&evidence.text)
                );
            }
        }
        out.push('\n');
    }
    if !unclassified.is_empty() {
        out.push_str(
            "### Unclassified factors\n\nListed phrases no catalogue concept covers, grouped by \
             their words. Recurring ones may deserve a catalogue entry (`--factors FILE`, see \
             data/factors/README.md).\n\n| Factor | Incidents | Teams | Cross-cutting | Also written as |\n\
             |---|---:|---|---|---|\n",
        );
        for factor in unclassified.iter().take(10) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                md(&factor.factor),
                factor.incidents,
                list(&factor.teams, 4),
                if factor.cross_cutting {
                    "**yes**"
                } else {
                    "no"
                },
                list(factor.variants.get(1..).unwrap_or_default(), 3)
            );
        }
        out.push('\n');
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "–".to_owned()
    } else {
        format!("{:.0}%", 100.0 * part as f64 / whole as f64)
    }
}

fn recurrences(out: &mut String, review: &Review) {
    out.push_str("## Recurrences while a follow-up was open\n\n");
    let in_period: Vec<_> = review.recurrences.iter().filter(|r| r.in_period).collect();
    let _ = writeln!(
        out,
        "{} incidents recurred an earlier incident of the same pattern and service within the \
         window while one of its follow-ups was still open, and read like it (similarity of the \
         two reports at least {:.2}, and each with at least {:.0}% of the words the pattern's \
         typical report shares with it; the shared terms are the evidence) ({} in the period \
         under review).\n",
        review.recurrences.len(),
        review.run.recurrence_min_similarity,
        100.0 * review.run.recurrence_min_word_share,
        in_period.len()
    );
    const SHOWN: usize = 30;
    let more = in_period.len().saturating_sub(SHOWN);
    let shown: Vec<_> = if in_period.is_empty() {
        review.recurrences.iter().rev().take(10).collect()
    } else {
        in_period.into_iter().take(SHOWN).collect()
    };
    if shown.is_empty() {
        return;
    }
    out.push_str("| Incident | Recurs | Days later | Pattern | Open follow-ups | Similarity | Shared terms |\n|---|---|---:|---|---|---:|---|\n");
    for r in shown {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {:.2} | {} |",
            incident(&r.incident),
            incident(&r.earlier),
            r.days_between,
            md(&r.pattern_label),
            list(&r.open_follow_up_ids, 4),
            r.similarity,
            list(&r.shared_terms, 5)
        );
    }
    if more > 0 {
        let _ = writeln!(out, "\n… and {more} more of the period in report.json.");
    }
    out.push('\n');
}

fn follow_ups(out: &mut String, review: &Review) {
    let f = &review.follow_ups;
    out.push_str("## Overdue follow-ups\n\n");
    if f.overdue_items.is_empty() {
        out.push_str("No follow-up is overdue.\n\n");
        return;
    }
    let by_team: Vec<String> = f
        .overdue_by_team
        .iter()
        .map(|(t, n)| format!("{} {n}", md(t)))
        .collect();
    let by_owner: Vec<String> = f
        .overdue_by_owner
        .iter()
        .take(10)
        .map(|(o, n)| format!("{} {n}", md(o)))
        .collect();
    let _ = writeln!(out, "By team: {}.\n", by_team.join(", "));
    let _ = writeln!(out, "By owner: {}.\n", by_owner.join(", "));
    const HEADER: &str = "| Follow-up | Incident | Owner | Team | Due | Days overdue | Pattern recurred since |\n|---|---|---|---|---|---:|---|\n";
    out.push_str(HEADER);
    for (n, item) in f.overdue_items.iter().take(OVERDUE_LISTED).enumerate() {
        if n == OVERDUE_SHOWN {
            // The rest, collapsed, up to `OVERDUE_LISTED`; all of them are in the CSV.
            let _ = writeln!(
                out,
                "\n{DETAILS_OPEN}{} more overdue follow-ups{DETAILS_SUMMARY_END}\n",
                f.overdue_items.len() - OVERDUE_SHOWN
            );
            out.push_str(HEADER);
        }
        let _ = writeln!(
            out,
            "| **{}** {} | **{}** | {} | {} | {} | {} | {} |",
            md(&item.id),
            md(item.title.as_deref().unwrap_or("")),
            md(&item.incident_id),
            md(&item.owner),
            md(&item.team),
            date(item.due_at),
            item.days_overdue,
            if item.pattern_recurred_since {
                "**yes**"
            } else {
                "no"
            }
        );
    }
    if f.overdue_items.len() > OVERDUE_LISTED {
        let _ = writeln!(
            out,
            "\n… and {} more, less overdue: all are in the table linked below.",
            f.overdue_items.len() - OVERDUE_LISTED
        );
    }
    if f.overdue_items.len() > OVERDUE_SHOWN {
        let _ = writeln!(out, "\n{DETAILS_CLOSE}");
    }
    let _ = writeln!(
        out,
        "\nAll {} as a table: [{OVERDUE_CSV}]({OVERDUE_CSV}).\n",
        count(f.overdue_items.len(), "overdue follow-up")
    );
}

/// Overdue follow-ups shown before the rest are collapsed.
const OVERDUE_SHOWN: usize = 25;
/// Overdue follow-ups listed in the pre-read at most, the most overdue first (at a million
/// incidents there are over 100,000: a 15 MB page nobody reads); all are in [`OVERDUE_CSV`].
pub const OVERDUE_LISTED: usize = 500;
/// The overdue follow-ups as CSV, beside the report (the `recur` binary writes it).
pub const OVERDUE_CSV: &str = "overdue_follow_ups.csv";
/// The only HTML the report itself writes into its Markdown (incident text is escaped and can
/// write none): a collapsed section, which both GitHub's Markdown and the HTML report render.
const DETAILS_OPEN: &str = "<details><summary>";
const DETAILS_SUMMARY_END: &str = "</summary>";
const DETAILS_CLOSE: &str = "</details>";

/// `n thing` or `n things`.
fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

/// Whether raw HTML in the rendered Markdown is the report's own collapsed section.
fn is_own_markup(raw: &str) -> bool {
    let raw = raw.trim();
    raw == DETAILS_CLOSE
        || raw
            .strip_prefix(DETAILS_OPEN)
            .and_then(|rest| rest.strip_suffix(DETAILS_SUMMARY_END))
            .and_then(|summary| summary.strip_suffix(" more overdue follow-ups"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn accountability(out: &mut String, review: &Review) {
    let teams = &review.accountability.teams;
    out.push_str("## Follow-ups by responsible team\n\n");
    if teams.is_empty() {
        out.push_str("No follow-ups.\n\n");
        return;
    }
    out.push_str("| Team | Follow-ups | Open | Overdue | Done | From other teams' incidents | Median age of open | Done by due date |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for team in teams {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&team.team),
            team.total,
            team.open,
            team.overdue,
            team.done,
            team.from_other_teams,
            team.median_open_age_days
                .map_or_else(|| "–".to_owned(), |d| format!("{d:.0} d")),
            team.done_by_due_share
                .map_or_else(|| "–".to_owned(), |s| format!("{:.0}%", s * 100.0))
        );
    }
    out.push('\n');
    out.push_str(&crate::accountability::teams_that_should_act_markdown(
        &review.accountability.teams_that_should_act,
    ));
}

fn input(out: &mut String, review: &Review) {
    let i = &review.input;
    out.push_str("## Input\n\n");
    let _ = writeln!(
        out,
        "{} records read: {} incidents, {} rejected (listed in rejected.csv), {} merged as \
         duplicates or older updates; {} follow-ups; {} warnings; {} unreadable files.",
        i.records_read,
        i.incidents,
        i.rejected,
        i.merged,
        i.follow_ups,
        i.warnings,
        i.unreadable_files
    );
}

/// Table columns of dates, whose cells never break.
const NOWRAP_COLUMNS: &[&str] = &["Due", "Last seen"];

const STYLE: &str = "body{font-family:'DejaVu Sans',system-ui,-apple-system,'Segoe UI',sans-serif;\
max-width:1100px;margin:2em auto;padding:0 1em;color:#1d2330;line-height:1.45}\
h1{border-bottom:3px solid #3b6ea5;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #d5dbe3}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em;width:100%}\
th,td{border:1px solid #d5dbe3;padding:.35em .6em;text-align:left;vertical-align:top}\
th{background:#eef2f7}tr:nth-child(even) td{background:#f8fafc}\
td strong,td.nowrap{white-space:nowrap}details{margin:1em 0}summary{cursor:pointer}\
figure{margin:1.5em 0}figure svg{width:100%;height:auto;border:1px solid #d5dbe3}";

/// The self-contained HTML report: the Markdown rendered, charts inlined as SVG.
pub fn render_html(review: &Review, charts: &[ChartRef]) -> String {
    let markdown = render_markdown(review, charts);
    let mut body = String::new();
    let mut image: Option<String> = None;
    // The header texts of the current table and the column of the current cell.
    let mut columns: Vec<String> = Vec::new();
    let mut in_head = false;
    let mut column = 0;
    let events =
        Parser::new_ext(&markdown, Options::ENABLE_TABLES).filter_map(|event| match event {
            Event::Html(raw) if is_own_markup(&raw) => Some(Event::Html(raw)),
            // Markup inside incident text becomes text.
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::TableHead) => {
                columns.clear();
                in_head = true;
                Some(event)
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                column = 0;
                Some(event)
            }
            Event::Start(Tag::TableCell) if in_head => {
                columns.push(String::new());
                Some(event)
            }
            Event::Text(ref text) if in_head => {
                if let Some(header) = columns.last_mut() {
                    header.push_str(text);
                }
                Some(event)
            }
            Event::Start(Tag::TableCell) => {
                let nowrap = columns
                    .get(column)
                    .is_some_and(|header| NOWRAP_COLUMNS.contains(&header.as_str()));
                column += 1;
                // A date column: never broken inside its cells (left-aligned columns only).
                nowrap
                    .then(|| Event::Html(CowStr::from("<td class=\"nowrap\">")))
                    .or(Some(event))
            }
            Event::End(TagEnd::TableRow) => {
                column = 0;
                Some(event)
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some(dest_url.to_string());
                None
            }
            Event::End(TagEnd::Image) => {
                let dest = image.take().unwrap_or_default();
                let svg = charts
                    .iter()
                    .find(|c| dest == format!("charts/{}.png", c.name))
                    .map(|c| {
                        // The chart draws its own title: no caption repeating it.
                        format!(
                            "<figure aria-label=\"{}\">{}</figure>",
                            html_escape::encode_double_quoted_attribute(&c.title),
                            strip_xml_declaration(&c.svg)
                        )
                    })
                    .unwrap_or_default();
                Some(Event::Html(CowStr::from(svg)))
            }
            Event::Text(_) if image.is_some() => None,
            other => Some(other),
        });
    html::push_html(&mut body, events);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Incident pattern review: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        html_escape::encode_text(&review.run.month)
    )
}

fn strip_xml_declaration(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(start) => &svg[start..],
        None => svg,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::review::OverdueItem;
    use crate::review::tests::sample_review;

    fn overdue(n: usize) -> OverdueItem {
        OverdueItem {
            id: format!("OPS-{n}"),
            incident_id: format!("INC-{}", 1000 + n),
            title: Some("Add an alert </details> <b>now</b>".to_owned()),
            owner: "Laura Nowak".to_owned(),
            team: "identity".to_owned(),
            due_at: Some(DateTime::from_timestamp(1_780_000_000, 0).unwrap()),
            days_overdue: 40,
            tracker: None,
            pattern_recurred_since: false,
        }
    }

    #[test]
    fn every_overdue_follow_up_is_in_the_pre_read_the_rest_collapsed() {
        let mut review = sample_review();
        review.follow_ups.overdue_items = (0..30).map(overdue).collect();
        let markdown = render_markdown(&review, &[]);
        for n in 0..30 {
            assert!(markdown.contains(&format!("| **OPS-{n}** Add")), "OPS-{n}");
        }
        assert!(markdown.contains("\n<details><summary>5 more overdue follow-ups</summary>\n"));
        assert!(markdown.contains(
            "All 30 overdue follow-ups as a table: [overdue_follow_ups.csv](overdue_follow_ups.csv)."
        ));
        let html = render_html(&review, &[]);
        assert_eq!(
            html.matches("<details><summary>5 more overdue follow-ups</summary>")
                .count(),
            1
        );
        assert_eq!(
            html.matches("</details>\n").count(),
            1,
            "only the report's own"
        );
        assert_eq!(
            html.matches("Add an alert &lt;/details&gt; &lt;b&gt;now&lt;/b&gt;")
                .count(),
            30,
            "incident text stays text"
        );
        assert!(html.contains("<a href=\"overdue_follow_ups.csv\">"));
        // Ids and due dates never break inside their cells.
        assert!(html.contains("<td><strong>OPS-0</strong>"));
        assert!(html.contains("<td class=\"nowrap\">2026-05-28</td>"));
        assert!(STYLE.contains("td strong,td.nowrap{white-space:nowrap}"));

        review.follow_ups.overdue_items.truncate(1);
        let markdown = render_markdown(&review, &[]);
        assert!(!markdown.contains("<details>"));
        assert!(markdown.contains("All 1 overdue follow-up as a table"));
    }

    #[test]
    fn a_long_overdue_list_stops_at_its_limit_and_points_to_the_table() {
        let mut review = sample_review();
        review.follow_ups.overdue_items = (0..OVERDUE_LISTED + 100).map(overdue).collect();
        let markdown = render_markdown(&review, &[]);
        let last = OVERDUE_LISTED - 1;
        assert!(markdown.contains(&format!("| **OPS-{last}** Add")));
        assert!(!markdown.contains(&format!("| **OPS-{OVERDUE_LISTED}** Add")));
        assert!(
            markdown
                .contains("\n… and 100 more, less overdue: all are in the table linked below.\n")
        );
        assert!(markdown.contains(&format!(
            "All {} overdue follow-ups as a table",
            OVERDUE_LISTED + 100
        )));
    }

    #[test]
    fn one_incident_merits_review_in_the_singular() {
        let mut review = sample_review();
        assert!(!review.agenda.is_empty());
        review.agenda_candidates = 1;
        assert!(render_markdown(&review, &[]).contains("\n1 incident merits review, grouped"));
        review.agenda_candidates = 2;
        assert!(render_markdown(&review, &[]).contains("\n2 incidents merit review, grouped"));
    }

    #[test]
    fn only_the_reports_own_collapsed_section_passes_as_html() {
        assert!(is_own_markup(
            "<details><summary>12 more overdue follow-ups</summary>\n"
        ));
        assert!(is_own_markup("</details>"));
        assert!(!is_own_markup(
            "<details><summary>x more overdue follow-ups</summary>"
        ));
        assert!(!is_own_markup(
            "<details open><summary>1 more overdue follow-ups</summary>"
        ));
        assert!(!is_own_markup("<script>alert(1)</script>"));
    }

    #[test]
    fn markdown_escapes_incident_text() {
        assert_eq!(md("a | b\nc"), "a \\| b c");
        assert_eq!(md("<b>*x*</b>"), "\\<b\\>\\*x\\*\\</b\\>");
    }

    #[test]
    fn the_three_forms_carry_the_same_review() {
        let review = sample_review();
        let chart = ChartRef {
            name: "c".into(),
            title: "A chart".into(),
            svg: "<?xml version=\"1.0\"?><svg id=\"c\"></svg>".into(),
        };
        let markdown = render_markdown(&review, std::slice::from_ref(&chart));
        for heading in [
            "## Headline",
            "## Agenda",
            "## Audience",
            "## New or rising this month",
            "## Top recurring patterns",
            "## Contributing factors",
            "## Recurrences while a follow-up was open",
            "## Overdue follow-ups",
            "## Follow-ups by responsible team",
            "## Charts",
            "## Input",
        ] {
            assert!(markdown.contains(heading), "{heading}");
        }
        assert!(markdown.contains("![A chart](charts/c.png)"));
        assert!(markdown.contains("Evidence, so each claim can be checked at a glance"));
        let flaky = review
            .factors
            .iter()
            .find(|f| f.concept.as_deref() == Some("flaky-tests"))
            .unwrap();
        assert!(markdown.contains(&format!(
            "  - {} ({}): \"{}\"",
            md(&flaky.evidence[0].incident_id),
            md(&flaky.evidence[0].field),
            md(&flaky.evidence[0].text)
        )));
        assert!(markdown.contains(&format!(
            "| Incidents | {} |",
            review.trends.headline.this_month.incidents
        )));
        let html = render_html(&review, &[chart]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("<figure aria-label=\"A chart\"><svg id=\"c\"></svg></figure>"));
        assert!(
            !html.contains("<script") && !html.contains("<?xml"),
            "no markup from incidents, no XML declaration"
        );
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no network"
        );
        assert!(
            !markdown.contains("Incomplete review") && !markdown.contains("## Undated"),
            "a complete review of dated incidents has neither"
        );
        let json: serde_json::Value = serde_json::from_str(&render_json(&review).unwrap()).unwrap();
        assert_eq!(json["input"]["incidents"], 200);
        assert_eq!(
            json["patterns"].as_array().unwrap().len(),
            review.patterns.len()
        );
    }

    #[test]
    fn missing_inputs_head_the_report_and_undated_incidents_have_a_section() {
        let mut review = sample_review();
        review.input.unreadable = vec![recur_core::InputError {
            file: "follow_ups.csv".into(),
            line: None,
            message: "cannot read: No such file or directory".into(),
        }];
        review.undated = crate::review::UndatedReport {
            count: 2,
            incident_ids: vec!["INC-9".into(), "INC-10".into()],
            shown: vec![(
                IncidentRef {
                    id: "INC-9".into(),
                    title: Some("disk full".into()),
                    occurred_at: None,
                    severity: None,
                    owner: None,
                },
                "pm/inc-9.md record 1".into(),
            )],
        };
        let markdown = render_markdown(&review, &[]);
        let banner = markdown
            .find("> **Incomplete review: 1 input(s) could not be read**")
            .expect("banner");
        assert!(banner < markdown.find("Pre-read for").unwrap(), "first");
        assert!(markdown.contains("> - follow\\_ups.csv: cannot read: No such file or directory"));
        assert!(markdown.contains("## Undated incidents\n\n2 incidents have no usable start"));
        assert!(markdown.contains("- **INC-9** disk full (pm/inc-9.md record 1)\n- … and 1 more"));
        let html = render_html(&review, &[]);
        assert!(html.contains("<blockquote>") && html.contains("Incomplete review"));
        let json: serde_json::Value = serde_json::from_str(&render_json(&review).unwrap()).unwrap();
        assert_eq!(json["input"]["unreadable"][0]["file"], "follow_ups.csv");
        assert_eq!(json["undated"]["count"], 2);
    }
}
