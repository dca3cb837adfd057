//! Shannon entropy, the randomness test that tells a generated token from a word.

/// Shannon entropy of `value` in bits per character (0 for an empty string).
pub fn shannon_entropy(value: &str) -> f64 {
    let mut counts = [0usize; 256];
    let mut others: Vec<(char, usize)> = Vec::new();
    let mut total = 0usize;
    for c in value.chars() {
        total += 1;
        if (c as u32) < 256 {
            counts[c as usize] += 1;
        } else if let Some(entry) = others.iter_mut().find(|(seen, _)| *seen == c) {
            entry.1 += 1;
        } else {
            others.push((c, 1));
        }
    }
    if total == 0 {
        return 0.0;
    }
    let total = total as f64;
    counts
        .iter()
        .copied()
        .chain(others.iter().map(|(_, count)| *count))
        .filter(|count| *count > 0)
        .map(|count| {
            let p = count as f64 / total;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::shannon_entropy;

    #[test]
    fn entropy_separates_words_from_tokens() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!(shannon_entropy("password") < 3.0);
        assert!(shannon_entropy("q7Vd9Lk2Zp4XwR8mTb6N") > 4.0);
    }
}
