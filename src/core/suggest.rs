//! "Did you mean": the nearest known name to a misspelled one. Bounded: a name longer than
//! `SUGGESTED_NAME_CHARS_MAX` gets no suggestion and is compared with nothing, so the search costs
//! at most a fixed amount per known name, however long the name asked about.

/// Longest name, in characters, that is compared for a suggestion (and longest known name that
/// can be suggested). Workflow names are shorter (`core::workflow::NAME_CHARS_MAX`).
pub const SUGGESTED_NAME_CHARS_MAX: usize = 256;

/// The known name nearest to `wanted` by edit distance, if it is close enough to be a likely
/// misspelling (at most a third of the longer name's characters differ). The first of equally
/// near names wins.
pub fn nearest<'a>(wanted: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut wanted_chars = Vec::new();
    let wanted = chars_within(wanted, &mut wanted_chars)?;
    let mut candidate = Vec::new();
    let mut rows = EditRows::default();
    let mut best: Option<(usize, &str)> = None;
    for name in known {
        let Some(candidate) = chars_within(name, &mut candidate) else { continue };
        let allowed = wanted.len().max(candidate.len()) / 3;
        // The distance is at least the difference in length: most names need no table.
        if wanted.len().abs_diff(candidate.len()) > allowed {
            continue;
        }
        let distance = rows.distance(wanted, candidate);
        if distance <= allowed && best.is_none_or(|(nearest, _)| distance < nearest) {
            best = Some((distance, name));
        }
    }
    best.map(|(_, name)| name)
}

/// `name`'s characters in `buffer`, or `None` when it has more than `SUGGESTED_NAME_CHARS_MAX`
/// (found after reading at most one more).
fn chars_within<'b>(name: &str, buffer: &'b mut Vec<char>) -> Option<&'b [char]> {
    buffer.clear();
    buffer.extend(name.chars().take(SUGGESTED_NAME_CHARS_MAX + 1));
    (buffer.len() <= SUGGESTED_NAME_CHARS_MAX).then_some(buffer.as_slice())
}

/// Three rows of the edit-distance table, reused from name to name.
#[derive(Default)]
struct EditRows {
    before_last: Vec<usize>,
    last: Vec<usize>,
    current: Vec<usize>,
}

impl EditRows {
    /// Edit distance over characters, counting a swap of two neighbours as one edit (optimal
    /// string alignment), so `haed` is one edit from `head`. Keeps three rows of the table, not
    /// all of it.
    fn distance(&mut self, left: &[char], right: &[char]) -> usize {
        let width = right.len() + 1;
        for row in [&mut self.before_last, &mut self.last, &mut self.current] {
            row.clear();
            row.resize(width, 0);
        }
        for (column, cell) in self.last.iter_mut().enumerate() {
            *cell = column;
        }
        for row in 1..=left.len() {
            self.current[0] = row;
            for column in 1..width {
                let cost = usize::from(left[row - 1] != right[column - 1]);
                let mut best =
                    (self.last[column] + 1).min(self.current[column - 1] + 1).min(self.last[column - 1] + cost);
                if row > 1 && column > 1 && left[row - 1] == right[column - 2] && left[row - 2] == right[column - 1] {
                    best = best.min(self.before_last[column - 2] + 1);
                }
                self.current[column] = best;
            }
            // The rows move up one: the oldest is overwritten next.
            std::mem::swap(&mut self.before_last, &mut self.last);
            std::mem::swap(&mut self.last, &mut self.current);
        }
        self.last[width - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let known = ["cn-mainland", "hk"];
        assert_eq!(nearest("cn-mainlnd", known.into_iter()), Some("cn-mainland"));
        assert_eq!(nearest("taiwan", known.into_iter()), None);
        assert_eq!(nearest("haed", ["head", "officer"].into_iter()), Some("head"));
        assert_eq!(nearest("ab", ["ba", "ab"].into_iter()), Some("ab"));
        assert_eq!(nearest("abc", ["abd", "abe"].into_iter()), Some("abd"));
    }

    /// The three-row table gives the distances of the whole table.
    #[test]
    fn distances_are_those_of_the_whole_table() {
        let cases = [("", "", 0), ("", "abc", 3), ("kitten", "sitting", 3), ("haed", "head", 1), ("ca", "abc", 3)];
        let mut rows = EditRows::default();
        for (left, right, expected) in cases {
            let (left, right): (Vec<char>, Vec<char>) = (left.chars().collect(), right.chars().collect());
            assert_eq!(rows.distance(&left, &right), expected, "{left:?} {right:?}");
            assert_eq!(rows.distance(&right, &left), expected, "{right:?} {left:?}");
        }
    }

    /// Issue 23, item 11: a name of 30 000 characters is not compared (the whole table for two
    /// such names would take 7 GB); one at the bound still is.
    #[test]
    fn issue_23_long_names_get_no_suggestion_and_no_table() {
        let long = "x".repeat(30_000);
        let near = format!("{}y", "x".repeat(29_999));
        assert_eq!(nearest(&long, [near.as_str()].into_iter()), None);
        assert_eq!(nearest("xxx", [long.as_str(), "xxy"].into_iter()), Some("xxy"));
        let bound = "x".repeat(SUGGESTED_NAME_CHARS_MAX);
        let typo = format!("{}y", "x".repeat(SUGGESTED_NAME_CHARS_MAX - 1));
        assert_eq!(nearest(&typo, [bound.as_str()].into_iter()), Some(bound.as_str()));
    }
}
