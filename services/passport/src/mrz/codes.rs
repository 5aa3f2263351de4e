//! The three-letter codes an MRZ may name as issuing state or nationality (Doc 9303-3, 5).

/// ISO 3166-1 alpha-3, from Debian's iso-codes 4.15.0, less `DEU`: Germany writes `D` in the MRZ.
const ISO_3166_ALPHA_3: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF",
    "ATG", "AUS", "AUT", "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS",
    "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL", "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF",
    "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG", "COK", "COL", "COM", "CPV",
    "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DJI", "DMA", "DNK", "DOM", "DZA", "ECU",
    "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB",
    "GBR", "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL",
    "GTM", "GUF", "GUM", "GUY", "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND",
    "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA", "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN",
    "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA",
    "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL",
    "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI",
    "MYS", "MYT", "NAM", "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU",
    "NZL", "OMN", "PAK", "PAN", "PCN", "PER", "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT",
    "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU", "SDN", "SEN", "SGP", "SGS",
    "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR", "SVK",
    "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM",
    "TLS", "TON", "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA",
    "UZB", "VAT", "VCT", "VEN", "VGB", "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB",
    "ZWE",
];

/// Codes outside ISO 3166-1 that Doc 9303-3 (Parts A to E) assigns, and `UTO`, the fictitious
/// state of the specification's specimens.
const ICAO_EXCEPTIONS: &[&str] = &[
    // Part A: Germany, the British variants, Kosovo.
    "D", "GBD", "GBN", "GBO", "GBP", "GBS", "RKS", // Part B: the European Union.
    "EUE", // Part C: United Nations documents.
    "UNO", "UNA", "UNK", // Part D: other issuing authorities.
    "XBA", "XIM", "XCC", "XCE", "XCO", "XEC", "XPO", "XES", "XMP", "XOM", "XDC",
    // Part E: persons without a defined nationality.
    "XXA", "XXB", "XXC", "XXX", // The specimens' Utopia.
    "UTO",
];

/// Whether `code` (as written in the MRZ, fillers removed) names a state or organisation.
pub fn is_known(code: &str) -> bool {
    ISO_3166_ALPHA_3.binary_search(&code).is_ok() || ICAO_EXCEPTIONS.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iso_table_is_sorted_for_binary_search() {
        assert!(ISO_3166_ALPHA_3.windows(2).all(|pair| pair[0] < pair[1]));
        assert_eq!(ISO_3166_ALPHA_3.len(), 248);
    }

    #[test]
    fn iso_codes_and_icao_exceptions_are_known() {
        for code in
            ["THA", "MMR", "LAO", "KHM", "CHN", "USA", "GBR", "D", "GBD", "XXA", "UNO", "EUE"]
        {
            assert!(is_known(code), "{code}");
        }
    }

    #[test]
    fn germany_is_d_and_unknown_codes_are_refused() {
        for code in ["DEU", "XYZ", "TH", "", "UT0", "tha"] {
            assert!(!is_known(code), "{code}");
        }
    }
}
