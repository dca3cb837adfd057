//! Languages and file formats, detected from a path, that rules can be restricted to.

use serde::Deserialize;
use std::fmt;

/// The language or format of a file, decided from its name alone (never by running it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Python source (`.py`, `.pyi`, `.pyw`).
    Python,
    /// Rust source (`.rs`).
    Rust,
    /// JavaScript (`.js`, `.mjs`, `.cjs`, `.jsx`).
    Javascript,
    /// TypeScript (`.ts`, `.mts`, `.cts`, `.tsx`).
    Typescript,
    /// Go (`.go`).
    Go,
    /// Java, Kotlin, Scala, Groovy (`.java`, `.kt`, `.kts`, `.scala`, `.groovy`).
    Jvm,
    /// Ruby (`.rb`).
    Ruby,
    /// PHP (`.php`).
    Php,
    /// C# (`.cs`).
    Csharp,
    /// Shell scripts (`.sh`, `.bash`, `.zsh`, `.ps1`).
    Shell,
    /// Dotenv files (`.env`, `.env.*`, `*.env`).
    Env,
    /// YAML (`.yml`, `.yaml`).
    Yaml,
    /// JSON (`.json`, `.jsonc`, `.json5`).
    Json,
    /// TOML (`.toml`).
    Toml,
    /// INI-like key/value files (`.ini`, `.cfg`, `.conf`, `.properties`).
    Ini,
    /// Anything else read as text (Markdown, XML, Dockerfiles, notebooks...).
    Other,
}

/// What a rule's `language` field may name: a concrete language or a group of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageSelector {
    /// Every file.
    Any,
    /// Source code in any supported programming language.
    Code,
    /// Configuration formats: env, YAML, JSON, TOML, INI.
    Config,
    /// Python source.
    Python,
    /// Rust source.
    Rust,
    /// JavaScript.
    Javascript,
    /// TypeScript.
    Typescript,
    /// Go.
    Go,
    /// JVM languages.
    Jvm,
    /// Ruby.
    Ruby,
    /// PHP.
    Php,
    /// C#.
    Csharp,
    /// Shell scripts.
    Shell,
    /// Dotenv files.
    Env,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
    /// TOML.
    Toml,
    /// INI-like files.
    Ini,
    /// Files of no recognised language.
    Other,
}

impl Language {
    /// Detects the language from a path (forward slashes) by its file name and extension.
    pub fn from_path(path: &str) -> Language {
        let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
        if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
            return Language::Env;
        }
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext,
            None => return Language::Other,
        };
        match ext {
            "py" | "pyi" | "pyw" => Language::Python,
            "rs" => Language::Rust,
            "js" | "mjs" | "cjs" | "jsx" => Language::Javascript,
            "ts" | "mts" | "cts" | "tsx" => Language::Typescript,
            "go" => Language::Go,
            "java" | "kt" | "kts" | "scala" | "groovy" => Language::Jvm,
            "rb" => Language::Ruby,
            "php" => Language::Php,
            "cs" => Language::Csharp,
            "sh" | "bash" | "zsh" | "ps1" => Language::Shell,
            "yml" | "yaml" => Language::Yaml,
            "json" | "jsonc" | "json5" => Language::Json,
            "toml" => Language::Toml,
            "ini" | "cfg" | "conf" | "properties" => Language::Ini,
            _ => Language::Other,
        }
    }

    /// Whether this is a programming language (as opposed to a data or config format).
    pub fn is_code(self) -> bool {
        !matches!(
            self,
            Language::Env
                | Language::Yaml
                | Language::Json
                | Language::Toml
                | Language::Ini
                | Language::Other
        )
    }

    /// Lower-case name, as rule files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Rust => "rust",
            Language::Javascript => "javascript",
            Language::Typescript => "typescript",
            Language::Go => "go",
            Language::Jvm => "jvm",
            Language::Ruby => "ruby",
            Language::Php => "php",
            Language::Csharp => "csharp",
            Language::Shell => "shell",
            Language::Env => "env",
            Language::Yaml => "yaml",
            Language::Json => "json",
            Language::Toml => "toml",
            Language::Ini => "ini",
            Language::Other => "other",
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LanguageSelector {
    /// Whether a file of `language` is selected.
    pub fn accepts(self, language: Language) -> bool {
        match self {
            LanguageSelector::Any => true,
            LanguageSelector::Code => language.is_code(),
            LanguageSelector::Config => matches!(
                language,
                Language::Env | Language::Yaml | Language::Json | Language::Toml | Language::Ini
            ),
            LanguageSelector::Python => language == Language::Python,
            LanguageSelector::Rust => language == Language::Rust,
            LanguageSelector::Javascript => language == Language::Javascript,
            LanguageSelector::Typescript => language == Language::Typescript,
            LanguageSelector::Go => language == Language::Go,
            LanguageSelector::Jvm => language == Language::Jvm,
            LanguageSelector::Ruby => language == Language::Ruby,
            LanguageSelector::Php => language == Language::Php,
            LanguageSelector::Csharp => language == Language::Csharp,
            LanguageSelector::Shell => language == Language::Shell,
            LanguageSelector::Env => language == Language::Env,
            LanguageSelector::Yaml => language == Language::Yaml,
            LanguageSelector::Json => language == Language::Json,
            LanguageSelector::Toml => language == Language::Toml,
            LanguageSelector::Ini => language == Language::Ini,
            LanguageSelector::Other => language == Language::Other,
        }
    }

    /// A file name the rule's examples are checked as when they do not name one.
    pub fn example_path(self) -> &'static str {
        match self {
            LanguageSelector::Any | LanguageSelector::Other => "example.txt",
            LanguageSelector::Code | LanguageSelector::Python => "example.py",
            LanguageSelector::Config | LanguageSelector::Env => ".env",
            LanguageSelector::Rust => "example.rs",
            LanguageSelector::Javascript => "example.js",
            LanguageSelector::Typescript => "example.ts",
            LanguageSelector::Go => "example.go",
            LanguageSelector::Jvm => "Example.java",
            LanguageSelector::Ruby => "example.rb",
            LanguageSelector::Php => "example.php",
            LanguageSelector::Csharp => "Example.cs",
            LanguageSelector::Shell => "example.sh",
            LanguageSelector::Yaml => "example.yaml",
            LanguageSelector::Json => "example.json",
            LanguageSelector::Toml => "example.toml",
            LanguageSelector::Ini => "example.ini",
        }
    }
}
