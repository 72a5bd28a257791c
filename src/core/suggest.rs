//! "Did you mean": the nearest known name to a misspelled one.

/// The known name nearest to `wanted` by edit distance, if it is close enough to be a likely
/// misspelling (at most a third of the longer name's characters differ).
pub fn nearest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    known
        .map(|name| (edit_distance(wanted, name), name))
        .filter(|(distance, name)| *distance * 3 <= wanted.chars().count().max(name.chars().count()))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

/// Levenshtein distance over characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (row, left_char) in left.chars().enumerate() {
        let mut current = vec![row + 1; right.len() + 1];
        for (column, right_char) in right.iter().enumerate() {
            let substitution = previous[column] + usize::from(left_char != *right_char);
            current[column + 1] = substitution.min(previous[column + 1] + 1).min(current[column] + 1);
        }
        previous = current;
    }
    previous[right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["cn-mainland", "hk"];
        assert_eq!(nearest("cn-mainlnd", known.into_iter()), Some("cn-mainland"));
        assert_eq!(nearest("taiwan", known.into_iter()), None);
    }
}
