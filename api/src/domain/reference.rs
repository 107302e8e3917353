//! Reference data (docs/domain.md, "UPNs"): the South-East partnership and its 19 councils.

/// A council as DfE and ONS code it.
#[derive(Clone, Copy, Debug)]
pub struct CouncilReference {
    pub la_code: &'static str,
    pub ons_code: &'static str,
    pub name: &'static str,
}

/// The South-East sector-led improvement partnership.
pub const SOUTH_EAST_PARTNERSHIP_CODE: &str = "SESLIP";
pub const SOUTH_EAST_PARTNERSHIP_NAME: &str = "South-East Sector-Led Improvement Partnership";
pub const SOUTH_EAST_REGION_CODE: &str = "E12000008";
pub const SOUTH_EAST_REGION_NAME: &str = "South East";

/// The 19 councils of the South East region, with their real LA and ONS codes.
pub const SOUTH_EAST_COUNCILS: [CouncilReference; 19] = [
    CouncilReference {
        la_code: "867",
        ons_code: "E06000036",
        name: "Bracknell Forest",
    },
    CouncilReference {
        la_code: "846",
        ons_code: "E06000043",
        name: "Brighton and Hove",
    },
    CouncilReference {
        la_code: "825",
        ons_code: "E06000060",
        name: "Buckinghamshire",
    },
    CouncilReference {
        la_code: "845",
        ons_code: "E10000011",
        name: "East Sussex",
    },
    CouncilReference {
        la_code: "850",
        ons_code: "E10000014",
        name: "Hampshire",
    },
    CouncilReference {
        la_code: "921",
        ons_code: "E06000046",
        name: "Isle of Wight",
    },
    CouncilReference {
        la_code: "886",
        ons_code: "E10000016",
        name: "Kent",
    },
    CouncilReference {
        la_code: "887",
        ons_code: "E06000035",
        name: "Medway",
    },
    CouncilReference {
        la_code: "826",
        ons_code: "E06000042",
        name: "Milton Keynes",
    },
    CouncilReference {
        la_code: "931",
        ons_code: "E10000025",
        name: "Oxfordshire",
    },
    CouncilReference {
        la_code: "851",
        ons_code: "E06000044",
        name: "Portsmouth",
    },
    CouncilReference {
        la_code: "870",
        ons_code: "E06000038",
        name: "Reading",
    },
    CouncilReference {
        la_code: "871",
        ons_code: "E06000039",
        name: "Slough",
    },
    CouncilReference {
        la_code: "852",
        ons_code: "E06000045",
        name: "Southampton",
    },
    CouncilReference {
        la_code: "936",
        ons_code: "E10000030",
        name: "Surrey",
    },
    CouncilReference {
        la_code: "869",
        ons_code: "E06000037",
        name: "West Berkshire",
    },
    CouncilReference {
        la_code: "938",
        ons_code: "E10000032",
        name: "West Sussex",
    },
    CouncilReference {
        la_code: "868",
        ons_code: "E06000040",
        name: "Windsor and Maidenhead",
    },
    CouncilReference {
        la_code: "872",
        ons_code: "E06000041",
        name: "Wokingham",
    },
];
