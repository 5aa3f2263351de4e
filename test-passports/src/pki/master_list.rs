//! The CSCA master list of Doc 9303-12 9: CscaMasterList { version 0, certList } as CMS
//! SignedData, signed by a master list signer whose certificate a CSCA issued.

use chrono::{DateTime, Utc};

use crate::der;
use crate::pki::certificate::{self, Certificate, Name, Profile};
use crate::pki::keys::{Curve, KeyKind, KeyPair, stream};
use crate::pki::signature::{Hash, Scheme};
use crate::pki::{Csca, MASTER_LIST_CONTENT_TYPE, StatePlan, cms, shift};

/// Who signs a master list: a signer certified by `csca` of `plan`'s state.
pub struct Signing<'a> {
    /// The seed.
    pub seed: u64,
    /// The PKI's day.
    pub as_of: DateTime<Utc>,
    /// The state.
    pub plan: &'a StatePlan,
    /// The CSCA that certifies the signer.
    pub csca: &'a Csca,
}

impl Signing<'_> {
    /// Issues a master list signer under `label` and signs a list of `certificates` with it:
    /// the signer's certificate and the list, DER. The list carries the signer's and the
    /// CSCA's certificates, names its signer by key identifier and has a signing time, as
    /// Table 18 asks.
    pub fn list(
        &self,
        label: &str,
        certificates: &[&Certificate],
    ) -> anyhow::Result<(Certificate, Vec<u8>)> {
        let (seed, as_of, code) = (self.seed, self.as_of, self.plan.code);
        let key = KeyPair::derive(seed, &format!("{label}-signer"), KeyKind::Ec(Curve::P256))?;
        let name = Name {
            country: self.plan.country.to_owned(),
            organisation: format!("Test State {code}"),
            common_name: format!("Master List Signer {code}"),
        };
        let request = certificate::Request {
            profile: Profile::MasterListSigner,
            state: code,
            subject: &name,
            subject_key: &key,
            issuer: &self.csca.name,
            issuer_key: &self.csca.key,
            scheme: self.plan.csca_scheme,
            validity: (shift(as_of, -365), shift(as_of, 365 * 2)),
            key_usage_period: (shift(as_of, -365), shift(as_of, 365)),
        };
        let signer =
            certificate::issue(&request, &mut stream(seed, &format!("{label}-signer/cert")))?;

        let list = certificates.iter().map(|certificate| certificate.der.clone());
        let content = der::sequence([der::integer(0), der::set_of(list)]);
        let request = cms::Request {
            content_type: MASTER_LIST_CONTENT_TYPE,
            content: &content,
            signer: &signer,
            also_carry: &[&self.csca.certificate],
            key: &key,
            scheme: Scheme::Ecdsa(Hash::Sha256),
            signing_time: shift(as_of, -14),
            identifier: cms::SignerIdentifier::SubjectKeyIdentifier,
            break_signature: false,
        };
        let list = cms::signed_data(&request, &mut stream(seed, label))?;
        Ok((signer, list))
    }
}
