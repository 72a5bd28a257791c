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

/// Edit distance over characters, counting a swap of two neighbours as one edit (optimal string
/// alignment), so `haed` is one edit from `head`.
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    let width = right.len() + 1;
    let mut table = vec![0_usize; (left.len() + 1) * width];
    for row in 0..=left.len() {
        table[row * width] = row;
    }
    for (column, cell) in table.iter_mut().enumerate().take(width) {
        *cell = column;
    }
    for row in 1..=left.len() {
        for column in 1..=right.len() {
            let cost = usize::from(left[row - 1] != right[column - 1]);
            let mut best = (table[(row - 1) * width + column] + 1)
                .min(table[row * width + column - 1] + 1)
                .min(table[(row - 1) * width + column - 1] + cost);
            if row > 1 && column > 1 && left[row - 1] == right[column - 2] && left[row - 2] == right[column - 1] {
                best = best.min(table[(row - 2) * width + column - 2] + 1);
            }
            table[row * width + column] = best;
        }
    }
    table[left.len() * width + right.len()]
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
    }
}
