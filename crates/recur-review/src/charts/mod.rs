//! The review's charts, drawn with plotters and rendered both as PNG bytes and as an SVG string.
//!
//! Text is drawn with DejaVu Sans, embedded in the crate (`assets/DejaVuSans.ttf`, licence in
//! `assets/DejaVuSans.LICENSE`) and registered with plotters once per process, so no system font
//! is needed; SVG text names the same family (falling back to any sans-serif font). Rendering is
//! deterministic: the same trends give the same PNG and SVG bytes.
//!
//! Each chart is first reduced to a plain drawing spec (which series, which colours, which
//! labels), then drawn on both backends.

mod draw;
mod png;

use std::sync::OnceLock;

use plotters::prelude::{BitMapBackend, DrawingAreaErrorKind, IntoDrawingArea, SVGBackend};
use plotters::style::{FontStyle, RGBColor, register_font};
use serde::{Deserialize, Serialize};

use crate::history::History;
use crate::review::Review;
use crate::trends::Trends;
use draw::{FollowUpPanels, Heatmap, Plot, Resolve, Series, StackedBars, TeamPanel, TeamPanels};

/// Width of every chart, pixels.
pub const WIDTH: u32 = 1200;
/// Height of every chart, pixels (the team completion chart is taller with many teams).
pub const HEIGHT: u32 = 600;
/// The name of the embedded font family.
pub const FONT_NAME: &str = "DejaVu Sans";
/// The font family written into SVG text: the embedded font, else any sans-serif font.
pub const SVG_FONT_FAMILY: &str = "DejaVu Sans, sans-serif";
/// The licence of the embedded font.
pub const FONT_LICENSE: &str = include_str!("../../assets/DejaVuSans.LICENSE");
/// How many patterns the incidents-by-pattern chart shows; the rest are stacked as "other".
/// Pinned patterns (on the agenda, new or rising) are always drawn, even beyond this number.
pub const TOP_PATTERNS: usize = 8;
/// How many contributing factors the heatmap shows.
pub const TOP_FACTORS: usize = 12;
/// How many teams the completion chart shows (the others are counted in a note).
pub const MAX_TEAMS: usize = 10;

const FONT_BYTES: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// The embedded font file (TrueType), for a report that wants to embed it too (`@font-face`).
pub fn font_bytes() -> &'static [u8] {
    FONT_BYTES
}

/// One rendered chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    /// File stem, e.g. `incidents_by_pattern` (write `<name>.png` and `<name>.svg`).
    pub name: String,
    /// The chart's title, as drawn on it.
    pub title: String,
    /// The PNG file's bytes.
    pub png: Vec<u8>,
    /// The SVG document.
    pub svg: String,
}

/// The completion of one team's follow-ups in one month, for [`render_team_completion`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamMonthCompletion {
    /// The responsible team.
    pub team: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Share (0 to 1) of the team's follow-ups due that month that were done by their due date;
    /// `None` when none was due.
    pub share_done_by_due: Option<f64>,
    /// The team's follow-ups due that month.
    #[serde(default)]
    pub due: usize,
    /// Of those, done by their due date.
    #[serde(default)]
    pub done_by_due: usize,
}

/// Months the team completion chart sums over: each point is the share of the follow-ups due
/// in that month and the two before that were done by their due date.
pub const COMPLETION_ROLLING_MONTHS: usize = 3;

/// A point of the team completion chart with fewer follow-ups due behind it than this is drawn
/// hollow and faded: too few to read much into.
const FEW_DUE: usize = 3;

/// Why a chart could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// The embedded font could not be read (a broken build, not an input problem).
    #[error("the embedded font could not be registered")]
    Font,
    /// plotters failed to draw.
    #[error("drawing chart {chart}: {message}")]
    Draw {
        /// The chart's name.
        chart: String,
        /// What plotters reported.
        message: String,
    },
    /// The drawn image could not be encoded as PNG.
    #[error("encoding chart {chart} as png")]
    Encode {
        /// The chart's name.
        chart: String,
    },
}

/// Render the review's charts from its trends, in a fixed order: incidents by pattern, time to
/// resolve, follow-ups, contributing factors, severity mix. Each title names its window.
pub fn render_all(trends: &Trends) -> Result<Vec<Chart>, ChartError> {
    render_all_pinned(trends, &[])
}

/// The review's charts ([`render_all`]), with every pattern on the agenda or new or rising drawn
/// in the incidents-by-pattern chart, never folded into "other".
pub fn render_review(review: &Review) -> Result<Vec<Chart>, ChartError> {
    let mut pinned: Vec<String> = review
        .agenda
        .iter()
        .filter_map(|item| item.pattern_id.clone())
        .chain(review.new_or_rising.iter().map(|p| p.id.clone()))
        .collect();
    pinned.sort();
    pinned.dedup();
    render_all_pinned(&review.trends, &pinned)
}

/// The window of the trend charts, for their titles: `2025-08 to 2026-08, the month under
/// review and the 12 before`.
pub fn window_name(months: &[String]) -> String {
    match (months.first(), months.last()) {
        (Some(first), Some(last)) if months.len() > 1 => format!(
            "{first} to {last}, the month under review and the {} before",
            months.len() - 1
        ),
        (Some(only), _) => format!("{only}, the month under review"),
        _ => "no months".to_owned(),
    }
}

fn render_all_pinned(trends: &Trends, pinned: &[String]) -> Result<Vec<Chart>, ChartError> {
    let window = window_name(&trends.months);
    [
        (
            "incidents_by_pattern",
            format!("Incidents per month by pattern ({window})"),
            Plot::Stacked(patterns_spec(trends, pinned)),
        ),
        (
            "time_to_resolve",
            format!("Time to resolve per month, median and 90th percentile ({window})"),
            Plot::Resolve(resolve_spec(trends)),
        ),
        (
            "follow_ups",
            format!("Follow-ups opened and closed per month, and the backlog ({window})"),
            Plot::FollowUps(follow_ups_spec(trends)),
        ),
        (
            "contributing_factors",
            format!("Incidents citing each contributing factor ({window})"),
            Plot::Heatmap(factors_spec(trends)),
        ),
        (
            "severity_mix",
            format!("Incidents per month by severity ({window})"),
            Plot::Stacked(severity_spec(trends)),
        ),
    ]
    .into_iter()
    .map(|(name, title, plot)| render(name, &title, &plot))
    .collect()
}

/// The chart of the patterns across the months of a history: incidents per month of the
/// [`TOP_PATTERNS`] patterns with the most incidents over the months, the rest as "other".
pub fn render_history(history: &History) -> Result<Chart, ChartError> {
    let months = &history.months;
    let mut totals: std::collections::BTreeMap<&str, (usize, &str, Vec<usize>)> =
        std::collections::BTreeMap::new();
    for row in &history.rows {
        let Some(slot) = months.iter().position(|m| *m == row.month) else {
            continue;
        };
        let entry = totals
            .entry(row.pattern_id.as_str())
            .or_insert_with(|| (0, row.name.as_str(), vec![0; months.len()]));
        entry.0 += row.incidents;
        entry.2[slot] += row.incidents;
    }
    let mut ranked: Vec<_> = totals.into_iter().filter(|(_, t)| t.0 > 0).collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.0.cmp(b.0)));
    let mut other = vec![0usize; months.len()];
    let mut series = Vec::new();
    for (rank, (id, (_, name, counts))) in ranked.iter().enumerate() {
        if rank < TOP_PATTERNS {
            series.push(Series {
                label: format!("{id} {name}"),
                color: palette(rank),
                values: counts_as_f64(counts),
            });
        } else {
            for (rest, count) in other.iter_mut().zip(counts) {
                *rest += count;
            }
        }
    }
    if other.iter().any(|&count| count > 0) {
        series.push(Series {
            label: "other patterns".to_string(),
            color: OTHER_COLOR,
            values: counts_as_f64(&other),
        });
    }
    let span = match (months.first(), months.last()) {
        (Some(first), Some(last)) => format!("{first} to {last}"),
        _ => "no months".to_owned(),
    };
    render(
        "history",
        &format!("Incidents per month by pattern, each month reviewed as of its end ({span})"),
        &Plot::Stacked(StackedBars {
            months: months.clone(),
            series,
            y_desc: "incidents".to_string(),
            legend_title: "Pattern".to_string(),
            empty_message: "No pattern in these months".to_string(),
        }),
    )
}

/// Render the chart of follow-up completion by team over time as small multiples: one panel
/// per team, all with the same month axis and 0 to 100% scale. Each panel has the share of the
/// team's follow-ups done by their due date over a rolling [`COMPLETION_ROLLING_MONTHS`] months
/// (a few follow-ups fall due per team and month, so one month's share jumps between 0 and
/// 100%) as a line with points, above grey bars of the follow-ups due behind each point (one
/// scale for every panel); a point with fewer than 3 behind it is hollow and faded.
/// At most [`MAX_TEAMS`] teams are drawn, those with the most months of data (ties by name),
/// in name order; a note counts the others.
pub fn render_team_completion(rows: &[TeamMonthCompletion]) -> Result<Chart, ChartError> {
    render(
        "team_completion",
        &format!(
            "Follow-ups done by their due date, by team \
             (rolling {COMPLETION_ROLLING_MONTHS} months; bars: follow-ups due)"
        ),
        &Plot::TeamPanels(team_completion_spec(rows)),
    )
}

fn ensure_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let registered = *REGISTERED
        .get_or_init(|| register_font(SVG_FONT_FAMILY, FontStyle::Normal, FONT_BYTES).is_ok());
    if registered {
        Ok(())
    } else {
        Err(ChartError::Font)
    }
}

fn draw_error<E: std::error::Error + Send + Sync>(
    chart: &str,
    error: DrawingAreaErrorKind<E>,
) -> ChartError {
    ChartError::Draw {
        chart: chart.to_string(),
        message: error.to_string(),
    }
}

fn render(name: &str, title: &str, plot: &Plot) -> Result<Chart, ChartError> {
    ensure_font()?;
    let (width, height) = plot.size();
    let mut rgb = vec![255u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
        plot.draw(&root, title)
            .map_err(|error| draw_error(name, error))?;
        root.present().map_err(|error| draw_error(name, error))?;
    }
    let png = png::encode_rgb(width, height, &rgb).ok_or_else(|| ChartError::Encode {
        chart: name.to_string(),
    })?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        plot.draw(&root, title)
            .map_err(|error| draw_error(name, error))?;
        root.present().map_err(|error| draw_error(name, error))?;
    }
    Ok(Chart {
        name: name.to_string(),
        title: title.to_string(),
        png,
        svg,
    })
}

/// Tableau 10, minus its grey, which is kept for "other".
const PALETTE: [RGBColor; 9] = [
    RGBColor(0x4E, 0x79, 0xA7),
    RGBColor(0xF2, 0x8E, 0x2B),
    RGBColor(0xE1, 0x57, 0x59),
    RGBColor(0x76, 0xB7, 0xB2),
    RGBColor(0x59, 0xA1, 0x4F),
    RGBColor(0xED, 0xC9, 0x48),
    RGBColor(0xB0, 0x7A, 0xA1),
    RGBColor(0xFF, 0x9D, 0xA7),
    RGBColor(0x9C, 0x75, 0x5F),
];
const OTHER_COLOR: RGBColor = RGBColor(0xBA, 0xB0, 0xAC);

fn palette(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

fn counts_as_f64(counts: &[usize]) -> Vec<Option<f64>> {
    counts.iter().map(|&count| Some(count as f64)).collect()
}

/// The top patterns by incidents in the window (ties by id), every pinned pattern among them,
/// then "other" for the rest and for incidents in no pattern.
fn patterns_spec(trends: &Trends, pinned: &[String]) -> StackedBars {
    let mut ranked: Vec<_> = trends
        .patterns
        .iter()
        .filter(|pattern| pattern.window_total > 0)
        .collect();
    ranked.sort_by(|a, b| {
        b.window_total
            .cmp(&a.window_total)
            .then_with(|| a.id.cmp(&b.id))
    });
    let n_pinned = ranked.iter().filter(|p| pinned.contains(&p.id)).count();
    let mut unpinned_room = TOP_PATTERNS.saturating_sub(n_pinned);
    ranked.retain(|pattern| {
        if pinned.contains(&pattern.id) {
            true
        } else if unpinned_room > 0 {
            unpinned_room -= 1;
            true
        } else {
            false
        }
    });
    let mut other = trends.incidents_per_month.clone();
    let mut series = Vec::new();
    for (rank, pattern) in ranked.iter().enumerate() {
        for (rest, count) in other.iter_mut().zip(&pattern.monthly_counts) {
            *rest = rest.saturating_sub(*count);
        }
        series.push(Series {
            label: format!("{} {}", pattern.id, pattern.label),
            color: palette(rank),
            values: counts_as_f64(&pattern.monthly_counts),
        });
    }
    if other.iter().any(|&count| count > 0) {
        let label = if trends.patterns.is_empty() {
            "all incidents"
        } else {
            "other"
        };
        series.push(Series {
            label: label.to_string(),
            color: OTHER_COLOR,
            values: counts_as_f64(&other),
        });
    }
    StackedBars {
        months: trends.months.clone(),
        series,
        y_desc: "incidents".to_string(),
        legend_title: "Pattern".to_string(),
        empty_message: "No incidents in this window".to_string(),
    }
}

fn severity_color(label: &str) -> RGBColor {
    match label {
        "SEV1" => RGBColor(0xB2, 0x18, 0x2B),
        "SEV2" => RGBColor(0xEF, 0x8A, 0x62),
        "SEV3" => RGBColor(0xF2, 0xCC, 0x5B),
        "SEV4" => RGBColor(0x67, 0xA9, 0xCF),
        "SEV5" => RGBColor(0x21, 0x66, 0xAC),
        "no severity" => OTHER_COLOR,
        _ => RGBColor(0x7B, 0x6F, 0xB0),
    }
}

fn severity_spec(trends: &Trends) -> StackedBars {
    StackedBars {
        months: trends.months.clone(),
        series: trends
            .severity_mix
            .iter()
            .map(|mix| Series {
                label: mix.severity.clone(),
                color: severity_color(&mix.severity),
                values: counts_as_f64(&mix.monthly_counts),
            })
            .collect(),
        y_desc: "incidents".to_string(),
        legend_title: "Severity".to_string(),
        empty_message: "No incidents in this window".to_string(),
    }
}

fn resolve_spec(trends: &Trends) -> Resolve {
    Resolve {
        months: trends.months.clone(),
        median: trends
            .time_to_resolve
            .iter()
            .map(|month| month.median_hours)
            .collect(),
        p90: trends
            .time_to_resolve
            .iter()
            .map(|month| month.p90_hours)
            .collect(),
        n: trends.time_to_resolve.iter().map(|month| month.n).collect(),
    }
}

fn follow_ups_spec(trends: &Trends) -> FollowUpPanels {
    let backlog = &trends.follow_up_backlog;
    let column = |pick: fn(&crate::trends::BacklogMonth) -> usize| {
        backlog.iter().map(pick).collect::<Vec<_>>()
    };
    FollowUpPanels {
        months: trends.months.clone(),
        opened: column(|month| month.opened),
        closed: column(|month| month.closed),
        open: counts_as_f64(&column(|month| month.open_at_end)),
        overdue: counts_as_f64(&column(|month| month.overdue_at_end)),
    }
}

fn factors_spec(trends: &Trends) -> Heatmap {
    // `Trends::factors` is sorted most frequent first.
    let top: Vec<_> = trends
        .factors
        .iter()
        .filter(|factor| factor.total > 0)
        .take(TOP_FACTORS)
        .collect();
    Heatmap {
        months: trends.months.clone(),
        rows: top.iter().map(|factor| factor.factor.clone()).collect(),
        totals: top.iter().map(|factor| factor.total).collect(),
        counts: top
            .iter()
            .map(|factor| factor.monthly_counts.clone())
            .collect(),
        // Say what was counted: the incidents of the chart's months, which need not be the
        // review period's.
        empty_message: match (trends.months.first(), trends.months.last()) {
            (Some(first), Some(last)) => {
                format!("No incident from {first} to {last} lists a contributing factor")
            }
            _ => "No months to chart".to_string(),
        },
    }
}

fn team_completion_spec(rows: &[TeamMonthCompletion]) -> TeamPanels {
    use std::collections::{BTreeMap, BTreeSet};
    let months: Vec<String> = rows
        .iter()
        .map(|row| row.month.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Per team and month: (due, done by due).
    let mut by_team: BTreeMap<&str, Vec<(usize, usize)>> = BTreeMap::new();
    for row in rows {
        let Ok(slot) = months.binary_search(&row.month) else {
            continue;
        };
        let counts = by_team
            .entry(row.team.as_str())
            .or_insert_with(|| vec![(0, 0); months.len()]);
        counts[slot].0 += row.due;
        counts[slot].1 += row.done_by_due.min(row.due);
    }
    let mut teams: Vec<(&str, Vec<(usize, usize)>)> = by_team.into_iter().collect();
    // Most months of data first (stable, so ties stay in name order), then back to name order.
    teams.sort_by_key(|(_, counts)| {
        std::cmp::Reverse(counts.iter().filter(|(due, _)| *due > 0).count())
    });
    let hidden = teams.len().saturating_sub(MAX_TEAMS);
    teams.truncate(MAX_TEAMS);
    teams.sort_by(|a, b| a.0.cmp(b.0));
    let panels = teams
        .into_iter()
        .map(|(team, counts)| {
            // Per month: (due, done by due) over it and the months before it in the window.
            let rolling: Vec<(usize, usize)> = (0..counts.len())
                .map(|end| {
                    let start = (end + 1).saturating_sub(COMPLETION_ROLLING_MONTHS);
                    counts[start..=end]
                        .iter()
                        .fold((0, 0), |sum, (due, done)| (sum.0 + due, sum.1 + done))
                })
                .collect();
            TeamPanel {
                title: team.to_string(),
                values: rolling
                    .iter()
                    .map(|&(due, done)| (due > 0).then(|| done as f64 / due as f64 * 100.0))
                    .collect(),
                counts: rolling.iter().map(|&(due, _)| due).collect(),
                weak: rolling
                    .iter()
                    .map(|&(due, _)| due > 0 && due < FEW_DUE)
                    .collect(),
            }
        })
        .collect();
    TeamPanels {
        months,
        panels,
        hidden_teams: hidden,
        color: palette(0),
        line_label: format!(
            "share done by due date, of those due in the {COMPLETION_ROLLING_MONTHS} months to the month"
        ),
        bar_label: "follow-ups due in those months".to_string(),
        weak_label: format!("fewer than {FEW_DUE} due: too few to judge"),
        count_unit: "due".to_string(),
        empty_message: "No follow-ups with a due date".to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
    use recur_core::{FollowUp, FollowUpStatus, Incident};

    use super::*;
    use crate::trends::{TrendInput, TrendParams, compute_trends};

    /// A small deterministic generator (xorshift), so the test data needs no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }

        fn unit(&mut self) -> f64 {
            (self.next() >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    const PATTERNS: [&str; 11] = [
        "certificate expired · tls · renewal",
        "connection pool exhausted · database",
        "disk full · log rotation",
        "bad config push · feature flag",
        "dns resolution failures · resolver",
        "memory leak · oom killed · java heap",
        "deploy rollback · canary",
        "rate limit exceeded · third-party api",
        "queue backlog · consumer lag · kafka",
        "clock skew · ntp",
        "cache stampede · redis eviction",
    ];

    const FACTORS: [&str; 15] = [
        "flaky tests",
        "missing alert on saturation",
        "runbook out of date",
        "manual change without review",
        "capacity planning gap",
        "no canary for config changes",
        "unclear ownership of the shared database cluster",
        "retry storm",
        "dependency upgrade",
        "insufficient load testing",
        "on-call handover gap",
        "monitoring blind spot",
        "expired credentials",
        "single point of failure",
        "documentation gap",
    ];

    struct Fixture {
        incidents: Vec<Incident>,
        pattern_of: Vec<Option<usize>>,
        factor_of: Vec<Vec<usize>>,
    }

    /// About 400 incidents over two years (2024-04 to 2026-03) with patterns of different
    /// rates, one rising and one new in the last month, skewed durations, and follow-ups.
    fn realistic(n: usize) -> Fixture {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let start = Utc.with_ymd_and_hms(2024, 4, 1, 0, 0, 0).single().unwrap();
        let mut fixture = Fixture {
            incidents: Vec::new(),
            pattern_of: Vec::new(),
            factor_of: Vec::new(),
        };
        for index in 0..n {
            let day = rng.below(730) as i64;
            let started = start + Duration::days(day) + Duration::minutes(rng.below(1440) as i64);
            let mut pattern = match rng.below(20) {
                0..=4 => Some(0),
                5..=7 => Some(1),
                8..=9 => Some(2),
                10 => Some(3),
                11 => Some(4),
                12 => Some(5),
                13 => Some(6),
                14 => Some(7),
                15 => Some(8),
                16 => Some(9),
                _ => None,
            };
            // Pattern 7 rises in the last two months; pattern 10 only appears in the last one.
            if day > 670 && rng.below(4) == 0 {
                pattern = Some(7);
            }
            if day > 700 && rng.below(6) == 0 {
                pattern = Some(10);
            }
            let severity = match rng.below(20) {
                0 => Some(1),
                1..=4 => Some(2),
                5..=12 => Some(3),
                13..=17 => Some(4),
                _ => None,
            };
            // Log-normal-ish: minutes to days.
            let hours = (rng.unit() * 6.0 - 1.5).exp();
            let resolved =
                (rng.below(10) > 0).then(|| started + Duration::minutes((hours * 60.0) as i64));
            let mut follow_ups = Vec::new();
            for _ in 0..rng.below(4) {
                let created = resolved.unwrap_or(started) + Duration::days(rng.below(5) as i64);
                let due = created + Duration::days(14 + rng.below(60) as i64);
                let closed =
                    (rng.below(3) > 0).then(|| created + Duration::days(rng.below(120) as i64));
                follow_ups.push(FollowUp {
                    incident_id: format!("INC-{index}"),
                    created_at: Some(created),
                    due_at: Some(due),
                    closed_at: closed,
                    status: if closed.is_some() {
                        FollowUpStatus::Done
                    } else {
                        FollowUpStatus::Open
                    },
                    ..FollowUp::default()
                });
            }
            let factors: Vec<usize> = (0..rng.below(4))
                .map(|_| (rng.below(15) * rng.below(15) / 14) as usize)
                .collect();
            fixture.incidents.push(Incident {
                id: format!("INC-{index}"),
                severity,
                started_at: Some(started),
                resolved_at: resolved,
                follow_ups,
                ..Incident::default()
            });
            fixture.pattern_of.push(pattern);
            fixture.factor_of.push(factors);
        }
        fixture
    }

    fn as_of() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 4, 3, 0, 0, 0).single().unwrap()
    }

    fn trends_of(fixture: &Fixture) -> Trends {
        let labels: Vec<String> = PATTERNS.iter().map(|label| label.to_string()).collect();
        let factors: Vec<String> = FACTORS.iter().map(|factor| factor.to_string()).collect();
        let input = TrendInput {
            incidents: &fixture.incidents,
            pattern_of: &fixture.pattern_of,
            pattern_labels: &labels,
            pattern_ids: &[],
            factor_of: &fixture.factor_of,
            factor_names: &factors,
        };
        compute_trends(
            &input,
            &TrendParams::new(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), as_of()),
        )
        .unwrap()
    }

    fn team_rows() -> Vec<TeamMonthCompletion> {
        let mut rng = Rng(42);
        let teams = ["payments", "platform", "search", "storage", "identity"];
        let mut rows = Vec::new();
        for month in 1..=12 {
            for (index, team) in teams.iter().enumerate() {
                let share = (0.35 + 0.1 * index as f64 + 0.3 * rng.unit()).min(1.0);
                let due = rng.below(4) as usize;
                let done_by_due = ((due as f64) * share).round() as usize;
                rows.push(TeamMonthCompletion {
                    team: team.to_string(),
                    month: format!("2025-{month:02}"),
                    share_done_by_due: (due > 0).then(|| done_by_due as f64 / due as f64),
                    due,
                    done_by_due,
                });
            }
        }
        rows
    }

    fn assert_well_formed(chart: &Chart) {
        assert_eq!(chart.png[..8], png::SIGNATURE, "{}", chart.name);
        let (width, height, pixels) = png::decode_rgb(&chart.png).unwrap();
        assert_eq!(width, WIDTH, "{}", chart.name);
        assert!(height >= HEIGHT, "{}", chart.name);
        assert!(
            chart
                .svg
                .starts_with(&format!(r#"<svg width="{width}" height="{height}""#)),
            "{} svg of the png's size",
            chart.name
        );
        assert!(
            pixels.iter().any(|&byte| byte < 200),
            "{} has something drawn on it",
            chart.name
        );
        assert!(
            chart.svg.contains(&chart.title),
            "{} svg has its title",
            chart.name
        );
        assert!(
            chart
                .svg
                .contains(r#"font-family="DejaVu Sans, sans-serif""#),
            "{}",
            chart.name
        );
    }

    #[test]
    fn renders_every_chart_as_png_and_svg() {
        let trends = trends_of(&realistic(400));
        let charts = render_all(&trends).unwrap();
        let names: Vec<&str> = charts.iter().map(|chart| chart.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "incidents_by_pattern",
                "time_to_resolve",
                "follow_ups",
                "contributing_factors",
                "severity_mix"
            ]
        );
        for chart in &charts {
            assert_well_formed(chart);
        }
        let by_pattern = &charts[0].svg;
        assert!(
            by_pattern.contains("other") && by_pattern.contains("2026-03"),
            "legend and month labels"
        );
        assert!(
            charts[1].svg.contains("\n1 d\n") && charts[1].svg.contains("\n4 h\n"),
            "durations labelled in units"
        );
    }

    #[test]
    fn rendering_is_deterministic() {
        let trends = trends_of(&realistic(120));
        assert_eq!(render_all(&trends).unwrap(), render_all(&trends).unwrap());
        assert_eq!(
            render_team_completion(&team_rows()).unwrap(),
            render_team_completion(&team_rows()).unwrap()
        );
    }

    #[test]
    fn without_factors_the_heatmap_says_which_months_it_counted() {
        let trends = trends_of(&Fixture {
            factor_of: Vec::new(),
            ..realistic(120)
        });
        let (first, last) = (
            trends.months.first().expect("months"),
            trends.months.last().expect("months"),
        );
        assert_ne!(first, last);
        let charts = render_all(&trends).unwrap();
        assert!(charts[3].svg.contains(&format!(
            "No incident from {first} to {last} lists a contributing factor"
        )));
    }

    #[test]
    fn empty_trends_render_with_a_message() {
        let trends = trends_of(&Fixture {
            incidents: Vec::new(),
            pattern_of: Vec::new(),
            factor_of: Vec::new(),
        });
        let charts = render_all(&trends).unwrap();
        assert_eq!(charts.len(), 5);
        for chart in &charts {
            assert_eq!(png::decode_rgb(&chart.png).unwrap().0, WIDTH);
        }
        assert!(charts[0].svg.contains("No incidents in this window"));
        // The message says what was counted: the incidents of the chart's months.
        let expected = match (trends.months.first(), trends.months.last()) {
            (Some(first), Some(last)) => {
                format!("No incident from {first} to {last} lists a contributing factor")
            }
            _ => "No months to chart".to_string(),
        };
        assert!(charts[3].svg.contains(&expected), "{expected}");
        let teams = render_team_completion(&[]).unwrap();
        assert!(teams.svg.contains("No follow-ups with a due date"));
    }

    #[test]
    fn team_completion_draws_a_line_per_team() {
        let rows = team_rows();
        let spec = team_completion_spec(&rows);
        let titles: Vec<&str> = spec.panels.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            titles,
            ["identity", "payments", "platform", "search", "storage"],
            "a panel per team, in name order"
        );
        assert_eq!(spec.hidden_teams, 0);
        for panel in &spec.panels {
            assert_eq!(panel.values.len(), 12, "{}: a value per month", panel.title);
            assert_eq!(panel.counts.len(), 12);
            assert!(
                panel
                    .values
                    .iter()
                    .flatten()
                    .all(|v| (0.0..=100.0).contains(v))
            );
        }
        let chart = render_team_completion(&rows).unwrap();
        assert_eq!(chart.name, "team_completion");
        assert_well_formed(&chart);
        for team in titles {
            assert!(
                chart.svg.contains(&format!(">\n{team}\n<")),
                "{team} titles its panel"
            );
        }
        // Five panels: three and two, in two rows.
        assert_eq!(draw::panel_grid(5), (3, 2));
        assert!(
            chart.svg.contains("bars: follow-ups due"),
            "the title says what the bars are"
        );
        assert!(!chart.svg.contains("not shown"), "no team left out");
    }

    #[test]
    fn team_spec_keeps_the_teams_with_most_data() {
        let mut rows = Vec::new();
        for team in 0..12 {
            for month in 0..=team {
                rows.push(TeamMonthCompletion {
                    team: format!("team-{team:02}"),
                    month: format!("2025-{:02}", month + 1),
                    share_done_by_due: Some(1.5),
                    due: 2,
                    done_by_due: 3,
                });
            }
        }
        let spec = team_completion_spec(&rows);
        assert_eq!(spec.hidden_teams, 2);
        let teams: Vec<&str> = spec.panels.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(
            teams.first(),
            Some(&"team-02"),
            "the two teams with the fewest months are left out"
        );
        assert_eq!(teams.len(), MAX_TEAMS);
        assert_eq!(spec.months.len(), 12);
        assert_eq!(
            spec.panels[9].values[11],
            Some(100.0),
            "done by due is at most due"
        );
        assert_eq!(
            spec.panels[0].values[3],
            Some(100.0),
            "the two months before count"
        );
        assert_eq!(spec.panels[0].counts[..6], [2, 4, 6, 4, 2, 0]);
        assert_eq!(spec.panels[0].values[5], None);
        let chart = render_team_completion(&rows).unwrap();
        assert_well_formed(&chart);
        assert!(
            chart
                .svg
                .contains("2 more teams, with fewer months of data, not shown")
        );
        // Ten panels in three rows (four, four, two): taller than two rows of panels.
        assert_eq!(draw::panel_grid(MAX_TEAMS), (4, 3));
        let two_rows = render_team_completion(&team_rows()).unwrap();
        assert!(png::decode_rgb(&chart.png).unwrap().1 > png::decode_rgb(&two_rows.png).unwrap().1);
    }

    #[test]
    fn team_completion_is_a_rolling_three_month_share_labelled_with_its_count() {
        let row = |month: u32, due: usize, done_by_due: usize| TeamMonthCompletion {
            team: "payments".to_owned(),
            month: format!("2025-{month:02}"),
            share_done_by_due: None,
            due,
            done_by_due,
        };
        let rows = [
            row(1, 2, 1),
            row(2, 0, 0),
            row(3, 1, 1),
            row(4, 3, 0),
            row(5, 0, 0),
            row(6, 0, 0),
            row(7, 0, 0),
        ];
        let spec = team_completion_spec(&rows);
        assert_eq!(spec.panels.len(), 1);
        let panel = &spec.panels[0];
        assert_eq!(
            panel.values,
            [
                Some(50.0),
                Some(50.0),
                Some(2.0 / 3.0 * 100.0),
                Some(25.0),
                Some(25.0),
                Some(0.0),
                None
            ]
        );
        assert_eq!(panel.counts, [2, 2, 3, 4, 4, 3, 0]);
        let chart = render_team_completion(&rows).unwrap();
        assert!(
            chart.svg.contains("\n4 due\n"),
            "the bars' scale tops at the most due"
        );
    }

    #[test]
    fn team_completion_marks_points_on_few_follow_ups_as_weak() {
        let row = |team: &str, month: u32, due: usize, done_by_due: usize| TeamMonthCompletion {
            team: team.to_owned(),
            month: format!("2025-{month:02}"),
            share_done_by_due: None,
            due,
            done_by_due,
        };
        let rows = [
            row("data", 1, 1, 1),
            row("data", 2, 1, 0),
            row("data", 3, 5, 5),
            row("data", 4, 0, 0),
            row("data", 5, 0, 0),
            row("data", 6, 0, 0),
            row("sre", 1, 40, 30),
            row("sre", 6, 2, 0),
        ];
        let spec = team_completion_spec(&rows);
        assert_eq!(
            spec.panels[0].counts,
            [1, 2, 7, 6, 5, 0],
            "the follow-ups due in the window"
        );
        assert_eq!(
            spec.panels[0].weak,
            [true, true, false, false, false, false],
            "fewer than 3 due is weak; none due is no point at all"
        );
        assert_eq!(spec.panels[0].values[0], Some(100.0));
        assert_eq!(
            spec.panels[1].weak,
            [false, false, false, false, false, true]
        );
        let chart = render_team_completion(&rows).unwrap();
        assert_well_formed(&chart);
        assert!(
            chart.svg.contains("fewer than 3 due: too few to judge"),
            "the chart says what a hollow point is"
        );
        // Every weak point is hollow (a white disc under a faded ring), the others filled: the
        // key adds one of each.
        let white_discs = chart
            .svg
            .lines()
            .filter(|line| {
                line.starts_with("<circle") && line.contains(r##"fill="#FFFFFF" stroke="none""##)
            })
            .count();
        let weak_points = spec
            .panels
            .iter()
            .flat_map(|p| &p.weak)
            .filter(|w| **w)
            .count();
        assert_eq!(white_discs, weak_points + 1);
    }

    #[test]
    fn pattern_spec_stacks_the_top_patterns_and_other() {
        let trends = trends_of(&realistic(400));
        let spec = patterns_spec(&trends, &[]);
        assert_eq!(spec.series.len(), TOP_PATTERNS + 1);
        assert_eq!(spec.series.last().unwrap().label, "other");
        assert_eq!(
            spec.series[0].label,
            format!("#0 {}", PATTERNS[0]),
            "the most frequent pattern at the bottom"
        );
        // A pinned pattern (on the agenda) beyond the top is drawn, not folded into other.
        let smallest = trends
            .patterns
            .iter()
            .filter(|p| p.window_total > 0)
            .min_by_key(|p| (p.window_total, std::cmp::Reverse(p.id.clone())))
            .unwrap();
        let prefix = format!("{} ", smallest.id);
        assert!(!spec.series.iter().any(|s| s.label.starts_with(&prefix)));
        let pinned_spec = patterns_spec(&trends, std::slice::from_ref(&smallest.id));
        assert_eq!(pinned_spec.series.len(), TOP_PATTERNS + 1);
        assert!(
            pinned_spec
                .series
                .iter()
                .any(|s| s.label == format!("{} {}", smallest.id, smallest.label))
        );
        for (month, total) in trends.incidents_per_month.iter().enumerate() {
            let stacked: f64 = spec
                .series
                .iter()
                .map(|series| series.values[month].unwrap_or(0.0))
                .sum();
            assert_eq!(
                stacked, *total as f64,
                "the stack adds up to the month's incidents"
            );
        }
    }

    /// Writes every chart to /tmp/charts for a person to look at:
    /// `cargo test -p recur-review --lib charts::tests::write_charts_for_review -- --ignored`.
    #[test]
    #[ignore = "writes files for visual review"]
    fn write_charts_for_review() {
        let dir = std::path::Path::new("/tmp/charts");
        std::fs::create_dir_all(dir).unwrap();
        let mut charts = render_all(&trends_of(&realistic(400))).unwrap();
        charts.push(render_team_completion(&team_rows()).unwrap());
        // More teams than are drawn, one with a long name.
        let mut many = team_rows();
        for (index, team) in [
            "billing",
            "customer-identity-and-access-management",
            "data",
            "edge",
            "mobile",
            "observability",
            "sre",
        ]
        .iter()
        .enumerate()
        {
            many.extend(
                team_rows()
                    .into_iter()
                    .skip(index % 5)
                    .step_by(5 + index % 2)
                    .map(|row| TeamMonthCompletion {
                        team: (*team).to_string(),
                        ..row
                    }),
            );
        }
        let mut chart = render_team_completion(&many).unwrap();
        chart.name = "many_team_completion".to_string();
        charts.push(chart);
        let empty = trends_of(&Fixture {
            incidents: Vec::new(),
            pattern_of: Vec::new(),
            factor_of: Vec::new(),
        });
        for mut chart in render_all(&empty).unwrap() {
            chart.name = format!("empty_{}", chart.name);
            charts.push(chart);
        }
        let wide = TrendParams {
            trailing_months: 24,
            ..TrendParams::new(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), as_of())
        };
        let fixture = realistic(400);
        let labels: Vec<String> = PATTERNS.iter().map(|label| label.to_string()).collect();
        let factors: Vec<String> = FACTORS.iter().map(|factor| factor.to_string()).collect();
        let input = TrendInput {
            incidents: &fixture.incidents,
            pattern_of: &fixture.pattern_of,
            pattern_labels: &labels,
            pattern_ids: &[],
            factor_of: &fixture.factor_of,
            factor_names: &factors,
        };
        for mut chart in render_all(&compute_trends(&input, &wide).unwrap()).unwrap() {
            chart.name = format!("wide_{}", chart.name);
            charts.push(chart);
        }
        for chart in &charts {
            std::fs::write(dir.join(format!("{}.png", chart.name)), &chart.png).unwrap();
            std::fs::write(dir.join(format!("{}.svg", chart.name)), &chart.svg).unwrap();
        }
    }
}
