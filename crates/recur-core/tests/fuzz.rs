//! Property tests of the readers and value parsers: whatever the text, the normalizer does not
//! panic, every record read is accounted for, and every place it reports is a real line of the
//! input. Inputs are built from fragments that real exports and postmortems are made of
//! (delimiters, quotes, every kind of line ending, front matter, headings, checklists, tables,
//! dates), so that the cases reach deep into the readers rather than failing at the first byte.
//!
//! Bounded: a few hundred cases per property, a few seconds in all, so CI runs it on every
//! change. `PROPTEST_CASES` raises the count for a longer local run.

use proptest::prelude::*;
use recur_core::normalize::values::{list, severity, status, text, time};
use recur_core::normalize::{Format, NormalizeOptions, normalize_str};

/// Fragments of CSV, JSON Lines and Markdown inputs, with every kind of line ending.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    ",",
    "\"",
    "\"\"",
    "id",
    "title",
    "Incident ID",
    "severity",
    "Sev",
    "started_at",
    "resolved_at",
    "follow_ups",
    "INC-1",
    "INC-2",
    "SEV2",
    "-1",
    "P1",
    "2025-03-04T10:22:00Z",
    "1628-05-01",
    "0001-01-01",
    "31/02/2025",
    "03/04/2025 10:00",
    "{",
    "}",
    "[",
    "]",
    ":",
    "{\"id\": \"J-1\", \"title\": \"x\"}",
    "{\"id\": 1, \"action_items\": [{\"title\": \"a\"}]}",
    "---",
    "# ",
    "## Root cause",
    "## Action items",
    "- [ ] ",
    "- [x] ",
    "@ana",
    "due 2025-10-15",
    "OPS-88",
    "**Severity:** ",
    "Owner: ",
    "| Action | Owner | Due |",
    "|---|---|---|",
    "| a | b | 2025-01-01 |",
    "<!-- hint -->",
    "<!--",
    "```",
    "[PR 1](https://x.example/1)",
    "é",
    "â€™",
    "\u{feff}",
    " ",
    "\t",
];

fn input() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|parts| parts.concat())
}

fn format() -> impl Strategy<Value = Format> {
    prop::sample::select(vec![
        Format::Csv,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
    ])
}

/// Lines of a text as an editor counts them: `\n`, `\r\n` and a lone `\r` each end one.
fn line_count(text: &str) -> usize {
    let breaks = text.replace("\r\n", "\n").replace('\r', "\n");
    breaks.split('\n').count()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn readers_account_for_every_record_and_name_real_lines(text in input(), format in format()) {
        let out = normalize_str("fuzz", &text, Some(format), &NormalizeOptions::default());
        prop_assert!(out.accounting.balances(), "{:?}", out.accounting);
        let lines = line_count(&text);
        let places = out
            .incidents
            .iter()
            .map(|incident| &incident.source)
            .chain(out.rejected.iter().map(|rejected| &rejected.source))
            .chain(out.warnings.iter().map(|warning| &warning.source));
        for source in places {
            if let Some(line) = source.line {
                prop_assert!((1..=lines).contains(&line), "line {line} of {lines}: {source:?}");
            }
        }
        for error in &out.errors {
            if let Some(line) = error.line {
                prop_assert!((1..=lines).contains(&line), "line {line} of {lines}: {error}");
            }
        }
        let skipped = out
            .rejected
            .iter()
            .filter(|rejected| rejected.reason.starts_with("skipped:"))
            .count();
        prop_assert_eq!(skipped, out.accounting.skipped);
        for merge in &out.merges {
            prop_assert!(out.incidents.iter().any(|incident| incident.id == merge.id));
        }
    }

    #[test]
    fn value_parsers_never_panic(value in input()) {
        let _ = time::parse_timestamp(&value, time::DateOrder::DayFirst, chrono_tz::UTC);
        let _ = time::parse_timestamp(&value, time::DateOrder::MonthFirst, chrono_tz::Europe::Paris);
        let _ = severity::parse_severity(&value);
        let _ = status::parse_incident_status(&value);
        let _ = status::parse_follow_up_status(&value);
        let _ = list::split_list(&value);
        let _ = text::clean_text(&value);
        let _ = text::repair_mojibake(&value);
    }

    #[test]
    fn value_parsers_never_panic_on_any_text(value in any::<String>()) {
        let _ = time::parse_timestamp(&value, time::DateOrder::MonthFirst, chrono_tz::UTC);
        let _ = severity::parse_severity(&value);
        let _ = text::clean_text(&value);
        let _ = text::repair_mojibake(&value);
        let out = normalize_str("any.md", &value, None, &NormalizeOptions::default());
        prop_assert!(out.accounting.balances());
    }

    #[test]
    fn a_parsed_severity_is_on_the_scale(value in input()) {
        if let Ok(level) = severity::parse_severity(&value) {
            prop_assert!((1..=5).contains(&level));
        }
    }
}
