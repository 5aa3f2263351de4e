//! Writing a document's machine readable zone, field by field as Doc 9303 Parts 4 to 7 lay it
//! out. This is written apart from the service's parser on purpose: the corpus checks the parser,
//! so it must not share its mistakes.

use crate::document::{Document, Layout};

/// The zone's lines for `document`.
pub fn lines(document: &Document) -> Vec<String> {
    let code = padded(&document.document_code, 2);
    let birth = document.birth_date.format("%y%m%d").to_string();
    let expiry = document.expiry_date.format("%y%m%d").to_string();
    let sex = document.sex.to_string();
    let nationality = padded(&document.nationality, 3);
    let state = padded(&document.issuing_state, 3);
    let (_, width) = document.layout.shape();

    match document.layout {
        Layout::Td3 => {
            let name = name_field(document, 39);
            let number = number_with_check(&document.document_number);
            let personal = padded(&document.optional_data, 14);
            let personal_check =
                if document.optional_data.is_empty() { '<' } else { check_digit(&personal) };
            let upper = format!("{code}{state}{name}");
            let mut lower = format!(
                "{number}{nationality}{birth}{}{sex}{expiry}{}{personal}{personal_check}",
                check_digit(&birth),
                check_digit(&expiry),
            );
            let composite: String = [&lower[0..10], &lower[13..20], &lower[21..43]].concat();
            lower.push(check_digit(&composite));
            vec![upper, lower]
        }
        Layout::MrvA | Layout::MrvB => {
            let name = name_field(document, width - 5);
            let number = number_with_check(&document.document_number);
            let optional = padded(&document.optional_data, width - 28);
            let upper = format!("{code}{state}{name}");
            let lower = format!(
                "{number}{nationality}{birth}{}{sex}{expiry}{}{optional}",
                check_digit(&birth),
                check_digit(&expiry),
            );
            vec![upper, lower]
        }
        Layout::Td2 => {
            let name = name_field(document, 31);
            let (number, optional) =
                long_number(&document.document_number, &document.optional_data, 7);
            let upper = format!("{code}{state}{name}");
            let mut lower = format!(
                "{number}{nationality}{birth}{}{sex}{expiry}{}{optional}",
                check_digit(&birth),
                check_digit(&expiry),
            );
            let composite: String = [&lower[0..10], &lower[13..20], &lower[21..35]].concat();
            lower.push(check_digit(&composite));
            vec![upper, lower]
        }
        Layout::Td1 => {
            let (number, optional) =
                long_number(&document.document_number, &document.optional_data, 15);
            let first = format!("{code}{state}{number}{optional}");
            let optional_2 = padded("", 11);
            let mut second = format!(
                "{birth}{}{sex}{expiry}{}{nationality}{optional_2}",
                check_digit(&birth),
                check_digit(&expiry),
            );
            let composite: String =
                [&first[5..30], &second[0..7], &second[8..15], &second[18..29]].concat();
            second.push(check_digit(&composite));
            vec![first, second, name_field(document, 30)]
        }
    }
}

/// The name as the zone writes it: primary, `<<`, secondary, `<` between words, cut to the
/// field and filled to its end.
pub fn name_field(document: &Document, width: usize) -> String {
    let primary = document.primary_identifier.replace(' ', "<");
    let secondary = document.secondary_identifier.replace(' ', "<");
    let mut name = if secondary.is_empty() { primary } else { format!("{primary}<<{secondary}") };
    name.truncate(width);
    padded(&name, width)
}

/// The number and its check digit, nine characters and one.
fn number_with_check(number: &str) -> String {
    let field = padded(number, 9);
    format!("{field}{}", check_digit(&field))
}

/// A card's number field, check digit and optional data: a number longer than nine goes on
/// into the optional data with its check digit, after a `<` in the check digit's place
/// (Part 5, 4.2.4 and Part 6, 4.2.4).
fn long_number(number: &str, optional: &str, optional_width: usize) -> (String, String) {
    if number.len() <= 9 {
        return (number_with_check(number), padded(optional, optional_width));
    }
    let (head, tail) = number.split_at(9);
    let rest = if optional.is_empty() {
        format!("{tail}{}", check_digit(number))
    } else {
        format!("{tail}{}<{optional}", check_digit(number))
    };
    (format!("{head}<"), padded(&rest, optional_width))
}

fn padded(text: &str, width: usize) -> String {
    let mut field: String = text.chars().take(width).collect();
    while field.len() < width {
        field.push('<');
    }
    field
}

/// The check digit (Doc 9303-3, 4.9): weights 7, 3, 1; letters count 10 to 35; `<` counts 0.
pub fn check_digit(data: &str) -> char {
    let sum: u32 = data
        .bytes()
        .zip([7, 3, 1].iter().cycle())
        .map(|(byte, weight)| {
            let value = match byte {
                b'0'..=b'9' => u32::from(byte - b'0'),
                b'A'..=b'Z' => u32::from(byte - b'A') + 10,
                _ => 0,
            };
            value * weight
        })
        .sum();
    char::from(b'0' + u8::try_from(sum % 10).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn eriksson(layout: Layout) -> Document {
        Document {
            layout,
            document_code: "P".into(),
            issuing_state: "UTO".into(),
            primary_identifier: "ERIKSSON".into(),
            secondary_identifier: "ANNA MARIA".into(),
            document_number: "L898902C3".into(),
            nationality: "UTO".into(),
            birth_date: day(1974, 8, 12),
            sex: 'F',
            expiry_date: day(2012, 4, 15),
            optional_data: "ZE184226B".into(),
        }
    }

    #[test]
    fn the_passport_specimen_is_written_as_the_specification_prints_it() {
        let lines = lines(&eriksson(Layout::Td3));

        assert_eq!(lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(lines[1], "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
    }

    #[test]
    fn the_card_specimens_are_written_as_the_specification_prints_them() {
        let card = |layout| Document {
            document_code: "I".into(),
            document_number: "D23145890".into(),
            optional_data: String::new(),
            ..eriksson(layout)
        };

        let td1 = lines(&card(Layout::Td1));
        let td2 = lines(&card(Layout::Td2));

        assert_eq!(
            td1,
            [
                "I<UTOD231458907<<<<<<<<<<<<<<<",
                "7408122F1204159UTO<<<<<<<<<<<6",
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
            ]
        );
        assert_eq!(
            td2,
            ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
        );
    }

    #[test]
    fn a_long_card_number_goes_on_into_the_optional_data() {
        // Doc 9303-5, 4.2.2: D23145890 then 7345, the check digit over all thirteen.
        let card = Document {
            document_code: "I".into(),
            document_number: "D231458907345".into(),
            optional_data: String::new(),
            ..eriksson(Layout::Td1)
        };

        let lines = lines(&card);

        let digit = check_digit("D231458907345");
        assert_eq!(lines[0], format!("I<UTOD23145890<7345{digit}<<<<<<<<<<"));
    }

    #[test]
    fn every_layout_has_its_shape_and_long_names_are_cut() {
        for layout in Layout::ALL {
            let mut document = eriksson(layout);
            document.secondary_identifier = "ANNAMARIACHARLOTTEWILHELMINAALEXANDRA".into();

            let lines = lines(&document);

            let (count, width) = layout.shape();
            assert_eq!(lines.len(), count, "{layout:?}");
            assert!(lines.iter().all(|line| line.len() == width), "{layout:?}: {lines:?}");
            let name_line = if layout == Layout::Td1 { &lines[2] } else { &lines[0] };
            assert!(!name_line.ends_with('<'), "{layout:?}: the name fills its field");
        }
    }
}
