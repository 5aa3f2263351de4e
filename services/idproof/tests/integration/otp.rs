//! One-time codes on both databases, with the time passed in: the cooldown and the hourly limit
//! per number, three wrong answers locking the challenge, expiry, a replay after success, and
//! two answers or two sends at once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use idproof_proofing::{ApplicationId, EvidenceKind};
use idproof_store::{NewEvidence, NewOtp, OtpVerdict, SendLimits, SendOutcome, Store};
use idproof_workflows::NUMBER_MEDIA_TYPE;

use crate::store::{new_application, open};
use crate::support::{Backend, on_both_databases};

const LIMITS: SendLimits = SendLimits { cooldown: Duration::seconds(60), per_hour: 5 };
const RIGHT: &str = "hash-of-the-right-code";

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 12, 0, 0).unwrap()
}

fn otp(application_id: ApplicationId, number: &str, at: DateTime<Utc>) -> NewOtp {
    NewOtp {
        application_id,
        number_key: format!("{number:0>64}"),
        attempts: 3,
        sent_at: at,
        expires_at: at + Duration::minutes(5),
    }
}

/// Asks for a code to `number` as the API does and, when the send is recorded, arms it with
/// the right code's hash as the delivery activity does.
async fn send(
    store: &Store,
    application_id: ApplicationId,
    number: &str,
    at: DateTime<Utc>,
) -> SendOutcome {
    let client = store.application(application_id).await.unwrap().client_id;
    let sealed = NewEvidence {
        application_id,
        submitted_by: client,
        kind: EvidenceKind::MobileNumber,
        content_type: NUMBER_MEDIA_TYPE.to_owned(),
        content: number.as_bytes().to_vec(),
        delete_after: None,
    };
    let outcome =
        store.request_code(sealed, otp(application_id, number, at), LIMITS).await.unwrap();
    if let SendOutcome::Recorded { challenge_id, .. } = outcome {
        let armed = store.deliver_otp(challenge_id, RIGHT, at, at + Duration::minutes(5));
        assert!(armed.await.unwrap(), "a recorded send is armed");
    }
    outcome
}

async fn answer(
    store: &Store,
    application_id: ApplicationId,
    right: bool,
    at: DateTime<Utc>,
) -> OtpVerdict {
    store.verify_otp(application_id, |_, hash| right && hash == RIGHT, at).await.unwrap()
}

fn recorded(outcome: &SendOutcome) -> bool {
    matches!(outcome, SendOutcome::Recorded { .. })
}

on_both_databases! {
    async fn the_cooldown_and_the_hourly_limit_hold_per_number(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let t = noon();

        let first = send(&store, id, "1", t).await;
        let too_soon = send(&store, id, "1", t + Duration::seconds(59)).await;
        let other_number = send(&store, id, "2", t + Duration::seconds(59)).await;
        let mut later = Vec::new();
        for n in 1..5 {
            later.push(send(&store, id, "1", t + Duration::minutes(n)).await);
        }
        let sixth = send(&store, id, "1", t + Duration::minutes(10)).await;
        let next_hour = send(&store, id, "1", t + Duration::minutes(60) + Duration::seconds(1)).await;

        assert!(recorded(&first) && recorded(&other_number));
        assert_eq!(too_soon, SendOutcome::Cooldown { retry_after: Duration::seconds(1) });
        assert!(later.iter().all(recorded), "{later:?}");
        assert_eq!(sixth, SendOutcome::HourlyLimit { retry_after: Duration::minutes(50) });
        assert!(recorded(&next_hour), "{next_hour:?}");
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn three_wrong_answers_lock_the_challenge_and_a_right_one_then_is_refused(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let t = noon();
        assert_eq!(answer(&store, id, true, t).await, OtpVerdict::NoChallenge);
        send(&store, id, "1", t).await;

        let wrong = [
            answer(&store, id, false, t).await,
            answer(&store, id, false, t).await,
            answer(&store, id, false, t).await,
        ];
        let right_after = answer(&store, id, true, t).await;

        assert_eq!(
            wrong,
            [OtpVerdict::Wrong { attempts_left: 2 }, OtpVerdict::Wrong { attempts_left: 1 }, OtpVerdict::Locked]
        );
        assert_eq!(right_after, OtpVerdict::Locked);
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn a_code_expires_verifies_once_and_a_new_send_replaces_the_old(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let t = noon();
        send(&store, id, "1", t).await;

        let late = answer(&store, id, true, t + Duration::minutes(5)).await;
        send(&store, id, "1", t + Duration::minutes(6)).await;
        let right = answer(&store, id, true, t + Duration::minutes(7)).await;
        let replayed = answer(&store, id, true, t + Duration::minutes(7)).await;
        let wrong_after = answer(&store, id, false, t + Duration::minutes(7)).await;

        assert_eq!(late, OtpVerdict::Expired);
        let OtpVerdict::Verified { number_key, challenge_id } = right else { panic!("{right:?}") };
        assert_eq!(number_key, format!("{:0>64}", "1"));
        assert_eq!(replayed, OtpVerdict::AlreadyVerified { challenge_id });
        assert_eq!(wrong_after, OtpVerdict::AlreadyVerified { challenge_id });
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn two_answers_or_two_sends_at_once_count_once(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let (other, _) = new_application(&store).await;
        let t = noon();

        let (a, b) = tokio::join!(send(&store, id, "7", t), send(&store, other, "7", t));
        // Either send may win; the code is answered for the application whose send was recorded.
        let sent_for = if recorded(&a) { id } else { other };
        let (x, y) =
            tokio::join!(answer(&store, sent_for, true, t), answer(&store, sent_for, true, t));

        let sends = [a, b];
        assert_eq!(sends.iter().filter(|s| recorded(s)).count(), 1, "{sends:?}");
        assert!(sends.contains(&SendOutcome::Cooldown { retry_after: Duration::seconds(60) }), "{sends:?}");
        let answers = [x, y];
        let verified = answers.iter().filter(|v| matches!(v, OtpVerdict::Verified { .. })).count();
        assert_eq!(verified, 1, "{answers:?}");
        let verified_id = answers.iter().find_map(|v| match v {
            OtpVerdict::Verified { challenge_id, .. } => Some(*challenge_id),
            _ => None,
        });
        let replayed = OtpVerdict::AlreadyVerified { challenge_id: verified_id.unwrap() };
        assert!(answers.contains(&replayed), "{answers:?}");
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }
}
