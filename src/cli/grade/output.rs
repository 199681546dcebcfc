//! Report files: opened before grading (so a missing directory or a
//! read-only one is found before an hour of work, not after), written to a
//! temporary file beside the target and renamed into place (so a reader
//! never sees half a report).

use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use threadlings::grade::Format;

/// Where each format goes.
pub struct Outputs {
    formats: Vec<Format>,
    /// One per format, in order; `None`: stdout.
    files: Vec<Option<(tempfile::NamedTempFile, PathBuf)>>,
}

fn temp_beside(target: &Path) -> anyhow::Result<tempfile::NamedTempFile> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        bail!(
            "cannot write {}: the directory {} does not exist (nothing was graded)",
            target.display(),
            parent.display()
        );
    }
    if target.is_dir() {
        bail!(
            "cannot write {}: it is a directory (nothing was graded)",
            target.display()
        );
    }
    tempfile::Builder::new()
        .prefix(".threadlings-report-")
        .tempfile_in(parent)
        .with_context(|| format!("cannot write {} (nothing was graded)", target.display()))
}

impl Outputs {
    /// Checks and opens every target now.
    pub fn prepare(
        formats: &[Format],
        output: Option<PathBuf>,
        output_dir: Option<PathBuf>,
    ) -> anyhow::Result<Outputs> {
        let mut unique = Vec::new();
        for &f in formats {
            if !unique.contains(&f) {
                unique.push(f);
            }
        }
        let files = match (output, output_dir) {
            (Some(file), None) => {
                if unique.len() > 1 {
                    bail!("several formats need --output-dir DIR, not --output FILE");
                }
                vec![Some((temp_beside(&file)?, file))]
            }
            (None, Some(dir)) => {
                std::fs::create_dir_all(&dir).with_context(|| {
                    format!(
                        "cannot create the output directory {} (nothing was graded)",
                        dir.display()
                    )
                })?;
                let mut files = Vec::new();
                for &f in &unique {
                    let target = dir.join(f.file_name());
                    files.push(Some((temp_beside(&target)?, target)));
                }
                files
            }
            (None, None) => {
                if unique.len() > 1 {
                    bail!("several formats need --output-dir DIR");
                }
                vec![None]
            }
            (Some(_), Some(_)) => bail!("--output and --output-dir exclude each other"),
        };
        Ok(Outputs {
            formats: unique,
            files,
        })
    }

    /// The formats to render, each once.
    pub fn formats(&self) -> &[Format] {
        &self.formats
    }

    /// Writes the rendered formats (in [`Outputs::formats`]' order).
    pub fn write(self, rendered: Vec<(Format, String)>) -> anyhow::Result<()> {
        for ((_, text), file) in rendered.into_iter().zip(self.files) {
            match file {
                None => {
                    let mut out = std::io::stdout().lock();
                    out.write_all(text.as_bytes())?;
                    out.flush()?;
                }
                Some((mut temp, target)) => {
                    let fail = || format!("cannot write {}", target.display());
                    temp.write_all(text.as_bytes()).with_context(fail)?;
                    temp.as_file().sync_all().with_context(fail)?;
                    // Readable like a file written with the usual umask.
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))
                        .with_context(fail)?;
                    temp.persist(&target).with_context(fail)?;
                }
            }
        }
        Ok(())
    }
}
