use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use idproof_mobile::{
    Challenge, ChallengeState, MessageTemplate, OtpLimits, ReissueRefused, VerifyOutcome,
};
use uuid::Uuid;

use crate::codes::{code, hasher};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn issued(digits: &str) -> Challenge {
    Challenge::issue(Uuid::from_u128(9), &code(digits), &hasher(), &OtpLimits::default(), t0())
}

#[test]
fn the_right_code_in_time_verifies_once_and_a_replay_verifies_nothing() {
    let mut challenge = issued("123456");
    let later = t0() + TimeDelta::seconds(30);

    assert_eq!(challenge.verify(&hasher(), "123456", later), VerifyOutcome::Verified);
    assert_eq!(challenge.state(), ChallengeState::Verified { at: later });

    let replay = challenge.verify(&hasher(), "123456", later + TimeDelta::seconds(1));
    assert_eq!(replay, VerifyOutcome::AlreadyVerified);
    assert_eq!(challenge.verify(&hasher(), "000000", later), VerifyOutcome::AlreadyVerified);
    assert_eq!(challenge.state(), ChallengeState::Verified { at: later });
}

#[test]
fn a_code_expires_at_exactly_its_lifetime() {
    let mut challenge = issued("123456");
    let ttl = TimeDelta::minutes(5);

    assert_eq!(challenge.expires_at(), t0() + ttl);
    assert!(!challenge.is_expired(t0() + ttl - TimeDelta::milliseconds(1)));
    assert_eq!(challenge.verify(&hasher(), "123456", t0() + ttl), VerifyOutcome::Expired);
    assert_eq!(challenge.state(), ChallengeState::Pending);

    let mut in_time = issued("123456");
    let just_before = t0() + ttl - TimeDelta::milliseconds(1);
    assert_eq!(in_time.verify(&hasher(), "123456", just_before), VerifyOutcome::Verified);
}

#[test]
fn three_wrong_codes_lock_and_the_right_one_is_refused_after() {
    let mut challenge = issued("123456");
    let now = t0() + TimeDelta::seconds(10);

    assert_eq!(
        challenge.verify(&hasher(), "000000", now),
        VerifyOutcome::Wrong { attempts_left: 2 }
    );
    assert_eq!(
        challenge.verify(&hasher(), "not a code", now),
        VerifyOutcome::Wrong { attempts_left: 1 }
    );
    assert_eq!(challenge.verify(&hasher(), "654321", now), VerifyOutcome::Locked);
    assert_eq!(challenge.state(), ChallengeState::Locked { at: now });

    assert_eq!(challenge.verify(&hasher(), "123456", now), VerifyOutcome::Locked);
    assert_eq!(challenge.attempts_left(), 0);
}

#[test]
fn a_resend_gives_a_fresh_expiry_but_no_fresh_attempts() {
    let mut challenge = issued("123456");
    let limits = OtpLimits::default();
    let now = t0() + TimeDelta::seconds(90);

    challenge.verify(&hasher(), "000000", now);
    challenge.reissue(&code("222222"), &hasher(), &limits, now).unwrap();

    assert_eq!(challenge.expires_at(), now + TimeDelta::minutes(5));
    assert_eq!(challenge.attempts_left(), 2);
    assert_eq!(
        challenge.verify(&hasher(), "123456", now),
        VerifyOutcome::Wrong { attempts_left: 1 }
    );
    assert_eq!(challenge.verify(&hasher(), "222222", now), VerifyOutcome::Verified);

    let refused = challenge.reissue(&code("333333"), &hasher(), &limits, now).unwrap_err();
    assert_eq!((refused, refused.code()), (ReissueRefused::Verified, "mobile.already_verified"));
}

#[test]
fn the_attempts_come_from_the_limits() {
    let limits = OtpLimits { max_attempts: 1, code_ttl_secs: 60, ..OtpLimits::default() };
    let mut challenge =
        Challenge::issue(Uuid::from_u128(3), &code("111111"), &hasher(), &limits, t0());

    assert_eq!(challenge.expires_at(), t0() + TimeDelta::seconds(60));
    assert_eq!(challenge.verify(&hasher(), "111112", t0()), VerifyOutcome::Locked);
    assert_eq!(VerifyOutcome::Locked.code(), "mobile.locked");
}

#[test]
fn the_challenge_survives_a_round_trip_through_json_without_the_code() {
    let challenge = issued("123456");

    let json = serde_json::to_string(&challenge).unwrap();
    assert!(!json.contains("123456"));
    assert_eq!(serde_json::from_str::<Challenge>(&json).unwrap(), challenge);
}

#[test]
fn the_text_carries_the_code_and_the_lifetime() {
    let text = MessageTemplate::default().render(&code("042001"), &OtpLimits::default());
    assert_eq!(text, "idproof: your code is 042001. It expires in 5 minutes.");

    assert!(MessageTemplate::new("no placeholder").is_err());
    let custom = MessageTemplate::new("รหัส {code}").unwrap();
    assert_eq!(custom.render(&code("000001"), &OtpLimits::default()), "รหัส 000001");
}
