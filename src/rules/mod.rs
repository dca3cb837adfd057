//! Rules: loaded from TOML (built-in and user directories), validated and compiled once.
//!
//! Takes rule file texts, gives back a [`RuleSet`] the matchers run. `spec.rs` is the file
//! format, `compile.rs` turns it into the [`Rule`]s below, `load.rs` finds the files.

mod checker;
pub mod compile;
mod compile_fix;
mod compile_pattern;
pub mod lazy_regex;
pub use compile_fix::RuleFix;
pub mod load;
pub mod spec;

use crate::language::{Language, LanguageSelector};
pub use crate::matchers::pattern::PatternRule;
pub use crate::matchers::route::RouteRule;
pub use crate::matchers::taint::TaintRule;
use crate::pathglob::PathGlobs;
use crate::rules::lazy_regex::LazyRegex;
use crate::severity::Severity;
pub use spec::{ExampleSpec, FileCondition};

/// A validated, compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique id (kebab-case).
    pub id: String,
    /// Byte span of the id in its rule file, for diagnostics about it.
    pub id_span: std::ops::Range<usize>,
    /// Where it applies.
    pub languages: Vec<LanguageSelector>,
    /// How serious its findings are.
    pub severity: Severity,
    /// CWE ids (`CWE-798`).
    pub cwe: Vec<String>,
    /// Message of every finding.
    pub message: String,
    /// Documentation sections.
    pub docs: Docs,
    /// Test examples.
    pub examples: Examples,
    /// The file it came from (`rules/secrets/aws-access-key-id.toml` for built-ins).
    pub source_path: String,
    /// Whether it ships with `harden`.
    pub builtin: bool,
    /// The matcher and its settings.
    pub kind: RuleKind,
    /// Fixes, tried in order.
    pub fixes: Vec<RuleFix>,
}

/// The compiled matcher settings of a rule.
#[derive(Debug)]
pub enum RuleKind {
    /// See [`SecretRule`].
    Secret(SecretRule),
    /// See [`FileRule`].
    File(FileRule),
    /// See [`PatternRule`].
    Pattern(PatternRule),
    /// See [`TaintRule`].
    Taint(TaintRule),
    /// See [`RouteRule`].
    Route(RouteRule),
}

impl RuleKind {
    /// Name as written in rule files.
    pub fn as_str(&self) -> &'static str {
        match self {
            RuleKind::Secret(_) => "secret",
            RuleKind::File(_) => "file",
            RuleKind::Pattern(_) => "pattern",
            RuleKind::Taint(_) => "taint",
            RuleKind::Route(_) => "route",
        }
    }
}

/// Documentation of a rule (`[docs]`).
#[derive(Debug, Clone)]
pub struct Docs {
    /// What the rule finds.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// Example of the problem.
    pub bad: String,
    /// The safe alternative.
    pub good: String,
    /// What to do about a finding.
    pub remediation: String,
    /// What the remediation changes.
    pub fix_safety: String,
    /// Links.
    pub references: Vec<String>,
}

/// Examples of a rule, resolved to file names.
#[derive(Debug, Clone, Default)]
pub struct Examples {
    /// Must fire.
    pub positive: Vec<ExampleSpec>,
    /// Must stay silent.
    pub negative: Vec<ExampleSpec>,
}

/// A credential format.
#[derive(Debug)]
pub struct SecretRule {
    /// Lower-cased prefilter keywords; empty means the rule runs on every file.
    pub keywords: Vec<String>,
    /// The credential regex.
    pub regex: LazyRegex,
    /// Index of the `secret` capture group, if the regex has one.
    pub secret_group: Option<usize>,
    /// Minimum Shannon entropy of the credential.
    pub min_entropy: f64,
    /// Overlap priority (higher wins).
    pub priority: i32,
    /// Whether placeholder-looking values are ignored.
    pub skip_placeholders: bool,
    /// Paths where the rule does not run.
    pub allow_paths: PathGlobs,
    /// Credentials matching any of these are ignored.
    pub allow_regexes: Vec<LazyRegex>,
    /// Lower-cased words; credentials containing one are ignored.
    pub stopwords: Vec<String>,
}

/// A kind of file that must not be committed.
#[derive(Debug)]
pub struct FileRule {
    /// Name or path globs that select the file.
    pub paths: PathGlobs,
    /// Leading bytes that select the file whatever its name.
    pub magic: Vec<Vec<u8>>,
    /// Paths never reported.
    pub exclude: PathGlobs,
    /// Regex the text must match too.
    pub contains: Option<LazyRegex>,
    /// Present, or present and not covered by `.gitignore`.
    pub when: FileCondition,
}

impl Rule {
    /// Whether the rule applies to files of `language`.
    pub fn applies_to(&self, language: Language) -> bool {
        self.languages
            .iter()
            .any(|selector| selector.accepts(language))
    }

    /// The file name string examples are scanned as.
    pub fn default_example_path(&self) -> &'static str {
        self.languages
            .first()
            .map_or("example.txt", |selector| selector.example_path())
    }
}

/// The rules of one run, in id order.
#[derive(Debug, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// Wraps compiled rules, sorted by id (ids are unique: the loader checked).
    pub fn new(mut rules: Vec<Rule>) -> RuleSet {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        RuleSet { rules }
    }

    /// All rules, by id.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .binary_search_by(|rule| rule.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.rules[index])
    }

    /// Keeps only the rules `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there is no rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
