//! The inputs a target is fed: arbitrary bytes read as UTF-8 lossily, a soup of the
//! target's own words, and, most of the time, one of its seed files with a few structured
//! edits (lines dropped, duplicated, swapped or taken from another seed, words of the format
//! and awkward characters inserted, CRLF line ends, a cut).
//!
//! The edits are data, not closures, so that proptest shrinks a failing input to the fewest
//! edits that still break it, and shows them.

use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};

/// Characters readers get wrong: controls, line and byte-order marks, letters of several
/// bytes, a right-to-left override, quotes and escapes.
const AWKWARD: &[&str] = &[
    "\0", "\x07", "\x08", "\x1b[2J", "\x7f", "\t", "\r", "\r\n", "\n", "\u{0b}", "\u{0c}",
    "\u{85}", "\u{a0}", "\u{feff}", "\u{2028}", "\u{2029}", "\u{202e}", "\u{3000}", "é", "à", "ß",
    "年", "月", "🦀", "\u{fffd}", "\"", "'", "\\", "`", "#", "\u{301}", "",
];

/// One edit of a seed. Indices are taken modulo what they index, so that every edit applies
/// to every text.
#[derive(Debug, Clone)]
pub enum Edit {
    /// A line taken out.
    Drop(Index),
    /// A line written twice.
    Duplicate(Index),
    /// Two lines swapped.
    Swap(Index, Index),
    /// A line of another seed put before a line.
    Graft(Index, Index, Index),
    /// Text put inside a line, at a character.
    Insert(Index, Index, String),
    /// Text put on a line of its own.
    InsertLine(Index, String),
    /// Every line ended by CR LF.
    Crlf,
    /// The text cut at a character.
    Cut(Index),
}

/// The strategy of one target's inputs.
pub fn input(seeds: Arc<Vec<String>>, words: &'static [&'static str]) -> BoxedStrategy<String> {
    let count = seeds.len();
    assert!(count > 0, "a target needs a seed");
    let bytes = vec(any::<u8>(), 0..256).prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    let soup = vec(fragment(words), 0..24).prop_map(|pieces| pieces.concat());
    let grafts = Arc::clone(&seeds);
    let mutated = (any::<Index>(), vec(edit(words), 1..5)).prop_map(move |(seed, edits)| {
        let seed = &seeds[seed.index(count)];
        edits
            .iter()
            .fold(seed.clone(), |text, edit| apply(&text, edit, &grafts))
    });
    prop_oneof![1 => bytes, 1 => soup, 6 => mutated].boxed()
}

/// A word of the format, an awkward character, or a few arbitrary characters.
fn fragment(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(words).prop_map(str::to_owned),
        2 => select(AWKWARD).prop_map(str::to_owned),
        1 => vec(any::<char>(), 1..4).prop_map(String::from_iter),
    ]
}

fn edit(words: &'static [&'static str]) -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => any::<Index>().prop_map(Edit::Drop),
        1 => any::<Index>().prop_map(Edit::Duplicate),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        1 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(seed, line, at)| Edit::Graft(seed, line, at)),
        3 => (any::<Index>(), any::<Index>(), fragment(words))
            .prop_map(|(line, at, text)| Edit::Insert(line, at, text)),
        2 => (any::<Index>(), fragment(words)).prop_map(|(line, text)| Edit::InsertLine(line, text)),
        1 => Just(Edit::Crlf),
        1 => any::<Index>().prop_map(Edit::Cut),
    ]
}

/// `text` with `edit` made; `seeds` are where grafted lines come from.
pub fn apply(text: &str, edit: &Edit, seeds: &[String]) -> String {
    let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
    // `split` gives at least one piece, so every index below has something to point at.
    let n = lines.len();
    match edit {
        Edit::Drop(i) => {
            lines.remove(i.index(n));
        }
        Edit::Duplicate(i) => {
            let line = lines[i.index(n)].clone();
            lines.insert(i.index(n), line);
        }
        Edit::Swap(a, b) => lines.swap(a.index(n), b.index(n)),
        Edit::Graft(seed, line, at) => {
            let other: Vec<&str> = seeds[seed.index(seeds.len())].split('\n').collect();
            lines.insert(at.index(n), other[line.index(other.len())].to_owned());
        }
        Edit::Insert(line, at, inserted) => {
            let line = &mut lines[line.index(n)];
            let chars = line.chars().count();
            let byte = line
                .char_indices()
                .nth(at.index(chars + 1))
                .map_or(line.len(), |(byte, _)| byte);
            line.insert_str(byte, inserted);
        }
        Edit::InsertLine(at, inserted) => lines.insert(at.index(n + 1), inserted.clone()),
        Edit::Crlf => return lines.join("\r\n"),
        Edit::Cut(at) => {
            let chars = text.chars().count();
            return text.chars().take(at.index(chars + 1)).collect();
        }
    }
    lines.join("\n")
}
