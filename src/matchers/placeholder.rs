//! Placeholder detection: values that stand for a credential without being one
//! (`your-api-key-here`, `xxxxxxxx`, `<TOKEN>`, `${API_KEY}`, `changeme`).
//!
//! Used by secret rules that keep `skip_placeholders` on. A rule about weak secrets (where
//! `changeme` *is* the problem) turns it off.

/// Words that mark a value as a stand-in when they appear in it (case-insensitive).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "placeholder",
    "changeme",
    "change-me",
    "change_me",
    "replaceme",
    "replace-me",
    "replace_me",
    "dummy",
    "sample",
    "redacted",
    "your-",
    "your_",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "insert",
    "notreal",
    "not-a-real",
    "not_a_real",
    "fake",
    "todo",
    "fixme",
    "-here",
    "_here",
    "goes-here",
    "xxxx",
    "****",
    "....",
    "<",
    "${",
    "{{",
    "%(",
    "$(",
];

/// Whether `value` looks like a placeholder rather than a real credential.
pub fn is_placeholder(value: &str) -> bool {
    let trimmed = value.trim_matches(|c: char| c == '"' || c == '\'' || c.is_whitespace());
    if trimmed.is_empty() {
        return true;
    }
    let lower = trimmed.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|word| lower.contains(word)) {
        return true;
    }
    if is_env_reference(trimmed) {
        return true;
    }
    // One character repeated (`0000000000`, `aaaaaaaa`) or a plain ascending run.
    let mut chars = lower.chars();
    let first = chars.next().unwrap_or(' ');
    if lower.chars().all(|c| c == first) {
        return true;
    }
    lower.contains("1234567890") || lower.contains("abcdefghij")
}

/// `$VAR`, `%VAR%`, `@VAR@`: a reference to a value defined elsewhere.
fn is_env_reference(value: &str) -> bool {
    let is_name = |name: &str| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    };
    if let Some(rest) = value.strip_prefix('$') {
        return is_name(rest);
    }
    for delimiter in ['%', '@'] {
        if let Some(inner) = value
            .strip_prefix(delimiter)
            .and_then(|rest| rest.strip_suffix(delimiter))
        {
            return is_name(inner);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_placeholder;

    #[test]
    fn placeholders_are_recognised() {
        for value in [
            "your-api-key-here",
            "YOUR_API_KEY",
            "xxxxxxxxxxxxxxxx",
            "<SECRET>",
            "${OPENAI_API_KEY}",
            "$OPENAI_API_KEY",
            "%API_TOKEN%",
            "changeme",
            "sk-proj-XXXXXXXXXXXXXXXXXXXX",
            "AKIAIOSFODNN7EXAMPLE",
            "{{ vault_token }}",
            "0000000000000000",
        ] {
            assert!(is_placeholder(value), "{value} should be a placeholder");
        }
    }

    #[test]
    fn random_tokens_are_not_placeholders() {
        for value in [
            "AKIAZ7Q3MN4PWXYZ2ABC",
            "q7Vd9Lk2Zp4XwR8mTb6N",
            "ghp_4Tq9ZpW2mXc7Lr1Vb8Nd3Ks6Hy0Jf5Ge2Qa",
        ] {
            assert!(
                !is_placeholder(value),
                "{value} should not be a placeholder"
            );
        }
    }
}
