//! The made-up documents: a holder, a layout and the data its zone carries, drawn from a seeded
//! generator so the same seed gives the same corpus.

use chrono::{Days, NaiveDate};
use rand::{Rng, seq::IndexedRandom};
use serde::{Deserialize, Serialize};

/// The five MRZ layouts of Doc 9303.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Passport, two lines of 44.
    Td3,
    /// Card, three lines of 30.
    Td1,
    /// Card, two lines of 36.
    Td2,
    /// Visa format A, two lines of 44.
    MrvA,
    /// Visa format B, two lines of 36.
    MrvB,
}

impl Layout {
    /// Every layout, in the order the corpus cycles through them.
    pub const ALL: [Layout; 5] =
        [Layout::Td3, Layout::Td1, Layout::Td2, Layout::MrvA, Layout::MrvB];

    /// The document's size in millimetres, width by height (Doc 9303 Parts 4 to 7).
    pub fn size_mm(self) -> (f32, f32) {
        match self {
            Layout::Td3 => (125.0, 88.0),
            Layout::Td1 => (85.6, 54.0),
            Layout::Td2 => (105.0, 74.0),
            Layout::MrvA => (120.0, 80.0),
            Layout::MrvB => (105.0, 74.0),
        }
    }

    /// How many lines of how many characters.
    pub fn shape(self) -> (usize, usize) {
        match self {
            Layout::Td1 => (3, 30),
            Layout::Td2 | Layout::MrvB => (2, 36),
            Layout::Td3 | Layout::MrvA => (2, 44),
        }
    }
}

/// What one document says about its holder, as its zone writes it (upper case, A to Z).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The layout.
    pub layout: Layout,
    /// `P`, `I`, `ID`, `AC`, `V`: without trailing filler.
    pub document_code: String,
    /// The issuing state, as the zone writes it (`D` for Germany).
    pub issuing_state: String,
    /// The surname, words separated by spaces.
    pub primary_identifier: String,
    /// The given names, words separated by spaces.
    pub secondary_identifier: String,
    /// The document number; TD1 and TD2 numbers may be longer than nine characters.
    pub document_number: String,
    /// The holder's nationality.
    pub nationality: String,
    /// The date of birth.
    pub birth_date: NaiveDate,
    /// `M`, `F` or `<`.
    pub sex: char,
    /// The date of expiry.
    pub expiry_date: NaiveDate,
    /// The optional data (TD3: a personal number), possibly empty.
    pub optional_data: String,
}

/// A nationality and the names its people carry, romanised as their passports print them.
struct NamePool {
    codes: &'static [&'static str],
    surnames: &'static [&'static str],
    given: &'static [&'static str],
}

const POOLS: &[NamePool] = &[
    NamePool {
        codes: &["GBR", "USA", "AUS", "CAN", "IRL", "NZL", "GBD"],
        surnames: &["SMITH", "O BRIEN", "MACDONALD", "WILLIAMSON", "HARGREAVES", "FITZGERALD"],
        given: &["JAMES", "OLIVIA", "CHARLOTTE ROSE", "WILLIAM HENRY", "ZOE", "ALEXANDER JOHN"],
    },
    NamePool {
        codes: &["D", "AUT", "CHE", "NLD"],
        surnames: &["MUELLER", "SCHMIDT", "VAN DER BERG", "GROSSKOPF", "DE VRIES"],
        given: &["HANS PETER", "LUKAS", "ANNA LENA", "JOHANNES", "KATHARINA"],
    },
    NamePool {
        codes: &["FRA", "ESP", "ITA", "PRT", "BRA"],
        surnames: &["VILARCHAO FERNANDEZ", "DUPONT", "ROSSI", "DA SILVA SANTOS", "GARCIA LOPEZ"],
        given: &["JOSE RAMON", "MARIE CLAIRE", "GIOVANNI", "ANA BEATRIZ", "JEAN BAPTISTE"],
    },
    NamePool {
        codes: &["SWE", "NOR", "FIN", "DNK"],
        surnames: &["ERIKSSON", "LINDQVIST", "HAKKINEN", "SORENSEN", "JOHANSSON"],
        given: &["ANNA MARIA", "ERIK", "SIGRID", "MIKKO", "KARL OSKAR"],
    },
    NamePool {
        codes: &["JPN", "KOR", "CHN", "TWN", "HKG"],
        surnames: &["TANAKA", "KIM", "ZHANG", "CHEN", "WATANABE", "PARK"],
        given: &["HARUTO", "JI WOO", "XIAOMING", "MEI LING", "YUKI", "SEO YEON"],
    },
    NamePool {
        codes: &["MMR", "KHM", "LAO", "VNM"],
        surnames: &["AUNG", "SOK", "PHOMMAVONG", "NGUYEN", "TRAN"],
        given: &["KYAW ZIN", "CHANTHA", "SOMSAK", "VAN ANH", "THI HUONG"],
    },
    NamePool {
        codes: &["IND", "PAK", "BGD", "LKA", "NPL"],
        surnames: &["KRISHNAMURTHY", "SHARMA", "RAHMAN", "PERERA", "VENKATARAGHAVAN"],
        given: &["PRIYA", "ARJUN", "MOHAMMED ABDUL", "NIRMALA DEVI", "SURESH KUMAR"],
    },
    NamePool {
        codes: &["ARE", "SAU", "EGY", "JOR", "XXA"],
        surnames: &["AL BASRI", "ABDULLAH", "EL SAYED", "AL HASHIMI"],
        given: &["HUDA MUHAMMAD JAWAD", "OMAR", "FATIMA", "KHALID IBRAHIM"],
    },
    NamePool {
        codes: &["RUS", "UKR", "POL", "CZE", "KAZ"],
        surnames: &["IVANOVA", "KOWALCZYK", "SHEVCHENKO", "NOVAKOVA", "NURSULTANOV"],
        given: &["OLGA", "DMITRY SERGEEVICH", "KATARZYNA", "PETR", "AIGERIM"],
    },
    NamePool {
        codes: &["UTO", "SGP", "MYS", "PHL", "IDN", "ISR", "ZAF"],
        surnames: &["TAN", "BINTI ABDUL RAHMAN", "DELA CRUZ", "SUSILO", "COHEN", "NKOSI"],
        given: &["WEI JIE", "SITI NURHALIZA", "MARIA CLARA", "BUDI", "NOA", "THABO"],
    },
];

/// Draws one document of `layout`. Expiry falls after `today` unless the draw makes it one of
/// the few expired documents a real desk sees.
pub fn draw(rng: &mut impl Rng, layout: Layout, today: NaiveDate) -> Document {
    let pool = POOLS.choose(rng).unwrap_or(&POOLS[0]);
    let nationality = pool.codes.choose(rng).copied().unwrap_or("UTO").to_owned();
    let issuing_state = if rng.random_bool(0.9) {
        nationality.clone()
    } else {
        ["THA", "EUE", "UNO", "GBR", "D"].choose(rng).copied().unwrap_or("UTO").to_owned()
    };

    let (primary_identifier, secondary_identifier) = name(rng, pool);
    let document_number = document_number(rng, layout);
    let mut optional_data = optional_data(rng, layout);
    if layout == Layout::Td2 && document_number.len() > 9 {
        // A TD2 number's remainder and check digit fill most of its seven optional characters.
        optional_data.clear();
    }
    let birth_date = between(rng, date(1948, 1, 1), today - Days::new(16 * 366));
    let expiry_date = between(rng, today + Days::new(30), today + Days::new(10 * 365));

    Document {
        layout,
        document_code: document_code(rng, layout).to_owned(),
        issuing_state,
        primary_identifier,
        secondary_identifier,
        document_number,
        nationality,
        birth_date,
        sex: *['M', 'F', 'F', 'M', '<'].choose(rng).unwrap_or(&'<'),
        expiry_date,
        optional_data,
    }
}

fn name(rng: &mut impl Rng, pool: &NamePool) -> (String, String) {
    let surname = pool.surnames.choose(rng).copied().unwrap_or("ERIKSSON");
    let given = pool.given.choose(rng).copied().unwrap_or("ANNA");
    match rng.random_range(0..10) {
        // No given name at all, as some states issue.
        0 => (surname.to_owned(), String::new()),
        // Long enough to be cut by the zone's name field.
        1 | 2 => {
            let more = pool.given.choose(rng).copied().unwrap_or("MARIA");
            let double = pool.surnames.choose(rng).copied().unwrap_or("LINDQVIST");
            (format!("{surname} {double}"), format!("{given} {more} ALEXANDRA"))
        }
        _ => (surname.to_owned(), given.to_owned()),
    }
}

fn document_code(rng: &mut impl Rng, layout: Layout) -> &'static str {
    let codes: &[&str] = match layout {
        Layout::Td3 => &["P", "P", "P", "PD", "PO"],
        Layout::Td1 => &["I", "ID", "AC", "IR"],
        Layout::Td2 => &["I", "ID", "IR", "AC"],
        Layout::MrvA | Layout::MrvB => &["V"],
    };
    codes.choose(rng).copied().unwrap_or("P")
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

fn document_number(rng: &mut impl Rng, layout: Layout) -> String {
    let long_allowed = matches!(layout, Layout::Td1 | Layout::Td2);
    let length = if long_allowed && rng.random_bool(0.25) {
        rng.random_range(10..=12)
    } else if rng.random_bool(0.2) {
        8
    } else {
        9
    };
    let letters = rng.random_range(0..=2);
    (0..length)
        .map(|index| {
            let set = if index < letters { LETTERS } else { DIGITS };
            char::from(*set.choose(rng).unwrap_or(&b'0'))
        })
        .collect()
}

fn optional_data(rng: &mut impl Rng, layout: Layout) -> String {
    if rng.random_bool(0.5) {
        return String::new();
    }
    let length = match layout {
        Layout::Td3 => rng.random_range(6..=14),
        Layout::Td1 | Layout::MrvA => rng.random_range(4..=10),
        Layout::Td2 | Layout::MrvB => rng.random_range(3..=6),
    };
    (0..length).map(|_| char::from(*DIGITS.choose(rng).unwrap_or(&b'0'))).collect()
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1);
    from + Days::new(rng.random_range(0..span).unsigned_abs())
}
