//! Rule files as written: the serde model of `rules/<group>/<id>.toml`.
//!
//! Takes TOML text, gives back a [`RuleSpec`] with the source spans of the fields that later
//! validation may reject (ids, regexes, globs), so errors point into the rule file.
//! Nothing here is validated beyond its TOML shape: see `compile.rs`.

use crate::language::LanguageSelector;
use crate::severity::Severity;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::fmt;
use toml::Spanned;

/// One rule file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    /// Unique rule id, kebab-case; must equal the file stem.
    pub id: Spanned<String>,
    /// Which matcher runs the rule; the table of the same name holds its settings.
    pub kind: Spanned<RuleKindSpec>,
    /// Languages the rule applies to: one name or a list (`any`, `code`, `config`,
    /// `python`, `env`, ...). Defaults to `any`.
    #[serde(default)]
    pub language: Option<Spanned<Languages>>,
    /// `critical`, `high`, `medium` or `low`.
    pub severity: Severity,
    /// CWE ids, e.g. `["CWE-798"]`.
    pub cwe: Spanned<Vec<String>>,
    /// One-line message shown with every finding.
    pub message: String,
    /// Human documentation shown by `harden explain` and in SARIF help.
    pub docs: DocsSpec,
    /// Snippets that must (positive) and must not (negative) fire; run by the test suite.
    #[serde(default)]
    pub examples: ExamplesSpec,
    /// Settings of a `secret` rule.
    pub secret: Option<SecretSpec>,
    /// Settings of a `file` rule.
    pub file: Option<FileSpec>,
    /// Settings of a `pattern` rule: a rule object.
    pub pattern: Option<RuleObjectSpec>,
    /// Settings of a `taint` rule.
    pub taint: Option<TaintSpec>,
    /// Settings of a `route` rule.
    pub route: Option<RouteSpec>,
    /// Fixes, tried in order: the first that applies to a match is offered.
    #[serde(default)]
    pub fix: Vec<FixSpec>,
}

/// A `[[fix]]` table: either edits (templates over the match's metavariables) or a
/// dedicated `strategy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    /// What the fix does, shown with the finding.
    pub title: Option<String>,
    /// `safe` (applied by `harden fix --apply`), `unsafe` (with `--unsafe-fixes`) or
    /// `display` (shown, never applied).
    pub applicability: Spanned<crate::fix::Applicability>,
    /// Template edits (pattern and taint rules).
    #[serde(default)]
    pub edits: Vec<EditSpec>,
    /// Import statements the edited file needs, e.g. `["import os"]`.
    #[serde(default)]
    pub imports: Vec<String>,
    /// A dedicated fix: `environment` (secret rules) or `gitignore` (file rules).
    pub strategy: Option<Spanned<crate::fix::strategy::Strategy>>,
    /// For `strategy = "gitignore"`: the lines `.gitignore` must contain.
    #[serde(default)]
    pub gitignore: Vec<String>,
    /// For `strategy = "gitignore"`: also remove the file from the index (never from disk).
    #[serde(default)]
    pub untrack: bool,
    /// What the user must still do by hand, printed with the fix.
    pub advice: Option<String>,
    /// The fix only applies when the reported node matches this rule object (e.g. a rule
    /// whose matches have several shapes, each with its own fix).
    pub when: Option<RuleObjectSpec>,
}

/// One `[[fix.edits]]` entry: a target and exactly one operation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditSpec {
    /// `$X` (a metavariable), `keyword:NAME` (that keyword argument's value in the reported
    /// call); default: the reported node.
    pub target: Option<Spanned<String>>,
    /// Replace the target's text with this template.
    pub replace: Option<Spanned<String>>,
    /// Insert these lines before the target's statement, at its indentation.
    pub insert_before: Option<Spanned<String>>,
    /// Insert these lines after the target's statement, at its indentation.
    pub insert_after: Option<Spanned<String>>,
    /// Set this keyword argument of the target call to `value` (replaced or added).
    pub set_keyword: Option<String>,
    /// The template value for `set_keyword`.
    pub value: Option<Spanned<String>>,
    /// Remove this keyword argument from the target call.
    pub remove_keyword: Option<String>,
    /// Replace the value of this keyword argument of the target call if it has one (no edit
    /// otherwise), with `value`.
    pub replace_keyword: Option<String>,
    /// Narrow the target to its first part (itself included, outermost first) matching one
    /// of these patterns (`["os.environ.copy()", "os.environ"]`).
    #[serde(default)]
    pub select: Vec<Spanned<String>>,
    /// Widen the target to the outermost ancestor chain matching these patterns (`str($E)`,
    /// `$E.args`): what wraps the target goes with it.
    #[serde(default)]
    pub widen: Vec<Spanned<String>>,
}

/// The matcher a rule uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKindSpec {
    /// Credentials in text: keywords, regex, entropy, allowlists.
    Secret,
    /// Files that must not be in a repository, by path, leading bytes or content.
    File,
    /// Structural code patterns (Python).
    Pattern,
    /// Data flow from sources to sinks (Python).
    Taint,
    /// Web request handlers by path and authentication (Python).
    Route,
}

impl RuleKindSpec {
    /// Name as written in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKindSpec::Secret => "secret",
            RuleKindSpec::File => "file",
            RuleKindSpec::Pattern => "pattern",
            RuleKindSpec::Taint => "taint",
            RuleKindSpec::Route => "route",
        }
    }
}

/// The `language` field: a single selector or a list of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages(pub Vec<LanguageSelector>);

impl<'de> Deserialize<'de> for Languages {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LanguagesVisitor;

        impl<'de> Visitor<'de> for LanguagesVisitor {
            type Value = Languages;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a language name or a list of language names")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<Languages, E> {
                let selector =
                    LanguageSelector::deserialize(de::value::StrDeserializer::new(value))?;
                Ok(Languages(vec![selector]))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Languages, A::Error> {
                let mut selectors = Vec::new();
                while let Some(selector) = seq.next_element()? {
                    selectors.push(selector);
                }
                Ok(Languages(selectors))
            }
        }

        deserializer.deserialize_any(LanguagesVisitor)
    }
}

/// `[docs]`: the sections of `harden explain`, in the order ruff's rule docs use.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocsSpec {
    /// What the rule finds.
    pub what: String,
    /// Why it is a problem: the attack or the failure it enables.
    pub why: String,
    /// An example of the problem.
    pub bad: String,
    /// The safe way to write it.
    pub good: String,
    /// What to do about a finding, in one or two sentences (the help line of reports).
    pub remediation: String,
    /// What the remediation (manual or automatic) changes and what it may break.
    pub fix_safety: String,
    /// Links to standards, provider docs or write-ups.
    #[serde(default)]
    pub references: Vec<String>,
}

/// `[examples]`: snippets the test suite scans with this rule alone.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExamplesSpec {
    /// File name string examples are scanned as (default: from the rule's language).
    pub path: Option<String>,
    /// Examples that must produce at least one finding of this rule.
    #[serde(default)]
    pub positive: Vec<ExampleSpec>,
    /// Examples that must produce no finding of this rule.
    #[serde(default)]
    pub negative: Vec<ExampleSpec>,
}

/// One example: a string (the file's text) or a table `{ path = "...", text = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExampleSpec {
    /// File name to scan the text as; `None` uses `[examples].path` or the default.
    pub path: Option<String>,
    /// The file's text.
    pub text: String,
}

impl<'de> Deserialize<'de> for ExampleSpec {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ExampleTable {
            path: Option<String>,
            #[serde(default)]
            text: String,
        }

        struct ExampleVisitor;

        impl<'de> Visitor<'de> for ExampleVisitor {
            type Value = ExampleSpec;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, or a table with `path` and `text`")
            }

            fn visit_str<E: de::Error>(self, value: &str) -> Result<ExampleSpec, E> {
                Ok(ExampleSpec {
                    path: None,
                    text: value.to_owned(),
                })
            }

            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ExampleSpec, A::Error> {
                let table = ExampleTable::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(ExampleSpec {
                    path: table.path,
                    text: table.text,
                })
            }
        }

        deserializer.deserialize_any(ExampleVisitor)
    }
}

/// `[secret]`: a credential format.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSpec {
    /// Case-insensitive words of which at least one must occur in a file for the regex to
    /// run there (the Aho-Corasick prefilter). Empty means the regex runs on every file.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Regular expression (Rust `regex` syntax) of the credential. A named group `secret`
    /// marks the credential itself; without it the whole match is the credential.
    pub regex: Spanned<String>,
    /// Minimum Shannon entropy (bits per character) of the credential; lower is ignored.
    #[serde(default)]
    pub min_entropy: Option<f64>,
    /// When several rules match overlapping credentials, only the highest priority ones
    /// are reported (provider rules 0, generic rules below 0).
    #[serde(default)]
    pub priority: i32,
    /// Ignore values that look like placeholders (`your-api-key-here`, `xxxx`, `<TOKEN>`,
    /// `${VAR}`, `changeme`). Defaults to true; a rule about weak secrets turns it off.
    #[serde(default = "default_true")]
    pub skip_placeholders: bool,
    /// Exceptions.
    #[serde(default)]
    pub allowlist: AllowlistSpec,
}

fn default_true() -> bool {
    true
}

/// `[secret.allowlist]`: what a secret rule must not report.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistSpec {
    /// Path globs where the rule does not run (`*.lock`, `tests/fixtures/**`).
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Regexes; a credential matching any of them is ignored.
    #[serde(default)]
    pub regexes: Vec<Spanned<String>>,
    /// Case-insensitive words; a credential containing any of them is ignored.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

/// `[file]`: a kind of file that must not be committed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSpec {
    /// Path globs; a glob without `/` matches the file name at any depth, one with `/`
    /// matches the path from the scanned root.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
    /// Leading bytes that identify the format whatever the file is called
    /// (e.g. `"SQLite format 3\u0000"`).
    #[serde(default)]
    pub magic: Vec<String>,
    /// Path globs that are never reported (`.env.example`).
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// Regex the file's text must also match (e.g. a PEM private key header in a `.pem`).
    #[serde(default)]
    pub contains: Option<Spanned<String>>,
    /// `present` (default): report the file. `not-gitignored`: report it only when the
    /// repository's `.gitignore` files do not cover it.
    #[serde(default)]
    pub when: FileCondition,
}

/// When a `file` rule reports a matching file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileCondition {
    /// Whenever the file is in the scanned tree (tracked, or untracked and not ignored).
    #[default]
    Present,
    /// Only when no `.gitignore` rule covers the file (git repositories only).
    NotGitignored,
}

/// A rule object (`[pattern]` and every nested object): each field present must hold.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleObjectSpec {
    /// Python code with `$X`, `$_`, `...` and `$$$` placeholders.
    pub pattern: Option<Spanned<String>>,
    /// tree-sitter node kind (`call`, `function_definition`...).
    pub kind: Option<Spanned<String>>,
    /// Regex over the node's source text.
    pub regex: Option<Spanned<String>>,
    /// At least one of these must match the node.
    #[serde(default)]
    pub any: Vec<RuleObjectSpec>,
    /// All of these must match the node.
    #[serde(default)]
    pub all: Vec<RuleObjectSpec>,
    /// This must not match the node.
    pub not: Option<Box<RuleObjectSpec>>,
    /// Some ancestor of the node must match this.
    pub inside: Option<Box<RuleObjectSpec>>,
    /// No ancestor of the node may match this.
    pub not_inside: Option<Box<RuleObjectSpec>>,
    /// Some descendant of the node must match this.
    pub has: Option<Box<RuleObjectSpec>>,
    /// No descendant of the node may match this.
    pub not_has: Option<Box<RuleObjectSpec>>,
    /// Conditions on metavariables, checked after everything else.
    #[serde(default, rename = "where")]
    pub conditions: Vec<ConditionSpec>,
    /// Report the node bound to this metavariable instead of the whole match (top level only).
    pub focus: Option<Spanned<String>>,
}

/// A `[[pattern.where]]` condition on one metavariable.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// The metavariable, `$X`.
    pub metavariable: Spanned<String>,
    /// Regex the bound node's source text must match.
    pub regex: Option<Spanned<String>>,
    /// Regex the bound node's source text must not match.
    pub not_regex: Option<Spanned<String>>,
    /// Regex the bound node's constant string value (literal or propagated) must match.
    pub value_regex: Option<Spanned<String>>,
    /// `true`: the node has a fully known constant value; `false`: it has not.
    pub literal: Option<bool>,
    /// The constant string value has at least this many characters.
    pub min_length: Option<usize>,
    /// The constant string value has at most this many characters.
    pub max_length: Option<usize>,
    /// The import-resolved dotted name is one of these.
    #[serde(default)]
    pub names: Vec<String>,
    /// The import-resolved dotted name is none of these.
    #[serde(default)]
    pub not_names: Vec<String>,
    /// The bound node is a name made by calling one of these (`x = NAME(...)` or
    /// `with NAME(...) as x`), e.g. `["httpx.AsyncClient", "requests.Session"]`.
    #[serde(default)]
    pub made_by: Vec<String>,
    /// A rule object the bound node must match.
    pub matches: Option<Box<RuleObjectSpec>>,
    /// A rule object the bound node must not match.
    pub not_matches: Option<Box<RuleObjectSpec>>,
}

/// `[taint]`: request-controlled data reaching a dangerous use. Every entry is a rule
/// object; `focus` says which metavariable is the data (default: the whole match).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaintSpec {
    /// Built-in source families: `route-parameters` (request data parameters of FastAPI,
    /// Starlette and Flask handlers).
    #[serde(default)]
    pub builtin_sources: Vec<BuiltinSource>,
    /// Expressions whose value is attacker-controlled (`flask.request.args`, `input(...)`).
    #[serde(default)]
    pub sources: Vec<RuleObjectSpec>,
    /// Dangerous uses; `focus` names the argument that must not be tainted.
    pub sinks: Vec<RuleObjectSpec>,
    /// Expressions whose result is safe whatever the input (`shlex.quote(...)`).
    #[serde(default)]
    pub sanitizers: Vec<RuleObjectSpec>,
    /// Conditions that, when true, make `focus` safe (`$P.is_relative_to(...)`); after
    /// `if not <guard>: raise` the value is clean.
    #[serde(default)]
    pub guards: Vec<RuleObjectSpec>,
    /// Conditions that, when true, mean `focus` is unsafe (`$X not in $ALLOWED`); after
    /// `if <reject>: raise` the value is clean.
    #[serde(default)]
    pub rejects: Vec<RuleObjectSpec>,
    /// The sinks take URLs (SSRF): tainted data that only lands after a fixed
    /// `scheme://host/` (or after a clean base followed by `/`) does not count.
    #[serde(default)]
    pub url_sinks: bool,
}

/// Source families `harden` knows without patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltinSource {
    /// Parameters of web request handlers that carry request data.
    RouteParameters,
}

/// `[route]`: request handlers whose full path matches and that nothing authenticates.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// Regex over the handler's full path (include prefix + router prefix + route path).
    pub path_regex: Spanned<String>,
    /// Regex over dependency names (`Depends(require_admin)` → `require_admin`), `Security`
    /// and decorator names that count as authentication.
    pub auth_names: Spanned<String>,
}
