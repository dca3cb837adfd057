//! Secrets masked in fix diffs. A diff that removes a hard-coded credential shows it on the
//! `-` line (and a fix elsewhere in the file may show it as context), so every diff printed
//! without `--show-secrets` goes through here first. Such a diff no longer applies as-is:
//! `harden fix --apply` writes the real change.

use crate::findings::{Finding, digest};
use crate::redact::redact;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// The raw credentials the secret findings point at, read back from the files under `root`
/// (each checked against the finding's digest, so a file changed since the scan gives
/// nothing rather than the wrong text).
pub fn secrets_in(root: &Path, findings: &[Finding]) -> Vec<String> {
    let mut texts: HashMap<&str, Option<String>> = HashMap::new();
    let mut secrets = BTreeSet::new();
    for finding in findings {
        let (Some(range), Some(expected)) = (&finding.secret_range, &finding.secret_digest) else {
            continue;
        };
        let text = texts
            .entry(finding.path.as_str())
            .or_insert_with(|| std::fs::read_to_string(root.join(&finding.path)).ok());
        let Some(secret) = text.as_deref().and_then(|text| text.get(range.clone())) else {
            continue;
        };
        if !secret.is_empty() && digest(secret) == *expected {
            secrets.insert(secret.to_owned());
        }
    }
    secrets.into_iter().collect()
}

/// `diff` with every occurrence of `secrets` masked the way reports mask them. The longest
/// secrets go first, so one that contains another is masked whole.
pub fn mask_secrets(diff: &str, secrets: &[String]) -> String {
    let mut ordered: Vec<&String> = secrets.iter().collect();
    ordered.sort_by_key(|secret| std::cmp::Reverse(secret.len()));
    let mut masked = diff.to_owned();
    for secret in ordered {
        if masked.contains(secret.as_str()) {
            masked = masked.replace(secret.as_str(), &redact(secret));
        }
    }
    masked
}

#[cfg(test)]
mod tests {
    use super::mask_secrets;

    #[test]
    fn masks_every_occurrence_longest_first() {
        let secrets = vec![
            "tok_Zq8vN3xW7rT2mK9pL4sB6yH1".to_owned(),
            "Zq8vN3xW7rT2mK9pL4sB6yH1".to_owned(),
        ];
        let diff = "-KEY = \"tok_Zq8vN3xW7rT2mK9pL4sB6yH1\"\n+KEY = os.environ[\"KEY\"]\n \
                    OTHER = \"Zq8vN3xW7rT2mK9pL4sB6yH1\"\n";
        let masked = mask_secrets(diff, &secrets);
        assert!(!masked.contains("Zq8vN3xW7rT2mK9pL4sB6yH1"), "{masked}");
        assert!(masked.contains("-KEY = \"tok_*****\""), "{masked}");
        assert!(masked.contains("OTHER = \"Zq8v*****\""), "{masked}");
    }
}
