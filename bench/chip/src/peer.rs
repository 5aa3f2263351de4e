//! The peer: crates.io's `dmrtd` (pure Rust, its own RSA and RustCrypto's curves), whose
//! `auth::passive::verify` hashes the data groups given, checks the SOD's signed attributes and
//! signature, and looks for a CSCA among the anchors whose key verifies the document signer's
//! certificate. It reads no CRL, checks no validity period and compares no MRZ: it does less
//! than idproof, so its rate is an upper bound for a comparable check.
//!
//! `emrtd` 0.0.2 (June 2024, the latest), the other Rust crate on crates.io with passive
//! authentication, cannot be run: its `passive_auth` feature does not compile
//! (`error[E0425]: cannot find function eq in this scope`, src/lib.rs:2548, in `validate_dg`:
//! the published source calls an `eq` it never imports), and without that feature it has no
//! passive authentication. Building it at all also needs libpcsclite-dev (its `pcsc`
//! dependency) and compiles OpenSSL from source (`openssl` with `vendored`).

use dmrtd::auth::passive::{self, DataGroup, TrustAnchor};

use crate::corpus::{Corpus, KeyType};
use crate::measure::{Contender, Role, Verification};

/// The name and version the report gives the peer.
pub(crate) const NAME: &str = "dmrtd 0.3.5";

/// The peer on the key type's chips it finds authentic, with the chips it refuses and why; it
/// is not run when it refuses them all. A CSCA it cannot read is left out of its anchors.
pub(crate) fn contender<'a>(corpus: &Corpus, key_type: &'a KeyType) -> Contender<'a> {
    let anchors: Vec<TrustAnchor> = corpus
        .material
        .cscas
        .iter()
        .filter_map(|der| TrustAnchor::from_certificate(der).ok())
        .collect();

    let (mut chips, mut refusals) = (Vec::new(), Vec::new());
    for chip in &key_type.chips {
        let groups: Vec<DataGroup<'a>> = chip
            .data_groups
            .iter()
            .map(|(number, bytes)| DataGroup { number: *number, bytes })
            .collect();
        match passive::verify(&chip.sod, &groups, &anchors) {
            Ok(outcome) if outcome.is_authentic() => chips.push((chip.sod.as_slice(), groups)),
            Ok(outcome) => {
                refusals.push(format!("{}: not authentic ({:?})", chip.name, outcome.chain));
            }
            Err(err) => refusals.push(format!("{}: {err}", chip.name)),
        }
    }

    let verification: Result<Verification<'a>, String> = if chips.is_empty() {
        Err("it refuses every chip".to_owned())
    } else {
        let mut turn = 0;
        Ok(Box::new(move || {
            turn = (turn + 1) % chips.len();
            let (sod, groups) = &chips[turn];
            let outcome = passive::verify(std::hint::black_box(sod), groups, &anchors);
            outcome.is_ok_and(|outcome| outcome.is_authentic())
        }))
    };
    Contender { name: NAME.to_owned(), role: Role::Peer, verification, refusals }
}
