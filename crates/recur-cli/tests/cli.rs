//! The `recur` binary as a user runs it: on the bundled sample, on fixtures, and on what it
//! writes (Parquet read back by polars, pandas and DuckDB; the notebook executed headless).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn recur(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recur"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run recur")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The Python the tests run: `RECUR_PYTHON` (set by `bash scripts/test` to the project
/// virtualenv that it fills from notebooks/requirements.txt), else `.venv/bin/python` when that
/// virtualenv exists, else `python3`.
fn python_interpreter() -> PathBuf {
    if let Some(python) = std::env::var_os("RECUR_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(python);
    }
    let venv = root().join(".venv/bin/python");
    if venv.exists() {
        return venv;
    }
    PathBuf::from("python3")
}

fn python(args: &[&str]) -> Output {
    let interpreter = python_interpreter();
    let output = Command::new(&interpreter)
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run {} ({error}): run `bash scripts/test`, which makes the virtualenv \
                 .venv with notebooks/requirements.txt, or set RECUR_PYTHON to a Python that has them",
                interpreter.display()
            )
        });
    assert!(
        output.status.success(),
        "{} {args:?} failed (run `bash scripts/test`, which makes the virtualenv .venv with \
         notebooks/requirements.txt, or set RECUR_PYTHON to a Python that has them):\n{}{}",
        interpreter.display(),
        text(&output.stdout),
        text(&output.stderr)
    );
    output
}

fn review(out: &Path) -> Output {
    let output = recur(&[
        "review",
        "--as-of",
        "2026-11-01",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    output
}

#[test]
fn normalize_csv_with_separate_follow_ups_writes_the_table_and_the_rejected_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("incidents.csv");
    let output = recur(&[
        "normalize",
        "data/sample/incidents.csv",
        "--follow-ups",
        "data/sample/follow_ups.csv",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let accounting = stderr
        .lines()
        .find(|l| l.contains("records read"))
        .expect("accounting line");
    // records read = accepted + rejected + merged, as printed.
    let numbers: Vec<usize> = accounting
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert_eq!(
        numbers[0],
        numbers[1] + numbers[2] + numbers[3],
        "{accounting}"
    );
    assert_eq!(numbers[2], 3, "the three planted bad rows: {accounting}");
    assert_eq!(numbers[3], 2, "the two planted duplicates: {accounting}");
    let rows = csv::Reader::from_path(&out)
        .expect("table")
        .records()
        .count();
    assert_eq!(rows, numbers[1]);
    let follow_ups =
        std::fs::read_to_string(dir.path().join("incidents.follow_ups.csv")).expect("follow-ups");
    assert!(follow_ups.lines().count() > 100);
    let rejected =
        std::fs::read_to_string(dir.path().join("incidents.rejected.csv")).expect("rejected");
    assert!(
        rejected.contains("yesterday") && rejected.contains("catastrophic-ish"),
        "{rejected}"
    );
}

#[test]
fn normalize_to_parquet_opens_in_polars_pandas_and_duckdb() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("sample.parquet");
    let output = recur(&[
        "normalize",
        "data/sample/incidents.csv",
        "data/sample/platform.jsonl",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let accepted: usize = stdout
        .split_once(" incidents")
        .and_then(|(before, _)| before.rsplit(['(', ' ']).next())
        .and_then(|n| n.parse().ok())
        .expect("count of incidents");
    python(&[
        "notebooks/check_parquet.py",
        out.to_str().expect("utf-8"),
        &accepted.to_string(),
    ]);
    assert!(dir.path().join("sample.follow_ups.parquet").exists());
}

#[test]
fn normalize_refuses_an_unknown_output_extension() {
    let output = recur(&["normalize", "data/sample/incidents.csv", "--out", "x.xlsx"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains(".csv, .jsonl or .parquet"));
}

#[test]
fn review_of_the_sample_is_complete_deterministic_and_the_notebook_runs() {
    let first = tempfile::tempdir().expect("tempdir");
    let second = tempfile::tempdir().expect("tempdir");
    review(first.path());
    review(second.path());
    let mut files = Vec::new();
    for entry in walk(first.path()) {
        let relative = entry
            .strip_prefix(first.path())
            .expect("prefix")
            .to_path_buf();
        let a = std::fs::read(&entry).expect("read");
        let b = std::fs::read(second.path().join(&relative)).expect("same file in the second run");
        assert!(a == b, "{} differs between two runs", relative.display());
        files.push(relative.display().to_string());
    }
    files.sort();
    for expected in [
        "report.md",
        "report.html",
        "report.json",
        "incidents.csv",
        "incidents.parquet",
        "recurrences.parquet",
        "incident_factors.parquet",
        "rejected.csv",
        "charts/incidents_by_pattern.png",
        "charts/incidents_by_pattern.svg",
        "charts/time_to_resolve.svg",
        "charts/follow_ups.png",
        "charts/contributing_factors.png",
        "charts/severity_mix.png",
        "charts/team_completion.png",
    ] {
        assert!(
            files.contains(&expected.to_owned()),
            "missing {expected}: {files:?}"
        );
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(first.path().join("report.json")).expect("json"),
    )
    .expect("valid JSON");
    for key in [
        "records_read",
        "incidents",
        "rejected",
        "merged",
        "follow_ups",
    ] {
        assert!(json["input"][key].is_u64(), "input.{key}");
    }
    let pattern = &json["patterns"][0];
    for key in [
        "id",
        "label",
        "terms",
        "size",
        "incident_ids",
        "teams",
        "services",
        "first_seen",
        "last_seen",
        "monthly_counts",
    ] {
        assert!(!pattern[key].is_null(), "patterns[0].{key}");
    }
    let factor = &json["factors"][0];
    for key in [
        "factor",
        "incidents",
        "patterns",
        "teams",
        "cross_cutting",
        "incident_ids",
    ] {
        assert!(!factor[key].is_null(), "factors[0].{key}");
    }
    let recurrence = &json["recurrences"][0];
    for key in [
        "incident_id",
        "earlier_incident_id",
        "similarity",
        "open_follow_up_ids",
    ] {
        assert!(!recurrence[key].is_null(), "recurrences[0].{key}");
    }
    for key in [
        "total",
        "open",
        "overdue",
        "done",
        "wont_do",
        "overdue_items",
    ] {
        assert!(!json["follow_ups"][key].is_null(), "follow_ups.{key}");
    }
    assert!(
        json["agenda"].as_array().is_some_and(|a| !a.is_empty()),
        "agenda"
    );
    assert!(
        json["audience"]["invite"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "audience"
    );
    assert!(
        json["factors"]
            .as_array()
            .expect("factors")
            .iter()
            .any(|f| f["cross_cutting"] == true
                && f["variants"]
                    .as_array()
                    .is_some_and(|v| v.iter().any(|v| v == "flaky tests"))),
        "the planted flaky-tests factor is cross-cutting"
    );
    let html = std::fs::read_to_string(first.path().join("report.html")).expect("html");
    assert!(
        html.contains("<svg") && !html.contains("<script"),
        "inline SVG, no scripts"
    );
    python(&[
        "notebooks/run_notebook.py",
        "notebooks/review.ipynb",
        first.path().to_str().expect("utf-8"),
    ]);
}

#[test]
fn review_without_csv_keeps_the_parquet_tables_and_a_whole_report_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let output = recur(&[
        "review",
        "--as-of",
        "2026-11-01",
        "--no-csv",
        "--out",
        dir.path().to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert!(!dir.path().join("incidents.csv").exists());
    for table in [
        "incidents.parquet",
        "recurrences.parquet",
        "incident_factors.parquet",
    ] {
        assert!(dir.path().join(table).exists(), "{table}");
    }
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("report.json")).expect("json"),
    )
    .expect("valid JSON");
    // 400 incidents: far below the summary size, so every list is whole.
    assert!(json.get("summarized").is_none());
    let pattern = &json["patterns"][0];
    assert_eq!(
        pattern["incident_ids"].as_array().map(Vec::len),
        pattern["size"].as_u64().map(|n| n as usize)
    );
}

#[test]
fn followups_fail_on_overdue_sets_the_exit_code() {
    let ok = recur(&["followups", "--as-of", "2024-01-01"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let nag = recur(&[
        "followups",
        "--as-of",
        "2026-11-01",
        "--fail-on-overdue",
        "--format",
        "csv",
    ]);
    assert_eq!(nag.status.code(), Some(1), "{}", text(&nag.stderr));
    let csv = text(&nag.stdout);
    assert!(
        csv.starts_with(
            "id,incident_id,title,owner,team,due_at,days_overdue,pattern_recurred_since"
        )
    );
    assert!(csv.lines().count() > 1);
}

#[test]
fn similar_lists_neighbours_with_shared_terms() {
    let output = recur(&["similar", "--id", "INC-1001", "--top", "3", "--json"]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows: serde_json::Value = serde_json::from_str(&text(&output.stdout)).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter().all(|r| r["id"] != "INC-1001"
            && r["shared_terms"].as_array().is_some_and(|t| !t.is_empty()))
    );
    let scores: Vec<f64> = rows.iter().filter_map(|r| r["score"].as_f64()).collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    let missing = recur(&["similar", "--id", "NOPE-1"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("no incident with id \"NOPE-1\""));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn review_refuses_a_bad_or_missing_factor_catalogue_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("team-factors.toml");
    std::fs::write(
        &bad,
        "[[concept]]\nid = \"Pager Load\"\nphrases = [\"pages\"]\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let out = out.to_str().expect("utf-8 path");
    for (file, expected) in [
        (
            bad.to_str().expect("utf-8 path"),
            "concept #1 has id \"Pager Load\"",
        ),
        (
            "no-such-factors.toml",
            "cannot read factor catalogue no-such-factors.toml",
        ),
    ] {
        let output = recur(&[
            "review",
            "--as-of",
            "2026-11-01",
            "--factors",
            file,
            "--out",
            out,
        ]);
        assert!(!output.status.success());
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert!(
            stderr.contains("team-factors.toml") || file.starts_with("no-such"),
            "{stderr}"
        );
    }
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn a_team_factor_catalogue_from_the_mapping_and_the_flag_extends_the_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("team.toml"),
        "[[concept]]\nid = \"pager-load\"\nname = \"Pager load\"\ndescription = \"Too many pages.\"\nphrases = [\"quarterly maintenance\"]\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("mapping.toml"), "factors = \"team.toml\"\n").expect("write");
    std::fs::write(
        dir.path().join("flag.toml"),
        "[[concept]]\nid = \"config-change\"\ndisabled = true\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("incidents.csv"),
        "id,title,started_at,teams,root_cause\n\
         A,Checkout down,2026-10-02T10:00:00Z,payments,The quarterly maintenance changed the config.\n\
         B,Search down,2026-10-03T10:00:00Z,search,Quarterly maintenance again; config change.\n\
         C,Login slow,2026-10-04T10:00:00Z,identity,A config change during quarterly maintenance.\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let path = |name: &str| {
        dir.path()
            .join(name)
            .to_str()
            .expect("utf-8 path")
            .to_owned()
    };
    let output = recur(&[
        "review",
        &path("incidents.csv"),
        "--mapping",
        &path("mapping.toml"),
        "--factors",
        &path("flag.toml"),
        "--as-of",
        "2026-11-01",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).expect("json"))
            .expect("valid JSON");
    let concepts: Vec<&str> = json["factors"]
        .as_array()
        .expect("factors")
        .iter()
        .filter_map(|f| f["concept"].as_str())
        .collect();
    assert!(concepts.contains(&"pager-load"), "{concepts:?}");
    assert!(
        !concepts.contains(&"config-change"),
        "disabled by --factors: {concepts:?}"
    );
    assert_eq!(json["factors"][0]["evidence"][0]["incident_id"], "A");
}

#[test]
fn evaluate_scores_the_sample_against_its_truth() {
    let output = recur(&[
        "evaluate",
        "--truth-file",
        "data/truth/sample-truth.csv",
        "--format",
        "json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let nmi = report["evaluation"]["nmi"].as_f64().expect("nmi");
    let ami = report["evaluation"]["ami"].as_f64().expect("ami");
    assert!(
        nmi > 0.95 && ami > 0.9 && ami <= nmi,
        "NMI {nmi}, AMI {ami}"
    );
    assert_eq!(report["truth_ids_not_read"], 0);
    let recurrences = &report["recurrences"];
    assert!(recurrences["known"].as_u64().expect("known") >= 20);
    // A recurrence accuses a follow-up: every one the sample's review claims is planted (the
    // one-off on internal-dns that the DNS pattern holds is not claimed).
    assert_eq!(
        recurrences["correct"], recurrences["found"],
        "{recurrences}"
    );
    assert!(recurrences["recall"].as_f64().expect("recall") >= 0.9);
    let patterns = report["evaluation"]["patterns"]
        .as_array()
        .expect("patterns");
    assert!(patterns.iter().all(|p| p["purity"].as_f64().is_some()));

    let output = recur(&["evaluate", "--truth-file", "data/truth/sample-truth.csv"]);
    assert!(output.status.success());
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("NMI ") && stdout.contains("recurrences: "),
        "{stdout}"
    );
}

#[test]
fn evaluate_names_the_line_of_a_bad_truth_file_and_an_unknown_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let truth = dir.path().join("truth.csv");
    std::fs::write(&truth, "id,label\nINC-1001,dns\n,dns\n").expect("write");
    let output = recur(&["evaluate", "--truth-file", truth.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("empty id"),
        "{stderr}"
    );

    std::fs::write(&truth, "id,label\nINC-1001,dns\nINC-1001,cert\n").expect("write");
    let output = recur(&["evaluate", "--truth-file", truth.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("appears twice"));

    let output = recur(&["evaluate", "--truth", "no such column"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("no incident has a value there"),
        "{}",
        text(&output.stderr)
    );
    assert!(
        !recur(&["evaluate"]).status.success(),
        "a truth is required"
    );
}

#[test]
fn a_catalogue_keeps_ids_and_names_and_months_write_the_history() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = dir.path().join("patterns.toml");
    let catalogue_arg = catalogue.to_str().expect("utf-8 path");
    let run = |as_of: &str, out: &str| {
        let output = recur(&[
            "review",
            "--as-of",
            as_of,
            "--catalogue",
            catalogue_arg,
            "--out",
            dir.path().join(out).to_str().expect("utf-8 path"),
        ]);
        assert!(output.status.success(), "{}", text(&output.stderr));
        let report =
            std::fs::read_to_string(dir.path().join(out).join("report.json")).expect("report.json");
        serde_json::from_str::<serde_json::Value>(&report).expect("json")
    };
    let august = run("2026-09-01", "august");
    assert_eq!(august["run"]["month"], "2026-08");
    let first = august["patterns"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert!(first.starts_with("P-"), "{first}");
    let text_before = std::fs::read_to_string(&catalogue).expect("the catalogue is written");
    // A person names the pattern; the next month's review shows the name under the same id.
    let auto_name = format!(
        "\nname = {}",
        toml_string(august["patterns"][0]["label"].as_str().expect("a label"))
    );
    let edited = text_before.replacen(&auto_name, "\nname = \"Certificates, by hand\"", 1);
    assert_ne!(edited, text_before, "{auto_name} in the catalogue");
    std::fs::write(&catalogue, edited).expect("edit");
    let september = run("2026-10-01", "september");
    let named: Vec<&serde_json::Value> = september["patterns"]
        .as_array()
        .expect("patterns")
        .iter()
        .filter(|p| p["label"] == "Certificates, by hand")
        .collect();
    assert_eq!(named.len(), 1);
    assert_eq!(named[0]["id"], first.as_str());
    let table = std::fs::read_to_string(dir.path().join("september/incidents.csv")).expect("csv");
    assert!(
        table.contains(&format!("{first},\"Certificates, by hand\"")),
        "incidents.csv carries the stable id and the name"
    );

    let history = recur(&[
        "review",
        "--months",
        "2026-07..2026-09",
        "--catalogue",
        catalogue_arg,
        "--out",
        dir.path().join("history").to_str().expect("utf-8 path"),
    ]);
    assert!(history.status.success(), "{}", text(&history.stderr));
    let csv = std::fs::read_to_string(dir.path().join("history/history.csv")).expect("history");
    assert!(csv.starts_with("month,pattern_id,name,incidents,open_follow_ups,recurrences\n"));
    assert!(csv.contains("\n2026-07,P-") && csv.contains("\n2026-09,P-"));
    assert!(csv.contains("Certificates, by hand"));
    for file in ["history/history.parquet", "history/charts/history.png"] {
        assert!(dir.path().join(file).exists(), "{file}");
    }
}

#[test]
fn a_broken_catalogue_or_month_range_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalogue = dir.path().join("patterns.toml");
    std::fs::write(
        &catalogue,
        "[[pattern]]\nid = \"P-0001\"\nname = \"a\"\nstatus = \"fixed\"\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let output = recur(&[
        "review",
        "--as-of",
        "2026-09-01",
        "--catalogue",
        catalogue.to_str().expect("utf-8 path"),
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert!(!output.status.success());
    let message = text(&output.stderr);
    assert!(
        message.contains("patterns.toml") && message.contains("fixed"),
        "{message}"
    );
    for months in ["2026-09..2026-07", "2026-13..2026-14", "2026-07"] {
        let output = recur(&[
            "review",
            "--months",
            months,
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(!output.status.success(), "{months}");
        assert!(
            text(&output.stderr).contains("--months"),
            "{}",
            text(&output.stderr)
        );
    }
}

/// A string as TOML writes it (basic string, quotes and backslashes escaped).
fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn review_timings_list_each_phase_on_stderr_and_change_no_output() {
    let plain = tempfile::tempdir().expect("tempdir");
    let timed = tempfile::tempdir().expect("tempdir");
    review(plain.path());
    let output = recur(&[
        "review",
        "--as-of",
        "2026-11-01",
        "--timings",
        "--out",
        timed.path().to_str().expect("utf-8 path"),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    let header = stderr
        .lines()
        .position(|line| line.starts_with("phase "))
        .unwrap_or_else(|| panic!("no timings table: {stderr}"));
    let phases: Vec<&str> = stderr.lines().skip(header + 1).collect();
    for phase in [
        "read and normalize",
        "  review: patterns (TF-IDF, SVD, k-means)",
        "  review: factors",
        "  review: recurrences",
        "review",
        "charts",
        "report files and tables",
        "report.json",
        "total",
    ] {
        let row = phases
            .iter()
            .find(|line| line.starts_with(&format!("{phase}  ")))
            .unwrap_or_else(|| panic!("no row {phase:?}: {stderr}"));
        // wall, CPU, peak and RSS columns after the name.
        let numbers: Vec<&str> = row[phase.len()..].split_whitespace().collect();
        assert_eq!(numbers.len(), 4, "{row}");
        assert!(numbers[0].parse::<f64>().is_ok(), "{row}");
    }
    for file in ["report.json", "incidents.csv"] {
        assert!(
            std::fs::read(plain.path().join(file)).expect("read")
                == std::fs::read(timed.path().join(file)).expect("read"),
            "{file} differs with --timings"
        );
    }
    // Without the flag, no table.
    assert!(
        !review(plain.path())
            .stderr
            .windows(6)
            .any(|w| w == b"phase ")
    );
}

/// The ids of a `recur similar --json` answer, best first.
fn similar_ids(args: &[&str]) -> Vec<String> {
    let output = recur(args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        text(&output.stderr)
    );
    let rows: serde_json::Value = serde_json::from_str(&text(&output.stdout)).expect("json");
    rows.as_array()
        .expect("array")
        .iter()
        .filter_map(|row| row["id"].as_str().map(str::to_owned))
        .collect()
}

/// The planted cause of each incident of the sample (`data/truth/sample-truth.csv`).
fn sample_causes() -> std::collections::BTreeMap<String, String> {
    let mut reader = csv::Reader::from_path(root().join("data/truth/sample-truth.csv"))
        .expect("the sample's truth");
    reader
        .records()
        .map(|record| {
            let record = record.expect("a truth row");
            (record[0].to_owned(), record[1].to_owned())
        })
        .collect()
}

#[test]
fn review_writes_a_similarity_index_that_answers_like_the_exports() {
    let dir = tempfile::tempdir().expect("tempdir");
    review(dir.path());
    let index = dir.path().join("similarity-index.bin");
    let bytes = std::fs::read(&index).expect("the review wrote the similarity index");
    assert_eq!(&bytes[..8], b"RECURSIM");
    assert_eq!(&bytes[8..12], &2u32.to_le_bytes(), "format version 2");
    let review_dir = dir.path().to_str().expect("utf-8 path");
    for id in ["INC-1001", "INC-1028", "INC-1100"] {
        let mined = similar_ids(&["similar", "--id", id, "--top", "5", "--json"]);
        let saved = similar_ids(&[
            "similar", "--review", review_dir, "--id", id, "--top", "5", "--format", "json",
        ]);
        assert_eq!(mined.len(), 5, "{id}");
        assert_eq!(saved, mined, "{id}: the saved index and the exports agree");
    }
    // The index file itself may be named, and the text output lists follow-ups.
    let output = recur(&[
        "similar",
        "--review",
        index.to_str().expect("utf-8 path"),
        "--id",
        "INC-1001",
        "--top",
        "2",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.starts_with("INC-1001 "), "{stdout}");
    assert!(stdout.contains("pattern P-"), "{stdout}");
    assert!(stdout.contains("OPS-"), "follow-ups shown: {stdout}");
}

#[test]
fn similar_text_and_file_find_the_incidents_of_the_planted_cause() {
    let dir = tempfile::tempdir().expect("tempdir");
    review(dir.path());
    let review_dir = dir.path().to_str().expect("utf-8 path");
    let causes = sample_causes();
    let output = recur(&[
        "similar",
        "--review",
        review_dir,
        "--text",
        "Clients get TLS handshake errors: the certificate on the gateway expired",
        "--top",
        "5",
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows: serde_json::Value = serde_json::from_str(&text(&output.stdout)).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let id = row["id"].as_str().expect("id");
        assert_eq!(
            causes.get(id).map(String::as_str),
            Some("cert-expiry"),
            "{id}"
        );
        assert!(row["relation"].is_null(), "a bare text has no time");
        assert!(row["follow_ups"].is_array() && row["pattern_id"].is_string());
        assert!(
            row["shared_terms"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "certificate")),
            "{row}"
        );
    }
    let report = dir.path().join("new-incident.md");
    std::fs::write(
        &report,
        "---\ntitle: \"checkout-api: 5xx after connection pool exhausted\"\n\
         started_at: 2026-11-20T10:00:00Z\nservices: [checkout-api]\n---\n\n\
         ## Summary\n\nCheckout requests failed with 5xx errors: the database connection pool \
         was exhausted.\n\n## Root cause\n\nSlow queries held every connection of the pool.\n",
    )
    .expect("write the report");
    let output = recur(&[
        "similar",
        "--review",
        review_dir,
        "--file",
        report.to_str().expect("utf-8 path"),
        "--json",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let rows: serde_json::Value = serde_json::from_str(&text(&output.stdout)).expect("json");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 5);
    for row in rows {
        let id = row["id"].as_str().expect("id");
        assert_eq!(
            causes.get(id).map(String::as_str),
            Some("conn-pool"),
            "{id}"
        );
        assert_eq!(row["relation"], "earlier", "{row}");
    }
}

#[test]
fn a_missing_or_damaged_similarity_index_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().to_str().expect("utf-8 path");
    let index = dir.path().join("similarity-index.bin");
    let named = index.display().to_string();
    let refused = |expected: &str| {
        let output = recur(&["similar", "--review", folder, "--id", "INC-1001"]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&named), "{stderr}");
        assert!(stderr.contains(expected), "{expected:?}: {stderr}");
    };
    refused("cannot read the similarity index");
    std::fs::write(&index, "incident_id,title\nINC-1,Disk full\n").expect("write");
    refused("not a recur similarity index");
    let sample = tempfile::tempdir().expect("tempdir");
    review(sample.path());
    let bytes = std::fs::read(sample.path().join("similarity-index.bin")).expect("index");
    std::fs::write(&index, &bytes[..bytes.len() / 2]).expect("write");
    refused(&format!(
        "truncated: {} bytes, expected {}",
        bytes.len() / 2,
        bytes.len()
    ));
    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&7u32.to_le_bytes());
    std::fs::write(&index, &newer).expect("write");
    refused("format version 7, but this recur reads version 2");
    let mut damaged = bytes;
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0xff;
    std::fs::write(&index, &damaged).expect("write");
    refused("checksum");
}
