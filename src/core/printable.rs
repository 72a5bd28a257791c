//! Which characters of user text a terminal must not receive raw, and that text shown with them
//! escaped. Case numbers, actors, notes, attribute values and file contents reach the output;
//! an ESC (`\x1b[31m`) would drive the terminal and a bidirectional override would reorder what
//! is read, so every driver shows them as `\u{1b}`. Pure text in, text out.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `character` is a bidirectional formatting character: the embeddings and overrides
/// U+202A–U+202E, the isolates U+2066–U+2069 and the marks U+200E, U+200F and U+061C. Each
/// changes the order in which the text after it is displayed.
pub fn is_bidi_control(character: char) -> bool {
    matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Whether output shows `character` escaped: a control character (C0, DEL, C1, so ESC and the
/// 8-bit CSI U+009B too), a bidirectional formatting character, or the line and paragraph
/// separators U+2028 and U+2029.
pub fn is_escaped_on_output(character: char) -> bool {
    character.is_control() || is_bidi_control(character) || matches!(character, '\u{2028}' | '\u{2029}')
}

/// Whether `character` is an invisible format character or a noncharacter that
/// [`is_escaped_on_output`] lets through because ordinary text uses it (a zero-width joiner in
/// an emoji, a soft hyphen); it is still no part of a printable identifier.
pub fn is_invisible(character: char) -> bool {
    matches!(
        character,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{0600}'..='\u{0605}'
            | '\u{06DD}'
            | '\u{070F}'
            | '\u{08E2}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'..='\u{2065}'
            | '\u{206A}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFFB}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    ) || is_noncharacter(character)
}

/// U+FDD0–U+FDEF and the last two code points of every plane.
fn is_noncharacter(character: char) -> bool {
    let code = u32::from(character);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// What [`escape_unprintable`] does with line breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineBreaks {
    /// `\n` is escaped like the rest: the text stays on one line (a table cell, a name quoted
    /// in a message).
    Escaped,
    /// `\n` is kept: the text is several lines on purpose (a message, a CSV cell its quotes
    /// carry, a whole report). `\r` is escaped all the same, since it overwrites a line.
    Kept,
}

/// `text` with every character [`is_escaped_on_output`] written as `\u{hex}` (ESC as
/// `\u{1b}`), so it reaches a terminal as what it is rather than as what it would do. Text
/// without such characters is returned as it is, without a copy. A backslash is not doubled:
/// the escaped form is for reading, not for parsing back.
///
/// # Example
///
/// ```
/// use renewflow::core::printable::{LineBreaks, escape_unprintable};
///
/// assert_eq!(escape_unprintable("A\x1b[31mB\u{202E}", LineBreaks::Escaped), "A\\u{1b}[31mB\\u{202e}");
/// assert_eq!(escape_unprintable("one\ntwo", LineBreaks::Kept), "one\ntwo");
/// assert_eq!(escape_unprintable("受理 ok", LineBreaks::Escaped), "受理 ok");
/// ```
pub fn escape_unprintable(text: &str, line_breaks: LineBreaks) -> Cow<'_, str> {
    let escaped =
        |character: char| is_escaped_on_output(character) && !(character == '\n' && line_breaks == LineBreaks::Kept);
    // Most text is printable ASCII: one pass over the bytes answers for it.
    if text.bytes().all(|byte| (0x20..0x7F).contains(&byte)) || !text.chars().any(escaped) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if escaped(character) {
            let _ = write!(shown, "\\u{{{:x}}}", u32::from(character));
        } else {
            shown.push(character);
        }
    }
    Cow::Owned(shown)
}

#[cfg(test)]
mod tests {
    use super::{LineBreaks, escape_unprintable, is_bidi_control, is_escaped_on_output, is_invisible};

    #[test]
    fn controls_bidi_and_separators_are_escaped_and_nothing_else() {
        let cases = [
            ("plain", LineBreaks::Escaped, "plain"),
            ("\x1b[31mred\x1b[0m", LineBreaks::Escaped, "\\u{1b}[31mred\\u{1b}[0m"),
            ("csi \u{9b}2J", LineBreaks::Escaped, "csi \\u{9b}2J"),
            ("del \u{7f}", LineBreaks::Escaped, "del \\u{7f}"),
            ("abc\u{202E}fed", LineBreaks::Escaped, "abc\\u{202e}fed"),
            (
                "\u{2066}x\u{2069}\u{200E}\u{200F}\u{61C}",
                LineBreaks::Escaped,
                "\\u{2066}x\\u{2069}\\u{200e}\\u{200f}\\u{61c}",
            ),
            ("a\u{2028}b", LineBreaks::Escaped, "a\\u{2028}b"),
            ("a\nb\r\n\tc", LineBreaks::Escaped, "a\\u{a}b\\u{d}\\u{a}\\u{9}c"),
            ("a\nb\r\n", LineBreaks::Kept, "a\nb\\u{d}\n"),
            ("统一办理 👨\u{200D}👩 back\\slash", LineBreaks::Escaped, "统一办理 👨\u{200D}👩 back\\slash"),
        ];
        for (text, line_breaks, expected) in cases {
            assert_eq!(escape_unprintable(text, line_breaks), expected, "{text:?}");
        }
    }

    #[test]
    fn escaped_text_is_printable_and_escaping_it_again_changes_nothing() {
        let text = "\u{0}\u{1b}\u{85}\u{9f}\u{202D}\u{2069}";
        let once = escape_unprintable(text, LineBreaks::Escaped).into_owned();
        assert!(!once.chars().any(is_escaped_on_output), "{once}");
        assert_eq!(escape_unprintable(&once, LineBreaks::Escaped), once);
    }

    #[test]
    fn the_classes_are_the_documented_ranges() {
        let bidi: Vec<char> = ('\u{0}'..='\u{3000}').filter(|character| is_bidi_control(*character)).collect();
        assert_eq!(
            bidi,
            [
                '\u{61C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
                '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'
            ]
        );
        assert!(
            ['\u{200B}', '\u{FEFF}', '\u{E0041}', '\u{FFFF}', '\u{10FFFE}', '\u{FDD0}'].into_iter().all(is_invisible)
        );
        assert!(!['a', '受', ' ', '\u{3000}', '-', '\u{FFFD}'].into_iter().any(is_invisible));
    }
}

/// What keeps a short name (a case number, a key's name) from printing as what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameFault {
    Empty,
    Blank,
    TooLong {
        chars: usize,
    },
    /// `position` counts characters from 1.
    Control {
        character: char,
        position: usize,
    },
    Bidi {
        character: char,
        position: usize,
    },
    Invisible {
        character: char,
        position: usize,
    },
}

/// The first thing that keeps `name` from printing as what it is: empty, only whitespace, over
/// `chars_max` characters, or holding a control, bidirectional-formatting or invisible character.
pub fn name_fault(name: &str, chars_max: usize) -> Option<NameFault> {
    if name.is_empty() {
        return Some(NameFault::Empty);
    }
    if name.chars().all(char::is_whitespace) {
        return Some(NameFault::Blank);
    }
    let chars = name.chars().count();
    if chars > chars_max {
        return Some(NameFault::TooLong { chars });
    }
    name.chars().enumerate().find_map(|(index, character)| {
        let position = index + 1;
        if character.is_control() || matches!(character, '\u{2028}' | '\u{2029}') {
            Some(NameFault::Control { character, position })
        } else if is_bidi_control(character) {
            Some(NameFault::Bidi { character, position })
        } else if is_invisible(character) {
            Some(NameFault::Invisible { character, position })
        } else {
            None
        }
    })
}
