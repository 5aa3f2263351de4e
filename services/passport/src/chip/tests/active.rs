//! Active Authentication: the chips' own answers verify, and nothing else does.

use idproof_test_passports::chip::active::Answers;

use super::{Files, chip, corpus, read, verdict};
use crate::chip::{
    ActiveAuthenticationAnswer, ActiveAuthenticationKey, Check, ChipError, Outcome,
    verify_active_authentication,
};
use crate::lds::{Dg15, SecurityInfos};

/// A chip with Active Authentication: its key, the challenge, and each answer written.
struct Answering {
    name: &'static str,
    key: ActiveAuthenticationKey,
    challenge: Vec<u8>,
    responses: Vec<Vec<u8>>,
}

fn answering_chips() -> Vec<Answering> {
    let chips = corpus().manifest.chips.iter();
    chips
        .filter_map(|chip| chip.active_authentication.as_ref().map(|answers| (chip, answers)))
        .map(|(chip, answers)| {
            let file = |name: &String| read(&format!("{}/{name}", chip.directory));
            let responses = [&answers.response, &answers.response_plain, &answers.response_der];
            let responses = responses.into_iter().flatten().map(file).collect();
            Answering {
                name: chip.name.as_str(),
                key: key(&Files::of(chip)),
                challenge: file(&answers.challenge),
                responses,
            }
        })
        .collect()
}

fn key(files: &Files) -> ActiveAuthenticationKey {
    let dg15 = Dg15::parse(&files.data_groups[&15]).unwrap();
    let dg14 = files.data_groups.get(&14).map(|dg14| SecurityInfos::parse_dg14(dg14).unwrap());
    ActiveAuthenticationKey::new(&dg15, dg14.as_ref()).unwrap()
}

#[test]
fn each_chips_answer_verifies_in_every_form_except_the_clones() {
    let mut answers = 0;
    for Answering { name, key, challenge, responses } in answering_chips() {
        for response in responses {
            let check = verify_active_authentication(&key, &challenge, &response).unwrap();

            if name == "aa-key-mismatch" {
                assert_eq!(check.failure(), Some("aa.key_mismatch"), "{name}: {check:?}");
            } else {
                assert_eq!(check.outcome, Outcome::Passed, "{name}: {check:?}");
            }
            answers += 1;
        }
    }
    assert_eq!(answers, 8, "four RSA answers, two ECDSA chips in two forms");
}

#[test]
fn a_flipped_byte_fails() {
    for Answering { name, key, challenge, responses } in answering_chips() {
        for mut response in responses {
            let last = response.len() - 1;
            response[last] ^= 0x01;

            let check = verify_active_authentication(&key, &challenge, &response).unwrap();

            assert!(check.failure().is_some(), "{name}: {check:?}");
        }
    }
}

#[test]
fn an_answer_to_another_challenge_fails() {
    let foreign = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08];

    for Answering { name, key, challenge, responses } in answering_chips() {
        assert_ne!(challenge, foreign);
        for response in responses {
            let check = verify_active_authentication(&key, &foreign, &response).unwrap();

            let expected =
                if name == "aa-key-mismatch" { "aa.key_mismatch" } else { "aa.challenge_mismatch" };
            let failure = check.failure().unwrap();
            assert!(failure == expected || failure == "aa.signature", "{name}: {check:?}");
        }
    }
}

#[test]
fn an_rsa_answer_to_another_challenge_is_told_apart_from_another_key() {
    let chip = chip("valid-uto-rsa-pkcs1");
    let files = Files::of(chip);
    let answers: &Answers = chip.active_authentication.as_ref().unwrap();
    let response = read(&format!("{}/{}", chip.directory, answers.response.as_ref().unwrap()));

    let check = verify_active_authentication(&key(&files), &[0; 8], &response).unwrap();

    assert_eq!(check.failure(), Some("aa.challenge_mismatch"), "{check:?}");
}

#[test]
fn wrong_lengths_are_errors_with_codes() {
    for Answering { name, key, challenge, responses } in answering_chips() {
        let response = &responses[0];

        let short_challenge = verify_active_authentication(&key, &challenge[..7], response);
        let long_challenge = verify_active_authentication(&key, &[0; 16], response);
        let cut_response = verify_active_authentication(&key, &challenge, &response[..20]);

        let code = |result: Result<Check, ChipError>| result.unwrap_err().code();
        assert_eq!(code(short_challenge), "aa.challenge_length", "{name}");
        assert_eq!(code(long_challenge), "aa.challenge_length", "{name}");
        let cut = code(cut_response);
        assert!(cut == "aa.response_length" || cut == "aa.response_form", "{name}: {cut}");
    }
}

#[test]
fn an_answer_without_dg15_fails_the_chips_verdict_with_a_code() {
    let mut files = Files::of(chip("valid-uto-rsa-pkcs1"));
    files.data_groups.remove(&15);
    let mut evidence = files.evidence();
    evidence.active_authentication =
        Some(ActiveAuthenticationAnswer { challenge: &[0; 8], response: &[0; 128] });

    let verdict = verdict(&evidence);

    assert_eq!(verdict.check("aa.signature").unwrap().failure(), Some("aa.key"));
    assert_eq!(verdict.check("dg.hash:15").unwrap().outcome, Outcome::NotApplicable);
}
