//! Writing outputs a user can trust: each file appears whole (a temporary file, then a rename),
//! with the usual mode (0666 minus the umask, as `cp` would give it), and a command's whole set
//! of outputs appears at once.
//!
//! - [`StagedFolder`] (`recur review`): the run writes into a fresh staging folder beside
//!   `--out` and swaps it in at the end (one atomic exchange on Linux; elsewhere two renames,
//!   undone by the next run if it was killed between them), so `--out` always holds one run's
//!   complete set.
//! - [`StagedFiles`] (`recur normalize`): each file of the set goes to a temporary file beside
//!   its final name; once all are written, a journal naming them is written, the temporary
//!   files are renamed into place, and the journal is removed. A run killed during the renames
//!   leaves the journal, and the next run completes them.
//!
//! Both take a lock file beside the output (`.<name>.lock`, left in place), so two runs on one
//! output do not interleave: the later one fails with a message naming the lock. Under the
//! lock, each run removes what killed runs left: staging folders, temporary files, journals.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Context as _;

/// Names of temporary things are unique within a process by this counter, and across
/// processes by the pid.
static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The folder a path is in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

/// The last component of an output path, as text (hidden names are made from it).
fn name_of(path: &Path) -> anyhow::Result<String> {
    path.file_name()
        .and_then(|name| name.to_str())
        .map(str::to_owned)
        .with_context(|| {
            format!(
                "--out {}: name a file or folder (with a UTF-8 name), not . or ..",
                path.display()
            )
        })
}

/// Create a new file with the default mode (0666 minus the umask), failing if it exists.
fn create_new(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// Write a file through a buffered writer filled by `write`, creating its folder.
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = parent_of(path);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    fill(file, write).with_context(|| format!("cannot write {}", path.display()))
}

/// Write a file atomically: a temporary file `.<name>.tmp-<pid>-<n>` in the same folder, then
/// a rename, so a reader never sees half a file. The file gets the default mode.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let dir = parent_of(path);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let temporary = dir.join(format!(".{}.tmp-{}", name_of(path)?, unique()));
    let written = create_new(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))
        .and_then(|file| fill(file, write))
        .and_then(|()| {
            std::fs::rename(&temporary, path)
                .with_context(|| format!("cannot write {}", path.display()))
        })
        .with_context(|| format!("cannot write {}", path.display()));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// Fill a new file through a buffered writer.
fn fill(
    file: File,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut writer = std::io::BufWriter::new(file);
    write(&mut writer)?;
    writer.into_inner().map_err(|error| error.into_error())?;
    Ok(())
}

/// An exclusive lock on an output, held until dropped: `.<name>.lock` beside it.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Take the lock of `out`, or fail at once, naming the lock, if another run holds it.
    pub fn take(out: &Path) -> anyhow::Result<Self> {
        let dir = parent_of(out);
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join(format!(".{}.lock", name_of(out)?));
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot create the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "another recur run is writing {} (it holds {}); wait for it to finish, or choose \
                 another --out",
                out.display(),
                path.display()
            ),
            Err(std::fs::TryLockError::Error(error)) => {
                Err(error).with_context(|| format!("cannot lock {}", path.display()))
            }
        }
    }
}

/// Hidden entries of `dir` whose names start with `prefix`, in name order.
fn entries_starting_with(dir: &Path, prefix: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot list {}", dir.display()))?;
        if entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with(prefix))
        {
            found.push(entry.path());
        }
    }
    found.sort();
    Ok(found)
}

fn remove_all(path: &Path) -> anyhow::Result<()> {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
            Err(error).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// The names a review writes into its folder; a non-empty `--out` holding anything else (and
/// no `report.json`) is not a review folder and is never replaced.
const REVIEW_NAMES: &[&str] = &[
    "report.md",
    "report.html",
    "report.json",
    "incidents.csv",
    "incidents.parquet",
    "rejected.csv",
    "warnings.csv",
    "merges.csv",
    "charts",
];

/// A review output folder being written: files go into [`StagedFolder::path`], a fresh folder
/// beside `--out`, and [`StagedFolder::commit`] swaps it in. Dropped without a commit (an
/// error), the staging folder is removed and `--out` is left as it was.
#[derive(Debug)]
pub struct StagedFolder {
    out: PathBuf,
    staging: PathBuf,
    name: String,
    committed: bool,
    _lock: OutputLock,
}

impl StagedFolder {
    /// Lock `out`, clean up after killed runs, and create the staging folder. Refuses an `out`
    /// that exists and is not a folder, or is a folder that is not a review's (so that a
    /// mistyped `--out` can never replace a folder of other files).
    pub fn begin(out: &Path) -> anyhow::Result<Self> {
        let name = name_of(out)?;
        let lock = OutputLock::take(out)?;
        let dir = parent_of(out);
        recover_folder(out, dir, &name)?;
        if out.exists() {
            refuse_foreign_folder(out)?;
        }
        let staging = dir.join(format!(".{name}.staging-{}", unique()));
        std::fs::create_dir(&staging)
            .with_context(|| format!("cannot create the staging folder {}", staging.display()))?;
        Ok(Self {
            out: out.to_path_buf(),
            staging,
            name,
            committed: false,
            _lock: lock,
        })
    }

    /// The folder to write into.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Put the staged folder in place of `out`, and remove the previous set.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let dir = parent_of(&self.out).to_path_buf();
        if self.out.exists() {
            if exchange(&self.staging, &self.out).is_ok() {
                // The staging name now holds the previous set.
                self.committed = true;
                return remove_all(&self.staging);
            }
            let old = dir.join(format!(".{}.old-{}", self.name, unique()));
            std::fs::rename(&self.out, &old)
                .with_context(|| format!("cannot move {} aside", self.out.display()))?;
            std::fs::rename(&self.staging, &self.out)
                .with_context(|| format!("cannot put the new {} in place", self.out.display()))?;
            self.committed = true;
            return remove_all(&old);
        }
        std::fs::rename(&self.staging, &self.out)
            .with_context(|| format!("cannot put the new {} in place", self.out.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagedFolder {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// Swap two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// Where the atomic exchange is not available, the caller renames in two steps.
#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Under the lock: if a run was killed between moving `out` aside and putting the new one in
/// place, put the previous set back; then remove staging folders and set-aside folders of
/// killed runs.
fn recover_folder(out: &Path, dir: &Path, name: &str) -> anyhow::Result<()> {
    let set_aside = entries_starting_with(dir, &format!(".{name}.old-"))?;
    if !out.exists()
        && let Some(previous) = set_aside.first()
    {
        std::fs::rename(previous, out).with_context(|| {
            format!(
                "cannot restore {} from {}",
                out.display(),
                previous.display()
            )
        })?;
    }
    for stale in entries_starting_with(dir, &format!(".{name}.staging-"))?
        .into_iter()
        .chain(set_aside)
    {
        remove_all(&stale)?;
    }
    Ok(())
}

/// An existing `--out` must be a folder, empty or holding a review.
fn refuse_foreign_folder(out: &Path) -> anyhow::Result<()> {
    if !out.is_dir() {
        anyhow::bail!("--out {} exists and is not a folder", out.display());
    }
    let mut foreign = Vec::new();
    let mut has_report = false;
    for entry in std::fs::read_dir(out).with_context(|| format!("cannot list {}", out.display()))? {
        let name = entry
            .with_context(|| format!("cannot list {}", out.display()))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        has_report |= name == "report.json";
        if !REVIEW_NAMES.contains(&name.as_str()) && !name.starts_with(".tmp") {
            foreign.push(name);
        }
    }
    if has_report || foreign.is_empty() {
        return Ok(());
    }
    foreign.sort();
    anyhow::bail!(
        "--out {} holds files that are not a review's ({}); a review replaces its whole \
         folder, so choose a new or empty folder",
        out.display(),
        foreign.join(", ")
    )
}

/// A set of output files beside each other (the table, its follow-ups, rejected records,
/// warnings), put in place together by [`StagedFiles::commit`].
#[derive(Debug)]
pub struct StagedFiles {
    dir: PathBuf,
    prefix: String,
    journal: PathBuf,
    /// (temporary, final) pairs, in the order added.
    files: Vec<(PathBuf, PathBuf)>,
    _lock: OutputLock,
}

impl StagedFiles {
    /// Lock the set named by its main file `out`, and complete or clean up what a killed run
    /// left.
    pub fn begin(out: &Path) -> anyhow::Result<Self> {
        let name = name_of(out)?;
        let lock = OutputLock::take(out)?;
        let dir = parent_of(out).to_path_buf();
        let prefix = format!(".{name}.tmp-");
        let journal = dir.join(format!(".{name}.commit"));
        roll_forward(&dir, &journal)?;
        for stale in entries_starting_with(&dir, &prefix)? {
            remove_all(&stale)?;
        }
        Ok(Self {
            dir,
            prefix,
            journal,
            files: Vec::new(),
            _lock: lock,
        })
    }

    /// Write one file of the set (to its temporary file, for now).
    pub fn write(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        if parent_of(path) != self.dir.as_path() {
            anyhow::bail!(
                "{} is not beside the other outputs in {}",
                path.display(),
                self.dir.display()
            );
        }
        let temporary = self.dir.join(format!("{}{}", self.prefix, unique()));
        self.files.push((temporary.clone(), path.to_path_buf()));
        create_new(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))
            .and_then(|file| fill(file, write))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    /// Put every file of the set in place: journal, renames, journal removed.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let lines: Vec<String> = self
            .files
            .iter()
            .map(|(temporary, path)| format!("{}\t{}", file_name(temporary), file_name(path)))
            .collect();
        let journal = self.journal.clone();
        write_atomic_with(&journal, |w| Ok(w.write_all(lines.join("\n").as_bytes())?))?;
        roll_forward(&self.dir, &journal)?;
        self.files.clear();
        Ok(())
    }
}

impl Drop for StagedFiles {
    fn drop(&mut self) {
        for (temporary, _) in &self.files {
            let _ = std::fs::remove_file(temporary);
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Complete the renames a journal names (those whose temporary file is still there), then
/// remove the journal.
fn roll_forward(dir: &Path, journal: &Path) -> anyhow::Result<()> {
    let text = match std::fs::read_to_string(journal) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", journal.display()));
        }
    };
    for line in text.lines() {
        let Some((temporary, path)) = line.split_once('\t') else {
            continue;
        };
        // Only plain names in this folder: a journal never moves files elsewhere.
        if [temporary, path]
            .iter()
            .any(|name| name.is_empty() || name.contains(['/', '\\']) || *name == "..")
        {
            continue;
        }
        let temporary = dir.join(temporary);
        if temporary.exists() {
            let path = dir.join(path);
            std::fs::rename(&temporary, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
    }
    remove_all(journal)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_staged_folder_replaces_the_whole_previous_set() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("review");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("report.json"), "old").unwrap();
        std::fs::write(out.join("incidents.csv"), "old").unwrap();
        let staged = StagedFolder::begin(&out).unwrap();
        assert!(
            OutputLock::take(&out)
                .unwrap_err()
                .to_string()
                .contains("another recur run is writing"),
            "a second run on the same --out fails while the first holds the lock"
        );
        std::fs::write(staged.path().join("report.json"), "new").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "old"
        );
        staged.commit().unwrap();
        assert_eq!(names(&out), ["report.json"]);
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "new"
        );
        assert_eq!(names(dir.path()), [".review.lock", "review"]);
    }

    #[test]
    fn an_uncommitted_staged_folder_leaves_out_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("review");
        let staged = StagedFolder::begin(&out).unwrap();
        std::fs::write(staged.path().join("report.json"), "new").unwrap();
        drop(staged);
        assert_eq!(names(dir.path()), [".review.lock"]);
    }

    #[test]
    fn leftovers_of_killed_runs_are_removed_and_a_set_aside_review_restored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("review");
        let stale = dir.path().join(".review.staging-1-0");
        std::fs::create_dir(&stale).unwrap();
        std::fs::write(stale.join("report.md"), "half").unwrap();
        let aside = dir.path().join(".review.old-1-1");
        std::fs::create_dir(&aside).unwrap();
        std::fs::write(aside.join("report.json"), "old").unwrap();
        let staged = StagedFolder::begin(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("report.json")).unwrap(),
            "old"
        );
        let mut left = names(dir.path());
        left.retain(|name| !name.starts_with(".review.staging-"));
        assert_eq!(left, [".review.lock", "review"]);
        drop(staged);
    }

    #[test]
    fn a_folder_that_is_not_a_review_is_never_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("home");
        std::fs::create_dir(&out).unwrap();
        std::fs::write(out.join("thesis.tex"), "precious").unwrap();
        let error = StagedFolder::begin(&out).unwrap_err().to_string();
        assert!(error.contains("thesis.tex"), "{error}");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        assert!(
            StagedFolder::begin(&file)
                .unwrap_err()
                .to_string()
                .contains("is not a folder")
        );
    }

    #[test]
    fn staged_files_appear_together_and_a_journal_is_completed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("t.csv");
        let mut set = StagedFiles::begin(&out).unwrap();
        set.write(&out, |w| Ok(w.write_all(b"table")?)).unwrap();
        set.write(&dir.path().join("t.rejected.csv"), |w| {
            Ok(w.write_all(b"rejected")?)
        })
        .unwrap();
        assert!(!out.exists(), "nothing in place before the commit");
        set.commit().unwrap();
        assert_eq!(
            names(dir.path()),
            [".t.csv.lock", "t.csv", "t.rejected.csv"]
        );
        // A run killed after writing its journal, with one rename done.
        std::fs::write(dir.path().join(".t.csv.tmp-9-1"), "table 2").unwrap();
        std::fs::write(dir.path().join(".t.csv.tmp-9-2"), "half").unwrap();
        std::fs::write(
            dir.path().join(".t.csv.commit"),
            ".t.csv.tmp-9-0\tt.csv\n.t.csv.tmp-9-1\tt.rejected.csv\n../x\tt.csv",
        )
        .unwrap();
        std::fs::write(&out, "table 2").unwrap();
        drop(StagedFiles::begin(&out).unwrap());
        assert_eq!(
            names(dir.path()),
            [".t.csv.lock", "t.csv", "t.rejected.csv"]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("t.rejected.csv")).unwrap(),
            "table 2"
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_get_the_default_mode() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        write_atomic_with(&path, |w| Ok(w.write_all(b"x")?)).unwrap();
        let reference = dir.path().join("reference");
        File::create(&reference).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), mode(&reference));
        assert_eq!(names(dir.path()), ["a.txt", "reference"]);
    }
}
