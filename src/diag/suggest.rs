//! "Did you mean": the closest of a set of known names to a word that is not one.

/// The candidate closest to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let cl = c.to_lowercase();
        let d = if cl == lower {
            0
        } else {
            strsim::damerau_levenshtein(&lower, &cl)
        };
        let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
        let better = best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc));
        if d <= limit && better {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_typos_but_not_strangers() {
        let names = ["actors", "actions", "claims"];
        assert_eq!(did_you_mean("actros", names), Some("actors"));
        assert_eq!(did_you_mean("Claims", names), Some("claims"));
        assert_eq!(did_you_mean("weather", names), None);
    }
}
