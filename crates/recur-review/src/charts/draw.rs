//! Drawing specs (plain data) and how each is drawn on any plotters backend.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle};

use super::{HEIGHT, SVG_FONT_FAMILY, WIDTH};

/// One named series of values aligned with the months; `None` is a gap (a zero in a stack).
pub(super) struct Series {
    pub label: String,
    pub color: RGBColor,
    pub values: Vec<Option<f64>>,
}

/// Stacked bars per month, the first series at the bottom.
pub(super) struct StackedBars {
    pub months: Vec<String>,
    pub series: Vec<Series>,
    pub y_desc: String,
    pub legend_title: String,
    pub empty_message: String,
}

/// Median and 90th percentile time to resolve per month, hours.
pub(super) struct Resolve {
    pub months: Vec<String>,
    pub median: Vec<Option<f64>>,
    pub p90: Vec<Option<f64>>,
    pub n: Vec<usize>,
}

/// Follow-ups opened and closed per month (bars, top panel) and the backlog at month end
/// (lines, bottom panel).
pub(super) struct FollowUpPanels {
    pub months: Vec<String>,
    pub opened: Vec<usize>,
    pub closed: Vec<usize>,
    pub open: Vec<Option<f64>>,
    pub overdue: Vec<Option<f64>>,
}

/// Counts per row (top row first) and month, drawn as coloured cells with the count written in.
pub(super) struct Heatmap {
    pub months: Vec<String>,
    pub rows: Vec<String>,
    /// Per row, its total, written after its label.
    pub totals: Vec<usize>,
    pub counts: Vec<Vec<usize>>,
    pub empty_message: String,
}

/// Small multiples: one panel per team, all on the same month axis. Each panel has its share
/// (percent, 0 to 100) per month as a line with points, above a strip of grey bars with the
/// count behind each point (on one scale shared by every panel); a point resting on too few
/// counts is drawn hollow and faded.
pub(super) struct TeamPanels {
    pub months: Vec<String>,
    pub panels: Vec<TeamPanel>,
    /// Teams left out (not drawn), said in a note.
    pub hidden_teams: usize,
    pub color: RGBColor,
    /// The key: what the line, the bars and a hollow point are.
    pub line_label: String,
    pub bar_label: String,
    pub weak_label: String,
    /// Written after the count at the top of the bars' scale, e.g. `due`.
    pub count_unit: String,
    pub empty_message: String,
}

/// One panel of [`TeamPanels`]; every vector is aligned with the months.
pub(super) struct TeamPanel {
    pub title: String,
    /// The share, percent; `None` where there is nothing to share (no count).
    pub values: Vec<Option<f64>>,
    /// The count behind each value.
    pub counts: Vec<usize>,
    /// Whether the value rests on too few counts to read much into.
    pub weak: Vec<bool>,
}

/// What one chart draws.
pub(super) enum Plot {
    Stacked(StackedBars),
    Resolve(Resolve),
    FollowUps(FollowUpPanels),
    Heatmap(Heatmap),
    TeamPanels(TeamPanels),
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;
type Area<DB> = DrawingArea<DB, Shift>;

const TITLE_SIZE: f64 = 26.0;
const AXIS_DESC_SIZE: f64 = 17.0;
const LABEL_SIZE: f64 = 15.0;
const LEGEND_SIZE: f64 = 15.0;
const VALUE_SIZE: f64 = 13.0;
const LEGEND_WIDTH: u32 = 300;

const TEXT_COLOR: RGBColor = RGBColor(0x22, 0x22, 0x22);
const MUTED_TEXT: RGBColor = RGBColor(0x55, 0x55, 0x55);
const GRID_COLOR: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
const AXIS_COLOR: RGBColor = RGBColor(0x88, 0x88, 0x88);

impl Plot {
    /// The chart's size in pixels: [`WIDTH`] × [`HEIGHT`], taller for panels in more than two
    /// rows.
    pub(super) fn size(&self) -> (u32, u32) {
        match self {
            Self::TeamPanels(spec) => {
                let (_, rows) = panel_grid(spec.panels.len());
                (WIDTH, HEIGHT.max(PANEL_CHROME + rows as u32 * PANEL_HEIGHT))
            }
            _ => (WIDTH, HEIGHT),
        }
    }

    /// Draw on `root`: a white background, the title, then the chart.
    pub(super) fn draw<DB: DrawingBackend>(&self, root: &Area<DB>, title: &str) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = root
            .margin(10, 0, 0, 0)
            .titled(title, text(TITLE_SIZE))?
            .margin(6, 8, 8, 8);
        match self {
            Self::Stacked(spec) => draw_stacked(&area, spec),
            Self::Resolve(spec) => draw_resolve(&area, spec),
            Self::FollowUps(spec) => draw_follow_ups(&area, spec),
            Self::Heatmap(spec) => draw_heatmap(&area, spec),
            Self::TeamPanels(spec) => draw_team_panels(&area, spec),
        }
    }
}

fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::Name(SVG_FONT_FAMILY), size, FontStyle::Normal)
}

fn text(size: f64) -> TextStyle<'static> {
    TextStyle::from(font(size)).color(&TEXT_COLOR)
}

fn centered(style: TextStyle<'static>) -> TextStyle<'static> {
    style.pos(Pos::new(HPos::Center, VPos::Center))
}

/// Month `x` of the axis as its label; nothing between months.
fn month_label_at(months: &[String], x: f64) -> String {
    let rounded = x.round();
    if (x - rounded).abs() > 1e-6 || rounded < 0.0 {
        return String::new();
    }
    months.get(rounded as usize).cloned().unwrap_or_default()
}

/// A numeric axis with explicit ticks (drawn as bold mesh lines and labelled), linear or
/// logarithmic. plotters' own `with_key_points` loses the value formatting of f64 axes.
#[derive(Debug, Clone)]
struct Axis {
    low: f64,
    high: f64,
    ticks: Vec<f64>,
    log: bool,
}

impl Axis {
    fn linear(low: f64, high: f64, ticks: Vec<f64>) -> Self {
        Self {
            low,
            high,
            ticks,
            log: false,
        }
    }

    fn log(low: f64, high: f64, ticks: Vec<f64>) -> Self {
        Self {
            low,
            high,
            ticks,
            log: true,
        }
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let scale = |v: f64| {
            if self.log {
                v.max(f64::MIN_POSITIVE).ln()
            } else {
                v
            }
        };
        let (low, high) = (scale(self.low), scale(self.high));
        let share = if high > low {
            (scale(*value) - low) / (high - low)
        } else {
            0.0
        };
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold lines: the ticks. No light mesh lines.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.low..self.high
    }
}

/// The month axis: month `i` is centred on `i`; a label every month, or every other month (and
/// so on) when there are too many to fit.
fn month_axis(n_months: usize) -> Axis {
    let step = n_months.div_ceil(13).max(1);
    let key_points: Vec<f64> = (0..n_months).step_by(step).map(|i| i as f64).collect();
    Axis::linear(-0.5, n_months.max(1) as f64 - 0.5, key_points)
}

/// A rounded-up axis top and its ticks: 0, step, 2 × step, … with a step of 1, 2 or 5 × 10^k
/// giving about five intervals, never less than `min_step`.
fn nice_ticks(max_value: f64, min_step: f64) -> (f64, Vec<f64>) {
    let max_value = if max_value.is_finite() && max_value > 0.0 {
        max_value
    } else {
        1.0
    };
    let raw = max_value / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|factor| factor * magnitude)
        .find(|&step| step >= raw)
        .unwrap_or(10.0 * magnitude)
        .max(min_step);
    let intervals = (max_value / step).ceil().max(1.0);
    let top = intervals * step;
    let ticks = (0..=intervals as usize).map(|i| i as f64 * step).collect();
    (top, ticks)
}

/// Split off the legend column on the right.
fn with_legend<DB: DrawingBackend>(area: &Area<DB>) -> (Area<DB>, Area<DB>) {
    let (width, _) = area.dim_in_pixel();
    area.split_horizontally(width.saturating_sub(LEGEND_WIDTH))
}

fn draw_message<DB: DrawingBackend>(area: &Area<DB>, message: &str) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    area.draw_text(
        message,
        &centered(text(20.0)).color(&MUTED_TEXT),
        (width as i32 / 2, height as i32 / 2),
    )
}

/// `label` shortened with an ellipsis so it fits in `max_width` pixels.
fn fit<DB: DrawingBackend>(
    area: &Area<DB>,
    label: &str,
    style: &TextStyle,
    max_width: u32,
) -> Result<String, DrawingAreaErrorKind<DB::ErrorType>> {
    if area.estimate_text_size(label, style)?.0 <= max_width {
        return Ok(label.to_string());
    }
    let chars: Vec<char> = label.chars().collect();
    let (mut low, mut high) = (0, chars.len());
    // The longest prefix that fits with the ellipsis, by bisection.
    while low < high {
        let mid = (low + high).div_ceil(2);
        let candidate: String = chars[..mid]
            .iter()
            .collect::<String>()
            .trim_end()
            .to_string()
            + "…";
        if area.estimate_text_size(&candidate, style)?.0 <= max_width {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    Ok(chars[..low]
        .iter()
        .collect::<String>()
        .trim_end()
        .to_string()
        + "…")
}

#[derive(Clone, Copy)]
enum Mark {
    Box,
    Line,
    /// A line through a point: filled, or hollow and faded where the evidence is weak.
    Point {
        weak: bool,
    },
}

/// A legend mark, 22 × 18 pixels, its top left corner at `(x, y)`.
fn draw_mark<DB: DrawingBackend>(
    area: &Area<DB>,
    color: RGBColor,
    mark: Mark,
    (x, y): (i32, i32),
) -> DrawResult<DB> {
    match mark {
        Mark::Box => area.draw(&Rectangle::new([(x, y), (x + 18, y + 18)], color.filled())),
        Mark::Line => area.draw(&PathElement::new(
            vec![(x, y + 9), (x + 22, y + 9)],
            color.stroke_width(3),
        )),
        Mark::Point { weak } => {
            let style = PointStyle::of(color, weak);
            area.draw(&PathElement::new(
                vec![(x, y + 9), (x + 22, y + 9)],
                style.line,
            ))?;
            area.draw(&Circle::new((x + 11, y + 9), POINT_RADIUS, style.fill))?;
            area.draw(&Circle::new((x + 11, y + 9), POINT_RADIUS, style.outline))
        }
    }
}

struct LegendEntry {
    label: String,
    color: RGBColor,
    mark: Mark,
}

/// `label` broken into lines at spaces so each fits in `max_width` pixels, at most
/// `max_lines` of them (the last shortened with an ellipsis if the label is longer still).
fn wrap<DB: DrawingBackend>(
    area: &Area<DB>,
    label: &str,
    style: &TextStyle,
    max_width: u32,
    max_lines: usize,
) -> Result<Vec<String>, DrawingAreaErrorKind<DB::ErrorType>> {
    let words: Vec<&str> = label.split_whitespace().collect();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for (index, word) in words.iter().enumerate() {
        let candidate = if current.is_empty() {
            (*word).to_string()
        } else {
            format!("{current} {word}")
        };
        if current.is_empty() || area.estimate_text_size(&candidate, style)?.0 <= max_width {
            current = candidate;
            continue;
        }
        if lines.len() + 1 == max_lines {
            // The last line allowed: the rest goes on it, shortened.
            let rest = format!("{current} {}", words[index..].join(" "));
            lines.push(fit(area, &rest, style, max_width)?);
            return Ok(lines);
        }
        lines.push(fit(area, &current, style, max_width)?);
        current = (*word).to_string();
    }
    if !current.is_empty() {
        lines.push(fit(area, &current, style, max_width)?);
    }
    Ok(lines)
}

/// A legend column: a heading, then one entry per series (its label wrapped on up to three
/// lines, fewer when the entries would not fit), then optional notes in grey.
fn draw_legend<DB: DrawingBackend>(
    area: &Area<DB>,
    heading: &str,
    entries: &[LegendEntry],
    notes: &[String],
) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let left = 16;
    let mut y = 24;
    area.draw_text(heading, &text(LEGEND_SIZE + 2.0), (left, y))?;
    y += 32;
    let style = text(LEGEND_SIZE);
    let line_height = 18;
    let label_width = width.saturating_sub(left as u32 + 40);
    // As many lines per label as the column has room for, from three down to one.
    let room = height as i32 - y - 30 * (notes.len() as i32 + 1);
    let mut wrapped = Vec::new();
    for max_lines in (1..=3).rev() {
        wrapped = entries
            .iter()
            .map(|entry| wrap(area, &entry.label, &style, label_width, max_lines))
            .collect::<Result<Vec<_>, _>>()?;
        let needed: i32 = wrapped
            .iter()
            .map(|lines| (lines.len().max(1) as i32 - 1) * line_height + 28)
            .sum();
        if needed <= room {
            break;
        }
    }
    for (entry, lines) in entries.iter().zip(&wrapped) {
        draw_mark(area, entry.color, entry.mark, (left, y))?;
        for (index, line) in lines.iter().enumerate() {
            area.draw_text(
                line,
                &style.pos(Pos::new(HPos::Left, VPos::Center)),
                (left + 30, y + 9 + index as i32 * line_height),
            )?;
        }
        y += 28 + (lines.len().max(1) as i32 - 1) * line_height;
    }
    y += 8;
    let note_style = text(LEGEND_SIZE - 2.0).color(&MUTED_TEXT);
    for note in notes {
        let note = fit(
            area,
            note,
            &note_style,
            width.saturating_sub(left as u32 + 8),
        )?;
        area.draw_text(&note, &note_style, (left, y))?;
        y += 22;
    }
    Ok(())
}

fn draw_stacked<DB: DrawingBackend>(area: &Area<DB>, spec: &StackedBars) -> DrawResult<DB> {
    let (plot, legend) = with_legend(area);
    let n_months = spec.months.len();
    let totals: Vec<f64> = (0..n_months)
        .map(|month| {
            spec.series
                .iter()
                .map(|series| series.values.get(month).copied().flatten().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max_total = totals.iter().copied().fold(0.0, f64::max);
    // Head room for the totals written above the bars.
    let (top, ticks) = nice_ticks(max_total * 1.08, 1.0);
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(month_axis(n_months), Axis::linear(0.0, top, ticks))?;
    let month_format = |x: &f64| month_label_at(&spec.months, *x);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&month_format)
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .x_desc("month")
        .y_desc(spec.y_desc.as_str())
        .label_style(text(LABEL_SIZE))
        .axis_desc_style(text(AXIS_DESC_SIZE))
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    if max_total <= 0.0 {
        draw_message(&plot, &spec.empty_message)?;
    }
    let mut bottoms = vec![0.0; n_months];
    for series in &spec.series {
        for (month, bottom) in bottoms.iter_mut().enumerate() {
            let value = series.values.get(month).copied().flatten().unwrap_or(0.0);
            if value <= 0.0 {
                continue;
            }
            let x = month as f64;
            let corners = [(x - 0.38, *bottom), (x + 0.38, *bottom + value)];
            chart.draw_series([Rectangle::new(corners, series.color.filled())])?;
            chart.draw_series([Rectangle::new(corners, WHITE.stroke_width(1))])?;
            *bottom += value;
        }
    }
    let value_style = text(VALUE_SIZE).pos(Pos::new(HPos::Center, VPos::Bottom));
    chart.draw_series(
        totals
            .iter()
            .enumerate()
            .filter(|(_, total)| **total > 0.0)
            .map(|(month, total)| {
                EmptyElement::at((month as f64, *total))
                    + Text::new(format!("{total:.0}"), (0, -3), value_style.clone())
            }),
    )?;
    let entries: Vec<LegendEntry> = spec
        .series
        .iter()
        .rev()
        .map(|series| LegendEntry {
            label: series.label.clone(),
            color: series.color,
            mark: Mark::Box,
        })
        .collect();
    draw_legend(
        &legend,
        &spec.legend_title,
        &entries,
        &["top of the stack first".to_string()],
    )
}

/// Log-scale ticks for durations, with readable labels.
const DURATION_TICKS: [(f64, &str); 17] = [
    (1.0 / 60.0, "1 min"),
    (5.0 / 60.0, "5 min"),
    (0.25, "15 min"),
    (0.5, "30 min"),
    (1.0, "1 h"),
    (2.0, "2 h"),
    (4.0, "4 h"),
    (8.0, "8 h"),
    (12.0, "12 h"),
    (24.0, "1 d"),
    (48.0, "2 d"),
    (96.0, "4 d"),
    (168.0, "1 w"),
    (336.0, "2 w"),
    (672.0, "4 w"),
    (1344.0, "8 w"),
    (2688.0, "16 w"),
];

fn duration_label(hours: f64) -> String {
    DURATION_TICKS
        .iter()
        .find(|(tick, _)| (tick / hours - 1.0).abs() < 1e-6)
        .map(|(_, label)| label.to_string())
        .unwrap_or_else(|| format!("{hours:.1} h"))
}

/// Contiguous runs of known values, as points.
fn runs(values: &[Option<f64>]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut current = Vec::new();
    for (month, value) in values.iter().enumerate() {
        match value {
            Some(value) if value.is_finite() => current.push((month as f64, *value)),
            _ if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            _ => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

fn draw_resolve<DB: DrawingBackend>(area: &Area<DB>, spec: &Resolve) -> DrawResult<DB> {
    let (plot, legend) = with_legend(area);
    let n_months = spec.months.len();
    let known: Vec<f64> = spec
        .median
        .iter()
        .chain(&spec.p90)
        .flatten()
        .copied()
        .filter(|hours| hours.is_finite() && *hours > 0.0)
        .collect();
    let (low, high) = if known.is_empty() {
        (1.0, 24.0)
    } else {
        let min = known.iter().copied().fold(f64::INFINITY, f64::min);
        let max = known.iter().copied().fold(0.0, f64::max);
        ((min / 1.8).max(1.0 / 120.0), (max * 1.8).max(min * 4.0))
    };
    let ticks: Vec<f64> = DURATION_TICKS
        .iter()
        .map(|(tick, _)| *tick)
        .filter(|tick| (low..=high).contains(tick))
        .collect();
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(month_axis(n_months), Axis::log(low, high, ticks))?;
    let month_format = |x: &f64| month_label_at(&spec.months, *x);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&month_format)
        .y_label_formatter(&|hours: &f64| duration_label(*hours))
        .x_desc("month the incident started")
        .y_desc("time to resolve (log scale)")
        .label_style(text(LABEL_SIZE))
        .axis_desc_style(text(AXIS_DESC_SIZE))
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    if known.is_empty() {
        draw_message(&plot, "No resolved incidents in this window")?;
    }
    let median_color = RGBColor(0x4E, 0x79, 0xA7);
    let p90_color = RGBColor(0xE1, 0x57, 0x59);
    for (values, color) in [(&spec.p90, p90_color), (&spec.median, median_color)] {
        for run in runs(values) {
            chart.draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(3)))?;
            chart.draw_series(run.iter().map(|&(month, hours)| {
                // Hollow markers where few incidents make the quantiles noisy.
                let few = spec.n.get(month as usize).is_some_and(|n| *n < 3);
                let style = if few { WHITE.filled() } else { color.filled() };
                EmptyElement::at((month, hours))
                    + Circle::new((0, 0), 5, style)
                    + Circle::new((0, 0), 5, color.stroke_width(2))
            }))?;
        }
    }
    let entries = [
        LegendEntry {
            label: "90th percentile".to_string(),
            color: p90_color,
            mark: Mark::Line,
        },
        LegendEntry {
            label: "median".to_string(),
            color: median_color,
            mark: Mark::Line,
        },
    ];
    let resolved: usize = spec.n.iter().sum();
    draw_legend(
        &legend,
        "Time to resolve",
        &entries,
        &[
            format!("{resolved} resolved incidents"),
            "hollow: fewer than 3 that month".to_string(),
            "quantiles, not means: durations".to_string(),
            "are skewed by a few long ones".to_string(),
        ],
    )
}

fn draw_follow_ups<DB: DrawingBackend>(area: &Area<DB>, spec: &FollowUpPanels) -> DrawResult<DB> {
    let (plots, legend) = with_legend(area);
    let (_, height) = plots.dim_in_pixel();
    let (upper, lower) = plots.split_vertically(height / 2);
    let n_months = spec.months.len();
    let opened_color = RGBColor(0x4E, 0x79, 0xA7);
    let closed_color = RGBColor(0x59, 0xA1, 0x4F);
    let open_color = RGBColor(0xF2, 0x8E, 0x2B);
    let overdue_color = RGBColor(0xE1, 0x57, 0x59);
    let month_format = |x: &f64| month_label_at(&spec.months, *x);

    let bar_max = spec
        .opened
        .iter()
        .chain(&spec.closed)
        .copied()
        .max()
        .unwrap_or(0) as f64;
    let (top, ticks) = nice_ticks(bar_max * 1.12, 1.0);
    let mut bars = ChartBuilder::on(&upper)
        .margin(10)
        .margin_bottom(4)
        .x_label_area_size(12)
        .y_label_area_size(70)
        .build_cartesian_2d(
            Axis::linear(-0.5, n_months.max(1) as f64 - 0.5, Vec::new()),
            Axis::linear(0.0, top, ticks),
        )?;
    bars.configure_mesh()
        .disable_x_mesh()
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .y_desc("per month")
        .label_style(text(LABEL_SIZE))
        .axis_desc_style(text(AXIS_DESC_SIZE))
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    let value_style = text(VALUE_SIZE - 1.0).pos(Pos::new(HPos::Center, VPos::Bottom));
    for (values, color, offset) in [
        (&spec.opened, opened_color, -0.2),
        (&spec.closed, closed_color, 0.2),
    ] {
        let bars_of = values.iter().enumerate().filter(|(_, count)| **count > 0);
        bars.draw_series(bars_of.clone().map(|(month, count)| {
            let x = month as f64 + offset;
            Rectangle::new([(x - 0.18, 0.0), (x + 0.18, *count as f64)], color.filled())
        }))?;
        bars.draw_series(bars_of.map(|(month, count)| {
            EmptyElement::at((month as f64 + offset, *count as f64))
                + Text::new(count.to_string(), (0, -2), value_style.clone())
        }))?;
    }

    let line_max = spec
        .open
        .iter()
        .chain(&spec.overdue)
        .flatten()
        .copied()
        .fold(0.0, f64::max);
    let (top, ticks) = nice_ticks(line_max * 1.08, 1.0);
    let mut lines = ChartBuilder::on(&lower)
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(70)
        .build_cartesian_2d(month_axis(n_months), Axis::linear(0.0, top, ticks))?;
    lines
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&month_format)
        .y_label_formatter(&|y: &f64| format!("{y:.0}"))
        .x_desc("month")
        .y_desc("at month end")
        .label_style(text(LABEL_SIZE))
        .axis_desc_style(text(AXIS_DESC_SIZE))
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    for (values, color) in [(&spec.open, open_color), (&spec.overdue, overdue_color)] {
        for run in runs(values) {
            lines.draw_series(LineSeries::new(run.iter().copied(), color.stroke_width(3)))?;
            lines.draw_series(
                run.iter()
                    .map(|&point| Circle::new(point, 4, color.filled())),
            )?;
        }
    }
    if bar_max <= 0.0 && line_max <= 0.0 {
        draw_message(&upper, "No follow-ups in this window")?;
    }
    let entries = [
        LegendEntry {
            label: "opened".to_string(),
            color: opened_color,
            mark: Mark::Box,
        },
        LegendEntry {
            label: "closed (done or won't do)".to_string(),
            color: closed_color,
            mark: Mark::Box,
        },
        LegendEntry {
            label: "open at month end".to_string(),
            color: open_color,
            mark: Mark::Line,
        },
        LegendEntry {
            label: "overdue at month end".to_string(),
            color: overdue_color,
            mark: Mark::Line,
        },
    ];
    draw_legend(
        &legend,
        "Follow-ups",
        &entries,
        &["top: per month; bottom: backlog".to_string()],
    )
}

/// The cell colour for a count, from pale to dark blue as `count / max` grows.
fn heat_color(count: usize, max: usize) -> RGBColor {
    if count == 0 || max == 0 {
        return RGBColor(0xF4, 0xF4, 0xF4);
    }
    let share = 0.15 + 0.85 * (count as f64 / max as f64);
    let blend = |light: u8, dark: u8| {
        (f64::from(light) + (f64::from(dark) - f64::from(light)) * share).round() as u8
    };
    RGBColor(blend(0xDE, 0x08), blend(0xEB, 0x30), blend(0xF7, 0x6B))
}

fn draw_heatmap<DB: DrawingBackend>(area: &Area<DB>, spec: &Heatmap) -> DrawResult<DB> {
    let n_months = spec.months.len();
    let n_rows = spec.rows.len();
    let label_width: u32 = 300;
    let label_style = text(LABEL_SIZE);
    let mut names = Vec::with_capacity(n_rows);
    for (row, total) in spec.rows.iter().zip(&spec.totals) {
        let suffix = format!(" ({total})");
        let suffix_width = area.estimate_text_size(&suffix, &label_style)?.0;
        names.push(
            fit(
                area,
                row,
                &label_style,
                (label_width - 16).saturating_sub(suffix_width),
            )? + &suffix,
        );
    }
    let row_points: Vec<f64> = (0..n_rows).map(|row| row as f64).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(30)
        .x_label_area_size(48)
        .y_label_area_size(label_width)
        .build_cartesian_2d(
            month_axis(n_months),
            Axis::linear(-0.5, n_rows.max(1) as f64 - 0.5, row_points),
        )?;
    let month_format = |x: &f64| month_label_at(&spec.months, *x);
    // The first row is drawn at the top.
    let row_format = |y: &f64| {
        let row = y.round();
        if row < 0.0 {
            String::new()
        } else {
            names
                .get(n_rows.saturating_sub(1 + row as usize))
                .cloned()
                .unwrap_or_default()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .x_label_formatter(&month_format)
        .y_label_formatter(&row_format)
        .x_desc("month")
        .label_style(label_style.clone())
        .axis_desc_style(text(AXIS_DESC_SIZE))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    if n_rows == 0 {
        return draw_message(area, &spec.empty_message);
    }
    let max = spec.counts.iter().flatten().copied().max().unwrap_or(0);
    let cells = spec.counts.iter().enumerate().flat_map(|(row, counts)| {
        let y = (n_rows - 1 - row) as f64;
        counts
            .iter()
            .enumerate()
            .map(move |(month, count)| (month as f64, y, *count))
    });
    chart.draw_series(cells.clone().map(|(x, y, count)| {
        Rectangle::new(
            [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
            heat_color(count, max).filled(),
        )
    }))?;
    chart.draw_series(cells.clone().map(|(x, y, _)| {
        Rectangle::new(
            [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
            WHITE.stroke_width(2),
        )
    }))?;
    let dark_text = centered(text(VALUE_SIZE + 1.0));
    let light_text = centered(text(VALUE_SIZE + 1.0)).color(&WHITE);
    chart.draw_series(
        cells
            .filter(|(_, _, count)| *count > 0)
            .map(|(x, y, count)| {
                let style = if count as f64 / max as f64 > 0.45 {
                    light_text.clone()
                } else {
                    dark_text.clone()
                };
                Text::new(count.to_string(), (x, y), style)
            }),
    )?;
    Ok(())
}

/// Height of one row of team panels, pixels.
const PANEL_HEIGHT: u32 = 265;
/// Height taken by the title, the key and the note above and below the panels, pixels.
const PANEL_CHROME: u32 = 110;
/// At most this many panels side by side.
const MAX_PANEL_COLUMNS: usize = 4;
const PANEL_TITLE_SIZE: f64 = 16.0;
const PANEL_LABEL_SIZE: f64 = 13.0;
/// Width of the labels left of each panel (`100%`, `40 due`).
const PANEL_Y_LABELS: u32 = 52;
/// Height of the strip of count bars under each panel's line, and of its month labels.
const STRIP_HEIGHT: u32 = 44;
const STRIP_X_LABELS: u32 = 22;
/// Space between a panel's line and its strip, so that `0%` and the strip's top label clear.
const STRIP_GAP: u32 = 14;
const KEY_HEIGHT: u32 = 30;
const NOTE_HEIGHT: u32 = 22;
const POINT_RADIUS: u32 = 4;
const BAR_COLOR: RGBColor = RGBColor(0xCC, 0xCC, 0xCC);

/// Columns and rows of a grid of `n` panels: at most [`MAX_PANEL_COLUMNS`] columns, as few
/// rows as that allows, and the panels spread evenly over those rows.
pub(super) fn panel_grid(n: usize) -> (usize, usize) {
    let rows = n.div_ceil(MAX_PANEL_COLUMNS).max(1);
    (n.div_ceil(rows).max(1), rows)
}

/// `color` blended most of the way to white.
fn faded(color: RGBColor) -> RGBColor {
    let blend = |c: u8| (f64::from(c) + (255.0 - f64::from(c)) * 0.55).round() as u8;
    RGBColor(blend(color.0), blend(color.1), blend(color.2))
}

/// How a point of a panel (and the line into it) is drawn: filled, or hollow and faded where
/// the evidence is weak.
struct PointStyle {
    line: ShapeStyle,
    fill: ShapeStyle,
    outline: ShapeStyle,
}

impl PointStyle {
    fn of(color: RGBColor, weak: bool) -> Self {
        if weak {
            let pale = faded(color);
            Self {
                line: pale.stroke_width(2),
                fill: WHITE.filled(),
                outline: pale.stroke_width(2),
            }
        } else {
            Self {
                line: color.stroke_width(3),
                fill: color.filled(),
                outline: color.stroke_width(1),
            }
        }
    }
}

/// A month axis with at most `max_labels` labelled months, evenly spaced and always the last.
fn sparse_month_axis(n_months: usize, max_labels: usize) -> Axis {
    let last = n_months.max(1) - 1;
    let step = if max_labels <= 1 || last == 0 {
        n_months.max(1)
    } else {
        last.div_ceil(max_labels - 1).max(1)
    };
    let mut ticks: Vec<f64> = (0..=last)
        .rev()
        .step_by(step)
        .map(|month| month as f64)
        .collect();
    ticks.reverse();
    Axis::linear(-0.5, last as f64 + 0.5, ticks)
}

/// A row of legend entries side by side, left to right, the last shortened if need be.
fn draw_key_row<DB: DrawingBackend>(area: &Area<DB>, entries: &[LegendEntry]) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let style = text(LEGEND_SIZE).pos(Pos::new(HPos::Left, VPos::Center));
    let y = height as i32 / 2 - 9;
    let mut x = 16;
    for entry in entries {
        draw_mark(area, entry.color, entry.mark, (x, y))?;
        x += 30;
        let room = (width as i32 - x - 8).max(0) as u32;
        let label = fit(area, &entry.label, &style, room)?;
        area.draw_text(&label, &style, (x, y + 9))?;
        x += area.estimate_text_size(&label, &style)?.0 as i32 + 36;
    }
    Ok(())
}

fn draw_team_panels<DB: DrawingBackend>(area: &Area<DB>, spec: &TeamPanels) -> DrawResult<DB> {
    let any = spec
        .panels
        .iter()
        .any(|panel| panel.values.iter().flatten().any(|value| value.is_finite()));
    if !any {
        return draw_message(area, &spec.empty_message);
    }
    let (width, height) = area.dim_in_pixel();
    let (key, rest) = area.split_vertically(KEY_HEIGHT);
    draw_key_row(
        &key,
        &[
            LegendEntry {
                label: spec.line_label.clone(),
                color: spec.color,
                mark: Mark::Point { weak: false },
            },
            LegendEntry {
                label: spec.bar_label.clone(),
                color: BAR_COLOR,
                mark: Mark::Box,
            },
            LegendEntry {
                label: spec.weak_label.clone(),
                color: spec.color,
                mark: Mark::Point { weak: true },
            },
        ],
    )?;
    let grid = if spec.hidden_teams > 0 {
        let (grid, note) = rest.split_vertically(height.saturating_sub(KEY_HEIGHT + NOTE_HEIGHT));
        let style = text(LEGEND_SIZE - 2.0)
            .color(&MUTED_TEXT)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let message = format!(
            "{} more teams, with fewer months of data, not shown",
            spec.hidden_teams
        );
        note.draw_text(&message, &style, (16, NOTE_HEIGHT as i32 / 2))?;
        grid
    } else {
        rest
    };
    let (columns, rows) = panel_grid(spec.panels.len());
    // One scale for the counts of every panel, so that their bars compare.
    let max_count = spec
        .panels
        .iter()
        .flat_map(|panel| &panel.counts)
        .copied()
        .max()
        .unwrap_or(0);
    let (count_top, _) = nice_ticks(max_count as f64, 1.0);
    // As many month labels as fit side by side in a panel, with room between them.
    let label_style = text(PANEL_LABEL_SIZE);
    let mut label_width = 0;
    for month in &spec.months {
        label_width = label_width.max(area.estimate_text_size(month, &label_style)?.0);
    }
    let plot_width = (width / columns as u32).saturating_sub(PANEL_Y_LABELS + 32);
    let max_labels = (plot_width / (label_width + 18).max(1)).max(1) as usize;
    for (panel, cell) in spec.panels.iter().zip(grid.split_evenly((rows, columns))) {
        draw_team_panel(&cell, spec, panel, count_top, max_labels)?;
    }
    Ok(())
}

fn draw_team_panel<DB: DrawingBackend>(
    cell: &Area<DB>,
    spec: &TeamPanels,
    panel: &TeamPanel,
    count_top: f64,
    max_labels: usize,
) -> DrawResult<DB> {
    let n_months = spec.months.len();
    let (width, _) = cell.dim_in_pixel();
    let title_style = text(PANEL_TITLE_SIZE);
    let title = fit(cell, &panel.title, &title_style, width.saturating_sub(24))?;
    let body = cell.margin(6, 4, 8, 24).titled(&title, title_style)?;
    let (_, body_height) = body.dim_in_pixel();
    let (upper, lower) = body
        .split_vertically(body_height.saturating_sub(STRIP_HEIGHT + STRIP_X_LABELS + STRIP_GAP));
    let label_style = text(PANEL_LABEL_SIZE);
    let quarters: Vec<f64> = (0..=4).map(|i| f64::from(i) * 25.0).collect();
    let mut share = ChartBuilder::on(&upper)
        .margin_top(4)
        .margin_bottom(4)
        .y_label_area_size(PANEL_Y_LABELS)
        .build_cartesian_2d(
            Axis::linear(-0.5, n_months.max(1) as f64 - 0.5, Vec::new()),
            Axis::linear(0.0, 104.0, quarters),
        )?;
    let percent = |y: &f64| {
        if y.rem_euclid(50.0) < 1e-9 {
            format!("{y:.0}%")
        } else {
            String::new()
        }
    };
    share
        .configure_mesh()
        .disable_x_mesh()
        .y_label_formatter(&percent)
        .label_style(label_style.clone())
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    let mut counts = ChartBuilder::on(&lower)
        .margin_top(STRIP_GAP)
        .x_label_area_size(STRIP_X_LABELS)
        .y_label_area_size(PANEL_Y_LABELS)
        .build_cartesian_2d(
            sparse_month_axis(n_months, max_labels),
            Axis::linear(0.0, count_top, vec![count_top]),
        )?;
    let month_format = |x: &f64| month_label_at(&spec.months, *x);
    let count_format = |y: &f64| format!("{y:.0} {}", spec.count_unit);
    counts
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&month_format)
        .y_label_formatter(&count_format)
        .label_style(label_style.clone())
        .bold_line_style(GRID_COLOR.stroke_width(1))
        .axis_style(AXIS_COLOR.stroke_width(1))
        .draw()?;
    counts.draw_series(
        panel
            .counts
            .iter()
            .enumerate()
            .filter(|(_, count)| **count > 0)
            .map(|(month, count)| {
                let x = month as f64;
                Rectangle::new(
                    [(x - 0.36, 0.0), (x + 0.36, *count as f64)],
                    BAR_COLOR.filled(),
                )
            }),
    )?;
    let point = |month: usize| {
        let value = panel.values.get(month).copied().flatten()?;
        let weak = panel.weak.get(month).copied().unwrap_or(false);
        value.is_finite().then_some((month as f64, value, weak))
    };
    // The faded segments (into or out of a weak point) first, so the others cross over them.
    for faded_pass in [true, false] {
        share.draw_series((1..n_months).filter_map(|month| {
            let (x0, y0, weak0) = point(month - 1)?;
            let (x1, y1, weak1) = point(month)?;
            let weak = weak0 || weak1;
            (weak == faded_pass).then(|| {
                PathElement::new(
                    vec![(x0, y0), (x1, y1)],
                    PointStyle::of(spec.color, weak).line,
                )
            })
        }))?;
    }
    share.draw_series((0..n_months).filter_map(point).map(|(x, y, weak)| {
        let style = PointStyle::of(spec.color, weak);
        EmptyElement::at((x, y))
            + Circle::new((0, 0), POINT_RADIUS, style.fill)
            + Circle::new((0, 0), POINT_RADIUS, style.outline)
    }))?;
    if (0..n_months).all(|month| point(month).is_none()) {
        draw_message(&upper, "nothing due")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_round_up_to_readable_steps() {
        assert_eq!(
            nice_ticks(23.0, 1.0),
            (25.0, vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0])
        );
        assert_eq!(nice_ticks(0.0, 1.0), (1.0, vec![0.0, 1.0]));
        assert_eq!(
            nice_ticks(3.0, 1.0).1,
            vec![0.0, 1.0, 2.0, 3.0],
            "counts never get fractional ticks"
        );
        assert_eq!(nice_ticks(140.0, 1.0).0, 150.0);
    }

    #[test]
    fn month_labels_only_on_whole_months() {
        let months = vec!["2025-01".to_string(), "2025-02".to_string()];
        assert_eq!(month_label_at(&months, 1.0), "2025-02");
        assert_eq!(month_label_at(&months, 0.5), "");
        assert_eq!(month_label_at(&months, -0.4), "");
        assert_eq!(month_label_at(&months, 7.0), "");
    }

    #[test]
    fn runs_split_at_gaps() {
        let values = [Some(1.0), None, Some(2.0), Some(3.0), Some(f64::NAN)];
        assert_eq!(
            runs(&values),
            vec![vec![(0.0, 1.0)], vec![(2.0, 2.0), (3.0, 3.0)]]
        );
    }

    #[test]
    fn durations_label_as_units() {
        assert_eq!(duration_label(24.0), "1 d");
        assert_eq!(duration_label(0.25), "15 min");
        assert_eq!(duration_label(3.0), "3.0 h");
    }

    #[test]
    fn heat_colors_darken_with_counts() {
        assert_eq!(heat_color(0, 5), RGBColor(0xF4, 0xF4, 0xF4));
        assert_eq!(heat_color(5, 5), RGBColor(0x08, 0x30, 0x6B));
        assert!(heat_color(2, 5).0 > heat_color(4, 5).0);
    }
}
