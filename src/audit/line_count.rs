//! `LineCount`: line breaks counted as an editor counts them, so that a row's number is what an
//! editor's "go to line" shows: LF, CRLF and a lone CR are one line break each, also when a CRLF
//! is read in two pieces.

/// Line breaks read so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct LineCount {
    /// Line breaks counted.
    pub(crate) breaks: u64,
    /// Whether the last byte counted was a CR (then an LF first in the next piece ends no line).
    after_cr: bool,
}

impl LineCount {
    /// Counts the line breaks in `bytes`, the next piece of the input.
    pub(crate) fn advance(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        let feeds = memchr::memchr_iter(b'\n', bytes).count() as u64;
        // A CR is a line break of its own unless an LF follows it.
        let lone_returns =
            memchr::memchr_iter(b'\r', bytes).filter(|&at| bytes.get(at + 1) != Some(&b'\n')).count() as u64;
        let continued = u64::from(self.after_cr && bytes[0] == b'\n');
        // A CR last in `bytes` was counted as lone; an LF first in the next piece then adds none.
        self.breaks += feeds + lone_returns - continued;
        self.after_cr = last == b'\r';
    }

    /// Whether the last byte counted was a CR (an LF next ends no line).
    pub(crate) fn after_cr(&self) -> bool {
        self.after_cr
    }

    /// Forgets a CR counted last: the caller skips an LF after it itself.
    pub(crate) fn forget_cr(&mut self) {
        self.after_cr = false;
    }
}

#[cfg(test)]
mod tests {
    use super::LineCount;

    fn count(pieces: &[&[u8]]) -> u64 {
        let mut lines = LineCount::default();
        for piece in pieces {
            lines.advance(piece);
        }
        lines.breaks
    }

    #[test]
    fn lf_crlf_and_lone_cr_are_one_break_each_however_they_are_cut() {
        assert_eq!(count(&[b"a\nb\r\nc\rd"]), 3);
        assert_eq!(count(&[b"a\r", b"\nb"]), 1);
        assert_eq!(count(&[b"a\r", b"", b"\r", b"\n"]), 2);
        assert_eq!(count(&[b"\r\r\n\n\r"]), 4);
        assert_eq!(count(&[b"no break"]), 0);
    }
}
