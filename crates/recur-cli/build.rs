//! Embeds the bundled sample (`data/sample/` and `data/roster.csv`) in the binary, so that
//! `recur review` without inputs works from any directory and from an installed binary.
//!
//! Writes `$OUT_DIR/sample.rs`: the sample's incident files in the order the normalizer reads
//! the folder (`incidents.csv`, `platform.jsonl`, then `postmortems/` by file name), its
//! follow-ups file and the roster, each as `(name, include_str!(absolute path))`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let data = manifest.join("../../data");
    let sample = data.join("sample");
    println!("cargo::rerun-if-changed={}", sample.display());
    println!(
        "cargo::rerun-if-changed={}",
        data.join("roster.csv").display()
    );

    let mut incident_files = vec![
        (
            "data/sample/incidents.csv".to_owned(),
            sample.join("incidents.csv"),
        ),
        (
            "data/sample/platform.jsonl".to_owned(),
            sample.join("platform.jsonl"),
        ),
    ];
    let postmortems = sample.join("postmortems");
    let mut names: Vec<String> = std::fs::read_dir(&postmortems)
        .unwrap_or_else(|error| panic!("cannot list {}: {error}", postmortems.display()))
        .map(|entry| {
            entry
                .unwrap_or_else(|error| panic!("cannot list {}: {error}", postmortems.display()))
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".md"))
        .collect();
    names.sort();
    for name in names {
        incident_files.push((
            format!("data/sample/postmortems/{name}"),
            postmortems.join(&name),
        ));
    }

    let mut code = String::new();
    code.push_str("/// The bundled sample's incident files: (name in messages, contents).\n");
    code.push_str("pub const SAMPLE_INCIDENT_FILES: &[(&str, &str)] = &[\n");
    for (name, path) in &incident_files {
        let _ = writeln!(code, "    ({name:?}, include_str!({:?})),", absolute(path));
    }
    code.push_str("];\n");
    code.push_str("/// The bundled sample's follow-ups file: (name in messages, contents).\n");
    let _ = writeln!(
        code,
        "pub const SAMPLE_FOLLOW_UP_FILE: (&str, &str) = ({:?}, include_str!({:?}));",
        "data/sample/follow_ups.csv",
        absolute(&sample.join("follow_ups.csv"))
    );
    code.push_str("/// The bundled sample's roster (CSV).\n");
    let _ = writeln!(
        code,
        "pub const SAMPLE_ROSTER_CSV: &str = include_str!({:?});",
        absolute(&data.join("roster.csv"))
    );
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it")).join("sample.rs");
    std::fs::write(&out, code)
        .unwrap_or_else(|error| panic!("cannot write {}: {error}", out.display()));
}

/// The canonical path, as `include_str!` needs one that does not depend on the including file.
fn absolute(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|error| {
            panic!("the bundled sample is missing: {}: {error}", path.display())
        })
        .to_string_lossy()
        .into_owned()
}
