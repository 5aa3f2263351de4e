//! A test PKI of several made-up states, drawn from a seed: each state's CSCA with its own key
//! type, document signers, a CRL, a link certificate where a CSCA changed its key, an impostor
//! CSCA nobody trusts, and a master list of the trusted CSCAs.
//!
//! Keys come from the seeded generator ([`keys`]), signatures are deterministic
//! ([`signature`]), so the same seed and day give the same files byte for byte.

pub mod certificate;
pub mod cms;
pub mod crl;
pub mod keys;
pub mod master_list;
pub mod signature;

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::der::Oid;
use certificate::{Certificate, Name, Profile};
use keys::{Curve, KeyKind, KeyPair, stream};
use signature::{Hash, Scheme};

/// id-icao-cscaMasterList (Doc 9303-12 9.2).
pub const MASTER_LIST_CONTENT_TYPE: Oid = &[2, 23, 136, 1, 1, 2];

/// A made-up state and the keys its PKI uses.
#[derive(Debug)]
pub struct StatePlan {
    /// The ICAO code as the MRZ writes it.
    pub code: &'static str,
    /// The two-letter code of its certificates' countryName.
    pub country: &'static str,
    /// The CSCA's key.
    pub csca: KeyKind,
    /// How the CSCA signs.
    pub csca_scheme: Scheme,
    /// The document signers' keys.
    pub signer: KeyKind,
    /// How document signers sign EF.SOD.
    pub signer_scheme: Scheme,
    /// Whether the CSCA has changed its key and issued a link certificate.
    pub rollover: bool,
}

/// The states: Utopia of the Doc 9303 specimens and user-assigned X codes, one key type each.
pub const STATES: &[StatePlan] = &[
    StatePlan {
        code: "UTO",
        country: "UT",
        csca: KeyKind::Rsa(3072),
        csca_scheme: Scheme::Pkcs1(Hash::Sha256),
        signer: KeyKind::Rsa(2048),
        signer_scheme: Scheme::Pkcs1(Hash::Sha256),
        rollover: false,
    },
    StatePlan {
        code: "XTA",
        country: "XA",
        csca: KeyKind::Rsa(3072),
        csca_scheme: Scheme::Pss(Hash::Sha256),
        signer: KeyKind::Rsa(2048),
        signer_scheme: Scheme::Pss(Hash::Sha256),
        rollover: false,
    },
    StatePlan {
        code: "XTB",
        country: "XB",
        csca: KeyKind::Ec(Curve::P256),
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        signer: KeyKind::Ec(Curve::P256),
        signer_scheme: Scheme::Ecdsa(Hash::Sha256),
        rollover: false,
    },
    StatePlan {
        code: "XTC",
        country: "XC",
        csca: KeyKind::Ec(Curve::P384),
        csca_scheme: Scheme::Ecdsa(Hash::Sha384),
        signer: KeyKind::Ec(Curve::P384),
        signer_scheme: Scheme::Ecdsa(Hash::Sha384),
        rollover: true,
    },
    StatePlan {
        code: "XTD",
        country: "XD",
        csca: KeyKind::Ec(Curve::BrainpoolP256r1),
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        signer: KeyKind::Ec(Curve::BrainpoolP256r1),
        signer_scheme: Scheme::Ecdsa(Hash::Sha256),
        rollover: false,
    },
    StatePlan {
        code: "XTE",
        country: "XE",
        csca: KeyKind::Ec(Curve::BrainpoolP384r1),
        csca_scheme: Scheme::Ecdsa(Hash::Sha384),
        signer: KeyKind::Ec(Curve::BrainpoolP384r1),
        signer_scheme: Scheme::Ecdsa(Hash::Sha512),
        rollover: false,
    },
    StatePlan {
        code: "XTF",
        country: "XF",
        csca: KeyKind::EcExplicit(Curve::BrainpoolP256r1),
        csca_scheme: Scheme::Ecdsa(Hash::Sha256),
        signer: KeyKind::EcExplicit(Curve::BrainpoolP256r1),
        signer_scheme: Scheme::Ecdsa(Hash::Sha256),
        rollover: false,
    },
];

/// The state whose CSCA issues the master list signer.
pub const MASTER_LIST_STATE: &str = "UTO";
/// The state with an expired document signer.
pub const EXPIRED_SIGNER_STATE: &str = "UTO";
/// The state with a revoked document signer.
pub const REVOKED_SIGNER_STATE: &str = "XTB";
/// The state an impostor CSCA pretends to be: same name, another key, in no trust list.
pub const IMPOSTOR_STATE: &str = "XTD";

/// One CSCA key and its self-signed certificate.
pub struct Csca {
    /// The CSCA's name.
    pub name: Name,
    /// Its key.
    pub key: KeyPair,
    /// Its self-signed root certificate.
    pub certificate: Certificate,
    /// For a new key: the link certificate in which the old key certifies it.
    pub link: Option<Certificate>,
}

/// What a document signer is there for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignerRole {
    /// The state's current signer, under its current CSCA key.
    Current,
    /// A signer whose certificate ended before the documents it signed.
    Expired,
    /// A signer on its CSCA's CRL.
    Revoked,
    /// A signer still under the CSCA's old key, after the rollover.
    UnderOldKey,
    /// A signer under the impostor CSCA.
    Impostor,
}

/// A document signer.
pub struct DocumentSigner {
    /// The state.
    pub state: &'static str,
    /// What it is there for.
    pub role: SignerRole,
    /// Its key.
    pub key: KeyPair,
    /// How it signs.
    pub scheme: Scheme,
    /// Its certificate.
    pub certificate: Certificate,
}

/// A state's PKI.
pub struct State {
    /// Its plan.
    pub plan: &'static StatePlan,
    /// Its CSCA keys, oldest first; the last is current.
    pub cscas: Vec<Csca>,
    /// Its document signers.
    pub signers: Vec<DocumentSigner>,
    /// Its CRL, DER, signed by the current CSCA key.
    pub crl: Vec<u8>,
    /// The serial numbers on the CRL, hexadecimal.
    pub revoked: Vec<String>,
}

/// The whole test PKI.
pub struct Pki {
    /// The seed.
    pub seed: u64,
    /// The day it was drawn for: certificates, CRLs and SODs are valid (or not) on this day.
    pub as_of: DateTime<Utc>,
    /// The states.
    pub states: Vec<State>,
    /// The impostor CSCA.
    pub impostor: Csca,
    /// The impostor's document signer.
    pub impostor_signer: DocumentSigner,
    /// The master list signer's certificate, issued by the CSCA of [`MASTER_LIST_STATE`].
    pub master_list_signer: Certificate,
    /// The master list: CMS SignedData over every trusted CSCA and link certificate.
    pub master_list: Vec<u8>,
    /// A master list in the same form, signed under the impostor CSCA and carrying it beside
    /// the others: what a verifier must refuse to import.
    pub impostor_master_list: Vec<u8>,
}

impl Pki {
    /// Draws the PKI for `seed` as of `day`.
    pub fn build(seed: u64, day: NaiveDate) -> anyhow::Result<Self> {
        let as_of = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let mut states = Vec::new();
        for plan in STATES {
            states.push(build_state(seed, as_of, plan)?);
        }

        let target = find(&states, IMPOSTOR_STATE)?;
        let impostor_key = KeyPair::derive(seed, "impostor/csca", target.plan.csca)?;
        let impostor = csca_root(seed, as_of, target.plan, impostor_key, "impostor", STANDING)?;
        let impostor_signer =
            document_signer(seed, as_of, target.plan, &impostor, SignerRole::Impostor)?;

        let trusted: Vec<&Certificate> = states
            .iter()
            .flat_map(|state| &state.cscas)
            .flat_map(|csca| std::iter::once(&csca.certificate).chain(csca.link.as_ref()))
            .collect();
        let issuer = find(&states, MASTER_LIST_STATE)?;
        let issuer_csca =
            issuer.cscas.last().ok_or_else(|| anyhow::anyhow!("no CSCA for the list"))?;
        let signed = master_list::Signing { seed, as_of, plan: issuer.plan, csca: issuer_csca };
        let (master_list_signer, master_list) = signed.list("master-list", &trusted)?;

        let mut with_impostor = trusted.clone();
        with_impostor.push(&impostor.certificate);
        let forged = master_list::Signing { seed, as_of, plan: target.plan, csca: &impostor };
        let (_, impostor_master_list) = forged.list("impostor/master-list", &with_impostor)?;
        Ok(Self {
            seed,
            as_of,
            states,
            impostor,
            impostor_signer,
            master_list_signer,
            master_list,
            impostor_master_list,
        })
    }

    /// The state with ICAO code `code`.
    pub fn state(&self, code: &str) -> anyhow::Result<&State> {
        find(&self.states, code)
    }

    /// The document signer of `state` in `role` (the impostor's for [`SignerRole::Impostor`]).
    pub fn signer(&self, state: &str, role: SignerRole) -> anyhow::Result<&DocumentSigner> {
        if role == SignerRole::Impostor {
            return Ok(&self.impostor_signer);
        }
        self.state(state)?
            .signers
            .iter()
            .find(|signer| signer.role == role)
            .ok_or_else(|| anyhow::anyhow!("{state} has no {role:?} document signer"))
    }
}

fn find<'a>(states: &'a [State], code: &str) -> anyhow::Result<&'a State> {
    states
        .iter()
        .find(|state| state.plan.code == code)
        .ok_or_else(|| anyhow::anyhow!("no test state {code}"))
}

/// `day` moved by a signed number of days.
pub fn shift(day: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    if days >= 0 {
        day + Days::new(days.unsigned_abs())
    } else {
        day - Days::new(days.unsigned_abs())
    }
}

fn csca_name(plan: &StatePlan) -> Name {
    Name {
        country: plan.country.to_owned(),
        organisation: format!("Test State {}", plan.code),
        common_name: format!("CSCA {}", plan.code),
    }
}

fn build_state(seed: u64, as_of: DateTime<Utc>, plan: &'static StatePlan) -> anyhow::Result<State> {
    let code = plan.code;
    let first = KeyPair::derive(seed, &format!("{code}/csca/1"), plan.csca)?;
    let window = if plan.rollover { RETIRING } else { STANDING };
    let mut cscas = vec![csca_root(seed, as_of, plan, first, "1", window)?];
    if plan.rollover {
        let second = KeyPair::derive(seed, &format!("{code}/csca/2"), plan.csca)?;
        let mut new = csca_root(seed, as_of, plan, second, "2", NEW)?;
        let old = &cscas[0];
        let link = certificate::Request {
            profile: Profile::Csca,
            state: code,
            subject: &new.name,
            subject_key: &new.key,
            issuer: &old.name,
            issuer_key: &old.key,
            scheme: plan.csca_scheme,
            validity: (shift(as_of, NEW.0), shift(as_of, RETIRING.1)),
            key_usage_period: (shift(as_of, NEW.0), shift(as_of, NEW.0 + 365 * 3)),
        };
        new.link =
            Some(certificate::issue(&link, &mut stream(seed, &format!("{code}/csca/link")))?);
        cscas.push(new);
    }

    let current = cscas.last().ok_or_else(|| anyhow::anyhow!("{code} has no CSCA"))?;
    let mut signers = vec![document_signer(seed, as_of, plan, current, SignerRole::Current)?];
    if code == EXPIRED_SIGNER_STATE {
        signers.push(document_signer(seed, as_of, plan, current, SignerRole::Expired)?);
    }
    if code == REVOKED_SIGNER_STATE {
        signers.push(document_signer(seed, as_of, plan, current, SignerRole::Revoked)?);
    }
    if plan.rollover {
        signers.push(document_signer(seed, as_of, plan, &cscas[0], SignerRole::UnderOldKey)?);
    }

    let revoked: Vec<crl::Revoked> = signers
        .iter()
        .filter(|signer| signer.role == SignerRole::Revoked)
        .map(|signer| crl::Revoked {
            serial: signer.certificate.serial.clone(),
            at: shift(as_of, -10),
        })
        .collect();
    let request = crl::Request {
        issuer: &current.name,
        issuer_key: &current.key,
        scheme: plan.csca_scheme,
        updates: (shift(as_of, -7), shift(as_of, 83)),
        number: 4,
        revoked: &revoked,
    };
    let crl = crl::issue(&request, &mut stream(seed, &format!("{code}/crl")))?;
    let revoked = revoked
        .iter()
        .map(|entry| entry.serial.iter().map(|byte| format!("{byte:02x}")).collect())
        .collect();
    Ok(State { plan, cscas, signers, crl, revoked })
}

/// A CSCA's validity in days from the PKI's day: a CSCA with one key so far.
const STANDING: (i64, i64) = (-365 * 5, 365 * 10);
/// The key a CSCA is leaving: older, and ending sooner.
const RETIRING: (i64, i64) = (-365 * 8, 365 * 7);
/// The key it moved to, a little over a year ago; the link certificate starts with it.
const NEW: (i64, i64) = (-400, 365 * 14);

/// A CSCA root for `key`, valid for `window` days around `as_of`, its key usage period the
/// first three years. `generation` names the draw of its serial number and signature.
fn csca_root(
    seed: u64,
    as_of: DateTime<Utc>,
    plan: &StatePlan,
    key: KeyPair,
    generation: &str,
    window: (i64, i64),
) -> anyhow::Result<Csca> {
    let name = csca_name(plan);
    let request = certificate::Request {
        profile: Profile::Csca,
        state: plan.code,
        subject: &name,
        subject_key: &key,
        issuer: &name,
        issuer_key: &key,
        scheme: plan.csca_scheme,
        validity: (shift(as_of, window.0), shift(as_of, window.1)),
        key_usage_period: (shift(as_of, window.0), shift(as_of, window.0 + 365 * 3)),
    };
    let label = format!("{}/csca/{generation}/certificate", plan.code);
    let certificate = certificate::issue(&request, &mut stream(seed, &label))?;
    Ok(Csca { name, key, certificate, link: None })
}

fn document_signer(
    seed: u64,
    as_of: DateTime<Utc>,
    plan: &'static StatePlan,
    csca: &Csca,
    role: SignerRole,
) -> anyhow::Result<DocumentSigner> {
    let label = format!("{}/signer/{role:?}", plan.code);
    let key = KeyPair::derive(seed, &label, plan.signer)?;
    let name = Name {
        country: plan.country.to_owned(),
        organisation: format!("Test State {}", plan.code),
        common_name: format!("Document Signer {} {role:?}", plan.code),
    };
    // A document signer's certificate outlives its key's use by the documents' validity.
    let (start, end, use_end) = match role {
        SignerRole::Expired => (-365 * 3, -365, -365 * 2),
        _ => (-200, 365 * 10, 60),
    };
    let request = certificate::Request {
        profile: Profile::DocumentSigner(vec!["P".to_owned()]),
        state: plan.code,
        subject: &name,
        subject_key: &key,
        issuer: &csca.name,
        issuer_key: &csca.key,
        scheme: plan.csca_scheme,
        validity: (shift(as_of, start), shift(as_of, end)),
        key_usage_period: (shift(as_of, start), shift(as_of, use_end)),
    };
    let certificate = certificate::issue(&request, &mut stream(seed, &format!("{label}/cert")))?;
    Ok(DocumentSigner { state: plan.code, role, key, scheme: plan.signer_scheme, certificate })
}
