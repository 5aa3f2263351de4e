use idproof_mobile::{CodeHash, CodeHasher, OneTimeCode, WeakKey};
use rand::{CryptoRng, RngCore, SeedableRng, rngs::StdRng};
use uuid::Uuid;

pub(crate) fn hasher() -> CodeHasher {
    CodeHasher::new([7u8; 32]).unwrap()
}

/// A generator that gives the draws it is told to, to pick a code.
pub(crate) struct Scripted(pub(crate) Vec<u32>);

impl RngCore for Scripted {
    fn next_u32(&mut self) -> u32 {
        self.0.remove(0)
    }

    fn next_u64(&mut self) -> u64 {
        u64::from(self.next_u32())
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        dst.iter_mut().for_each(|b| *b = self.next_u32() as u8);
    }
}

// Only for tests: it lets a test choose the code.
impl CryptoRng for Scripted {}

pub(crate) fn code(digits: &str) -> OneTimeCode {
    OneTimeCode::generate(&mut Scripted(vec![digits.parse().unwrap()]))
}

#[test]
fn codes_are_six_digits_spread_over_the_whole_range() {
    let mut rng = StdRng::seed_from_u64(42);
    let mut leading_zero = 0;
    let mut first_digit = [0u32; 10];

    for _ in 0..100_000 {
        let code = OneTimeCode::generate(&mut rng);
        let digits = code.reveal();
        assert_eq!(digits.len(), 6);
        assert!(digits.bytes().all(|b| b.is_ascii_digit()));
        assert!(digits.parse::<u32>().unwrap() <= 999_999);

        leading_zero += u32::from(digits.starts_with('0'));
        first_digit[usize::from(digits.as_bytes()[0] - b'0')] += 1;
    }

    // Each first digit is 10% of draws: 10 000 expected, σ ≈ 95, so ±600 is over 6σ.
    assert!(leading_zero > 0, "leading zeros are kept");
    for count in first_digit {
        assert!((9_400..=10_600).contains(&count), "first digits skewed: {first_digit:?}");
    }
}

#[test]
fn draws_that_would_bias_the_codes_are_drawn_again() {
    // 4 294 000 000 and above would make codes under 967 296 more likely: they are skipped.
    let mut rng = Scripted(vec![u32::MAX, 4_294_000_000, 4_293_999_999, 5]);

    assert_eq!(OneTimeCode::generate(&mut rng).reveal(), "999999");
    assert_eq!(OneTimeCode::generate(&mut rng).reveal(), "000005");
}

#[test]
fn the_os_generator_draws_codes() {
    let code = OneTimeCode::generate(&mut rand::rng());
    assert_eq!(code.reveal().len(), 6);
    assert_eq!(format!("{code:?}"), "OneTimeCode(******)");
}

#[test]
fn a_hash_verifies_its_code_for_its_challenge_only() {
    let hasher = hasher();
    let challenge = Uuid::from_u128(1);
    let code = code("012345");
    let stored = hasher.hash(challenge, &code);

    assert!(hasher.verify(challenge, &stored, "012345"));
    assert!(!hasher.verify(challenge, &stored, "012346"));
    assert!(!hasher.verify(challenge, &stored, "12345"));
    assert!(!hasher.verify(challenge, &stored, "0123456"));
    assert!(!hasher.verify(challenge, &stored, "01234a"));
    assert!(!hasher.verify(challenge, &stored, "０12345"));
    assert!(!hasher.verify(Uuid::from_u128(2), &stored, "012345"));
    assert_ne!(stored, hasher.hash(Uuid::from_u128(2), &code));
}

#[test]
fn another_key_gives_another_hash() {
    let code = code("000000");
    let challenge = Uuid::from_u128(1);
    let other = CodeHasher::new([8u8; 32]).unwrap();

    assert_ne!(hasher().hash(challenge, &code), other.hash(challenge, &code));
    assert!(!other.verify(challenge, &hasher().hash(challenge, &code), "000000"));
}

#[test]
fn a_short_key_is_refused() {
    assert_eq!(CodeHasher::new([0u8; 31]).unwrap_err(), WeakKey);
    assert_eq!(format!("{:?}", hasher()), "CodeHasher(<key>)");
}

#[test]
fn a_hash_is_stored_as_hex_and_read_back() {
    let stored = hasher().hash(Uuid::from_u128(1), &code("999999"));

    let hex = stored.to_hex();
    assert_eq!(hex.len(), 64);
    assert_eq!(CodeHash::from_hex(&hex).unwrap(), stored);
    assert!(CodeHash::from_hex("abc").is_err());

    let json = serde_json::to_string(&stored).unwrap();
    assert_eq!(serde_json::from_str::<CodeHash>(&json).unwrap(), stored);
}
