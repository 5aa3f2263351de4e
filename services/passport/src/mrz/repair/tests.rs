//! Repairs of misread zones, from single look-alikes to Debian tesseract's own read.

use super::settle::subsets;
use super::*;
use crate::mrz::check_digit;

const TD3: [&str; 2] = [
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
];

fn in_1999() -> NaiveDate {
    NaiveDate::from_ymd_opt(1999, 6, 1).unwrap()
}

/// Lines read cell by cell, with these confidences and no doubts.
fn laid(lines: &[&str], confidence: Vec<Vec<f32>>) -> LaidZone {
    let doubts = lines.iter().map(|line| vec![None; line.len()]).collect();
    let agreed = lines.iter().map(|line| vec![false; line.len()]).collect();
    let lines = lines.iter().map(|line| line.to_string()).collect();
    LaidZone { lines, confidence, agreed, doubts }
}

fn confidence_of(repaired: &Repaired, field: Field) -> f32 {
    repaired.confidence.iter().find(|c| c.field == field).map_or(-1.0, |c| c.confidence)
}

#[test]
fn a_clean_read_is_left_alone_with_full_confidence() {
    let repaired = repair(&TD3, in_1999()).unwrap();

    assert_eq!(repaired.lines, TD3);
    assert_eq!(repaired.repaired_characters, 0);
    assert!(repaired.report.is_valid());
    assert!(repaired.confidence.iter().all(|c| c.confidence == 1.0));
}

#[test]
fn filler_runs_read_as_letters_become_fillers_again() {
    let misread = [
        "P<UTOERIKSSON<<ANNA<MARIAKKKKKKXKKKCKKKKSKKK",
        "L898902C36UTO7408122F1204159ZE184226BKXKKK10",
    ];

    let repaired = repair(&misread, in_1999()).unwrap();

    assert_eq!(repaired.lines, TD3);
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
    assert_eq!(confidence_of(&repaired, Field::OptionalData), 0.9);
}

#[test]
fn look_alikes_are_mapped_by_field_kind() {
    // O for 0 and B for 8 in the dates, 0 for O in the country codes, lowercase and spaces.
    let misread = [
        "p<ut0eriksson<<anna<maria<<<<<<<<<<<<<<<<<<<",
        "L898902C36UT0 74O8l22F12O4159ZE184226B<<<<<1O",
    ];

    let repaired = repair(&misread, in_1999()).unwrap();

    assert_eq!(repaired.lines, TD3);
    assert_eq!(confidence_of(&repaired, Field::BirthDate), 0.9);
    assert_eq!(confidence_of(&repaired, Field::IssuingState), 0.6);
    assert_eq!(confidence_of(&repaired, Field::Sex), 1.0);
}

#[test]
fn read_by_cells_the_name_ends_at_three_fillers_and_countries_are_settled() {
    // Cells the shape test missed after the name, read as K; J read as I in the nationality.
    let read = [
        "P<UTOERIKSSON<<ANNA<MARIA<<<<KKKKKKK<<<<<<<<",
        "L898902C36IPN7408122F1204159ZE184226B<<<<<10",
    ];
    let sure = vec![vec![0.99; 44]; 2];

    let repaired = repair_laid(&laid(&read, sure), in_1999()).unwrap();

    assert_eq!(repaired.lines[0], TD3[0]);
    assert_eq!(repaired.report.mrz.nationality, "JPN");
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
    assert_eq!(confidence_of(&repaired, Field::Nationality), 0.6);
}

#[test]
fn a_date_with_one_confused_digit_is_settled_by_its_check_digit() {
    // 740812 read as 740612 (8 as 6): only 6 back to 8 makes the check hold.
    let birth = [TD3[0], "L898902C36UTO7406122F1204159ZE184226B<<<<<10"];
    // 120415 read as 120413 (5 as 3): 120415 and 720413 would both hold, so neither is taken.
    let expiry = [TD3[0], "L898902C36UTO7408122F1204139ZE184226B<<<<<10"];

    let birth = repair(&birth, in_1999()).unwrap();
    let expiry = repair(&expiry, in_1999()).unwrap();

    assert_eq!(birth.lines[1], TD3[1]);
    assert_eq!(confidence_of(&birth, Field::BirthDate), 0.6, "a guess, however likely");
    assert_eq!(expiry.lines[1], "L898902C36UTO7408122F1204139ZE184226B<<<<<10");
    assert_eq!(confidence_of(&expiry, Field::ExpiryDate), 0.2);
}

#[test]
fn a_leading_letter_read_as_a_digit_is_guessed_where_letters_lead() {
    // O4800701 read as 04800701: O at position 1 or 4 would hold alike.
    let number = "O4800701<";
    let digit = char::from(check_digit(number.as_bytes()).unwrap());
    let mut line = format!("04800701<{digit}UTO7408122F1204159ZE184226B<<<<<1");
    let composite = format!("{number}{digit}{}{}", &line[13..20], &line[21..43]);
    line.push(char::from(check_digit(composite.as_bytes()).unwrap()));

    let repaired = repair(&[TD3[0], &line], in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_number, "O4800701");
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.6, "a guess");
}

#[test]
fn a_repair_under_a_failing_composite_is_not_vouched_for() {
    // The number repaired by its own check digit (O back to 0), but the composite fails:
    // something it covers is wrong, and the repair may be it.
    let misread = [TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<11"];

    let repaired = repair(&misread, in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_number, "L898902C3");
    assert_eq!(confidence_of(&repaired, Field::Composite), -1.0, "no confidence of its own");
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.6);
    assert_eq!(confidence_of(&repaired, Field::BirthDate), 1.0, "read as is, and checked");
}

#[test]
fn a_filler_read_inside_a_number_is_tried_as_s() {
    let number = "S95138965";
    let digit = char::from(check_digit(number.as_bytes()).unwrap());
    let mut line = format!("<95138965{digit}UTO7408122F1204159ZE184226B<<<<<1");
    let composite = format!("{number}{digit}{}{}", &line[13..20], &line[21..43]);
    line.push(char::from(check_digit(composite.as_bytes()).unwrap()));

    let repaired = repair(&[TD3[0], &line], in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_number, number);
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
}

#[test]
fn a_cards_code_and_a_misread_country_are_settled() {
    // The TD2 specimen with T read for the code's I, and a nationality of JPN read as SPN,
    // which names no state.
    let misread = ["T<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907SPN7408122F1204159<<<<<<<6"];

    let repaired = repair(&misread, in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_code, "I");
    assert_eq!(repaired.report.mrz.nationality, "JPN");
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    assert_eq!(confidence_of(&repaired, Field::Nationality), 0.6);
    assert_eq!(confidence_of(&repaired, Field::DocumentCode), 0.6);
}

#[test]
fn a_long_card_number_is_settled_across_the_optional_data() {
    // D231458907345 and its check digit, read with B for the head's 8 and S for the tail's 5.
    let digit = char::from(check_digit(b"D231458907345").unwrap());
    let line1 = format!("I<UTOD23145890<7345{digit}<<<<<<<<<<");
    let misread = format!("I<UTOD23145B90<734S{digit}<<<<<<<<<<");
    let mut line2 = *b"7408122F1204159UTO<<<<<<<<<<<0";
    let composite =
        [&line1.as_bytes()[5..30], &line2[0..7], &line2[8..15], &line2[18..29]].concat();
    line2[29] = check_digit(&composite).unwrap();
    let line2 = String::from_utf8(line2.to_vec()).unwrap();

    let repaired =
        repair(&[&misread, &line2, "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"], in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_number, "D231458907345");
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    // Two swaps let more than one candidate hold; the one whose letters lead is a guess.
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.6);
}

#[test]
fn a_name_read_unsure_is_not_vouched_for() {
    let mut cells = vec![vec![0.99; 44]; 2];
    cells[0][8] = 0.5;
    // An unsure 9 in the number: its check digit would have caught a misread.
    cells[1][3] = 0.5;

    let repaired = repair_laid(&laid(&TD3, cells), in_1999()).unwrap();

    assert!(repaired.report.is_valid());
    assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 1.0);
}

#[test]
fn a_document_number_is_settled_by_its_check_digit() {
    // O read for 0 in the number: only the swap back makes the check digit hold.
    let misread = [TD3[0], "L8989O2C36UTO7408122F1204159ZE184226B<<<<<10"];

    let repaired = repair(&misread, in_1999()).unwrap();

    assert_eq!(repaired.report.mrz.document_number, "L898902C3");
    assert!(repaired.report.is_valid());
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.9);
}

#[test]
fn what_no_check_confirms_is_not_guessed() {
    // G read for 6 in the personal number: the check digit cannot tell them apart, so the
    // read is kept; 7 read for 1 in the number: no look-alike swap explains it, so the
    // number keeps failing and says so.
    let g_for_6 = [TD3[0], "L898902C36UTO7408122F1204159ZE18422GB<<<<<10"];
    let repaired = repair(&g_for_6, in_1999()).unwrap();
    assert_eq!(repaired.report.mrz.optional_data, "ZE18422GB");

    let wrong_digit = [TD3[0], "L898902C76UTO7408122F1204159ZE184226B<<<<<10"];
    let repaired = repair(&wrong_digit, in_1999()).unwrap();
    assert!(!repaired.report.is_valid());
    assert_eq!(confidence_of(&repaired, Field::DocumentNumber), 0.2);
}

#[test]
fn debian_tesseracts_read_of_the_specimen_is_repaired() {
    // What Debian's libtesseract 5.3 with the eng model (LSTM, whitelist A-Z 0-9 <, page
    // segmentation 6) read from the specimen drawn clean in OCR-B at 40 px: the name line's
    // fillers as K and X, five characters too many; UTO as UT0 on the second line.
    let read = [
        "P<UTOERIKSSON<<ANNAXMARIAK<X<<<K<<<K<K<KKKKKKKKKK",
        "L898902C36UT07408122F1204159ZE184226B<<<<<10",
    ];

    let repaired = repair(&read, in_1999()).unwrap();

    assert_eq!(repaired.lines[1], TD3[1]);
    assert!(repaired.report.is_valid(), "{:?}", repaired.report.problems);
    assert_eq!(repaired.report.mrz.primary_identifier, "ERIKSSON");
    // The single filler between the given names was read as X: no check digit covers a
    // name, so it stays, and the name carries the confidence of an unconfirmed repair.
    assert_eq!(repaired.lines[0], "P<UTOERIKSSON<<ANNAXMARIA<<<<<<<<<<<<<<<<<<<");
    assert_eq!(confidence_of(&repaired, Field::Name), 0.6);
    assert_eq!(confidence_of(&repaired, Field::Nationality), 0.6);
}

#[test]
fn line_lengths_are_fitted_only_through_filler_runs() {
    let short = [&TD3[0][..40], TD3[1]];
    assert_eq!(repair(&short, in_1999()).unwrap().lines, TD3);

    // Cut short in the data: the filler run that would explain it is not there.
    let cut = [TD3[0], &TD3[1][..30]];
    assert!(matches!(repair(&cut, in_1999()), Err(MrzError::LineLength { line: 2, .. })));

    let too_long_in_the_data = [TD3[0], "L898902C36UTO7408122F1204159ZE184226B<<<<<10ABC"];
    assert!(matches!(
        repair(&too_long_in_the_data, in_1999()),
        Err(MrzError::LineLength { line: 2, .. })
    ));
}

#[test]
fn the_wrong_shape_is_still_refused() {
    assert!(matches!(
        repair(&[TD3[0], &TD3[1][..20]], in_1999()),
        Err(MrzError::LineLength { line: 2, .. })
    ));
    assert!(matches!(repair(&[TD3[0]], in_1999()), Err(MrzError::LineCount { found: 1 })));
}

#[test]
fn subsets_are_every_choice_once() {
    assert_eq!(subsets(&[1, 2, 3], 2), vec![vec![1, 2], vec![1, 3], vec![2, 3]]);
    assert_eq!(subsets(&[1, 2], 0), vec![Vec::<usize>::new()]);
    assert!(subsets(&[1], 2).is_empty());
}

#[test]
fn a_doubt_the_fields_kind_settles_is_no_doubt() {
    // One reader saw 0, the other O, in the nationality: a country code holds letters, so the
    // two readings are the same, and mapping 0 to O repaired nothing. In the name, O against
    // Q is a real doubt.
    let mut read = TD3.map(str::to_string);
    let nationality_o = "L898902C36UTO".len() - 1;
    read[1].replace_range(nationality_o..=nationality_o, "0");
    let read = read.each_ref().map(String::as_str);
    let mut zone = laid(&read, vec![vec![0.99; 44]; 2]);
    zone.confidence[1][nationality_o] = 0.6;
    zone.doubts[1][nationality_o] = Some(Doubt { rival: b'O', trust: 0.99 });
    let unchecked = laid(&read, zone.confidence.clone());
    let name_o = TD3[0].find("SSON").unwrap() + 3;
    let mut name_doubted = zone.clone();
    name_doubted.confidence[0][name_o] = 0.6;
    name_doubted.doubts[0][name_o] = Some(Doubt { rival: b'Q', trust: 0.99 });

    let settled = repair_laid(&zone, in_1999()).unwrap();
    let without_rival = repair_laid(&unchecked, in_1999()).unwrap();
    let real_doubt = repair_laid(&name_doubted, in_1999()).unwrap();

    assert_eq!(confidence_of(&settled, Field::Nationality), 1.0);
    assert_eq!(confidence_of(&without_rival, Field::Nationality), 0.6);
    assert_eq!(confidence_of(&real_doubt, Field::Name), 0.6);
    assert_eq!(confidence_of(&real_doubt, Field::Nationality), 1.0);
}

#[test]
fn a_g_beside_a_letter_is_vouched_for_only_where_two_readers_agreed() {
    // G weighs what 6 does in a check digit, and beside a letter either could stand.
    let lines = [TD3[0], "LG98902C36UTO7408122F1204159ZE184226B<<<<<10"];
    let mut zone = laid(&lines, vec![vec![0.99; 44]; 2]);
    let digits: String = lines[1].chars().take(9).collect();
    let check = check_digit::compute(digits.as_bytes()).unwrap();
    let mut line = lines[1].to_string();
    line.replace_range(9..10, &char::from(check).to_string());
    zone.lines[1] = line.clone();
    let lone = repair_laid(&zone, in_1999()).unwrap();
    zone.agreed[1][1] = true;

    let agreed = repair_laid(&zone, in_1999()).unwrap();

    assert_eq!(lone.report.mrz.document_number, "LG98902C3");
    assert_eq!(confidence_of(&lone, Field::DocumentNumber), 0.6);
    assert_eq!(confidence_of(&agreed, Field::DocumentNumber), 1.0);
}
