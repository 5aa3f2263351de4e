//! Files that are not policies at all are refused with a code, never a panic.

use idproof_policy::{ErrorCode, MAX_POLICY_BYTES, Policy};

fn code_of(bytes: &[u8]) -> ErrorCode {
    Policy::from_bytes(bytes, "hostile.toml").unwrap_err().code
}

#[test]
fn an_empty_file_has_no_versions() {
    assert_eq!(code_of(b""), ErrorCode::NoVersions);
    assert_eq!(code_of(b"# only a comment\n"), ErrorCode::NoVersions);
}

#[test]
fn binary_garbage_is_refused() {
    assert_eq!(code_of(&[0x00, 0x01, 0x02, 0x7f, 0x1b]), ErrorCode::Syntax);
    assert_eq!(code_of(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a]), ErrorCode::Encoding);
}

#[test]
fn bad_utf8_is_refused_at_its_line() {
    let error = Policy::from_bytes(b"[[version]]\n# caf\xe9\n", "latin1.toml").unwrap_err();
    assert_eq!(error.code, ErrorCode::Encoding);
    let position = error.position.unwrap();
    assert_eq!((position.line, position.column), (2, 6));
}

#[test]
fn a_huge_file_is_refused_before_parsing() {
    let huge = vec![b'#'; MAX_POLICY_BYTES as usize + 1];
    assert_eq!(code_of(&huge), ErrorCode::TooLarge);

    let path =
        std::env::temp_dir().join(format!("idproof-policy-huge-{}.toml", std::process::id()));
    std::fs::write(&path, &huge).unwrap();
    let error = Policy::load(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(error.code, ErrorCode::TooLarge);
    assert!(error.to_string().ends_with("(policy.too_large)"), "{error}");
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let arrays = format!("a = {}", "[".repeat(100_000));
    assert_eq!(code_of(arrays.as_bytes()), ErrorCode::Syntax);

    let tables = format!("a = {}", "{ b = ".repeat(100_000));
    assert_eq!(code_of(tables.as_bytes()), ErrorCode::Syntax);

    let keys = format!("[{}]\n", vec!["k"; 50_000].join("."));
    let code = code_of(keys.as_bytes());
    assert!(matches!(code, ErrorCode::Syntax | ErrorCode::UnknownKey), "{code:?}");
}

#[test]
fn a_missing_file_is_an_io_error() {
    let error = Policy::load(std::path::Path::new("/nonexistent/idproof.toml")).unwrap_err();
    assert_eq!(error.code, ErrorCode::Io);
    assert_eq!(error.position, None);
}
