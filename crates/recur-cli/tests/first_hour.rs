//! What a new user meets in the first hour: every command's help says what it does, the
//! bundled sample works from any directory, and `followups` filters say what they selected.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run `recur` in `dir`.
fn recur_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recur"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run recur")
}

fn recur(args: &[&str]) -> Output {
    recur_in(&root(), args)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(output: Output) -> Output {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

fn path(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn generate_writes_to_out_and_still_accepts_out_dir() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = dir.path().join("new");
    let old = dir.path().join("old");
    for (flag, out) in [("--out", &new), ("--out-dir", &old)] {
        let args = ["generate", "--n", "40", "--seed", "3", flag, path(out)];
        succeeded(recur(&args));
    }
    for file in [
        "sample/incidents.csv",
        "sample/follow_ups.csv",
        "truth/sample-truth.csv",
    ] {
        assert_eq!(read(&new.join(file)), read(&old.join(file)), "{file}");
    }
    assert_eq!(
        read(&new.join("truth/sample-truth.csv")).lines().count(),
        41
    );
    let help = text(&succeeded(recur(&["generate", "--help"])).stdout);
    assert!(help.contains("--out <DIR>"), "{help}");
}

/// The help of the input argument promises the bundled sample; `normalize` keeps the promise,
/// from a directory without any data.
#[test]
fn normalize_without_input_normalizes_the_embedded_sample_from_any_directory() {
    let help = text(&succeeded(recur(&["normalize", "--help"])).stdout);
    assert!(help.contains("bundled sample"), "{help}");
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let embedded = succeeded(recur_in(
        elsewhere.path(),
        &["normalize", "--out", "sample.csv"],
    ));
    let out = tempfile::tempdir().expect("tempdir");
    let from_disk = out.path().join("sample.csv");
    let disk = succeeded(recur(&[
        "normalize",
        "data/sample/incidents.csv",
        "data/sample/platform.jsonl",
        "data/sample/postmortems",
        "--follow-ups",
        "data/sample/follow_ups.csv",
        "--out",
        path(&from_disk),
    ]));
    // The same files under the same names: the same table, the same rejections, the same
    // accounting, byte for byte.
    for (embedded_file, disk_file) in [
        ("sample.csv", "sample.csv"),
        ("sample.follow_ups.csv", "sample.follow_ups.csv"),
        ("sample.rejected.csv", "sample.rejected.csv"),
    ] {
        assert_eq!(
            read(&elsewhere.path().join(embedded_file)),
            read(&out.path().join(disk_file)),
            "{embedded_file}"
        );
    }
    let accounting = |output: &Output| {
        text(&output.stderr)
            .lines()
            .find(|line| line.contains("records read"))
            .map(str::to_owned)
            .expect("accounting line")
    };
    assert_eq!(accounting(&embedded), accounting(&disk));
    assert!(
        accounting(&embedded).starts_with("4"),
        "hundreds of records: {}",
        accounting(&embedded)
    );
}

#[test]
fn review_without_input_works_from_any_directory_with_the_sample_roster() {
    let elsewhere = tempfile::tempdir().expect("tempdir");
    succeeded(recur_in(
        elsewhere.path(),
        &["review", "--as-of", "2026-11-01", "--out", "out"],
    ));
    let out = tempfile::tempdir().expect("tempdir");
    succeeded(recur(&[
        "review",
        "data/sample/incidents.csv",
        "data/sample/platform.jsonl",
        "data/sample/postmortems",
        "--follow-ups",
        "data/sample/follow_ups.csv",
        "--roster",
        "data/roster.csv",
        "--as-of",
        "2026-11-01",
        "--out",
        path(out.path()),
    ]));
    for file in ["report.json", "report.md", "overdue_follow_ups.csv"] {
        assert_eq!(
            read(&elsewhere.path().join("out").join(file)),
            read(&out.path().join(file)),
            "{file}: the embedded sample and the files on disk give the same review"
        );
    }
}

#[test]
fn follow_ups_without_incidents_is_an_input_error() {
    let output = recur(&["review", "--follow-ups", "data/sample/follow_ups.csv"]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("--follow-ups needs INPUT"),
        "{}",
        text(&output.stderr)
    );
}

fn followups_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["followups", "--as-of", "2026-11-01", "--format", "json"];
    all.extend_from_slice(args);
    let output = succeeded(recur(&all));
    serde_json::from_slice(&output.stdout).expect("json")
}

fn count(json: &serde_json::Value, key: &str) -> usize {
    json[key]
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or_else(|| panic!("{key} in {json}"))
}

fn items<'a>(json: &'a serde_json::Value, key: &str) -> &'a Vec<serde_json::Value> {
    json[key].as_array().unwrap_or_else(|| panic!("{key}"))
}

#[test]
fn an_owner_filter_counts_only_that_owners_follow_ups() {
    let everyone = followups_json(&[]);
    let laura = followups_json(&["--owner", "laura nowak"]);
    let overdue = items(&laura, "overdue_items");
    assert!(!overdue.is_empty(), "the sample has overdue items for her");
    assert!(overdue.iter().all(|item| item["owner"] == "Laura Nowak"));
    assert_eq!(count(&laura, "overdue"), overdue.len());
    assert_eq!(
        items(&laura, "overdue_by_owner"),
        &vec![serde_json::json!(["Laura Nowak", overdue.len()])]
    );
    let open = items(&laura, "open_not_due_items");
    assert!(open.iter().all(|item| item["owner"] == "Laura Nowak"));
    assert_eq!(count(&laura, "open"), overdue.len() + open.len());
    // 18 follow-ups of the sample's follow-up file are hers, and more come nested in the
    // other exports.
    assert!(count(&laura, "total") >= 18, "{laura}");
    assert!(count(&laura, "total") < count(&everyone, "total"));
    assert!(count(&laura, "overdue") < count(&everyone, "overdue"));
    let teams_overdue: usize = items(&laura, "overdue_by_team")
        .iter()
        .map(|pair| {
            pair[1]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .expect("count")
        })
        .sum();
    assert_eq!(teams_overdue, overdue.len());
}

#[test]
fn a_team_filter_counts_only_that_teams_follow_ups() {
    let everyone = followups_json(&[]);
    let identity = followups_json(&["--team", "IDENTITY"]);
    let overdue = items(&identity, "overdue_items");
    assert!(overdue.iter().all(|item| item["team"] == "identity"));
    assert_eq!(count(&identity, "overdue"), overdue.len());
    assert!(count(&identity, "total") < count(&everyone, "total"));
}

#[test]
fn an_unknown_owner_or_team_is_an_input_error_that_suggests_the_name() {
    let output = recur(&["followups", "--as-of", "2026-11-01", "--owner", "Laura"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{}", text(&output.stdout));
    assert!(
        text(&output.stderr)
            .contains("error: no follow-ups for owner 'Laura'; did you mean 'Laura Nowak'?"),
        "{}",
        text(&output.stderr)
    );
    let output = recur(&["followups", "--as-of", "2026-11-01", "--team", "paymnets"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr)
            .contains("no follow-ups for team 'paymnets'; did you mean 'payments'?"),
        "{}",
        text(&output.stderr)
    );
}

/// Open follow-ups that are not yet due are in every format, and the same ones.
#[test]
fn open_follow_ups_not_yet_due_appear_in_every_format() {
    let as_of = "2026-06-01";
    let json: serde_json::Value = serde_json::from_slice(
        &succeeded(recur(&["followups", "--as-of", as_of, "--format", "json"])).stdout,
    )
    .expect("json");
    let open: Vec<&str> = items(&json, "open_not_due_items")
        .iter()
        .map(|item| item["id"].as_str().expect("id"))
        .collect();
    assert!(
        !open.is_empty(),
        "the sample has follow-ups due after {as_of}"
    );
    assert!(
        items(&json, "open_not_due_items")
            .iter()
            .all(|item| { item["days_until_due"].as_i64().is_none_or(|days| days >= 0) })
    );

    let csv_output = succeeded(recur(&["followups", "--as-of", as_of, "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(csv_output.stdout.as_slice());
    let headers = reader.headers().expect("header").clone();
    let state = headers
        .iter()
        .position(|h| h == "state")
        .expect("state column");
    let id = headers.iter().position(|h| h == "id").expect("id column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let csv_open: Vec<&str> = rows
        .iter()
        .filter(|row| &row[state] == "open")
        .map(|row| &row[id])
        .collect();
    assert_eq!(csv_open, open);
    let csv_overdue = rows.iter().filter(|row| &row[state] == "overdue").count();
    assert_eq!(csv_overdue, items(&json, "overdue_items").len());

    let text_output = text(&succeeded(recur(&["followups", "--as-of", as_of])).stdout);
    let (_, open_section) = text_output
        .split_once("open, not yet due:\n")
        .expect("an open section");
    for id in &open {
        assert!(
            open_section.contains(&format!(" {id} ")),
            "{id} in\n{open_section}"
        );
    }
}

#[test]
fn the_checks_summary_speaks_of_one_report_in_the_singular() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("INC-1.md");
    std::fs::write(
        &report,
        "---\nid: INC-1\ntitle: Checkout returned errors\nseverity: SEV3\nstarted_at: 2026-10-02T10:00:00Z\n---\n",
    )
    .expect("write");
    let output = recur(&["check", path(&report)]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("1 report checked: "), "{stdout}");
}
