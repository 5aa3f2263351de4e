use std::time::Duration;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use idproof_mobile::{OtpLimits, SendPolicy, SendRefused};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

fn policy() -> SendPolicy {
    SendPolicy::new(OtpLimits::default())
}

#[test]
fn the_defaults_are_the_issues() {
    let limits = OtpLimits::default();

    assert_eq!(limits.code_ttl(), Duration::from_secs(300));
    assert_eq!(limits.max_attempts, 3);
    assert_eq!(limits.resend_cooldown(), Duration::from_secs(60));
    assert_eq!(limits.sends_per_hour, 5);

    let partial: OtpLimits = serde_json::from_str(r#"{"max_attempts": 5}"#).unwrap();
    assert_eq!(partial, OtpLimits { max_attempts: 5, ..OtpLimits::default() });
    assert!(serde_json::from_str::<OtpLimits>(r#"{"max_attempt": 5}"#).is_err());
}

#[test]
fn limits_that_lock_everything_or_allow_nothing_are_refused() {
    assert!(OtpLimits::default().validate().is_ok());

    for bad in [
        OtpLimits { code_ttl_secs: 0, ..OtpLimits::default() },
        OtpLimits { code_ttl_secs: 86_401, ..OtpLimits::default() },
        OtpLimits { max_attempts: 0, ..OtpLimits::default() },
        OtpLimits { sends_per_hour: 0, ..OtpLimits::default() },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
}

#[test]
fn a_first_send_is_allowed() {
    assert_eq!(policy().check(&[], t0()), Ok(()));
}

#[test]
fn a_resend_waits_for_the_cooldown() {
    let refused = policy().check(&[at(0)], at(59)).unwrap_err();

    assert_eq!(refused, SendRefused::Cooldown { retry_after: Duration::from_secs(1) });
    assert_eq!(refused.code(), "mobile.resend_cooldown");
    assert_eq!(policy().check(&[at(0)], at(60)), Ok(()));

    let part_second = policy().check(&[at(0)], at(59) + TimeDelta::milliseconds(500));
    assert_eq!(part_second.unwrap_err().retry_after(), Duration::from_secs(1));
}

#[test]
fn five_sends_an_hour_are_allowed_and_the_sixth_waits_for_the_first_to_age() {
    let sends: Vec<_> = (0..5).map(|i| at(i * 600)).collect();

    for n in 0..5 {
        assert_eq!(policy().check(&sends[..n], at(n as i64 * 600)), Ok(()), "send {}", n + 1);
    }

    let refused = policy().check(&sends, at(3_000)).unwrap_err();
    assert_eq!(refused, SendRefused::HourlyLimit { retry_after: Duration::from_secs(600) });
    assert_eq!(refused.code(), "mobile.hourly_limit");

    assert!(policy().check(&sends, at(3_599)).is_err());
    assert_eq!(policy().check(&sends, at(3_600)), Ok(()));
}

#[test]
fn when_both_limits_refuse_the_longer_wait_is_given() {
    let sends: Vec<_> = (0..5).map(|i| at(i * 60)).collect();

    let refused = policy().check(&sends, at(250)).unwrap_err();
    assert_eq!(refused, SendRefused::HourlyLimit { retry_after: Duration::from_secs(3_350) });

    let spread = [at(0), at(900), at(1_800), at(2_700), at(3_590)];
    let refused = policy().check(&spread, at(3_595)).unwrap_err();
    assert_eq!(refused, SendRefused::Cooldown { retry_after: Duration::from_secs(55) });
}

#[test]
fn sends_in_any_order_and_older_than_an_hour_count_right() {
    let sends = [at(3_000), at(-7_200), at(1_000), at(2_000), at(0), at(-500), at(-3_600)];

    let refused = policy().check(&sends, at(3_060)).unwrap_err();
    assert_eq!(refused, SendRefused::HourlyLimit { retry_after: Duration::from_secs(40) });
    assert_eq!(policy().check(&sends, at(3_100)), Ok(()));
}

#[test]
fn the_limits_come_from_configuration() {
    let limits = OtpLimits { resend_cooldown_secs: 10, sends_per_hour: 2, ..OtpLimits::default() };
    let policy = SendPolicy::new(limits);

    assert_eq!(policy.check(&[at(0)], at(10)), Ok(()));
    let refused = policy.check(&[at(0), at(10)], at(20)).unwrap_err();
    assert_eq!(refused, SendRefused::HourlyLimit { retry_after: Duration::from_secs(3_580) });
}
