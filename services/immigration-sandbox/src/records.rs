//! The contract's objects as the sandbox serves them (stay records, stay changes, lookups), and
//! the rules by which an admin change moves a record. No HTTP and no database here.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A visa or stay category, by its contract code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Visa exemption: 60 days from entry.
    Exemption,
    /// Visa on arrival: 15 days.
    VisaOnArrival,
    /// Tourist visa: 60 days.
    Tr,
    /// Destination Thailand Visa: 180 days per entry.
    Dtv,
    /// Non-Immigrant B: 90 days, or a 1-year extension with a work permit.
    NonB,
    /// Non-Immigrant IB, BOI-promoted: as Non-B, with a BOI approval.
    NonIb,
    /// SMART Talent.
    SmartT,
    /// SMART Investor.
    SmartI,
    /// SMART Executive.
    SmartE,
    /// SMART Startup.
    SmartS,
    /// SMART dependant.
    SmartO,
    /// Non-Immigrant ED, students.
    NonEd,
    /// Non-Immigrant L-A, MOU migrant workers.
    NonLMou,
    /// LTR Wealthy Global Citizen.
    LtrWgc,
    /// LTR Wealthy Pensioner.
    LtrWp,
    /// LTR Work-from-Thailand Professional.
    LtrWftp,
    /// LTR Highly-Skilled Professional.
    LtrHsp,
    /// Non-Immigrant O, retirement or family: 90 days.
    NonO,
    /// Non-Immigrant O-A, retirement: 1 year.
    OA,
    /// Non-Immigrant O-X, retirement: 5 years.
    OX,
}

impl Category {
    /// Every category, in the contract's order.
    pub const ALL: [Category; 20] = [
        Category::Exemption,
        Category::VisaOnArrival,
        Category::Tr,
        Category::Dtv,
        Category::NonB,
        Category::NonIb,
        Category::SmartT,
        Category::SmartI,
        Category::SmartE,
        Category::SmartS,
        Category::SmartO,
        Category::NonEd,
        Category::NonLMou,
        Category::LtrWgc,
        Category::LtrWp,
        Category::LtrWftp,
        Category::LtrHsp,
        Category::NonO,
        Category::OA,
        Category::OX,
    ];

    /// The contract's code.
    pub fn code(self) -> &'static str {
        match self {
            Category::Exemption => "exemption",
            Category::VisaOnArrival => "visa_on_arrival",
            Category::Tr => "tr",
            Category::Dtv => "dtv",
            Category::NonB => "non_b",
            Category::NonIb => "non_ib",
            Category::SmartT => "smart_t",
            Category::SmartI => "smart_i",
            Category::SmartE => "smart_e",
            Category::SmartS => "smart_s",
            Category::SmartO => "smart_o",
            Category::NonEd => "non_ed",
            Category::NonLMou => "non_l_mou",
            Category::LtrWgc => "ltr_wgc",
            Category::LtrWp => "ltr_wp",
            Category::LtrWftp => "ltr_wftp",
            Category::LtrHsp => "ltr_hsp",
            Category::NonO => "non_o",
            Category::OA => "o_a",
            Category::OX => "o_x",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl FromStr for Category {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Category::ALL.into_iter().find(|category| category.code() == code).ok_or(UnknownCode)
    }
}

/// Where a person stands with Immigration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// In Thailand within the permitted stay.
    InCountry,
    /// Left Thailand.
    Departed,
    /// In Thailand past the permitted stay.
    Overstayed,
    /// Blacklisted: refused entry and stay.
    Barred,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 4] =
        [Status::InCountry, Status::Departed, Status::Overstayed, Status::Barred];

    /// The contract's code.
    pub fn code(self) -> &'static str {
        match self {
            Status::InCountry => "in_country",
            Status::Departed => "departed",
            Status::Overstayed => "overstayed",
            Status::Barred => "barred",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl FromStr for Status {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Status::ALL.into_iter().find(|status| status.code() == code).ok_or(UnknownCode)
    }
}

/// What a stay change was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new entry: a new stay.
    Entered,
    /// The permitted stay was extended (or the category changed with it).
    Extended,
    /// The person left.
    Departed,
    /// The person stayed past the permitted stay.
    Overstayed,
    /// The person was blacklisted.
    Barred,
}

impl ChangeKind {
    /// Every kind.
    pub const ALL: [ChangeKind; 5] = [
        ChangeKind::Entered,
        ChangeKind::Extended,
        ChangeKind::Departed,
        ChangeKind::Overstayed,
        ChangeKind::Barred,
    ];

    /// The contract's code.
    pub fn code(self) -> &'static str {
        match self {
            ChangeKind::Entered => "entered",
            ChangeKind::Extended => "extended",
            ChangeKind::Departed => "departed",
            ChangeKind::Overstayed => "overstayed",
            ChangeKind::Barred => "barred",
        }
    }
}

impl FromStr for ChangeKind {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        ChangeKind::ALL.into_iter().find(|kind| kind.code() == code).ok_or(UnknownCode)
    }
}

/// A stored code that is none of its type's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code")]
pub struct UnknownCode;

/// The permits and approvals a stay rests on, by their reference numbers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    /// The work permit (WP.3 / e-WP).
    pub work_permit: Option<String>,
    /// The Board of Investment's approval.
    pub boi_approval: Option<String>,
    /// The LTR visa approval.
    pub ltr_approval: Option<String>,
    /// The SMART visa approval.
    pub smart_approval: Option<String>,
}

/// One person's stay record, as the contract has it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayRecord {
    /// `IMM-…`, stable for the person.
    pub record_id: String,
    /// The surname, as the passport's zone writes it.
    pub surname: String,
    /// The given names, possibly empty.
    pub given_names: String,
    /// The date of birth.
    pub date_of_birth: NaiveDate,
    /// The nationality as the MRZ writes it (`D` for Germany).
    pub nationality: String,
    /// The passport's number.
    pub document_number: String,
    /// The category of the current or last stay.
    pub visa_category: Category,
    /// The last entry into Thailand, if any.
    pub last_entry: Option<NaiveDate>,
    /// The last day of the permitted stay, if any.
    pub permitted_stay_end: Option<NaiveDate>,
    /// Where the person stands.
    pub status: Status,
    /// The permits and approvals.
    pub references: References,
    /// When the record last changed.
    pub updated_at: DateTime<Utc>,
}

/// One entry of the stay-changes feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StayChange {
    /// Its place in the feed; later changes have larger cursors.
    pub cursor: i64,
    /// The record that changed.
    pub record_id: String,
    /// The person's nationality.
    pub nationality: String,
    /// The person's passport number.
    pub document_number: String,
    /// What changed.
    pub kind: ChangeKind,
    /// When.
    pub changed_at: DateTime<Utc>,
}

/// A page of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangesPage {
    /// The changes after the cursor asked for, oldest first.
    pub changes: Vec<StayChange>,
    /// The cursor to ask from next: the last change's, or the one asked for when none came.
    pub next_cursor: i64,
}

/// How a lookup's date of birth compares with the record's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Nationality, number and date of birth all agree.
    Matched,
    /// Nationality and number agree, the date of birth does not.
    BirthDateDiffers,
}

/// A lookup's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookupAnswer {
    /// How the date of birth compares.
    #[serde(rename = "match")]
    pub outcome: Match,
    /// The record found.
    pub record: StayRecord,
}

/// A lookup, checked: nationality and number as an MRZ writes them, and a real date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lookup {
    /// 1 to 3 letters A to Z.
    pub nationality: String,
    /// 1 to 20 of A to Z and 0 to 9.
    pub document_number: String,
    /// The date of birth.
    pub date_of_birth: NaiveDate,
}

/// The lookup body as sent, before its fields are checked.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupBody {
    nationality: String,
    document_number: String,
    date_of_birth: String,
}

/// Why a lookup body was refused. The messages never quote what was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupRefusal {
    /// Not JSON, or not UTF-8.
    #[error("the body is not valid JSON")]
    NotJson,
    /// JSON, but not exactly the three string fields.
    #[error(
        "the body must be an object with exactly nationality, document_number and \
         date_of_birth, each a string"
    )]
    Shape,
    /// The nationality is not 1 to 3 letters A to Z.
    #[error("nationality must be 1 to 3 letters A to Z, as the MRZ writes it")]
    Nationality,
    /// The number is not 1 to 20 of A to Z and 0 to 9.
    #[error("document_number must be 1 to 20 characters of A to Z and 0 to 9")]
    DocumentNumber,
    /// The date of birth is not a date written YYYY-MM-DD.
    #[error("date_of_birth must be a date written YYYY-MM-DD")]
    DateOfBirth,
}

impl Lookup {
    /// Parses and checks a lookup body.
    pub fn parse(body: &[u8]) -> Result<Self, LookupRefusal> {
        let body: LookupBody =
            serde_json::from_slice(body).map_err(|err| match err.classify() {
                serde_json::error::Category::Data => LookupRefusal::Shape,
                _ => LookupRefusal::NotJson,
            })?;
        if !is_code(&body.nationality, 3, |b| b.is_ascii_uppercase()) {
            return Err(LookupRefusal::Nationality);
        }
        let document_number_char = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit();
        if !is_code(&body.document_number, 20, document_number_char) {
            return Err(LookupRefusal::DocumentNumber);
        }
        let date_of_birth = parse_date(&body.date_of_birth).ok_or(LookupRefusal::DateOfBirth)?;
        Ok(Lookup {
            nationality: body.nationality,
            document_number: body.document_number,
            date_of_birth,
        })
    }
}

/// Whether `text` is 1 to `max` bytes, each accepted by `allowed`.
fn is_code(text: &str, max: usize, allowed: impl Fn(u8) -> bool) -> bool {
    (1..=max).contains(&text.len()) && text.bytes().all(allowed)
}

/// A date written exactly `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// An admin's change to a stay record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StayUpdate {
    /// A new entry: a new stay from `last_entry` to `permitted_stay_end`.
    Entry {
        /// The day of entry.
        last_entry: NaiveDate,
        /// The last day of the new stay.
        permitted_stay_end: NaiveDate,
        /// A new category, if it changes.
        visa_category: Option<Category>,
        /// New references, replacing the old, if given.
        references: Option<References>,
    },
    /// A longer stay, possibly in another category.
    Extension {
        /// The new last day.
        permitted_stay_end: NaiveDate,
        /// A new category, if it changes.
        visa_category: Option<Category>,
        /// New references, replacing the old, if given.
        references: Option<References>,
    },
    /// The person left on `date`; the permitted stay ends then at the latest.
    Departure {
        /// The day of departure.
        date: NaiveDate,
    },
    /// The person is past the permitted stay. Without a date, a stay that has not ended is
    /// made to end yesterday.
    Overstay {
        /// The last day of the stay that was overstayed.
        permitted_stay_end: Option<NaiveDate>,
    },
    /// The person is blacklisted.
    Bar,
}

/// Why an admin change does not apply to a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UpdateRefusal {
    /// The record's status does not allow the change.
    #[error("a record that is {status} cannot take this change")]
    Status {
        /// The record's status.
        status: Status,
    },
    /// A date out of order with the record's or today's.
    #[error("{0}")]
    Dates(&'static str),
    /// A renewed passport's number that is malformed, the record's own, or another record's.
    #[error("{0}")]
    Passport(&'static str),
}

impl StayUpdate {
    /// The kind of change this is in the feed.
    pub fn kind(&self) -> ChangeKind {
        match self {
            StayUpdate::Entry { .. } => ChangeKind::Entered,
            StayUpdate::Extension { .. } => ChangeKind::Extended,
            StayUpdate::Departure { .. } => ChangeKind::Departed,
            StayUpdate::Overstay { .. } => ChangeKind::Overstayed,
            StayUpdate::Bar => ChangeKind::Barred,
        }
    }

    /// The record after this change, made at `now`, or why the change does not apply.
    pub fn apply(
        &self,
        record: &StayRecord,
        now: DateTime<Utc>,
    ) -> Result<StayRecord, UpdateRefusal> {
        let today = now.date_naive();
        let refuse = || Err(UpdateRefusal::Status { status: record.status });
        let mut next = StayRecord { updated_at: now, ..record.clone() };
        match self {
            StayUpdate::Entry { last_entry, permitted_stay_end, visa_category, references } => {
                if record.status == Status::Barred {
                    return refuse();
                }
                if *last_entry > today {
                    return Err(UpdateRefusal::Dates("last_entry must not be after today"));
                }
                if permitted_stay_end < last_entry {
                    return Err(UpdateRefusal::Dates(
                        "permitted_stay_end must not be before last_entry",
                    ));
                }
                if record.last_entry.is_some_and(|previous| *last_entry < previous) {
                    return Err(UpdateRefusal::Dates(
                        "last_entry must not be before the record's last entry",
                    ));
                }
                next.last_entry = Some(*last_entry);
                next.permitted_stay_end = Some(*permitted_stay_end);
                next.status = Status::InCountry;
                next.visa_category = visa_category.unwrap_or(record.visa_category);
                if let Some(references) = references {
                    next.references = references.clone();
                }
            }
            StayUpdate::Extension { permitted_stay_end, visa_category, references } => {
                if !matches!(record.status, Status::InCountry | Status::Overstayed) {
                    return refuse();
                }
                if record.permitted_stay_end.is_some_and(|end| *permitted_stay_end <= end) {
                    return Err(UpdateRefusal::Dates(
                        "permitted_stay_end must be after the record's",
                    ));
                }
                if *permitted_stay_end < today {
                    return Err(UpdateRefusal::Dates(
                        "permitted_stay_end must not be before today",
                    ));
                }
                next.permitted_stay_end = Some(*permitted_stay_end);
                next.status = Status::InCountry;
                next.visa_category = visa_category.unwrap_or(record.visa_category);
                if let Some(references) = references {
                    next.references = references.clone();
                }
            }
            StayUpdate::Departure { date } => {
                if !matches!(record.status, Status::InCountry | Status::Overstayed) {
                    return refuse();
                }
                if *date > today {
                    return Err(UpdateRefusal::Dates("the departure must not be after today"));
                }
                if record.last_entry.is_some_and(|entry| *date < entry) {
                    return Err(UpdateRefusal::Dates(
                        "the departure must not be before the last entry",
                    ));
                }
                next.permitted_stay_end =
                    Some(record.permitted_stay_end.map_or(*date, |end| end.min(*date)));
                next.status = Status::Departed;
            }
            StayUpdate::Overstay { permitted_stay_end } => {
                if record.status != Status::InCountry {
                    return refuse();
                }
                let yesterday = today.checked_sub_days(Days::new(1)).unwrap_or(today);
                let end = match (permitted_stay_end, record.permitted_stay_end) {
                    (Some(end), _) if end >= &today => {
                        return Err(UpdateRefusal::Dates(
                            "an overstayed permitted_stay_end must be before today",
                        ));
                    }
                    (Some(end), _) => *end,
                    (None, Some(end)) if end < today => end,
                    (None, _) => yesterday,
                };
                if record.last_entry.is_some_and(|entry| end < entry) {
                    return Err(UpdateRefusal::Dates(
                        "permitted_stay_end must not be before the last entry",
                    ));
                }
                next.permitted_stay_end = Some(end);
                next.status = Status::Overstayed;
            }
            StayUpdate::Bar => {
                if record.status == Status::Barred {
                    return refuse();
                }
                next.status = Status::Barred;
            }
        }
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        parse_date(text).unwrap()
    }

    fn record(status: Status) -> StayRecord {
        StayRecord {
            record_id: "IMM-TEST".into(),
            surname: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            date_of_birth: date("1974-08-12"),
            nationality: "UTO".into(),
            document_number: "L898902C3".into(),
            visa_category: Category::Exemption,
            last_entry: Some(date("2026-01-10")),
            permitted_stay_end: Some(date("2026-03-10")),
            status,
            references: References::default(),
            updated_at: date("2026-01-10").and_hms_opt(0, 0, 0).unwrap().and_utc(),
        }
    }

    fn now() -> DateTime<Utc> {
        date("2026-02-01").and_hms_opt(9, 0, 0).unwrap().and_utc()
    }

    #[test]
    fn codes_round_trip_and_serde_agrees() {
        for category in Category::ALL {
            assert_eq!(category.code().parse::<Category>(), Ok(category));
            assert_eq!(serde_json::to_value(category).unwrap(), category.code());
        }
        for status in Status::ALL {
            assert_eq!(status.code().parse::<Status>(), Ok(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.code());
        }
        for kind in ChangeKind::ALL {
            assert_eq!(kind.code().parse::<ChangeKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.code());
        }
        assert_eq!("NON_B".parse::<Category>(), Err(UnknownCode));
    }

    #[test]
    fn lookups_take_mrz_fields_only() {
        let good =
            br#"{"nationality":"D","document_number":"C01X00T47","date_of_birth":"1964-08-12"}"#;
        let lookup = Lookup::parse(good).unwrap();
        assert_eq!((lookup.nationality.as_str(), lookup.date_of_birth), ("D", date("1964-08-12")));

        let cases: &[(&[u8], LookupRefusal)] = &[
            (b"{", LookupRefusal::NotJson),
            (b"\xff\xfe", LookupRefusal::NotJson),
            (b"[]", LookupRefusal::Shape),
            (br#"{"nationality":"D","document_number":"1","date_of_birth":"1964-08-12","x":1}"#, LookupRefusal::Shape),
            (br#"{"nationality":"D","document_number":"1"}"#, LookupRefusal::Shape),
            (br#"{"nationality":1,"document_number":"1","date_of_birth":"1964-08-12"}"#, LookupRefusal::Shape),
            (br#"{"nationality":"deu","document_number":"1","date_of_birth":"1964-08-12"}"#, LookupRefusal::Nationality),
            (br#"{"nationality":"DEUT","document_number":"1","date_of_birth":"1964-08-12"}"#, LookupRefusal::Nationality),
            (br#"{"nationality":"D1","document_number":"1","date_of_birth":"1964-08-12"}"#, LookupRefusal::Nationality),
            (br#"{"nationality":"","document_number":"1","date_of_birth":"1964-08-12"}"#, LookupRefusal::Nationality),
            (br#"{"nationality":"D","document_number":"","date_of_birth":"1964-08-12"}"#, LookupRefusal::DocumentNumber),
            (br#"{"nationality":"D","document_number":"ab12","date_of_birth":"1964-08-12"}"#, LookupRefusal::DocumentNumber),
            (br#"{"nationality":"D","document_number":"A<1","date_of_birth":"1964-08-12"}"#, LookupRefusal::DocumentNumber),
            (br#"{"nationality":"D","document_number":"123456789012345678901","date_of_birth":"1964-08-12"}"#, LookupRefusal::DocumentNumber),
            (br#"{"nationality":"D","document_number":"1","date_of_birth":"1964-02-30"}"#, LookupRefusal::DateOfBirth),
            (br#"{"nationality":"D","document_number":"1","date_of_birth":"12.08.1964"}"#, LookupRefusal::DateOfBirth),
            (br#"{"nationality":"D","document_number":"1","date_of_birth":"+1964-08-12"}"#, LookupRefusal::DateOfBirth),
        ];
        for (body, refusal) in cases {
            assert_eq!(Lookup::parse(body), Err(*refusal), "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn an_extension_moves_the_end_later_only() {
        let extended = StayUpdate::Extension {
            permitted_stay_end: date("2027-03-10"),
            visa_category: Some(Category::NonB),
            references: None,
        }
        .apply(&record(Status::InCountry), now())
        .unwrap();
        assert_eq!(extended.permitted_stay_end, Some(date("2027-03-10")));
        assert_eq!(extended.visa_category, Category::NonB);
        assert_eq!(extended.updated_at, now());

        let shorter = StayUpdate::Extension {
            permitted_stay_end: date("2026-03-01"),
            visa_category: None,
            references: None,
        };
        assert!(matches!(
            shorter.apply(&record(Status::InCountry), now()),
            Err(UpdateRefusal::Dates(_))
        ));
        assert!(matches!(
            shorter.apply(&record(Status::Departed), now()),
            Err(UpdateRefusal::Status { status: Status::Departed })
        ));
    }

    #[test]
    fn a_departure_ends_the_stay_and_an_overstay_ends_it_yesterday_by_default() {
        let departed = StayUpdate::Departure { date: date("2026-01-20") }
            .apply(&record(Status::InCountry), now())
            .unwrap();
        assert_eq!(
            (departed.status, departed.permitted_stay_end),
            (Status::Departed, Some(date("2026-01-20")))
        );
        let early = StayUpdate::Departure { date: date("2026-01-01") };
        assert!(early.apply(&record(Status::InCountry), now()).is_err());

        let overstayed = StayUpdate::Overstay { permitted_stay_end: None }
            .apply(&record(Status::InCountry), now())
            .unwrap();
        assert_eq!(
            (overstayed.status, overstayed.permitted_stay_end),
            (Status::Overstayed, Some(date("2026-01-31")))
        );
        let future = StayUpdate::Overstay { permitted_stay_end: Some(date("2026-02-01")) };
        assert!(future.apply(&record(Status::InCountry), now()).is_err());
    }

    #[test]
    fn a_barred_person_cannot_enter_or_be_barred_again() {
        let barred = StayUpdate::Bar.apply(&record(Status::Overstayed), now()).unwrap();
        assert_eq!(barred.status, Status::Barred);
        let entry = StayUpdate::Entry {
            last_entry: date("2026-02-01"),
            permitted_stay_end: date("2026-04-01"),
            visa_category: None,
            references: None,
        };
        assert!(entry.apply(&barred, now()).is_err());
        assert!(StayUpdate::Bar.apply(&barred, now()).is_err());
        let entered = entry.apply(&record(Status::Departed), now()).unwrap();
        assert_eq!(
            (entered.status, entered.last_entry),
            (Status::InCountry, Some(date("2026-02-01")))
        );
    }
}
