//! The `secret` matcher: keyword prefilter → regex → entropy → allowlists → placeholders,
//! then overlap resolution by priority.
//!
//! One Aho-Corasick pass over a text finds every rule whose keywords occur in it; only those
//! rules' regexes run. The matcher sees a path and a text, never where the text came from
//! (working tree, index or history).

use super::entropy::shannon_entropy;
use super::placeholder::is_placeholder;
use crate::findings::Match;
use crate::language::Language;
use crate::rules::{Rule, RuleKind, SecretRule};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// All secret rules of a rule set, with their shared keyword automaton.
pub struct SecretMatcher {
    /// Index in the rule set of every secret rule.
    rules: Vec<usize>,
    /// Keyword automaton; pattern `i` belongs to secret rules `keyword_owners[i]`.
    prefilter: Option<AhoCorasick>,
    keyword_owners: Vec<Vec<usize>>,
    /// Positions (in `rules`) of rules without keywords: they always run.
    unconditional: Vec<usize>,
}

impl SecretMatcher {
    /// Builds the matcher for the secret rules among `rules`.
    pub fn new(rules: &[Rule]) -> SecretMatcher {
        let mut secret_rules = Vec::new();
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_owners: Vec<Vec<usize>> = Vec::new();
        let mut unconditional = Vec::new();
        for (rule_index, rule) in rules.iter().enumerate() {
            let RuleKind::Secret(secret) = &rule.kind else {
                continue;
            };
            let position = secret_rules.len();
            secret_rules.push(rule_index);
            if secret.keywords.is_empty() {
                unconditional.push(position);
            }
            for keyword in &secret.keywords {
                match keywords.iter().position(|known| known == keyword) {
                    Some(existing) => keyword_owners[existing].push(position),
                    None => {
                        keywords.push(keyword.clone());
                        keyword_owners.push(vec![position]);
                    }
                }
            }
        }
        let prefilter = (!keywords.is_empty())
            .then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .build(&keywords)
                    .ok()
            })
            .flatten();
        SecretMatcher {
            rules: secret_rules,
            prefilter,
            keyword_owners,
            unconditional,
        }
    }

    /// Whether there is any secret rule at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Finds the credentials in `text` (the content of `path`, of `language`).
    pub fn find(&self, rules: &[Rule], path: &str, language: Language, text: &str) -> Vec<Match> {
        let mut candidates = vec![false; self.rules.len()];
        for &position in &self.unconditional {
            candidates[position] = true;
        }
        if let Some(prefilter) = &self.prefilter {
            let mut remaining = candidates.iter().filter(|candidate| !**candidate).count();
            for hit in prefilter.find_overlapping_iter(text) {
                for &owner in &self.keyword_owners[hit.pattern().as_usize()] {
                    if !candidates[owner] {
                        candidates[owner] = true;
                        remaining -= 1;
                    }
                }
                if remaining == 0 {
                    break;
                }
            }
        }

        let mut found: Vec<(i32, Match)> = Vec::new();
        for (position, &rule_index) in self.rules.iter().enumerate() {
            if !candidates[position] {
                continue;
            }
            let rule = &rules[rule_index];
            let RuleKind::Secret(secret) = &rule.kind else {
                continue;
            };
            if !rule.applies_to(language) || secret.allow_paths.is_match(path) {
                continue;
            }
            for captures in secret.regex.captures_iter(text) {
                let Some(whole) = captures.get(0) else {
                    continue;
                };
                let credential = secret
                    .secret_group
                    .and_then(|group| captures.get(group))
                    .unwrap_or(whole);
                if is_reportable(secret, credential.as_str()) {
                    found.push((
                        secret.priority,
                        Match {
                            rule: rule_index,
                            range: whole.range(),
                            secret: Some(credential.range()),
                            fix: None,
                        },
                    ));
                }
            }
        }
        resolve_overlaps(found)
    }
}

/// The per-credential filters: entropy, allowlisted values, stopwords, placeholders.
fn is_reportable(rule: &SecretRule, credential: &str) -> bool {
    if credential.is_empty() || shannon_entropy(credential) < rule.min_entropy {
        return false;
    }
    if rule
        .allow_regexes
        .iter()
        .any(|regex| regex.is_match(credential))
    {
        return false;
    }
    if !rule.stopwords.is_empty() {
        let lower = credential.to_lowercase();
        if rule
            .stopwords
            .iter()
            .any(|word| lower.contains(word.as_str()))
        {
            return false;
        }
    }
    !(rule.skip_placeholders && is_placeholder(credential))
}

/// Drops a match whose credential overlaps one of a strictly higher-priority rule (a
/// generic `password = "..."` rule yields to the provider rule that recognised the token).
fn resolve_overlaps(mut found: Vec<(i32, Match)>) -> Vec<Match> {
    found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.range.start.cmp(&b.1.range.start)));
    let mut kept: Vec<(i32, Match)> = Vec::with_capacity(found.len());
    for (priority, candidate) in found {
        let span = candidate.secret.clone().unwrap_or(candidate.range.clone());
        let shadowed = kept.iter().any(|(kept_priority, kept_match)| {
            let kept_span = kept_match.secret.as_ref().unwrap_or(&kept_match.range);
            *kept_priority > priority && kept_span.start < span.end && span.start < kept_span.end
        });
        let duplicate = kept.iter().any(|(_, kept_match)| *kept_match == candidate);
        if !shadowed && !duplicate {
            kept.push((priority, candidate));
        }
    }
    let mut matches: Vec<Match> = kept.into_iter().map(|(_, found)| found).collect();
    matches.sort_by_key(|found| (found.range.start, found.rule));
    matches
}
