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

/// A webhook on 127.0.0.1 answering each post with the next status; the bodies come back.
fn webhook_server(statuses: Vec<u16>) -> (String, std::sync::mpsc::Receiver<String>) {
    slow_webhook_server(statuses, std::time::Duration::ZERO)
}

/// A webhook that waits `delay` before each answer.
fn slow_webhook_server(
    statuses: Vec<u16>,
    delay: std::time::Duration,
) -> (String, std::sync::mpsc::Receiver<String>) {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for status in statuses {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut data = Vec::new();
            let mut buffer = [0u8; 8192];
            // Read until the body announced by Content-Length is in.
            while let Ok(n) = stream.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&data).into_owned();
                let Some(end) = text.find("\r\n\r\n") else {
                    continue;
                };
                let length: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap_or(0))
                    })
                    .unwrap_or(0);
                if data.len() >= end + 4 + length {
                    let _ = sender.send(text[end + 4..].to_owned());
                    break;
                }
            }
            std::thread::sleep(delay);
            let reply =
                format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    (url, receiver)
}

#[test]
fn followups_digest_and_reminders_reach_a_local_webhook() {
    let dir = tempfile::tempdir().expect("tempdir");
    let digest = dir.path().join("digest");
    let teams_overdue = items(&followups_json(&[]), "overdue_by_team").len();
    let (url, received) = webhook_server(vec![200; teams_overdue]);
    let output = succeeded(
        Command::new(env!("CARGO_BIN_EXE_recur"))
            .args(["followups", "--as-of", "2026-11-01", "--format", "json"])
            .args(["--digest", path(&digest), "--notify-env", "RECUR_TEST_HOOK"])
            .env("RECUR_TEST_HOOK", &url)
            .current_dir(root())
            .output()
            .expect("run recur"),
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let written: serde_json::Value =
        serde_json::from_str(&read(&digest.join("digest.json"))).expect("digest.json");
    assert_eq!(written["open"], json["open"]);
    assert_eq!(written["overdue"], json["overdue"]);
    for pair in items(&json, "overdue_by_owner") {
        let owner = written["owners"]
            .as_array()
            .and_then(|owners| owners.iter().find(|o| o["owner"] == pair[0]))
            .unwrap_or_else(|| panic!("{pair} in digest.json"));
        assert_eq!(owner["overdue"], pair[1]);
    }
    assert!(digest.join("teams/payments.md").is_file());
    assert!(
        read(&digest.join("owners/laura-nowak.md")).starts_with("# Follow-ups of Laura Nowak (")
    );
    let bodies: Vec<String> = received.try_iter().collect();
    assert_eq!(
        bodies.len(),
        teams_overdue,
        "one reminder per team with overdue items"
    );
    let first: serde_json::Value = serde_json::from_str(&bodies[0]).expect("json body");
    assert!(
        first["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("*Overdue follow-ups of ")),
        "{first}"
    );
    assert!(
        !text(&output.stderr).contains(&url),
        "the URL stays out of the logs"
    );
}

#[test]
fn a_webhook_that_keeps_failing_exits_2_naming_the_status_after_writing_the_digest() {
    let dir = tempfile::tempdir().expect("tempdir");
    let digest = dir.path().join("digest");
    let (url, received) = webhook_server(vec![500; 40]);
    let output = recur(&[
        "followups",
        "--as-of",
        "2026-11-01",
        "--team",
        "payments",
        "--digest",
        path(&digest),
        "--notify",
        &url,
        "--notify-retries",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("error: the webhook did not take 1 of 1 reminders: team payments: HTTP status 500 after 2 attempts"),
        "{stderr}"
    );
    assert_eq!(received.try_iter().count(), 2, "one retry");
    assert!(
        digest.join("digest.json").is_file(),
        "written before posting"
    );
}

#[test]
fn a_dry_run_prints_the_reminders_and_posts_nothing() {
    let output = succeeded(recur(&[
        "followups",
        "--as-of",
        "2026-11-01",
        "--team",
        "payments",
        "--dry-run",
        "--notify-format",
        "teams",
        "--notify",
        "http://127.0.0.1:9/never",
    ]));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("would post the reminder of team payments ("),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"contentType\":\"application/vnd.microsoft.card.adaptive\""),
        "{stdout}"
    );
    let error = recur(&["followups", "--notify-env", "RECUR_SURELY_UNSET_VARIABLE"]);
    assert_eq!(error.status.code(), Some(2));
    assert!(
        text(&error.stderr).contains("environment variable RECUR_SURELY_UNSET_VARIABLE is not set")
    );
}

#[test]
fn check_with_a_review_date_flags_late_reports_by_updated_at_or_file_time() {
    let dir = tempfile::tempdir().expect("tempdir");
    let complete = read(&root().join("tests/fixtures/incomplete/complete.md"));
    let touched = dir.path().join("touched.md");
    std::fs::write(&touched, &complete).expect("write");
    let modified = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_773_050_400); // 2026-03-09 10:00 UTC
    std::fs::File::options()
        .write(true)
        .open(&touched)
        .and_then(|file| file.set_modified(modified))
        .expect("set the modification time");
    let recorded = complete.replacen(
        "---\n",
        "---\nid: recorded\nupdated: 2026-03-01T00:00:00Z\n",
        1,
    );
    std::fs::write(dir.path().join("recorded.md"), recorded).expect("write");
    let output = succeeded(recur(&[
        "check",
        path(dir.path()),
        "--review-date",
        "2026-03-10",
        "--format",
        "json",
    ]));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    let late: Vec<(&str, &str)> = findings
        .as_array()
        .expect("array")
        .iter()
        .filter(|f| f["rule"] == "late")
        .map(|f| {
            (
                f["incident_id"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        late,
        [(
            "touched",
            "not ready for the pre-read: last updated 2026-03-09 10:00 UTC (the file's modification time: the report has no updated_at), after the pre-read deadline 2026-03-08 (2 days before the review on 2026-03-10)"
        )],
        "the report with updated_at 2026-03-01 is on time"
    );
    let lead = succeeded(recur(&[
        "check",
        path(dir.path()),
        "--review-date",
        "2026-03-10",
        "--lead-days",
        "0",
        "--format",
        "json",
    ]));
    assert!(
        !text(&lead.stdout).contains("\"late\""),
        "updated before the review itself"
    );
    let bad = recur(&["check", "--review-date", "soon"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("--review-date \"soon\""),
        "{}",
        text(&bad.stderr)
    );
}

/// `recur followups` reminding team payments through `url`: it fails (exit 2) with `error`.
fn reminding_payments_fails(url: &str, extra: &[&str], error: &str) {
    let mut args = vec![
        "followups",
        "--as-of",
        "2026-11-01",
        "--team",
        "payments",
        "--notify",
        url,
    ];
    args.extend_from_slice(extra);
    let output = recur(&args);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(error), "{stderr}");
}

#[test]
fn a_404_is_not_retried_and_a_slow_webhook_times_out() {
    let (url, received) = webhook_server(vec![404; 5]);
    reminding_payments_fails(&url, &[], "team payments: HTTP status 404 after 1 attempt");
    assert_eq!(received.try_iter().count(), 1, "a 404 does not fix itself");
    let (url, _received) = slow_webhook_server(vec![200; 5], std::time::Duration::from_secs(3));
    reminding_payments_fails(
        &url,
        &["--notify-timeout", "0.3", "--notify-retries", "1"],
        "team payments: no answer (timed out) after 2 attempts",
    );
}
