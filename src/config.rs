//! Project configuration: `harden.toml` at the scanned root, or `[tool.harden]` in its
//! `pyproject.toml`. Command-line flags override it.
//!
//! ```toml
//! exclude = ["tests/fixtures/**", "*.min.js"]   # path globs left out of the scan
//! disable = ["generic-secret-assignment"]       # rule ids that do not run
//! fail-on = "high"                              # lowest severity that fails the run
//! rules = ["security/rules"]                    # extra rule directories (relative to this file)
//! max-file-size = "4MiB"                        # content of larger files is not scanned
//! baseline = ".harden-baseline.json"            # findings accepted for now (harden baseline)
//! ```

use crate::error::{FileKind, FileProblem, HardenError};
use crate::severity::Severity;
use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use std::fmt;
use std::path::{Path, PathBuf};

/// Settings as written in the file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigSpec {
    /// Path globs left out of the scan.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Rule ids that do not run.
    #[serde(default)]
    pub disable: Vec<String>,
    /// Lowest severity that makes the run exit 1.
    pub fail_on: Option<Severity>,
    /// Extra rule directories, relative to the configuration file.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Files larger than this are not read (bytes, or a string like `"4MiB"`).
    pub max_file_size: Option<ByteSize>,
    /// Baseline file whose findings are left out (relative to the configuration file).
    pub baseline: Option<String>,
}

/// The configuration of a run, resolved.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub source: Option<PathBuf>,
    /// Path globs left out of the scan.
    pub exclude: Vec<String>,
    /// Rule ids that do not run.
    pub disable: Vec<String>,
    /// Lowest failing severity.
    pub fail_on: Option<Severity>,
    /// Extra rule directories, resolved against the configuration file's directory.
    pub rule_dirs: Vec<PathBuf>,
    /// Size limit in bytes.
    pub max_file_size: Option<u64>,
    /// Baseline file, resolved against the configuration file's directory.
    pub baseline: Option<PathBuf>,
}

/// A byte count written as an integer or with a unit (`512K`, `2M`, `2MiB`, `1GB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl ByteSize {
    /// Parses `1048576`, `512K`, `512KiB`, `2M`, `2MB`, `1G` (binary units throughout).
    pub fn parse(text: &str) -> Result<ByteSize, String> {
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a size: expected e.g. 2097152, 512K or 2MiB"))?;
        let multiplier = match unit.trim().to_ascii_lowercase().as_str() {
            "" | "b" => 1,
            "k" | "kb" | "kib" => 1 << 10,
            "m" | "mb" | "mib" => 1 << 20,
            "g" | "gb" | "gib" => 1 << 30,
            other => return Err(format!("unknown size unit `{other}`: use K, M or G")),
        };
        number
            .checked_mul(multiplier)
            .map(ByteSize)
            .ok_or_else(|| format!("`{text}` is too large"))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SizeVisitor;
        impl Visitor<'_> for SizeVisitor {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size in bytes, or a string like \"4MiB\"")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<ByteSize, E> {
                u64::try_from(value)
                    .map(ByteSize)
                    .map_err(|_| E::custom("a size cannot be negative"))
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(value))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<ByteSize, E> {
                ByteSize::parse(value).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(SizeVisitor)
    }
}

#[derive(Deserialize)]
struct Pyproject {
    tool: Option<PyprojectTool>,
}

#[derive(Deserialize)]
struct PyprojectTool {
    harden: Option<ConfigSpec>,
}

/// Loads the configuration for a scan of `root`: `explicit` if given, else `harden.toml`
/// in `root`, else `[tool.harden]` in `root/pyproject.toml`, else defaults.
pub fn load_config(root: &Path, explicit: Option<&Path>) -> Result<Config, HardenError> {
    if let Some(path) = explicit {
        let text = read(path)?;
        let spec = parse::<ConfigSpec>(path, &text)?;
        return Ok(resolve(spec, path));
    }
    let dir = if root.is_file() {
        root.parent().unwrap_or(Path::new("."))
    } else {
        root
    };
    let harden_toml = dir.join("harden.toml");
    if harden_toml.is_file() {
        let text = read(&harden_toml)?;
        let spec = parse::<ConfigSpec>(&harden_toml, &text)?;
        return Ok(resolve(spec, &harden_toml));
    }
    let pyproject = dir.join("pyproject.toml");
    if pyproject.is_file() {
        let text = read(&pyproject)?;
        // A pyproject.toml that does not mention us is not ours to judge.
        if !text.contains("tool.harden") {
            return Ok(Config::default());
        }
        let parsed = parse::<Pyproject>(&pyproject, &text)?;
        if let Some(spec) = parsed.tool.and_then(|tool| tool.harden) {
            return Ok(resolve(spec, &pyproject));
        }
    }
    Ok(Config::default())
}

fn read(path: &Path) -> Result<String, HardenError> {
    std::fs::read_to_string(path).map_err(|source| HardenError::Unreadable {
        path: path.to_owned(),
        source,
    })
}

fn parse<T: for<'de> Deserialize<'de>>(path: &Path, text: &str) -> Result<T, HardenError> {
    toml::from_str(text).map_err(|error| {
        let message = error.message().trim().to_owned();
        FileProblem::new(
            FileKind::Config,
            &path.display().to_string(),
            text,
            error.span(),
            message,
        )
        .with_help("see the Configuration section of the README")
        .into()
    })
}

fn resolve(spec: ConfigSpec, file: &Path) -> Config {
    let base = file.parent().unwrap_or(Path::new("."));
    Config {
        source: Some(file.to_owned()),
        exclude: spec.exclude,
        disable: spec.disable,
        fail_on: spec.fail_on,
        rule_dirs: spec.rules.iter().map(|dir| base.join(dir)).collect(),
        max_file_size: spec.max_file_size.map(|size| size.0),
        baseline: spec.baseline.map(|path| base.join(path)),
    }
}

#[cfg(test)]
mod tests {
    use super::ByteSize;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(ByteSize::parse("1048576"), Ok(ByteSize(1 << 20)));
        assert_eq!(ByteSize::parse("2MiB"), Ok(ByteSize(2 << 20)));
        assert_eq!(ByteSize::parse("512k"), Ok(ByteSize(512 << 10)));
        assert!(ByteSize::parse("two").is_err());
        assert!(ByteSize::parse("3parsecs").is_err());
    }
}
