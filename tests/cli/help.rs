//! `--help` describes every argument of every command.

use crate::test::{Test, undescribed_arguments};

/// Every command path of the binary, from `renewflow help`'s own lists.
fn commands(path: &[String]) -> Vec<Vec<String>> {
    let mut test = Test::new();
    for part in path {
        test = test.args([part.as_str()]);
    }
    let help = test.args(["--help"]).run();
    assert_eq!(help.code, 0, "{path:?}: {}", help.stderr);
    let mut found = vec![path.to_vec()];
    let mut in_commands = false;
    for line in help.stdout.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands && !line.starts_with("  ") {
            in_commands = false;
        }
        let name = line.split_whitespace().next().unwrap_or_default();
        if in_commands && line.starts_with("  ") && !line.starts_with("   ") && name != "help" {
            let mut sub = path.to_vec();
            sub.push(name.to_owned());
            found.extend(commands(&sub));
        }
    }
    found
}

#[test]
fn help_describes_every_argument_of_every_command() {
    let all = commands(&[]);
    assert!(all.len() > 20, "{all:?}");
    let mut undescribed = Vec::new();
    for path in &all {
        let mut test = Test::new();
        for part in path {
            test = test.args([part.as_str()]);
        }
        let help = test.args(["--help"]).run();
        for argument in undescribed_arguments(&help.stdout) {
            undescribed.push(format!("renewflow {}: {argument}", path.join(" ")));
        }
    }
    assert!(undescribed.is_empty(), "arguments without a description:\n{}", undescribed.join("\n"));
}
