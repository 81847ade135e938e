//! The review's full memberships as tables, whatever its size: every recurrence pair
//! (`recurrences.parquet`) and every incident of every reported factor
//! (`incident_factors.parquet`), beside `incidents.parquet` (incident → pattern). A
//! `report.json` of a large review keeps only examples of these lists
//! ([`crate::report::summarize_for_json`]); these tables keep them all. Columns are documented
//! in `docs/report-json.md`. Returns frames and bytes; the caller writes the files.

use std::io::Write;

use polars::prelude::{Column, DataFrame, PolarsError};

use crate::review::Review;

/// The table files that hold the full lists, as named in `report.json`'s `summarized`.
pub const FULL_TABLES: [&str; 3] = [
    "incidents.parquet",
    "recurrences.parquet",
    "incident_factors.parquet",
];

/// Every recurrence of the review, in its order: `incident_id`, `earlier_incident_id`,
/// `pattern_id`, `pattern_label`, `similarity`, `text_similarity`, `days_between`,
/// `in_period`, and `shared_terms`, `shared_services`, `open_follow_up_ids` (`"; "`-joined, as
/// in `incidents.parquet`).
pub fn recurrences_frame(review: &Review) -> Result<DataFrame, PolarsError> {
    let rows = &review.recurrences;
    let text = |pick: fn(&crate::review::RecurrenceReport) -> &str| -> Vec<String> {
        rows.iter().map(|row| pick(row).to_owned()).collect()
    };
    let joined = |pick: fn(&crate::review::RecurrenceReport) -> &[String]| -> Vec<String> {
        rows.iter().map(|row| pick(row).join("; ")).collect()
    };
    DataFrame::new(
        rows.len(),
        vec![
            Column::new("incident_id".into(), text(|r| &r.incident_id)),
            Column::new(
                "earlier_incident_id".into(),
                text(|r| &r.earlier_incident_id),
            ),
            Column::new("pattern_id".into(), text(|r| &r.pattern_id)),
            Column::new("pattern_label".into(), text(|r| &r.pattern_label)),
            Column::new(
                "similarity".into(),
                rows.iter()
                    .map(|r| f64::from(r.similarity))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "text_similarity".into(),
                rows.iter()
                    .map(|r| f64::from(r.text_similarity))
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "days_between".into(),
                rows.iter().map(|r| r.days_between).collect::<Vec<_>>(),
            ),
            Column::new(
                "in_period".into(),
                rows.iter().map(|r| r.in_period).collect::<Vec<_>>(),
            ),
            Column::new(
                "shared_terms".into(),
                rows.iter()
                    .map(|row| row.shared_terms.join("; "))
                    .collect::<Vec<_>>(),
            ),
            Column::new("shared_services".into(), joined(|r| &r.shared_services)),
            Column::new(
                "open_follow_up_ids".into(),
                joined(|r| &r.open_follow_up_ids),
            ),
        ],
    )
}

/// One row per incident and reported factor (the factors of `report.json`, most incidents
/// first; each factor's incidents in input order): `incident_id`, `factor` (its display name),
/// `concept` (the catalogue id, null for an unclassified factor), `cross_cutting`.
pub fn incident_factors_frame(review: &Review) -> Result<DataFrame, PolarsError> {
    let n_rows: usize = review.factors.iter().map(|f| f.incident_ids.len()).sum();
    let mut incident_id = Vec::with_capacity(n_rows);
    let mut factor = Vec::with_capacity(n_rows);
    let mut concept = Vec::with_capacity(n_rows);
    let mut cross_cutting = Vec::with_capacity(n_rows);
    for report in &review.factors {
        for id in &report.incident_ids {
            incident_id.push(id.clone());
            factor.push(report.factor.clone());
            concept.push(report.concept.clone());
            cross_cutting.push(report.cross_cutting);
        }
    }
    DataFrame::new(
        n_rows,
        vec![
            Column::new("incident_id".into(), incident_id),
            Column::new("factor".into(), factor),
            Column::new("concept".into(), concept),
            Column::new("cross_cutting".into(), cross_cutting),
        ],
    )
}

/// [`recurrences_frame`] as Parquet.
pub fn write_recurrences_parquet<W: Write>(writer: W, review: &Review) -> Result<(), PolarsError> {
    recur_core::frame::write_parquet(writer, &mut recurrences_frame(review)?)
}

/// [`incident_factors_frame`] as Parquet.
pub fn write_incident_factors_parquet<W: Write>(
    writer: W,
    review: &Review,
) -> Result<(), PolarsError> {
    recur_core::frame::write_parquet(writer, &mut incident_factors_frame(review)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::{JsonLimits, summarize_for_json};
    use crate::review::tests::sample_review;

    #[test]
    fn the_recurrence_table_has_every_pair_with_its_evidence() {
        let review = sample_review();
        assert!(!review.recurrences.is_empty(), "the sample has recurrences");
        let frame = recurrences_frame(&review).unwrap();
        assert_eq!(frame.height(), review.recurrences.len());
        let first = &review.recurrences[0];
        let ids = frame.column("incident_id").unwrap().str().unwrap();
        let earlier = frame.column("earlier_incident_id").unwrap().str().unwrap();
        let terms = frame.column("shared_terms").unwrap().str().unwrap();
        assert_eq!(ids.get(0), Some(first.incident_id.as_str()));
        assert_eq!(earlier.get(0), Some(first.earlier_incident_id.as_str()));
        assert_eq!(terms.get(0), Some(first.shared_terms.join("; ").as_str()));
        let similarity = frame.column("similarity").unwrap().f64().unwrap();
        assert!((similarity.get(0).unwrap() - f64::from(first.similarity)).abs() < 1e-6);
    }

    #[test]
    fn the_factor_table_has_a_row_per_incident_and_factor() {
        let review = sample_review();
        let frame = incident_factors_frame(&review).unwrap();
        let expected: usize = review.factors.iter().map(|f| f.incident_ids.len()).sum();
        assert!(expected > 0);
        assert_eq!(frame.height(), expected);
        let factor = frame.column("factor").unwrap().str().unwrap();
        let concept = frame.column("concept").unwrap().str().unwrap();
        let first = &review.factors[0];
        assert_eq!(factor.get(0), Some(first.factor.as_str()));
        assert_eq!(concept.get(0), first.concept.as_deref());
    }

    #[test]
    fn a_large_review_keeps_examples_in_json_and_everything_in_the_tables() {
        let mut review = sample_review();
        let full = review.clone();
        // Nothing is cut up to the limit.
        assert!(!summarize_for_json(&mut review, &JsonLimits::default()));
        assert!(review.summarized.is_none());
        let limits = JsonLimits {
            full_up_to: 10,
            example_ids: 2,
            items: 3,
        };
        let table_rows = recurrences_frame(&full).unwrap().height();
        assert!(summarize_for_json(&mut review, &limits));
        let summary = review.summarized.clone().unwrap();
        assert_eq!(summary.incidents, full.pattern_of.len());
        assert_eq!(summary.recurrences, full.recurrences.len());
        assert_eq!(table_rows, full.recurrences.len());
        assert_eq!(review.recurrences.len(), full.recurrences.len().min(3));
        // The period's recurrences come first among those kept, in their order.
        let in_period: Vec<&str> = full
            .recurrences
            .iter()
            .filter(|r| r.in_period)
            .map(|r| r.incident_id.as_str())
            .take(3)
            .collect();
        let kept_in_period: Vec<&str> = review
            .recurrences
            .iter()
            .filter(|r| r.in_period)
            .map(|r| r.incident_id.as_str())
            .collect();
        assert_eq!(kept_in_period, in_period);
        for (cut, whole) in review.patterns.iter().zip(&full.patterns) {
            assert_eq!(cut.size, whole.size);
            assert_eq!(
                cut.incident_ids,
                whole.incident_ids[..whole.incident_ids.len().min(2)]
            );
        }
        for (cut, whole) in review.factors.iter().zip(&full.factors) {
            assert_eq!(cut.incidents, whole.incidents);
            assert!(cut.incident_ids.len() <= 2);
        }
        assert!(review.follow_ups.overdue_items.len() <= 3);
        assert_eq!(summary.overdue_items, full.follow_ups.overdue_items.len());
        let json = crate::report::render_json(&review).unwrap();
        assert!(json.contains("\"summarized\""));
        assert!(json.contains("recurrences.parquet"));
        assert!(
            !crate::report::render_json(&full)
                .unwrap()
                .contains("\"summarized\"")
        );
    }
}
