//! `recur template`: write a blank postmortem report.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use recur_core::normalize::{Format, Mapping};
use recur_core::template::{TemplateFormat, render_template};

/// Arguments of `recur template`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form of the template. Default: from the extension of --out, else Markdown.
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Write the template to this file (atomically) instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// A mapping file: the columns it keeps as "extra" (your organisation's own fields) are
    /// added to the template.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
}

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// YAML front matter and sections, like a folder of postmortems.
    Md,
    /// One incident object with every field; hints under "_hints".
    Json,
    /// A header row with the canonical column names.
    Csv,
}

/// Run `recur template`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let format = resolve_format(args.format, args.out.as_deref());
    let extra = match &args.mapping {
        Some(path) => extra_fields(path)?,
        None => Vec::new(),
    };
    let text = render_template(format, &extra);
    match &args.out {
        Some(path) => {
            super::write_atomic(path, text.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The format asked for, else the one the output file's extension names, else Markdown.
fn resolve_format(format: Option<FormatArg>, out: Option<&Path>) -> TemplateFormat {
    match format {
        Some(FormatArg::Md) => TemplateFormat::Markdown,
        Some(FormatArg::Json) => TemplateFormat::Json,
        Some(FormatArg::Csv) => TemplateFormat::Csv,
        None => match out.and_then(Format::from_path) {
            Some(Format::Json | Format::Jsonl) => TemplateFormat::Json,
            Some(Format::Csv) => TemplateFormat::Csv,
            Some(Format::Markdown) | None => TemplateFormat::Markdown,
        },
    }
}

/// The columns a mapping file keeps as extra fields, in name order.
fn extra_fields(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read mapping {}", path.display()))?;
    let mapping: Mapping = text
        .parse()
        .with_context(|| format!("mapping {}", path.display()))?;
    Ok(mapping
        .columns
        .iter()
        .filter(|(_, field)| field.is_none())
        .map(|(column, _)| column.clone())
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_flag_then_the_extension() {
        let out = Path::new("report.json");
        assert_eq!(
            resolve_format(Some(FormatArg::Csv), Some(out)),
            TemplateFormat::Csv
        );
        assert_eq!(resolve_format(None, Some(out)), TemplateFormat::Json);
        assert_eq!(
            resolve_format(None, Some(Path::new("t.CSV"))),
            TemplateFormat::Csv
        );
        assert_eq!(
            resolve_format(None, Some(Path::new("t.txt"))),
            TemplateFormat::Markdown
        );
        assert_eq!(resolve_format(None, None), TemplateFormat::Markdown);
    }

    #[test]
    fn extra_fields_are_the_columns_kept_as_extra() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mapping.toml");
        std::fs::write(&path, "[columns]\n\"number\" = \"id\"\n\"Region\" = \"extra\"\n\"Customer impact\" = \"extra\"\n").unwrap();
        assert_eq!(extra_fields(&path).unwrap(), ["Customer impact", "Region"]);
    }
}
