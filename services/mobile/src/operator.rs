//! The operator a shop declares for a number. Numbers move between operators (number
//! portability), so the operator is never inferred from the number: it is recorded as declared,
//! with the binding.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Thai mobile operator, as the shop declares it. The codes are stable (`ais`, `true_move_h`,
/// `dtac`, `nt`, `other`): they are what the API receives and the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// AIS (Advanced Info Service).
    Ais,
    /// TrueMove H (True Corporation).
    TrueMoveH,
    /// dtac, a brand of True Corporation since the 2023 merger, still sold under its own name.
    Dtac,
    /// my by NT (National Telecom, the merged CAT and TOT).
    Nt,
    /// Another operator or a virtual operator (MVNO) on one of the networks.
    Other,
}

/// The company holding the licence, which the NBTC's per-operator limits on the numbers a
/// foreigner may hold count by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Licensee {
    /// Advanced Info Service (AIS).
    Ais,
    /// True Corporation (TrueMove H and dtac).
    True,
    /// National Telecom (NT).
    Nt,
}

impl Operator {
    /// Every operator, in the order a form lists them.
    pub const ALL: [Self; 5] = [Self::Ais, Self::TrueMoveH, Self::Dtac, Self::Nt, Self::Other];

    /// The stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Ais => "ais",
            Self::TrueMoveH => "true_move_h",
            Self::Dtac => "dtac",
            Self::Nt => "nt",
            Self::Other => "other",
        }
    }

    /// The operator with this code, if any.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|operator| operator.code() == code)
    }

    /// The licensee, when the operator is one of the licensed networks.
    pub fn licensee(self) -> Option<Licensee> {
        match self {
            Self::Ais => Some(Licensee::Ais),
            Self::TrueMoveH | Self::Dtac => Some(Licensee::True),
            Self::Nt => Some(Licensee::Nt),
            Self::Other => None,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for operator in Operator::ALL {
            assert_eq!(Operator::from_code(operator.code()), Some(operator));
            let json = serde_json::to_string(&operator).unwrap();
            assert_eq!(json, format!("\"{}\"", operator.code()));
        }

        assert_eq!(Operator::from_code("AIS"), None);
    }

    #[test]
    fn dtac_and_true_move_h_are_one_licensee() {
        assert_eq!(Operator::Dtac.licensee(), Operator::TrueMoveH.licensee());
        assert_eq!(Operator::Other.licensee(), None);
    }
}
