//! The canonical table as a polars [`DataFrame`], and Parquet (feature `polars`).
//!
//! This is the one place where recur-core's API names a polars type: the frames are built from
//! the same column definitions as the CSV output ([`crate::output::incident_columns`]), typed:
//! integers as `Int64`, numbers as `Float64`, timestamps as `Datetime(ms, UTC)`. Lists are text
//! joined with `"; "`, as in the CSV: polars writes list-of-string columns as Arrow
//! `list<string_view>`, which pandas (through pyarrow) cannot read, and the Parquet must open
//! in polars, pandas and DuckDB alike (`pl.col("teams").str.split("; ")` gives the list back).

use std::io::Write;

use polars::prelude::*;

use crate::model::Incident;
use crate::output::{
    Annotation, Cell, Column as TableColumn, all_follow_ups, follow_up_columns, incident_columns,
};

/// The incidents as a frame, one row per incident, with annotation columns appended.
pub fn incidents_frame(
    incidents: &[Incident],
    annotations: &[Annotation],
) -> PolarsResult<DataFrame> {
    table_frame(incidents, &incident_columns(), annotations)
}

/// The follow-ups of the incidents as a frame, one row per follow-up.
pub fn follow_ups_frame(incidents: &[Incident]) -> PolarsResult<DataFrame> {
    table_frame(&all_follow_ups(incidents), &follow_up_columns(), &[])
}

/// Write a frame as Parquet (zstd-compressed), readable by polars, pandas and DuckDB.
pub fn write_parquet<W: Write>(writer: W, frame: &mut DataFrame) -> PolarsResult<()> {
    ParquetWriter::new(writer)
        .with_compression(ParquetCompression::Zstd(None))
        .finish(frame)?;
    Ok(())
}

fn table_frame<T>(
    rows: &[T],
    columns: &[TableColumn<T>],
    annotations: &[Annotation],
) -> PolarsResult<DataFrame> {
    let mut out = Vec::with_capacity(columns.len() + annotations.len());
    for column in columns {
        let cells: Vec<Cell> = rows.iter().map(|row| (column.cell)(row)).collect();
        out.push(typed_column(column.name, &cells)?);
    }
    for annotation in annotations {
        if annotation.cells.len() != rows.len() {
            polars_bail!(ShapeMismatch: "annotation {:?} has {} cells for {} rows", annotation.name, annotation.cells.len(), rows.len());
        }
        out.push(typed_column(&annotation.name, &annotation.cells)?);
    }
    DataFrame::new(rows.len(), out)
}

/// Build one column from cells of one kind (the kind of the first cell; an empty column is text).
fn typed_column(name: &str, cells: &[Cell]) -> PolarsResult<Column> {
    let name = PlSmallStr::from_str(name);
    let column = match cells.first() {
        None | Some(Cell::Text(_)) => {
            let values: Vec<Option<&str>> = cells
                .iter()
                .map(|cell| match cell {
                    Cell::Text(text) => text.as_deref(),
                    _ => None,
                })
                .collect();
            Column::new(name, values)
        }
        Some(Cell::Int(_)) => {
            let values: Vec<Option<i64>> = cells
                .iter()
                .map(|cell| match cell {
                    Cell::Int(n) => *n,
                    _ => None,
                })
                .collect();
            Column::new(name, values)
        }
        Some(Cell::Float(_)) => {
            let values: Vec<Option<f64>> = cells
                .iter()
                .map(|cell| match cell {
                    Cell::Float(x) => *x,
                    _ => None,
                })
                .collect();
            Column::new(name, values)
        }
        Some(Cell::Time(_)) => {
            let values: Vec<Option<i64>> = cells
                .iter()
                .map(|cell| match cell {
                    Cell::Time(at) => at.map(|at| at.timestamp_millis()),
                    _ => None,
                })
                .collect();
            Column::new(name, values).cast(&DataType::Datetime(
                TimeUnit::Milliseconds,
                Some(TimeZone::UTC),
            ))?
        }
        Some(Cell::List(_)) => {
            let values: Vec<Option<String>> = cells
                .iter()
                .map(|cell| match cell {
                    Cell::List(items) if !items.is_empty() => Some(items.join("; ")),
                    _ => None,
                })
                .collect();
            Column::new(name, values)
        }
    };
    Ok(column)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{TimeZone as _, Utc};

    use super::*;
    use crate::model::FollowUp;

    fn incidents() -> Vec<Incident> {
        vec![
            Incident {
                id: "A".into(),
                severity: Some(1),
                started_at: Some(Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap()),
                services: vec!["api".into(), "db".into()],
                follow_ups: vec![FollowUp {
                    incident_id: "A".into(),
                    ..FollowUp::default()
                }],
                ..Incident::default()
            },
            Incident {
                id: "B".into(),
                ..Incident::default()
            },
        ]
    }

    #[test]
    fn frame_has_typed_columns() {
        let annotation = Annotation {
            name: "pattern_id".into(),
            cells: vec![Cell::Int(Some(4)), Cell::Int(None)],
        };
        let frame = incidents_frame(&incidents(), &[annotation]).unwrap();
        assert_eq!(frame.height(), 2);
        assert_eq!(frame.column("severity").unwrap().dtype(), &DataType::Int64);
        assert!(matches!(
            frame.column("started_at").unwrap().dtype(),
            DataType::Datetime(TimeUnit::Milliseconds, Some(_))
        ));
        let services = frame.column("services").unwrap().str().unwrap();
        assert_eq!((services.get(0), services.get(1)), (Some("api; db"), None));
        assert_eq!(
            frame.column("pattern_id").unwrap().i64().unwrap().get(0),
            Some(4)
        );
        assert_eq!(frame.column("id").unwrap().str().unwrap().get(1), Some("B"));
        assert_eq!(follow_ups_frame(&incidents()).unwrap().height(), 1);
    }

    #[test]
    fn parquet_round_trips() {
        let mut frame = incidents_frame(&incidents(), &[]).unwrap();
        let mut bytes = Vec::new();
        write_parquet(&mut bytes, &mut frame).unwrap();
        let back = ParquetReader::new(std::io::Cursor::new(bytes))
            .finish()
            .unwrap();
        assert_eq!(back.height(), 2);
        assert_eq!(
            back.column("started_at").unwrap().dtype(),
            frame.column("started_at").unwrap().dtype()
        );
        assert!(back.equals_missing(&frame));
    }
}
