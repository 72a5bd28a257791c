//! A fuzz harness for the workflow loader, `load_workflow`, as proptest properties over three kinds
//! of input:
//!
//! - the shipped flows with random edits: lines deleted, duplicated, swapped or re-indented, the
//!   text truncated or a run of characters deleted, a token (YAML punctuation, odd scalars, guard
//!   words, the file's own names) inserted or a word replaced by another word of the file, several
//!   at once; `longgang-2017.yaml` reads a possibly edited 2016 base from memory, or a base that is
//!   missing, is the reform itself or extends it back;
//! - workflows and reforms generated from the language's keys: nested compound and parallel
//!   states, transitions with guards over typed attributes, clocks with spans, pauses, restarts,
//!   extensions and `within`, and reforms (cuts, `parallelize`, added and dropped states and
//!   transitions), over an in-memory base or a chain of reforms, with a few defects sprinkled in;
//! - arbitrary text: soups of YAML and workflow fragments, printable ASCII, any `char`s, lossy
//!   UTF-8 of random bytes.
//!
//! Every input must load or be refused: no panic, and no hang (a watchdog aborts the run and
//! prints the input when one load takes longer than `RENEWFLOW_FUZZ_HANG_SECS`, default 120 s). A
//! refusal has at least one problem, each in a file of the `extends` chain, at a line and column
//! that exist in that file and agree with the problem's labelled span, and a second load gives
//! the same problems. An accepted workflow loads again to the same canonical text, its hash is
//! SHA-256 of that text, and `critical_paths`, `compare` with itself and `compare` against each
//! base that loads do not panic.
//!
//! The default case counts keep this module to about 20 s of a debug `cargo test` on two cores.
//! `RENEWFLOW_FUZZ_CASES` sets the number of cases of every property, for long runs; with
//! `--nocapture` each property prints how many inputs it ran and the fraction that loaded:
//!
//! ```text
//! RENEWFLOW_FUZZ_CASES=40000 cargo test --release --test cli workflow_fuzz -- --nocapture
//! ```

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{LazyLock, Mutex, Once, PoisonError};
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use miette::Diagnostic;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;
use renewflow::core::calendar::Calendars;
use renewflow::core::problem::Problem;
use renewflow::core::workflow::{
    CANONICAL_FORM_TAG, EXTENDS_DEPTH_MAX, PROFILES_MAX, SourceReader, Workflow, canonical_text, compare,
    critical_paths, load_workflow,
};
use sha2::{Digest, Sha256};

const LONGGANG_2016: &str = include_str!("../../workflows/longgang-2016.yaml");
const LONGGANG_2017: &str = include_str!("../../workflows/longgang-2017.yaml");
const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");

static CALENDARS: LazyLock<Calendars> = LazyLock::new(Calendars::builtin);

#[test]
fn edited_shipped_flows_load_or_are_refused_cleanly() {
    run("edited shipped flows", 500, edited_shipped_flow());
}

#[test]
fn generated_workflows_and_reforms_load_or_are_refused_cleanly() {
    run("generated workflows and reforms", 1400, vec(any::<u8>(), 0..1200).prop_map(|bytes| generate(&bytes)));
}

#[test]
fn arbitrary_text_is_refused_cleanly() {
    run("arbitrary text", 3000, arbitrary_case());
}

// ── Running and checking ──────────────────────────────────────────────────────────────────────

/// One input: the file loaded (shown as `name`) and the files its `extends` chain can read.
#[derive(Clone)]
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) files: Files,
}

impl Case {
    fn new(name: &str, text: String, files: Files) -> Case {
        Case { name: name.to_owned(), text, files }
    }

    /// The texts of the chain shown under `name` (more than one only for a cycle).
    fn texts_named(&self, name: &str) -> Vec<&str> {
        let top = (self.name == name).then_some(self.text.as_str());
        let entries = self.files.entries.iter().filter(|entry| entry.1 == name).map(|entry| entry.2.as_str());
        let fallback = self.files.fallback.iter().filter(|entry| entry.0 == name).map(|entry| entry.1.as_str());
        top.into_iter().chain(entries).chain(fallback).collect()
    }
}

/// Shows the texts themselves, so that a shrunk failure can be pasted into a test.
impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} = {:?}", self.name, self.text)?;
        for (path, name, text) in &self.files.entries {
            writeln!(f, "  `extends: {path}` reads {name} = {text:?}")?;
        }
        if let Some((name, text)) = &self.files.fallback {
            writeln!(f, "  any other `extends` reads {name} = {text:?}")?;
        }
        Ok(())
    }
}

/// What an in-memory `SourceReader` serves.
#[derive(Clone, Default)]
pub(crate) struct Files {
    /// (path as written in `extends`, name shown in problems, text)
    pub(crate) entries: Vec<(String, String, String)>,
    /// (name, text) served for any other path.
    fallback: Option<(String, String)>,
}

impl Files {
    fn with(mut self, path: &str, name: &str, text: impl Into<String>) -> Files {
        self.entries.push((path.to_owned(), name.to_owned(), text.into()));
        self
    }
}

struct Reader<'a> {
    files: &'a Files,
    reads: usize,
}

impl SourceReader for Reader<'_> {
    fn read(&mut self, path: &str, _from: &str) -> Result<(String, String), String> {
        self.reads += 1;
        if let Some((_, name, text)) = self.files.entries.iter().find(|entry| entry.0 == path) {
            return Ok((name.clone(), text.clone()));
        }
        self.files.fallback.clone().ok_or_else(|| format!("no file `{path}` in this test"))
    }
}

pub(crate) fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}

/// Runs one property over `strategy` and prints what it ran: inputs and the fraction accepted, in
/// all and by the name of the file loaded.
fn run(property: &str, default_cases: u32, strategy: impl Strategy<Value = Case>) {
    let cases =
        env_number("RENEWFLOW_FUZZ_CASES").map_or(default_cases, |cases| u32::try_from(cases).unwrap_or(u32::MAX));
    // No regression files: a failure prints the shrunk input, to be kept as a plain test.
    let config = ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) };
    let mut runner = TestRunner::new(config);
    let tally: RefCell<BTreeMap<String, (u64, u64)>> = RefCell::default();
    let slowest = RefCell::new((Duration::ZERO, String::new()));
    let started = Instant::now();
    let result = runner.run(&strategy, |case| {
        let begun = Instant::now();
        let accepted = check(&case)?;
        let took = begun.elapsed();
        let mut tally = tally.borrow_mut();
        let (inputs, loaded) = tally.entry(case.name.clone()).or_default();
        *inputs += 1;
        *loaded += u64::from(accepted);
        if took > slowest.borrow().0 {
            *slowest.borrow_mut() = (took, format!("{case:?}"));
        }
        Ok(())
    });
    let elapsed = started.elapsed();
    let tally = tally.into_inner();
    let fraction = |(inputs, loaded): (u64, u64)| {
        let per_mille = (loaded * 1000).checked_div(inputs).unwrap_or(0);
        format!("{loaded} of {inputs} loaded ({}.{} %)", per_mille / 10, per_mille % 10)
    };
    let total = tally.values().fold((0, 0), |(inputs, loaded), (i, l)| (inputs + i, loaded + l));
    let (slowest_time, slowest_case) = slowest.into_inner();
    eprintln!(
        "workflow_fuzz: {property}: {} inputs in {elapsed:.1?}, {}, slowest {slowest_time:.1?}",
        total.0,
        fraction(total)
    );
    for (name, counts) in &tally {
        eprintln!("workflow_fuzz:     {name}: {}", fraction(*counts));
    }
    if slowest_time > Duration::from_secs(1) {
        eprintln!("workflow_fuzz: {property}: the slowest input:\n{slowest_case}");
    }
    if let Err(error) = result {
        panic!("{property}: {error}");
    }
}

/// Loads a case and checks the properties; `Ok(true)` when the workflow was accepted. A refusal is
/// checked to be the same on a second load: "did you mean" and ordering must not depend on
/// hash-map order.
fn check(case: &Case) -> Result<bool, TestCaseError> {
    let _watch = Watch::start(case);
    let mut reader = Reader { files: &case.files, reads: 0 };
    let loaded = load_workflow(&case.name, &case.text, &mut reader, &CALENDARS);
    prop_assert!(reader.reads < EXTENDS_DEPTH_MAX, "{} files read for one load", reader.reads);
    match loaded {
        Err(error) => {
            check_problems(case, error.problems())?;
            let mut reader = Reader { files: &case.files, reads: 0 };
            let again = load_workflow(&case.name, &case.text, &mut reader, &CALENDARS);
            let again = again.err().ok_or_else(|| TestCaseError::fail("refused once, accepted the second time"))?;
            let shown = |problems: &[Problem]| problems.iter().map(ToString::to_string).collect::<Vec<_>>();
            prop_assert_eq!(shown(error.problems()), shown(again.problems()), "the problems differ between two loads");
            Ok(false)
        }
        Ok(workflow) => {
            check_accepted(case, &workflow)?;
            Ok(true)
        }
    }
}

fn check_problems(case: &Case, problems: &[Problem]) -> Result<(), TestCaseError> {
    prop_assert!(!problems.is_empty(), "refused without a problem");
    for problem in problems {
        prop_assert!(!problem.message.is_empty(), "a problem without a message: {:?}", problem);
        let texts = case.texts_named(&problem.file);
        prop_assert!(!texts.is_empty(), "a problem in `{}`, which is not in the chain: {}", problem.file, problem);
        let place = (problem.line, problem.column);
        let exists = texts.iter().any(|text| LINE_MODELS.iter().any(|breaks| place_exists(text, *breaks, place)));
        prop_assert!(exists, "problem at line {}, column {}, not in its file: {}", place.0, place.1, problem);
        let Some(offset) = problem.labels().and_then(|mut labels| labels.next()).map(|label| label.offset()) else {
            continue;
        };
        let spans: Vec<Option<(u64, u64)>> = texts
            .iter()
            .flat_map(|text| LINE_MODELS.iter().map(move |breaks| span_place(text, *breaks, offset)))
            .collect();
        prop_assert!(
            spans.contains(&Some(place)),
            "problem at line {}, column {}, but its span starts at byte {} (line and column {:?}): {}",
            place.0,
            place.1,
            offset,
            spans,
            problem
        );
    }
    Ok(())
}

/// Where lines break: YAML's rule (`\n`, `\r\n` or a lone `\r`), which the loader follows for
/// the positions it computes itself too (a name inside a list, a place inside a guard).
const LINE_MODELS: [bool; 1] = [true];

/// Whether a line and column (in characters, from 1, the end of the line included) exist.
fn place_exists(text: &str, lone_cr_breaks: bool, (line, column): (u64, u64)) -> bool {
    let lines = split_lines(text, lone_cr_breaks);
    let (Ok(line), Ok(column)) = (usize::try_from(line), usize::try_from(column)) else { return false };
    line >= 1 && column >= 1 && lines.get(line - 1).is_some_and(|text| column <= text.chars().count() + 1)
}

/// The line and column of a byte offset; byte order marks that start a line (a document may
/// start with one) are not content and not counted. `None` when the offset is not a character
/// boundary of the text.
fn span_place(text: &str, lone_cr_breaks: bool, offset: usize) -> Option<(u64, u64)> {
    let lines = split_lines(text.get(..offset)?, lone_cr_breaks);
    let last = lines.last().map_or("", |line| line.trim_start_matches('\u{feff}'));
    Some((lines.len() as u64, last.chars().count() as u64 + 1))
}

/// The lines of a text without their breaks; after a final break there is one more, empty line.
fn split_lines(text: &str, lone_cr_breaks: bool) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        let width = match bytes[index] {
            b'\r' if bytes.get(index + 1) == Some(&b'\n') => 2,
            b'\r' if lone_cr_breaks => 1,
            b'\n' => 1,
            _ => 0,
        };
        if width > 0 {
            lines.push(&text[start..index]);
            start = index + width;
            index += width;
        } else {
            index += 1;
        }
    }
    lines.push(&text[start..]);
    lines
}

/// An accepted workflow loads again alike, its hash is SHA-256 of its canonical JSON, and the
/// comparison code runs on it.
fn check_accepted(case: &Case, workflow: &Workflow) -> Result<(), TestCaseError> {
    let mut reader = Reader { files: &case.files, reads: 0 };
    let again = load_workflow(&case.name, &case.text, &mut reader, &CALENDARS)
        .map_err(|error| TestCaseError::fail(format!("accepted once, refused the second time: {error}")))?;
    prop_assert_eq!(canonical_text(workflow), canonical_text(&again));
    prop_assert_eq!(workflow.content_hash(), again.content_hash());
    let canonical = canonical_text(workflow);
    prop_assert!(serde_json::from_str::<serde_json::Value>(&canonical).is_ok(), "canonical text is not JSON");
    let mut hasher = Sha256::new();
    hasher.update(format!("{CANONICAL_FORM_TAG}\n{canonical}").as_bytes());
    prop_assert_eq!(workflow.content_hash(), <[u8; 32]>::from(hasher.finalize()), "hash of another text");
    // A generated flow may leave no legal way to a final state (every exit guarded `false` or
    // given to no role): then there is no longest legal path to show, and none is made up.
    let paths = critical_paths(workflow);
    prop_assert!(paths.len() <= PROFILES_MAX, "{} critical paths", paths.len());
    let itself = compare(workflow, workflow);
    prop_assert_eq!(itself.total_saved_working_days, 0);
    for (_, name, text) in &case.files.entries {
        let mut reader = Reader { files: &case.files, reads: 0 };
        if let Ok(base) = load_workflow(name, text, &mut reader, &CALENDARS) {
            compare(&base, workflow);
            compare(workflow, &base);
        }
    }
    Ok(())
}

/// Inputs being loaded, by thread, for the watchdog.
static RUNNING: Mutex<Vec<(ThreadId, Instant, String)>> = Mutex::new(Vec::new());
static WATCHDOG: Once = Once::new();

/// Marks the current thread as loading a case until dropped.
struct Watch;

impl Watch {
    fn start(case: &Case) -> Watch {
        WATCHDOG.call_once(|| {
            thread::spawn(watchdog);
        });
        let me = thread::current().id();
        let mut running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        running.retain(|(thread, _, _)| *thread != me);
        running.push((me, Instant::now(), format!("{case:?}")));
        Watch
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let me = thread::current().id();
        RUNNING.lock().unwrap_or_else(PoisonError::into_inner).retain(|(thread, _, _)| *thread != me);
    }
}

/// Aborts the run, showing the input, when one load takes too long: a hang cannot be caught.
fn watchdog() {
    let limit = Duration::from_secs(env_number("RENEWFLOW_FUZZ_HANG_SECS").unwrap_or(120));
    loop {
        thread::sleep(Duration::from_secs(1));
        let running = RUNNING.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, started, input)) = running.iter().find(|(_, started, _)| started.elapsed() > limit) {
            eprintln!("workflow_fuzz: one load has run for {:.0?}; aborting. The input:\n{input}", started.elapsed());
            std::process::abort();
        }
    }
}

// ── 1. Edits of the shipped flows ─────────────────────────────────────────────────────────────

/// Tokens an edit inserts, besides the words of the file itself.
const TOKENS: &[&str] = &[
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!str ",
    "\t",
    "\n",
    "  ",
    "#",
    "~",
    "null",
    "true",
    "-1",
    "99999999999999999999",
    "1e400",
    "0 wd",
    "-5 wd",
    "101%",
    "？",
    "审批",
    "not ",
    " and ",
    " or ",
    " in ",
    "==",
    "(",
    ")",
    ",",
    "|",
    ">",
    "? ",
    "---\n",
    "...\n",
    "<<: *a\n",
    "\r",
    "\u{feff}",
    "\u{0}",
    ".",
    "%",
    "2017-02-30",
    "final: true",
    "states:",
    "parallel:",
    "done: ",
    "over: ",
    "within: ",
    "reform:",
    "extends: ",
    "extends: longgang-2017.yaml\n",
    ", if: ",
    " wd",
    "0%",
    "-",
    "_",
    "é",
    "\u{2028}",
];

#[derive(Clone, Copy, Debug)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
    Truncate(usize),
    DeleteChars(usize, usize),
    InsertToken(usize, usize),
    InsertWord(usize, usize),
    ReplaceWord(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let any = any::<usize>;
    prop_oneof![
        2 => any().prop_map(Edit::DeleteLine),
        2 => any().prop_map(Edit::DuplicateLine),
        2 => (any(), any()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        1 => (any(), 0..12_usize).prop_map(|(at, width)| Edit::Indent(at, width)),
        1 => any().prop_map(Edit::Truncate),
        1 => (any(), 1..40_usize).prop_map(|(at, count)| Edit::DeleteChars(at, count)),
        3 => (any(), any()).prop_map(|(at, token)| Edit::InsertToken(at, token)),
        2 => (any(), any()).prop_map(|(at, word)| Edit::InsertWord(at, word)),
        4 => (any(), any()).prop_map(|(at, word)| Edit::ReplaceWord(at, word)),
    ]
}

fn apply_edits(text: &str, edits: &[Edit], words: &[String]) -> String {
    edits.iter().fold(text.to_owned(), |text, edit| apply_edit(&text, *edit, words))
}

fn apply_edit(text: &str, edit: Edit, words: &[String]) -> String {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_owned).collect();
    let count = lines.len().max(1);
    let word = |pick: usize| words.get(pick % words.len().max(1)).map_or("", String::as_str);
    match edit {
        Edit::DeleteLine(at) if !lines.is_empty() => {
            lines.remove(at % count);
        }
        Edit::DuplicateLine(at) if !lines.is_empty() => lines.insert(at % count, lines[at % count].clone()),
        Edit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % count, b % count),
        Edit::Indent(at, width) if !lines.is_empty() => {
            let line = &mut lines[at % count];
            *line = format!("{}{}", " ".repeat(width), line.trim_start_matches(' '));
        }
        Edit::Truncate(at) => return text[..boundary(text, at)].to_owned(),
        Edit::DeleteChars(at, length) => {
            let start = boundary(text, at);
            let end = text[start..].char_indices().nth(length).map_or(text.len(), |(index, _)| start + index);
            return format!("{}{}", &text[..start], &text[end..]);
        }
        Edit::InsertToken(at, token) => return insert(text, at, TOKENS[token % TOKENS.len()]),
        Edit::InsertWord(at, pick) => return insert(text, at, word(pick)),
        Edit::ReplaceWord(at, pick) => {
            let spans = word_spans(text);
            let Some(&(start, end)) = spans.get(at % spans.len().max(1)) else { return text.to_owned() };
            return format!("{}{}{}", &text[..start], word(pick), &text[end..]);
        }
        _ => {}
    }
    lines.concat()
}

/// The byte offset of a char boundary chosen by `pick` (the end of the text included).
fn boundary(text: &str, pick: usize) -> usize {
    let chars = text.chars().count();
    text.char_indices().nth(pick % (chars + 1)).map_or(text.len(), |(index, _)| index)
}

fn insert(text: &str, pick: usize, token: &str) -> String {
    let at = boundary(text, pick);
    format!("{}{token}{}", &text[..at], &text[at..])
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Byte spans of the words (runs of letters, digits and `_`) of a text.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (index, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                spans.push((from, index));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        spans.push((from, text.len()));
    }
    spans
}

/// The distinct words of some texts: state, clock, action and role names, keys, titles.
fn words(texts: &[&str]) -> Vec<String> {
    let mut words: Vec<String> = texts
        .iter()
        .flat_map(|text| word_spans(text).into_iter().map(|(start, end)| text[start..end].to_owned()))
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

static WORDS_2016: LazyLock<Vec<String>> = LazyLock::new(|| words(&[LONGGANG_2016]));
static WORDS_2017: LazyLock<Vec<String>> = LazyLock::new(|| words(&[LONGGANG_2017, LONGGANG_2016]));
static WORDS_LICENCE: LazyLock<Vec<String>> = LazyLock::new(|| words(&[LICENCE]));

const NAME_2016: &str = "workflows/longgang-2016.yaml";
const NAME_2017: &str = "workflows/longgang-2017.yaml";

pub(crate) fn edited_shipped_flow() -> impl Strategy<Value = Case> {
    let choices = (0..4_usize, vec(edit(), 1..5), vec(edit(), 0..3), 0..8_u8, 0..8_u8);
    choices.prop_map(|(flow, edits, base_edits, reader, breaks)| {
        // CRLF and lone CR line breaks, sometimes
        let breaks = match breaks {
            6 => "\r\n",
            7 => "\r",
            _ => "\n",
        };
        let base = apply_edits(&LONGGANG_2016.replace('\n', breaks), &base_edits, &WORDS_2016);
        let (name, text) = match flow {
            0 => (NAME_2016, apply_edits(&LONGGANG_2016.replace('\n', breaks), &edits, &WORDS_2016)),
            1 => (
                "workflows/administrative-license.yaml",
                apply_edits(&LICENCE.replace('\n', breaks), &edits, &WORDS_LICENCE),
            ),
            _ => (NAME_2017, apply_edits(&LONGGANG_2017.replace('\n', breaks), &edits, &WORDS_2017)),
        };
        let files = match reader {
            // the base is missing
            3 => Files::default(),
            // the base is the reform itself
            4 => Files::default().with("longgang-2016.yaml", name, text.clone()),
            // the base extends the reform
            5 => Files::default()
                .with(
                    "longgang-2016.yaml",
                    NAME_2016,
                    "extends: longgang-2017.yaml\nversion: \"0\"\nreform: {title: loop}\n",
                )
                .with("longgang-2017.yaml", name, text.clone()),
            _ => Files::default().with("longgang-2016.yaml", NAME_2016, base),
        };
        Case::new(name, text, files)
    })
}

// ── 2. Generated workflows and reforms ────────────────────────────────────────────────────────

/// Choices read from proptest's bytes. A zero byte is always the plainest choice (no defect, no
/// optional key, the first item), so shrinking the bytes shrinks towards a small valid workflow;
/// past the end of the bytes every choice is zero.
struct Dice<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Dice<'_> {
    fn byte(&mut self) -> usize {
        let byte = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(byte)
    }

    /// A number below `n` (at most 256).
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 { 0 } else { self.byte() % n }
    }

    fn wide(&mut self) -> usize {
        (self.byte() << 8) | self.byte()
    }

    fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    /// True with `percent` % probability (at most 100); false for a zero byte unless 100.
    fn chance(&mut self, percent: usize) -> bool {
        self.byte() * 100 >= (100 - percent) * 256
    }

    fn pick<'s, T>(&mut self, items: &'s [T]) -> &'s T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    Atomic,
    Final,
    Compound,
    Parallel,
    Region,
}

struct GenState {
    name: String,
    shape: Shape,
    parent: Option<usize>,
    children: Vec<usize>,
    done: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Links the states of a level one after the other.
    Chain,
    /// Any other step, within its level or to the top level.
    Extra,
    /// The only way into an extra final state.
    End,
}

#[derive(Clone)]
struct GenTransition {
    action: String,
    from: Vec<String>,
    to: String,
    by: Vec<String>,
    guard: Option<String>,
    role: Role,
}

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Integer,
    Decimal,
    Text,
    /// With this many values, `v0`, `v1`, …
    Enum(usize),
    Date,
}

const ROLES: &[&str] = &["officer", "head", "applicant", "审批人"];
const TITLES: &[&str] = &[
    "计划审批",
    "受理",
    "Review & approve",
    "a: b",
    "# not a comment",
    "'quoted'",
    "\"double\"",
    "多行\n标题",
    "",
    "yes",
    "null",
    "~",
    "深圳市城市更新办法实施细则（深府〔2012〕1号）",
];
/// Guards that are wrong in shape or in type for any attributes `x…`.
const BAD_GUARDS: &[&str] = &[
    "",
    "x ==",
    "(",
    "and",
    "not",
    "x in 3",
    "x in []",
    "1 == x",
    "x < 'a",
    "nope",
    "true or",
    "x == 99999999999999999999",
    "x == 1e400",
    "x == 2017-02-30",
    "x ==== 1",
    "？",
    "x in [a,, b]",
    "((((((((((((((((((((((((((((((((((true))))))))))))))))))))))))))))))))))",
    "not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not not true",
    "x < 3 < 4",
    "'text'",
    "x == \"unterminated",
];
const PERCENTS: &[&str] = &["10%", "25%", "33.5%", "50%", "63%", "20%", "0%", "43%", "12.25%"];
const BAD_PERCENTS: &[&str] = &["100%", "101%", "-5%", "50", "33.333%", "%", "1e400%", "9999999%"];
const BAD_PERIODS: &[&str] = &[
    "0 wd",
    "-5 wd",
    "twenty",
    "20",
    "20 weeks",
    "99999999999999999999 wd",
    "1e400 wd",
    "100001 wd",
    "3001 months",
    "",
];

/// A generated workflow, then emitted as YAML.
struct Gen<'a> {
    dice: Dice<'a>,
    /// Percent chance of a defect at each place one can go.
    noise: usize,
    /// Compound states at the top level are common, so that reforms can make them parallel.
    for_reform: bool,
    names: usize,
    roles: Vec<String>,
    attributes: Vec<(String, Kind)>,
    stages: Vec<String>,
    states: Vec<GenState>,
    top: Vec<usize>,
    /// Extra final states at the top level, each entered by one `End` transition.
    ends: Vec<usize>,
    transitions: Vec<GenTransition>,
    clocks: Vec<String>,
    extension_actions: Vec<String>,
}

fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

fn push_line(out: &mut String, indent: usize, text: &str) {
    out.extend(std::iter::repeat_n(' ', indent));
    out.push_str(text);
    out.push('\n');
}

impl<'a> Gen<'a> {
    fn new(dice: Dice<'a>, noise: usize, for_reform: bool) -> Gen<'a> {
        Gen {
            dice,
            noise,
            for_reform,
            names: 0,
            roles: Vec::new(),
            attributes: Vec::new(),
            stages: Vec::new(),
            states: Vec::new(),
            top: Vec::new(),
            ends: Vec::new(),
            transitions: Vec::new(),
            clocks: Vec::new(),
            extension_actions: Vec::new(),
        }
    }

    fn noise(&mut self) -> bool {
        self.dice.chance(self.noise)
    }

    fn fresh(&mut self, stem: &str) -> String {
        self.names += 1;
        let stem = if self.dice.chance(8) { *self.dice.pick(&["审查", "Ω", "_"]) } else { stem };
        format!("{stem}{}", self.names)
    }

    /// A name to refer to `name` by: itself, or (a defect) something else.
    fn refer(&mut self, name: &str) -> String {
        if !self.noise() {
            return name.to_owned();
        }
        match self.dice.below(5) {
            0 => format!("{name}x"),
            1 => "nowhere".to_owned(),
            2 => format!("{name} 二"),
            3 => name.to_uppercase(),
            _ => String::new(),
        }
    }

    fn title(&mut self) -> String {
        let title = *self.dice.pick(TITLES);
        if self.noise() { title.to_owned() } else { quote(title) }
    }

    fn period(&mut self, unit: &str, low: usize, high: usize) -> String {
        if self.noise() {
            return (*self.dice.pick(BAD_PERIODS)).to_owned();
        }
        let amount = self.dice.range(low, high);
        match unit {
            "months" | "years" if amount == 1 && self.dice.chance(50) => format!("1 {}", &unit[..unit.len() - 1]),
            _ => format!("{amount} {unit}"),
        }
    }

    fn percent(&mut self) -> String {
        if self.noise() { (*self.dice.pick(BAD_PERCENTS)).to_owned() } else { (*self.dice.pick(PERCENTS)).to_owned() }
    }

    // ── the model ──

    fn add_state(&mut self, parent: Option<usize>, shape: Shape) -> usize {
        let name = self.fresh("s");
        self.states.push(GenState { name, shape, parent, children: Vec::new(), done: None });
        self.states.len() - 1
    }

    fn shape(&mut self, depth: usize) -> Shape {
        if depth >= 3 {
            return Shape::Atomic;
        }
        let compound = if depth == 0 && self.for_reform { 5 } else { 2 };
        match self.dice.below(6 + compound) {
            0..6 if depth > 0 || !self.for_reform || self.dice.chance(50) => Shape::Atomic,
            6 => Shape::Parallel,
            _ => Shape::Compound,
        }
    }

    /// A level: `length` states one after the other, the last final.
    fn level(&mut self, parent: Option<usize>, depth: usize, length: usize) -> Vec<usize> {
        let mut ids = Vec::new();
        for index in 0..length {
            let shape = match index {
                _ if index + 1 == length => Shape::Final,
                // a reform's sequence needs a transition into it
                0 if depth == 0 && self.for_reform => Shape::Atomic,
                _ => self.shape(depth),
            };
            let id = self.add_state(parent, shape);
            ids.push(id);
            match shape {
                Shape::Compound => {
                    let length = self.dice.range(1, 4);
                    self.states[id].children = self.level(Some(id), depth + 1, length);
                }
                Shape::Parallel => {
                    for _ in 0..self.dice.range(2, 3) {
                        let region = self.add_state(Some(id), Shape::Region);
                        self.states[id].children.push(region);
                        let length = self.dice.range(1, 3);
                        self.states[region].children = self.level(Some(region), depth + 2, length);
                    }
                }
                _ => {}
            }
        }
        for pair in ids.windows(2) {
            match self.states[pair[0]].shape {
                Shape::Atomic => self.add_transition(&[pair[0]], pair[1], Role::Chain, None),
                _ => self.states[pair[0]].done = Some(pair[1]),
            }
        }
        ids
    }

    fn roles(&mut self) -> Vec<String> {
        let first = self.dice.pick(&self.roles).clone();
        let mut roles = vec![self.refer(&first)];
        if self.roles.len() > 1 && self.dice.chance(25) {
            let second = self.dice.pick(&self.roles).clone();
            if second != first {
                roles.push(second);
            }
        }
        roles
    }

    fn add_transition(&mut self, from: &[usize], to: usize, role: Role, guard: Option<String>) {
        let action = self.fresh("a");
        let from = from.iter().map(|id| self.states[*id].name.clone()).collect::<Vec<_>>();
        let from = from.iter().map(|name| self.refer(name)).collect();
        let to = self.states[to].name.clone();
        let to = self.refer(&to);
        let by = self.roles();
        let guard = guard.or_else(|| (role != Role::Chain && self.dice.chance(40)).then(|| self.guard(0)));
        self.transitions.push(GenTransition { action, from, to, by, guard, role });
    }

    fn random_atomic(&mut self) -> Option<usize> {
        let atomic: Vec<usize> = (0..self.states.len()).filter(|id| self.states[*id].shape == Shape::Atomic).collect();
        (!atomic.is_empty()).then(|| *self.dice.pick(&atomic))
    }

    /// Where a step from `from` may go: its own level, or the top level.
    fn legal_target(&mut self, from: usize) -> usize {
        if self.noise() {
            return self.dice.below(self.states.len());
        }
        let parent = self.states[from].parent;
        let mut targets: Vec<usize> = (0..self.states.len()).filter(|id| self.states[*id].parent == parent).collect();
        targets.extend(&self.top);
        *self.dice.pick(&targets)
    }

    fn model(&mut self) {
        let roles = self.dice.range(1, ROLES.len());
        self.roles = ROLES[..roles].iter().map(|role| (*role).to_owned()).collect();
        for _ in 0..self.dice.below(5) {
            let name = self.fresh("x");
            let kind = match self.dice.below(8) {
                0..3 => Kind::Bool,
                3 => Kind::Enum(self.dice.range(1, 3)),
                4 => Kind::Integer,
                5 => Kind::Decimal,
                6 => Kind::Text,
                _ => Kind::Date,
            };
            self.attributes.push((name, kind));
        }
        for _ in 0..self.dice.below(4) {
            let stage = self.fresh("st");
            self.stages.push(stage);
        }
        let length = if self.for_reform { self.dice.range(4, 7) } else { self.dice.range(2, 6) };
        self.top = self.level(None, 0, length);
        for _ in 0..self.dice.below(3) {
            let Some(from) = self.random_atomic() else { break };
            let end = self.add_state(None, Shape::Final);
            self.top.push(end);
            self.ends.push(end);
            self.add_transition(&[from], end, Role::End, None);
        }
        for _ in 0..self.dice.below(4) {
            let Some(from) = self.random_atomic() else { break };
            let from = if self.noise() { self.dice.below(self.states.len()) } else { from };
            let to = self.legal_target(from);
            self.add_transition(&[from], to, Role::Extra, None);
        }
        if !self.attributes.is_empty() && self.dice.chance(40) {
            self.guarded_pair();
        }
    }

    /// Two steps on one action from one state, told apart by guards that exclude each other.
    fn guarded_pair(&mut self) {
        let Some(from) = self.random_atomic() else { return };
        let (first, second) = (self.legal_target(from), self.legal_target(from));
        let guard = self.guard(0);
        let negated = if self.noise() { guard.clone() } else { format!("not ({guard})") };
        self.add_transition(&[from], first, Role::Extra, Some(guard));
        self.add_transition(&[from], second, Role::Extra, Some(negated));
        let (last, earlier) = (self.transitions.len() - 1, self.transitions.len() - 2);
        let (action, by) = (self.transitions[earlier].action.clone(), self.transitions[earlier].by.clone());
        self.transitions[last].action = action;
        self.transitions[last].by = by;
    }

    fn guard(&mut self, depth: usize) -> String {
        match if depth >= 2 { 0 } else { self.dice.below(6) } {
            0..3 => self.atom(),
            3 => format!("not ({})", self.guard(depth + 1)),
            4 => format!("{} and {}", self.guard(depth + 1), self.guard(depth + 1)),
            _ => format!("({} or {})", self.guard(depth + 1), self.guard(depth + 1)),
        }
    }

    fn atom(&mut self) -> String {
        if self.attributes.is_empty() {
            return (*self.dice.pick(&["true", "false"])).to_owned();
        }
        let (name, kind) = self.dice.pick(&self.attributes).clone();
        if self.noise() {
            let bad = *self.dice.pick(BAD_GUARDS);
            return match self.dice.below(3) {
                0 => bad.replace('x', &name),
                1 => format!("{name} {}", self.dice.pick(&["< 3", "== nope", "== 'a'", "in [v9]", ">= 2017-01-01"])),
                _ => bad.to_owned(),
            };
        }
        let number = self.dice.range(0, 25) as i64 - 5;
        let op = *self.dice.pick(&["==", "!=", "<", "<=", ">", ">="]);
        match kind {
            Kind::Bool => match self.dice.below(3) {
                0 => name,
                1 => format!("{name} == true"),
                _ => format!("{name} != false"),
            },
            Kind::Integer if self.dice.chance(30) => format!("{name} in [{number}, {}]", number + 2),
            Kind::Integer => format!("{name} {op} {number}"),
            Kind::Decimal => format!("{name} {op} {number}.{}", self.dice.below(100)),
            Kind::Text => match self.dice.below(3) {
                0 => format!("{name} == 'abc'"),
                1 => format!("{name} in ['a', \"审批\"]"),
                _ => format!("{name} != \"\""),
            },
            Kind::Enum(values) => {
                let value = self.dice.below(values);
                match self.dice.below(3) {
                    0 => format!("{name} == v{value}"),
                    1 => format!("{name} in [v0, v{value}]"),
                    _ => format!("{name} != v{value}"),
                }
            }
            Kind::Date => format!("{name} {op} {}", self.dice.pick(&["2017-03-01", "2020-02-29", "1900-01-01"])),
        }
    }

    // ── emitting a workflow ──

    fn workflow(&mut self) -> String {
        let clocks = self.emit_clocks();
        let mut out = String::new();
        let id = if self.noise() { "gen flow" } else { "gen-flow" };
        push_line(&mut out, 0, &format!("workflow: {id}"));
        if !self.noise() {
            push_line(&mut out, 0, "version: \"1\"");
        }
        if self.dice.chance(40) {
            let title = self.title();
            push_line(&mut out, 0, &format!("title: {title}"));
        }
        let calendar = if self.noise() { "cn" } else { "cn-mainland" };
        push_line(&mut out, 0, &format!("calendar: {calendar}"));
        let roles: Vec<String> = self.roles.iter().map(|role| format!("{role}: 承办人")).collect();
        push_line(&mut out, 0, &format!("roles: {{{}}}", roles.join(", ")));
        self.emit_actions(&mut out);
        self.emit_attributes(&mut out);
        if !self.stages.is_empty() {
            push_line(&mut out, 0, "stages:");
            for stage in self.stages.clone() {
                let title = self.title();
                push_line(&mut out, 2, &format!("{stage}: {title}"));
            }
        }
        if self.dice.chance(25) {
            let initial = self.states[self.top[0]].name.clone();
            let initial = self.refer(&initial);
            push_line(&mut out, 0, &format!("initial: {initial}"));
        }
        push_line(&mut out, 0, "states:");
        for id in self.top.clone() {
            self.emit_state(&mut out, id, 2);
        }
        self.emit_transitions(&mut out, "transitions", 0, &self.transitions.clone());
        out.push_str(&clocks);
        if self.noise() {
            let key = *self.dice.pick(&["colour: red", "version: \"2\"", "reform: {title: x}", "states: {}"]);
            push_line(&mut out, 0, key);
        }
        out
    }

    fn emit_actions(&mut self, out: &mut String) {
        if !self.dice.chance(40) {
            return;
        }
        push_line(out, 0, "actions:");
        let mut actions: Vec<String> = self.transitions.iter().map(|t| t.action.clone()).collect();
        actions.extend(self.extension_actions.clone());
        actions.dedup();
        if self.noise() {
            actions.pop();
        }
        for action in actions {
            let title = self.title();
            push_line(out, 2, &format!("{action}: {title}"));
        }
    }

    fn emit_attributes(&mut self, out: &mut String) {
        if self.attributes.is_empty() {
            return;
        }
        push_line(out, 0, "attributes:");
        for (name, kind) in self.attributes.clone() {
            let (mut kind, mut extra) = match kind {
                Kind::Bool => ("bool", ", default: false"),
                Kind::Integer => ("integer", ", default: 3"),
                Kind::Decimal => ("decimal", ", default: \"1.5\""),
                Kind::Text => ("text", ", default: abc"),
                Kind::Enum(1) => ("enum", ", values: [v0]"),
                Kind::Enum(2) => ("enum", ", values: [v0, v1], default: v1"),
                Kind::Enum(_) => ("enum", ", values: [v0, v1, v2]"),
                Kind::Date => ("date", ", default: 2017-03-01"),
            };
            if !kind.starts_with('e') && self.dice.chance(50) {
                extra = "";
            }
            if self.noise() {
                (kind, extra) = *self.dice.pick(&[
                    ("float", ""),
                    ("enum", ""),
                    ("bool", ", values: [a]"),
                    ("integer", ", default: 1.5"),
                    ("enum", ", values: [v0, v0]"),
                    ("date", ", default: 2017-02-30"),
                    ("bool", ", default: yes"),
                ]);
            }
            let title = if self.dice.chance(30) { format!(", title: {}", self.title()) } else { String::new() };
            push_line(out, 2, &format!("{name}: {{type: {kind}{extra}{title}}}"));
        }
    }

    fn emit_state(&mut self, out: &mut String, id: usize, indent: usize) {
        let GenState { name, shape, children, done, .. } = &self.states[id];
        let (name, shape, children, done) = (name.clone(), *shape, children.clone(), *done);
        let title = if self.dice.chance(40) { Some(self.title()) } else { None };
        if self.noise() {
            let bad = *self.dice.pick(&[
                "{final: maybe}",
                "{initial: a}",
                "{done: a}",
                "{states: {}}",
                "[]",
                "{parallel: {}}",
            ]);
            push_line(out, indent, &format!("{name}: {bad}"));
            return;
        }
        match (shape, title) {
            (Shape::Atomic, None) => {
                push_line(out, indent, &format!("{name}:{}", if self.dice.chance(50) { " {}" } else { "" }));
            }
            (Shape::Atomic, Some(title)) => push_line(out, indent, &format!("{name}: {{title: {title}}}")),
            (Shape::Final, title) => {
                let title = title.map_or(String::new(), |title| format!("title: {title}, "));
                push_line(out, indent, &format!("{name}: {{{title}final: true}}"));
            }
            (_, title) => {
                push_line(out, indent, &format!("{name}:"));
                if let Some(title) = title {
                    push_line(out, indent + 2, &format!("title: {title}"));
                }
                if shape != Shape::Parallel && self.dice.chance(30) {
                    let initial = self.states[children[0]].name.clone();
                    let initial = self.refer(&initial);
                    push_line(out, indent + 2, &format!("initial: {initial}"));
                }
                push_line(out, indent + 2, if shape == Shape::Parallel { "parallel:" } else { "states:" });
                for child in children {
                    self.emit_state(out, child, indent + 4);
                }
                if let Some(done) = done {
                    let done = self.states[done].name.clone();
                    let done = self.refer(&done);
                    push_line(out, indent + 2, &format!("done: {done}"));
                }
            }
        }
    }

    fn emit_transitions(&mut self, out: &mut String, key: &str, indent: usize, transitions: &[GenTransition]) {
        if transitions.is_empty() {
            push_line(out, indent, &format!("{key}: []"));
            return;
        }
        push_line(out, indent, &format!("{key}:"));
        let names = |names: &[String], dice: &mut Dice<'_>| {
            if names.len() == 1 && !dice.chance(10) { names[0].clone() } else { format!("[{}]", names.join(", ")) }
        };
        for transition in transitions {
            let from = names(&transition.from, &mut self.dice);
            let by = names(&transition.by, &mut self.dice);
            let mut fields = vec![
                format!("action: {}", transition.action),
                format!("from: {from}"),
                format!("to: {}", transition.to),
                format!("by: {by}"),
            ];
            if let Some(guard) = &transition.guard {
                fields.push(format!("if: {}", quote(guard)));
            }
            if self.dice.chance(10) {
                fields.push(format!("title: {}", self.title()));
            }
            if self.noise() {
                fields.swap_remove(self.dice.below(fields.len()));
            }
            if self.dice.chance(20) {
                push_line(out, indent + 2, &format!("- {}", fields[0]));
                for field in &fields[1..] {
                    push_line(out, indent + 4, field);
                }
            } else {
                push_line(out, indent + 2, &format!("- {{{}}}", fields.join(", ")));
            }
        }
    }

    /// States inside `id`, itself included.
    fn within(&self, id: usize) -> Vec<usize> {
        let mut found = vec![id];
        let mut index = 0;
        while index < found.len() {
            found.extend(&self.states[found[index]].children);
            index += 1;
        }
        found
    }

    fn emit_clocks(&mut self) -> String {
        let mut out = String::new();
        let count = self.dice.below(5);
        if count > 0 {
            push_line(&mut out, 0, "clocks:");
        }
        for _ in 0..count {
            let name = self.fresh("c");
            push_line(&mut out, 2, &format!("{name}:"));
            self.emit_clock(&mut out, &name);
            self.clocks.push(name);
        }
        out
    }

    fn emit_clock(&mut self, out: &mut String, name: &str) {
        let mut fields = Vec::new();
        if self.dice.chance(30) {
            fields.push(format!("title: {}", self.title()));
        }
        if !self.stages.is_empty() && self.dice.chance(60) {
            let stage = self.dice.pick(&self.stages).clone();
            fields.push(format!("stage: {}", self.refer(&stage)));
        }
        if self.dice.chance(60) {
            fields.push("matter: true".to_owned());
        }
        if self.dice.chance(30) {
            fields.push(format!("basis: {}", self.title()));
        }
        let unit = *self.dice.pick(&["wd", "wd", "wd", "wd", "cd", "months", "years"]);
        let limit = self.dice.range(5, 40);
        fields.push(format!("limit: {}", self.period(unit, limit, limit)));
        if self.dice.chance(25) {
            fields.push(format!("promised: {}", self.period(unit, 1, limit)));
        }
        let start = self.dice.below(self.states.len());
        let start_name = self.states[start].name.clone();
        let start_name = self.refer(&start_name);
        if self.dice.chance(30) {
            fields.push(format!("over: {start_name}"));
        } else {
            if self.dice.chance(15) {
                let other = self.dice.below(self.states.len());
                fields.push(format!("from: [{start_name}, {}]", self.states[other].name));
            } else {
                fields.push(format!("from: {start_name}"));
            }
            if self.dice.chance(80) {
                let until: Vec<String> = (0..self.dice.range(1, 2))
                    .map(|_| {
                        let until = self.dice.below(self.states.len());
                        let until = self.states[until].name.clone();
                        self.refer(&until)
                    })
                    .collect();
                let until = if until.len() == 1 { until[0].clone() } else { format!("[{}]", until.join(", ")) };
                fields.push(format!("until: {until}"));
            }
        }
        let inside = self.within(start);
        if self.dice.chance(25) {
            let paused = self.states[*self.dice.pick(&inside)].name.clone();
            let paused = self.refer(&paused);
            let max = if self.dice.chance(50) { format!(", max: {}", self.period("cd", 1, 30)) } else { String::new() };
            fields.push(format!("paused_in:\n      {paused}: {{basis: {}{max}}}", self.title()));
        }
        if self.dice.chance(15) && !self.transitions.is_empty() {
            let on = self.dice.pick(&self.transitions).action.clone();
            let entering = self.states[*self.dice.pick(&inside)].name.clone();
            fields.push(match self.dice.below(3) {
                0 => format!("restart: {{actions: [{on}]}}"),
                1 => format!("restart: {{entering: {entering}}}"),
                _ => format!("restart: {{actions: {on}, entering: [{entering}]}}"),
            });
        }
        if self.dice.chance(20) {
            let action = self.fresh("extend");
            self.extension_actions.push(action.clone());
            let by = self.period(unit, 1, 10);
            let role = self.dice.pick(&self.roles).clone();
            let times =
                if self.dice.chance(50) { format!(", times: {}", self.dice.range(1, 3)) } else { String::new() };
            fields.push(format!("extensions:\n      - {{by: {by}{times}, action: {action}, by_role: {role}}}"));
        }
        if !self.clocks.is_empty() && self.dice.chance(20) {
            let parent = if self.noise() { name.to_owned() } else { self.dice.pick(&self.clocks).clone() };
            fields.push(format!("within: {parent}"));
        }
        if self.dice.chance(20) {
            fields.push(format!("warn_at: [{}, {}]", self.percent(), self.percent()));
        }
        if self.dice.chance(15) {
            fields.push(format!("warn_before: [{}]", self.period(unit, 1, 3)));
        }
        if self.noise() {
            let field =
                *self.dice.pick(&["over: nowhere", "until: nowhere", "limit: 5 wd", "colour: red", "within: nowhere"]);
            fields.push(field.to_owned());
        }
        for field in fields {
            push_line(out, 4, &field);
        }
    }

    // ── emitting a reform of the generated workflow ──

    /// Runs of two or more top-level compound states, each `done` into the next, entered by a
    /// transition from the atomic state before them (rule 4 of `parallelize`: a `done` into the
    /// first state of a sequence is not an entry).
    fn sequences(&self) -> Vec<Vec<usize>> {
        let mut runs = Vec::new();
        for (index, pair) in self.top.windows(2).enumerate() {
            if self.states[pair[0]].shape != Shape::Atomic {
                continue;
            }
            let mut run: Vec<usize> = Vec::new();
            for id in &self.top[index + 1..] {
                let linked = run.last().is_none_or(|last| self.states[*last].done == Some(*id));
                if self.states[*id].shape != Shape::Compound || !linked {
                    break;
                }
                run.push(*id);
            }
            if run.len() >= 2 {
                runs.push(run);
            }
        }
        runs
    }

    fn reform(&mut self, extends: &str, version: &str, simple: bool) -> String {
        let mut out = String::new();
        push_line(&mut out, 0, &format!("extends: {extends}"));
        if !self.noise() {
            push_line(&mut out, 0, &format!("version: \"{version}\""));
        }
        if self.dice.chance(40) {
            let title = self.title();
            push_line(&mut out, 0, &format!("title: {title}"));
        }
        if self.noise() {
            let key = *self.dice.pick(&["states: {}", "workflow: w", "clocks: {}", "roles: {r: R}"]);
            push_line(&mut out, 0, key);
        }
        if self.noise() {
            return out;
        }
        push_line(&mut out, 0, "reform:");
        let title = self.title();
        push_line(&mut out, 2, &format!("title: {title}"));
        if !self.noise() {
            let rounding = *self.dice.pick(&["nearest", "up", "down"]);
            push_line(&mut out, 2, &format!("rounding: {rounding}"));
        } else if self.dice.chance(50) {
            push_line(&mut out, 2, "rounding: sideways");
        }
        if self.dice.chance(60) {
            self.emit_cuts(&mut out);
        }
        if simple {
            return out;
        }
        let sequences = self.sequences();
        if !sequences.is_empty() && self.dice.chance(75) {
            self.emit_parallelize(&mut out, &sequences);
        }
        if self.dice.chance(30) {
            self.emit_added(&mut out);
        }
        let extras: Vec<GenTransition> = self.transitions.iter().filter(|t| t.role == Role::Extra).cloned().collect();
        if !extras.is_empty() && self.dice.chance(30) {
            let dropped = self.dice.pick(&extras).clone();
            let to = if self.dice.chance(50) { format!(", to: {}", dropped.to) } else { String::new() };
            let from = self.refer(&dropped.from[0]);
            push_line(&mut out, 2, "drop_transitions:");
            push_line(&mut out, 4, &format!("- {{action: {}, from: {from}{to}}}", dropped.action));
        }
        if !self.ends.is_empty() && self.dice.chance(30) {
            let end = *self.dice.pick(&self.ends);
            let end = self.states[end].name.clone();
            push_line(&mut out, 2, &format!("drop_states: [{}]", self.refer(&end)));
        }
        out
    }

    fn emit_cuts(&mut self, out: &mut String) {
        push_line(out, 2, "cut:");
        if !self.stages.is_empty() && self.dice.chance(70) {
            let stage = self.dice.pick(&self.stages).clone();
            let stage = self.refer(&stage);
            let percent = self.percent();
            push_line(out, 4, &format!("stages: {{{stage}: {percent}}}"));
        }
        if !self.clocks.is_empty() && self.dice.chance(50) {
            let clock = self.dice.pick(&self.clocks).clone();
            let clock = self.refer(&clock);
            let percent = self.percent();
            push_line(out, 4, &format!("clocks: {{{clock}: {percent}}}"));
        }
    }

    fn emit_parallelize(&mut self, out: &mut String, sequences: &[Vec<usize>]) {
        let run = self.dice.pick(sequences).clone();
        let length = self.dice.range(2, run.len());
        let start = if self.noise() { self.dice.below(run.len() - length + 1) } else { 0 };
        let mut names: Vec<String> =
            run[start..start + length].iter().map(|id| self.states[*id].name.clone()).collect();
        if self.noise() {
            match self.dice.below(3) {
                0 => names.truncate(1),
                1 => names.reverse(),
                _ => names.push("nowhere".to_owned()),
            }
        }
        let name = if self.noise() { names[0].clone() } else { self.fresh("p") };
        let mut fields = vec![format!("sequence: [{}]", names.join(", ")), format!("as: {name}")];
        if self.dice.chance(40) {
            fields.push(format!("title: {}", self.title()));
        }
        if self.dice.chance(50) {
            fields.push(format!("when: {}", quote(&self.guard(0))));
        }
        push_line(out, 2, "parallelize:");
        push_line(out, 4, &format!("- {{{}}}", fields.join(", ")));
    }

    fn emit_added(&mut self, out: &mut String) {
        let Some(from) = self.random_atomic() else { return };
        let added = self.fresh("added");
        push_line(out, 2, &format!("add_states: {{{added}: {{final: true}}}}"));
        if self.noise() {
            return;
        }
        let transition = GenTransition {
            action: self.fresh("a"),
            from: vec![self.states[from].name.clone()],
            to: added,
            by: self.roles(),
            guard: None,
            role: Role::End,
        };
        self.emit_transitions(out, "add_transitions", 2, &[transition]);
    }
}

/// A text edit chosen by the dice.
fn dice_edit(dice: &mut Dice<'_>) -> Edit {
    let (a, b) = (dice.wide(), dice.wide());
    match dice.below(9) {
        0 => Edit::DeleteLine(a),
        1 => Edit::DuplicateLine(a),
        2 => Edit::SwapLines(a, b),
        3 => Edit::Indent(a, b % 12),
        4 => Edit::Truncate(a),
        5 => Edit::DeleteChars(a, b % 40),
        6 => Edit::InsertToken(a, b),
        7 => Edit::InsertWord(a, b),
        _ => Edit::ReplaceWord(a, b),
    }
}

/// A generated case: a workflow, or a reform over it (directly, over another reform, through a
/// chain of empty reforms, through a cycle, or over a missing base).
fn generate(bytes: &[u8]) -> Case {
    let mut dice = Dice { bytes, at: 0 };
    let noise = *dice.pick(&[0, 0, 1, 3, 10]);
    let mode = dice.below(20);
    let mut generator = Gen::new(dice, noise, mode >= 9);
    generator.model();
    let mut base = generator.workflow();
    if generator.noise() {
        let edit = dice_edit(&mut generator.dice);
        base = apply_edit(&base, edit, &words(&[&base]));
    }
    // CRLF and lone CR line breaks, sometimes
    let breaks = *generator.dice.pick(&["\n", "\n", "\n", "\r\n", "\r"]);
    let base = base.replace('\n', breaks);
    let files = Files::default().with("base.yaml", "base.yaml", base.clone());
    let mut case = match mode {
        0..9 => return Case::new("flow.yaml", base, Files::default()),
        9..16 => Case::new("reform.yaml", generator.reform("base.yaml", "2", false), files),
        16 | 17 => {
            let middle = generator.reform("base.yaml", "2", true);
            let top = generator.reform("middle.yaml", "3", false);
            Case::new("reform.yaml", top, files.with("middle.yaml", "middle.yaml", middle))
        }
        18 => {
            let links = generator.dice.range(6, 9);
            let top = generator.reform("r1.yaml", "9", false);
            let mut files = files;
            for link in 1..links {
                let next = if link + 1 == links { "base.yaml".to_owned() } else { format!("r{}.yaml", link + 1) };
                let text = format!("extends: {next}\nversion: \"{link}\"\nreform: {{title: link {link}}}\n");
                files = files.with(&format!("r{link}.yaml"), &format!("r{link}.yaml"), text);
            }
            Case::new("reform.yaml", top, files)
        }
        _ => {
            let top = generator.reform("base.yaml", "2", false);
            let files = match generator.dice.below(3) {
                0 => Files::default().with("base.yaml", "reform.yaml", top.clone()),
                1 => Files::default()
                    .with("base.yaml", "base.yaml", "extends: reform.yaml\nversion: \"0\"\nreform: {title: loop}\n")
                    .with("reform.yaml", "reform.yaml", top.clone()),
                _ => Files::default(),
            };
            Case::new("reform.yaml", top, files)
        }
    };
    case.text = case.text.replace('\n', breaks);
    case
}

// ── 3. Arbitrary text ─────────────────────────────────────────────────────────────────────────

const FRAGMENTS: &[&str] = &[
    "workflow: w",
    "version: '1'",
    "calendar: cn-mainland",
    "roles: {r: R}",
    "states:",
    "transitions:",
    "clocks:",
    "attributes:",
    "x: {type: bool}",
    "\n",
    "\n  ",
    "\n    ",
    "\n      ",
    "- ",
    "{",
    "}",
    "[",
    "]",
    ": ",
    ", ",
    "s0",
    "s1",
    "final: true",
    "initial: s0",
    "done: s1",
    "parallel:",
    "action: a",
    "from: s0",
    "to: s1",
    "by: r",
    "if: ",
    "not ",
    "x",
    " and ",
    "limit: 5 wd",
    "over: s0",
    "until: s1",
    "paused_in:",
    "within: c",
    "c:",
    "extends: base.yaml",
    "reform:",
    "title: t",
    "cut:",
    "stages: {st: 50%}",
    "rounding: nearest",
    "parallelize:",
    "sequence: [s0, s1]",
    "as: p",
    "add_states:",
    "drop_states: [s0]",
    "&a ",
    "*a",
    "<<: *a",
    "!!str ",
    "!!binary ",
    "restart: {actions: [a]}",
    "until: [s0, s1]",
    "|\n",
    ">-\n",
    "\"",
    "'",
    "#",
    "---\n",
    "...\n",
    "? ",
    "%YAML 1.2\n",
    "\t",
    "\r",
    "审批",
    "\u{feff}",
    "~",
    "null",
    "99999999999999999999",
    "1e400",
    "-1",
    "101%",
    "2017-02-30",
    "\\",
    "\\u0000",
];

/// Text that starts as a valid file, so that the tail reaches further in.
const PREFIXES: &[&str] = &[
    "workflow: w\nversion: '1'\ncalendar: cn-mainland\nroles: {r: R}\nstates:\n  s0: {}\n  s1: {final: true}\ntransitions:\n  - {action: a, from: s0, to: s1, by: r}\n",
    "extends: base.yaml\nversion: '2'\nreform:\n  title: t\n",
    "",
];

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => vec(select(FRAGMENTS), 0..250).prop_map(|parts| parts.concat()),
        2 => (select(PREFIXES), vec(select(FRAGMENTS), 0..60)).prop_map(|(prefix, parts)| format!("{prefix}{}", parts.concat())),
        1 => "(?s).{0,1500}",
        1 => "[ -~\t\r\n]{0,3000}",
        1 => vec(any::<u8>(), 0..3000).prop_map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    ]
}

fn arbitrary_case() -> impl Strategy<Value = Case> {
    (arbitrary_text(), arbitrary_text()).prop_map(|(text, base)| Case {
        name: "fuzz.yaml".to_owned(),
        text,
        files: Files { entries: Vec::new(), fallback: Some(("base.yaml".to_owned(), base)) },
    })
}
