//! Required substrings of a regex: strings one of which every match contains, so a file
//! holding none of them cannot match and need not be parsed.
//!
//! The analysis runs over the regex's syntax tree (as code-search trigram indexes do): a
//! literal is its own exact set; concatenation multiplies exact sets while they stay small
//! and keeps the best run otherwise; alternation unions; optional parts add the empty
//! string; anything unbounded ends a run. Results are lower-cased and meant for an ASCII
//! case-insensitive search (case-folded regexes such as `(?i)secret` give `secret`).
//! Non-ASCII case variants of ASCII letters (`ſ`, the Kelvin sign) are not followed.

use regex_syntax::hir::{Class, Hir, HirKind};
use std::collections::BTreeSet;

/// Marks a prefilter word matched ASCII case-insensitively (regex-derived words); words
/// without it (identifiers from patterns and names) match exactly.
pub const FOLDED: &str = "(?i)";

/// A prefilter word that is not a string: the file has a decorator that registers a request
/// handler (`@app.get(`, `@bp.route(`), which [`ROUTE_DECORATOR_REGEX`] recognises.
pub const ROUTE_DECORATOR: &str = "\u{0}route-decorator";

/// A decorator line calling a route method (`@router.post(`, `@app.api_route(`). The call
/// must start on the `@` line, as every formatter writes it.
pub const ROUTE_DECORATOR_REGEX: &str = r"(?m)^[ \t]*@[^\n]*?\.[ \t]*(?:get|post|put|patch|delete|head|options|trace|api_route|route|websocket)[ \t]*\(";

/// Larger exact sets are abandoned (cross products grow fast).
const MAX_SET: usize = 64;
/// Shorter required strings are useless as a prefilter (they occur in every file).
pub const MIN_WORD_LEN: usize = 3;

type Set = BTreeSet<String>;

/// What the analysis knows of a sub-expression.
#[derive(Debug, Clone, Default)]
struct Info {
    /// Every string it can match, when that set is small.
    exact: Option<Set>,
    /// Strings one of which every match contains.
    required: Option<Set>,
}

/// Strings (lower-cased, at least [`MIN_WORD_LEN`] long) one of which every match of
/// `pattern` contains, or `None` when no useful set is known.
pub fn required_substrings(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    let best = best(&analyze(&hir))?;
    (score(&best) >= MIN_WORD_LEN).then(|| best.into_iter().collect())
}

fn analyze(hir: &Hir) -> Info {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => exact([String::new()]),
        HirKind::Literal(literal) => exact([String::from_utf8_lossy(&literal.0).to_lowercase()]),
        HirKind::Class(class) => match class_chars(class) {
            Some(chars) => exact(chars.into_iter().map(String::from)),
            None => Info::default(),
        },
        HirKind::Capture(capture) => analyze(&capture.sub),
        HirKind::Repetition(repetition) => {
            let inner = analyze(&repetition.sub);
            match (repetition.min, repetition.max) {
                (1, Some(1)) => inner,
                (0, Some(1)) => Info {
                    exact: inner.exact.map(|mut set| {
                        set.insert(String::new());
                        set
                    }),
                    required: None,
                },
                (0, _) => Info::default(),
                _ => Info {
                    exact: None,
                    required: best(&inner),
                },
            }
        }
        HirKind::Concat(parts) => concat(parts),
        HirKind::Alternation(alternatives) => {
            let infos: Vec<Info> = alternatives.iter().map(analyze).collect();
            let exact = infos
                .iter()
                .map(|info| info.exact.clone())
                .collect::<Option<Vec<Set>>>()
                .map(|sets| sets.into_iter().flatten().collect::<Set>())
                .filter(|set| set.len() <= MAX_SET);
            let required = infos
                .iter()
                .map(best)
                .collect::<Option<Vec<Set>>>()
                .map(|sets| sets.into_iter().flatten().collect::<Set>());
            Info { exact, required }
        }
    }
}

/// A concatenation: exact runs multiplied while small, the best run or part kept.
fn concat(parts: &[Hir]) -> Info {
    let mut run: Set = [String::new()].into();
    let mut whole_is_exact = true;
    let mut required: Option<Set> = None;
    for part in parts {
        let info = analyze(part);
        match &info.exact {
            Some(set) if run.len() * set.len() <= MAX_SET => {
                run = run
                    .iter()
                    .flat_map(|left| set.iter().map(move |right| format!("{left}{right}")))
                    .collect();
            }
            Some(set) => {
                whole_is_exact = false;
                required = better(required, Some(std::mem::replace(&mut run, set.clone())));
            }
            None => {
                whole_is_exact = false;
                required = better(required, Some(std::mem::take(&mut run)));
                required = better(required, info.required);
                run = [String::new()].into();
            }
        }
    }
    if whole_is_exact {
        Info {
            exact: Some(run),
            required,
        }
    } else {
        Info {
            exact: None,
            required: better(required, Some(run)),
        }
    }
}

fn exact(strings: impl IntoIterator<Item = String>) -> Info {
    Info {
        exact: Some(strings.into_iter().collect()),
        required: None,
    }
}

/// The characters of a small class, lower-cased (`[Ss]` → `s`, `[_-]` → `_`, `-`).
fn class_chars(class: &Class) -> Option<BTreeSet<char>> {
    let mut chars = BTreeSet::new();
    let mut push = |c: char| {
        if c.is_ascii() {
            chars.insert(c.to_ascii_lowercase());
        } else if !c.to_lowercase().all(|lower| lower.is_ascii())
            && !c.to_uppercase().all(|upper| upper.is_ascii())
        {
            chars.insert(c);
        }
        chars.len() <= 4
    };
    match class {
        Class::Unicode(class) => {
            for range in class.iter() {
                if u32::from(range.end()) - u32::from(range.start()) > 8 {
                    return None;
                }
                for c in range.start()..=range.end() {
                    if !push(c) {
                        return None;
                    }
                }
            }
        }
        Class::Bytes(class) => {
            for range in class.iter() {
                if range.end() - range.start() > 8 {
                    return None;
                }
                for byte in range.start()..=range.end() {
                    if !push(char::from(byte)) {
                        return None;
                    }
                }
            }
        }
    }
    (!chars.is_empty()).then_some(chars)
}

/// The more selective of an exact set and a required set.
fn best(info: &Info) -> Option<Set> {
    better(info.exact.clone(), info.required.clone())
}

fn better(a: Option<Set>, b: Option<Set>) -> Option<Set> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if score(&b) > score(&a) { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// How selective a set is: the length of its shortest string.
fn score(set: &Set) -> usize {
    set.iter()
        .map(|string| string.chars().count())
        .min()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(pattern: &str) -> Option<Vec<String>> {
        required_substrings(pattern)
    }

    #[test]
    fn literals_and_alternations() {
        assert_eq!(words("password"), Some(vec!["password".into()]));
        assert_eq!(
            words(r"^(get|post)_items\(\w+\)$"),
            Some(vec!["get_items(".into(), "post_items(".into()])
        );
        assert_eq!(
            words("(?i)jwt_?secret"),
            Some(vec!["jwt_secret".into(), "jwtsecret".into()])
        );
    }

    #[test]
    fn the_best_run_of_a_concatenation() {
        assert_eq!(
            words(r"^[\w.]*(?i:system_?prompt)\w*\s*="),
            Some(vec!["system_prompt".into(), "systemprompt".into()])
        );
        assert_eq!(
            words(r"\b(?:log|logger)\.\w+\("),
            Some(vec!["log.".into(), "logger.".into()])
        );
    }

    #[test]
    fn nothing_useful() {
        assert_eq!(words(r"\w+"), None);
        assert_eq!(words("ab|cdef"), None, "too short an alternative");
        assert_eq!(words("(abc)?x"), None);
        assert_eq!(words("(unclosed"), None);
    }

    #[test]
    fn every_match_contains_one_of_the_words() {
        let cases = [
            (r"(?i)(?:SECRET|SIGNING|JWT)_?KEY$", "MY_SIGNING_KEY"),
            (
                r"^(async\s+)?def\s+\w*(?i:system_?prompt)",
                "async def build_system_prompt",
            ),
            (r"(?i)^(dev|test)[-_ ]?secret\d*$", "Dev-Secret42"),
            (r"\.\s*(format|join)\s*\(", "x . format ("),
        ];
        for (pattern, text) in cases {
            let regex = regex::Regex::new(pattern).unwrap();
            assert!(regex.is_match(text), "{pattern}");
            let words = words(pattern).unwrap_or_else(|| panic!("{pattern}: no words"));
            let lower = text.to_lowercase();
            assert!(
                words.iter().any(|word| lower.contains(word)),
                "{pattern}: {words:?} not in {text}"
            );
        }
    }
}
