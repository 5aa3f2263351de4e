//! `idproof policy check`: the shipped policy passes with its summary; a broken one is refused
//! with its file, line, column and code.

use std::process::{Command, Output};

use idproof_testkit::temp_dir;

const SHIPPED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policy/idproof.toml");

fn check(file: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_idproof"))
        .args(["policy", "check"])
        .arg(file)
        .env_remove("IDPROOF_CONFIG")
        .output()
        .unwrap()
}

#[test]
fn the_shipped_policy_passes_with_a_summary() {
    let output = check(std::path::Path::new(SHIPPED));

    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary = String::from_utf8(output.stdout).unwrap();
    assert!(summary.contains("valid, 1 version"), "{summary}");
    assert!(summary.contains("version effective from 2025-01-01"), "{summary}");
    let investor = summary.lines().find(|line| line.trim_start().starts_with("investor ")).unwrap();
    assert!(investor.contains("2025-01-01") && investor.contains("smart_o"), "{investor}");
    assert!(summary.contains("stay.ending_soon within 30 d"), "{summary}");
}

#[test]
fn a_broken_policy_is_refused_at_its_line() {
    let dir = temp_dir("policy").unwrap();
    let file = dir.join("broken.toml");
    let shipped = std::fs::read_to_string(SHIPPED).unwrap();
    let broken = shipped.replacen("group = \"worker\"", "group = \"workers\"", 1);
    let line = broken.lines().position(|line| line.contains("\"workers\"")).unwrap() + 1;
    std::fs::write(&file, broken).unwrap();

    let output = check(&file);

    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    let expected = format!("{}:{line}:9: ", file.display());
    assert!(stderr.starts_with(&expected), "{stderr} does not start with {expected}");
    assert!(stderr.trim_end().ends_with("(policy.unknown_group)"), "{stderr}");
}

#[test]
fn a_file_that_is_not_toml_is_refused_as_syntax() {
    let dir = temp_dir("policy").unwrap();
    let file = dir.join("garbage.toml");
    std::fs::write(&file, "[[version]]\neffective_from = \n").unwrap();

    let output = check(&file);

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.starts_with(&format!("{}:2:", file.display())), "{stderr}");
    assert!(stderr.trim_end().ends_with("(policy.syntax)"), "{stderr}");
}
