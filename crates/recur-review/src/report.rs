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

fn list(items: &[String], max: usize) -> String {
    let shown: Vec<String> = items.iter().take(max).map(|s| md(s)).collect();
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
    catalogue(&mut out, review);
    headline(&mut out, review);
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
        "{} incidents merit review, grouped by pattern so that one discussion covers each.\n",
        review.agenda_candidates
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
                "| Incident | Sev | Owner | Teams | Why | Report |\n|---|---|---|---|---|---|\n",
            );
        }
        let report = if item.complete {
            "complete".to_owned()
        } else {
            format!("incomplete: {}", list(&item.missing, 3))
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            incident(&item.incident),
            severity(item.incident.severity),
            md(item.incident.owner.as_deref().unwrap_or("–")),
            list(&item.teams, 3),
            list(&item.reasons, 3),
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
    let cross: Vec<_> = review.factors.iter().filter(|f| f.cross_cutting).collect();
    if cross.is_empty() {
        out.push_str("No contributing factor spans several teams and patterns.\n\n");
    } else {
        out.push_str(
            "Cross-cutting factors appear behind incidents of several teams and patterns: each \
             deserves an org-wide workstream, not one more ticket.\n\n",
        );
    }
    if review.factors.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "Incidents citing each factor in {}, and from {} (the window of the contributing-factors \
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
    let mut ranked: Vec<_> = review.factors.iter().collect();
    // The order of the chart beside it: most incidents in the window first.
    ranked.sort_by(|a, b| {
        b.window_incidents
            .cmp(&a.window_incidents)
            .then(b.incidents.cmp(&a.incidents))
            .then_with(|| a.factor.cmp(&b.factor))
    });
    for factor in ranked.into_iter().take(15) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            md(&factor.factor),
            factor.this_month,
            factor.window_incidents,
            factor.incidents,
            list(&factor.teams, 4),
            factor.patterns.len(),
            if factor.cross_cutting {
                "**yes**"
            } else {
                "no"
            },
            date(factor.last_seen)
        );
    }
    out.push('\n');
}

fn recurrences(out: &mut String, review: &Review) {
    out.push_str("## Recurrences while a follow-up was open\n\n");
    let in_period: Vec<_> = review.recurrences.iter().filter(|r| r.in_period).collect();
    let _ = writeln!(
        out,
        "{} incidents recurred an earlier incident of the same pattern and service within the \
         window while one of its follow-ups was still open ({} in the period under review).\n",
        review.recurrences.len(),
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
    out.push_str("| Incident | Recurs | Days later | Pattern | Open follow-ups | Similarity |\n|---|---|---:|---|---|---:|\n");
    for r in shown {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {} | {} | {:.2} |",
            incident(&r.incident),
            incident(&r.earlier),
            r.days_between,
            md(&r.pattern_label),
            list(&r.open_follow_up_ids, 4),
            r.similarity
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
    out.push_str("| Follow-up | Incident | Owner | Team | Due | Days overdue | Pattern recurred since |\n|---|---|---|---|---|---:|---|\n");
    for item in f.overdue_items.iter().take(25) {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} | {} | {} | {} |",
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
    if f.overdue_items.len() > 25 {
        let _ = writeln!(
            out,
            "\n… and {} more in report.json.",
            f.overdue_items.len() - 25
        );
    }
    out.push('\n');
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

const STYLE: &str = "body{font-family:'DejaVu Sans',system-ui,-apple-system,'Segoe UI',sans-serif;\
max-width:1100px;margin:2em auto;padding:0 1em;color:#1d2330;line-height:1.45}\
h1{border-bottom:3px solid #3b6ea5;padding-bottom:.3em}h2{margin-top:2em;border-bottom:1px solid #d5dbe3}\
table{border-collapse:collapse;margin:1em 0;font-size:.92em;width:100%}\
th,td{border:1px solid #d5dbe3;padding:.35em .6em;text-align:left;vertical-align:top}\
th{background:#eef2f7}tr:nth-child(even) td{background:#f8fafc}\
figure{margin:1.5em 0}figure svg{width:100%;height:auto;border:1px solid #d5dbe3}\
figcaption{font-size:.9em;color:#555}";

/// The self-contained HTML report: the Markdown rendered, charts inlined as SVG.
pub fn render_html(review: &Review, charts: &[ChartRef]) -> String {
    let markdown = render_markdown(review, charts);
    let mut body = String::new();
    let mut image: Option<String> = None;
    let events =
        Parser::new_ext(&markdown, Options::ENABLE_TABLES).filter_map(|event| match event {
            // Markup inside incident text becomes text.
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
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
                        format!(
                            "<figure>{}<figcaption>{}</figcaption></figure>",
                            strip_xml_declaration(&c.svg),
                            html_escape::encode_text(&c.title)
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
    use crate::review::tests::sample_review;

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
        assert!(markdown.contains(&format!(
            "| Incidents | {} |",
            review.trends.headline.this_month.incidents
        )));
        let html = render_html(&review, &[chart]);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            html.contains("<figure><svg id=\"c\"></svg><figcaption>A chart</figcaption></figure>")
        );
        assert!(
            !html.contains("<script") && !html.contains("<?xml"),
            "no markup from incidents, no XML declaration"
        );
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no network"
        );
        let json: serde_json::Value = serde_json::from_str(&render_json(&review).unwrap()).unwrap();
        assert_eq!(json["input"]["incidents"], 200);
        assert_eq!(
            json["patterns"].as_array().unwrap().len(),
            review.patterns.len()
        );
    }
}
