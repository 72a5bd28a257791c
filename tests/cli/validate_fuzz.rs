//! Issue 23, item 11: `renewflow workflow validate` as a whole process on hostile files, each run
//! under `guard.rs`: at most `ADDRESS_SPACE_BYTES_MAX` (512 MiB) of address space and a deadline.
//! Four kinds of input, as proptest properties:
//!
//! - the shipped flows with random edits (the edits of `workflow_fuzz.rs`), with their bases
//!   written next to them;
//! - very long names (up to 60 000 characters, ASCII or CJK) as definitions, references, list
//!   items, guard words, `extends` paths, ids, and the costly pair: a long name defined and one
//!   edit away from it referred to;
//! - deep nesting: flow lists and maps, block-nested states, guards in parentheses;
//! - YAML anchors and aliases: "billion laughs" documents of several shapes, aliases in every
//!   part of a workflow, merge keys.
//!
//! Every run must end by itself with 0 (valid) or 2 (refused, with something on stderr), never
//! be killed by the deadline or abort (134, the memory cap) or panic.
//!
//! The default counts keep this module to a few seconds of `cargo test`.
//! `RENEWFLOW_VALIDATE_FUZZ_CASES` sets the count of every property, and
//! `RENEWFLOW_VALIDATE_FUZZ_DEADLINE_SECS` the deadline (default 20 s, generous for a debug
//! build on a busy machine; a long run on a release build uses 2):
//!
//! ```text
//! RENEWFLOW_VALIDATE_FUZZ_CASES=2000 RENEWFLOW_VALIDATE_FUZZ_DEADLINE_SECS=2 \
//!     cargo test --release --test cli validate_fuzz -- --nocapture --test-threads 1
//! ```

use std::cell::RefCell;
use std::fmt::Write as _;
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::TestRunner;

use super::guard::{Guarded, run_guarded};
use super::workflow_fuzz::{Case, edited_shipped_flow, env_number};

const LICENCE: &str = include_str!("../../workflows/administrative-license.yaml");

#[test]
fn issue_23_edited_shipped_flows_validate_within_bounds() {
    run("edited shipped flows", 12, edited_shipped_flow().prop_map(Input::from_case));
}

#[test]
fn issue_23_long_names_validate_within_bounds() {
    run("long names", 12, long_names());
}

#[test]
fn issue_23_deep_nesting_validates_within_bounds() {
    run("deep nesting", 8, deep_nesting());
}

#[test]
fn issue_23_anchors_and_aliases_validate_within_bounds() {
    run("anchors and aliases", 8, anchors_and_aliases());
}

/// The costly case of the issue, always run: a 30 000-character state and a reference one edit
/// away from it once made "did you mean" build a 7 GB table.
#[test]
fn issue_23_a_long_unknown_state_is_refused_quickly() {
    let input = long_pair(&"x".repeat(30_000), Place::Initial);
    let output = input.validate(deadline());
    expect_clean(&input, &output).unwrap();
    assert_eq!(output.code, Some(2));
    assert!(output.stderr.contains("is 30000 characters long, beyond the limit of 128"), "{}", output.stderr);
}

/// Found by the long-name fuzzing: a problem past column 65 535 of its line (counting a wide
/// character as two) made the diagnostic renderer panic (exit 101). It is now reported without
/// its source snippet.
#[test]
fn issue_23_a_problem_far_along_its_line_is_reported_without_a_panic() {
    let name = format!("s{}", "状".repeat(33_000));
    let text = LICENCE.replacen(
        "  joint_handling: {type: bool",
        &format!("  kind: {{type: enum, values: [{name}], default: b}}\n  joint_handling: {{type: bool"),
        1,
    );
    let input = Input::one(text);
    let output = input.validate(deadline());
    expect_clean(&input, &output).unwrap();
    assert_eq!(output.code, Some(2));
    assert!(output.stderr.contains("flow.yaml:31:33044: expected one of `s状状"), "{}", output.stderr);
}

// ── Running ───────────────────────────────────────────────────────────────────────────────────

/// The files of one run: the first is validated.
#[derive(Clone, Debug)]
struct Input {
    files: Vec<(String, String)>,
}

impl Input {
    fn one(text: String) -> Input {
        Input { files: vec![("flow.yaml".to_owned(), text)] }
    }

    /// A case of `workflow_fuzz`, its `extends` targets written next to it (the targets it
    /// names by a plain file name; any other `extends` finds no file).
    fn from_case(case: Case) -> Input {
        let file_name = |name: &str| name.rsplit('/').next().unwrap_or(name).to_owned();
        let mut files = vec![(file_name(&case.name), case.text)];
        for (path, _, text) in case.files.entries {
            if !path.contains('/') && files.iter().all(|(name, _)| *name != path) {
                files.push((path, text));
            }
        }
        Input { files }
    }

    fn validate(&self, deadline: Duration) -> Guarded {
        let directory = tempfile::tempdir().unwrap();
        for (name, text) in &self.files {
            std::fs::write(directory.path().join(name), text).unwrap();
        }
        run_guarded(directory.path(), &["workflow", "validate", &self.files[0].0], deadline)
    }
}

fn deadline() -> Duration {
    Duration::from_secs(env_number("RENEWFLOW_VALIDATE_FUZZ_DEADLINE_SECS").unwrap_or(20))
}

/// Ended by itself, 0 or 2, no panic, and a refusal says why.
fn expect_clean(input: &Input, output: &Guarded) -> Result<(), TestCaseError> {
    let shown = || {
        let (name, text) = &input.files[0];
        let start: String = text.chars().take(300).collect();
        format!("{name} ({} bytes) starting {start:?}", text.len())
    };
    prop_assert!(!output.timed_out, "still running after {:.1?}: {}", output.elapsed, shown());
    prop_assert!(
        matches!(output.code, Some(0 | 2)),
        "exit {:?} (134 is the memory cap), stderr {:?}: {}",
        output.code,
        output.stderr.chars().take(2000).collect::<String>(),
        shown()
    );
    prop_assert!(!output.stderr.contains("panicked"), "a panic: {}: {}", output.stderr, shown());
    if output.code == Some(2) {
        prop_assert!(!output.stderr.trim().is_empty(), "refused without a word: {}", shown());
    }
    Ok(())
}

/// Runs one property and prints its counts: inputs, valid ones, the slowest run and the largest
/// peak resident memory seen.
fn run(property: &str, default_cases: u32, strategy: impl Strategy<Value = Input>) {
    let cases = env_number("RENEWFLOW_VALIDATE_FUZZ_CASES")
        .map_or(default_cases, |cases| u32::try_from(cases).unwrap_or(u32::MAX));
    let config = ProptestConfig { failure_persistence: None, ..ProptestConfig::with_cases(cases) };
    let mut runner = TestRunner::new(config);
    let deadline = deadline();
    // (inputs, valid, slowest, its first file's size, largest peak RSS in KiB)
    let tally = RefCell::new((0_u64, 0_u64, Duration::ZERO, 0_usize, 0_u64));
    let result = runner.run(&strategy, |input| {
        let output = input.validate(deadline);
        let mut tally = tally.borrow_mut();
        tally.0 += 1;
        tally.1 += u64::from(output.code == Some(0));
        if output.elapsed > tally.2 {
            (tally.2, tally.3) = (output.elapsed, input.files[0].1.len());
        }
        tally.4 = tally.4.max(output.peak_rss_kib);
        expect_clean(&input, &output)
    });
    let (inputs, valid, slowest, slowest_bytes, peak) = tally.into_inner();
    eprintln!(
        "validate_fuzz: {property}: {inputs} runs, {valid} valid, slowest {slowest:.2?} ({slowest_bytes} bytes), \
         largest peak RSS {peak} KiB"
    );
    if let Err(error) = result {
        panic!("{property}: {error}");
    }
}

// ── Long names ────────────────────────────────────────────────────────────────────────────────

/// A name of 129 to 60 000 characters made of one repeated character.
fn long_name() -> impl Strategy<Value = String> {
    (select(vec!['x', '_', '状', 'é']), prop_oneof![129..300_usize, 300..60_000_usize])
        .prop_map(|(c, count)| std::iter::once('s').chain(std::iter::repeat_n(c, count - 1)).collect())
}

/// Where `long_pair` puts the long name and its neighbour.
#[derive(Clone, Copy, Debug)]
enum Place {
    Initial,
    To,
    By,
    Guard,
    EnumValue,
    Extends,
    Id,
    AnyWord(usize, usize),
}

fn long_names() -> impl Strategy<Value = Input> {
    let place = prop_oneof![
        Just(Place::Initial),
        Just(Place::To),
        Just(Place::By),
        Just(Place::Guard),
        Just(Place::EnumValue),
        Just(Place::Extends),
        Just(Place::Id),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Place::AnyWord(a, b)),
    ];
    (long_name(), place).prop_map(|(name, place)| long_pair(&name, place))
}

/// The licence with a state named `name` defined (as an explicit key: YAML caps plain keys at
/// 1 024 characters) and `name` with its last character changed written at `place`.
fn long_pair(name: &str, place: Place) -> Input {
    let near: String = name.chars().take(name.chars().count() - 1).chain(['y']).collect();
    let defined = LICENCE.replacen(
        "  closed: {title: 办结, final: true}",
        &format!("  ? {name}\n  : {{final: true}}\n  closed: {{title: 办结, final: true}}"),
        1,
    );
    let text = match place {
        Place::Initial => defined.replacen("initial: intake", &format!("initial: {near}"), 1),
        Place::To => defined.replacen("to: withdrawn", &format!("to: {near}"), 1),
        Place::By => defined.replacen("by: applicant}", &format!("by: [applicant, {near}]}}"), 1),
        Place::Guard => defined.replacen("if: not joint_handling}", &format!("if: not {near}}}"), 1),
        Place::EnumValue => defined.replacen(
            "  joint_handling: {type: bool",
            &format!("  kind: {{type: enum, values: [{name}, b], default: {near}}}\n  joint_handling: {{type: bool"),
            1,
        ),
        Place::Extends => format!("extends: {name}.yaml\nversion: '2'\nreform: {{title: x}}\n"),
        Place::Id => defined.replacen("workflow: administrative-license", &format!("workflow: {near}"), 1),
        Place::AnyWord(first, second) => replace_words(&defined, &[(first, name), (second, &near)]),
    };
    Input::one(text)
}

/// `text` with the words (runs of letters, digits and `_`) picked replaced, in turn.
fn replace_words(text: &str, picks: &[(usize, &str)]) -> String {
    picks.iter().fold(text.to_owned(), |text, (pick, word)| {
        let mut spans = Vec::new();
        let mut start = None;
        for (index, c) in text.char_indices().chain([(text.len(), ' ')]) {
            match (c.is_alphanumeric() || c == '_', start) {
                (true, None) => start = Some(index),
                (false, Some(from)) => {
                    spans.push((from, index));
                    start = None;
                }
                _ => {}
            }
        }
        let Some(&(from, to)) = spans.get(pick % spans.len().max(1)) else { return text };
        format!("{}{word}{}", &text[..from], &text[to..])
    })
}

// ── Deep nesting ──────────────────────────────────────────────────────────────────────────────

fn deep_nesting() -> impl Strategy<Value = Input> {
    (0..5_usize, prop_oneof![1..64_usize, 64..2_000_usize, 2_000..300_000_usize]).prop_map(|(shape, depth)| {
        let text = match shape {
            // A flow list as deep as `depth` where a name is expected.
            0 => {
                LICENCE.replacen("initial: intake", &format!("initial: {}{}", "[".repeat(depth), "]".repeat(depth)), 1)
            }
            // Flow maps, as a whole document.
            1 => format!("{}x{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
            // Block-nested compound states (the file stays under 4 MiB: indentation grows).
            2 => nested_states(depth.min(1_400)),
            // A guard in parentheses.
            3 => LICENCE.replacen(
                "if: not joint_handling}",
                &format!("if: \"{}joint_handling{}\"}}", "(".repeat(depth.min(5_000)), ")".repeat(depth.min(5_000))),
                1,
            ),
            // An unclosed flow list: the parser must give up, not recurse for ever.
            _ => format!("workflow: {}\n", "[a, ".repeat(depth)),
        };
        Input::one(text)
    })
}

/// A workflow whose first state holds a state, which holds a state, `depth` deep.
fn nested_states(depth: usize) -> String {
    let mut text =
        String::from("workflow: w\nversion: '1'\ncalendar: cn-mainland\nroles: {officer: 承办人}\nstates:\n");
    for level in 0..depth {
        let indent = "  ".repeat(2 * level + 1);
        let _ = write!(text, "{indent}s{level}:\n{indent}  initial: s{}\n{indent}  states:\n", level + 1);
    }
    let _ = writeln!(text, "{}s{depth}: {{}}", "  ".repeat(2 * depth + 1));
    text.push_str("  done: {final: true}\ntransitions:\n  - {action: finish, from: s0, to: done, by: officer}\n");
    text
}

// ── Anchors and aliases ───────────────────────────────────────────────────────────────────────

fn anchors_and_aliases() -> impl Strategy<Value = Input> {
    (0..6_usize, 2..12_usize, 2..12_usize).prop_map(|(shape, levels, fanout)| {
        let text = match shape {
            // The classic: ten levels of ten aliases each, under a key the loader reads.
            0 => format!("{}workflow: *a{}\n", laughs(levels, fanout, "\"lol\""), levels - 1),
            1 => format!(
                "{}{}",
                laughs(levels, fanout, "{title: t}"),
                LICENCE.replacen("states:\n", &format!("states:\n  big: *a{}\n", levels - 1), 1)
            ),
            // Aliases where the loader expects lists of names and transitions.
            2 => format!(
                "{}{}",
                laughs(levels, fanout, "received"),
                LICENCE.replacen(
                    "from: received, to: correction",
                    &format!("from: *a{}, to: correction", levels - 1),
                    1
                )
            ),
            3 => LICENCE.replacen("transitions:\n  - ", "transitions:\n  - &t ", 1).replacen(
                "\nclocks:",
                &format!("{}\nclocks:", "\n  - *t".repeat(fanout * levels * 20)),
                1,
            ),
            // Merge keys.
            4 => format!(
                "base: &b {{title: t}}\n{}",
                LICENCE.replacen("  hearing: {title: 听证}", "  hearing: {<<: *b}", 1)
            ),
            // An alias to an anchor not yet defined, and one defined inside itself.
            _ => format!("workflow: *nowhere\nstates: &s {{a: *s}}\n{LICENCE}"),
        };
        Input::one(text)
    })
}

/// `levels` anchors `a0`…, each a list of `fanout` aliases of the one before; `a0` holds `leaf`.
fn laughs(levels: usize, fanout: usize, leaf: &str) -> String {
    let mut text = format!("x0: &a0 [{}]\n", vec![leaf; fanout].join(", "));
    for level in 1..levels {
        let _ = writeln!(text, "x{level}: &a{level} [{}]", vec![format!("*a{}", level - 1); fanout].join(", "));
    }
    text
}
