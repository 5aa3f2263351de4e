//! The store on both databases: migrations both ways, verdicts recorded once, evidence sealed.

use idproof_proofing::{
    ApplicationId, ApplicationStatus, Channel, ClientId, EvidenceKind, Purpose, Step, StepOutcome,
    Tier, Verdict,
};
use idproof_store::{
    CreateOutcome, DecisionRecord, NewApplication, NewEvidence, StepWrite, StoreError,
};
use sea_orm::{ConnectionTrait, Statement};

use crate::support::{Backend, Database, on_both_databases, test_config};

pub(crate) async fn open(backend: Backend) -> (idproof_store::Store, Database, std::path::PathBuf) {
    let dir = idproof_testkit::temp_dir("store").unwrap();
    let database = Database::fresh(backend, &dir).await;
    let config = test_config(&dir, &database.url, "http://127.0.0.1:1");
    let store = idproof::wiring::open_store(&config).await.unwrap();
    (store, database, dir)
}

pub(crate) async fn new_application(store: &idproof_store::Store) -> (ApplicationId, ClientId) {
    let (client, _) = store
        .create_client(
            idproof_store::NewClient { name: "c".into(), scopes: vec![], callback_url: None },
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    let id = ApplicationId::new();
    let new = NewApplication {
        id,
        client_id: ClientId::from(client.id),
        purpose: Purpose::DigitalId,
        tier: Tier::T1,
        channel: Channel::SelfService,
        client_reference: None,
        idempotency_key: None,
        request_fingerprint: "f".into(),
        shop_visit: None,
    };
    let client_id = ClientId::from(client.id);
    assert!(matches!(
        store.create_application(new, chrono::Utc::now()).await.unwrap(),
        CreateOutcome::Created(_)
    ));
    (id, client_id)
}

on_both_databases! {
    async fn migrations_apply_undo_and_apply_again(backend: Backend) {
        let (store, database, _dir) = open(backend).await;

        idproof_store::migrate_down_all(&database.url).await.unwrap();
        let db = store.connection();
        let probe = Statement::from_string(db.get_database_backend(), "SELECT COUNT(*) FROM application");
        assert!(db.query_one_raw(probe.clone()).await.is_err(), "down left the table");
        idproof_store::migrate(&database.url).await.unwrap();
        assert!(db.query_one_raw(probe).await.is_ok());

        db.clone().close().await.ok();
        database.drop_database().await;
    }

    async fn replicas_starting_together_migrate_once(backend: Backend) {
        let dir = idproof_testkit::temp_dir("store").unwrap();
        let database = Database::fresh(backend, &dir).await;

        let starts = (0..8).map(|_| idproof_store::migrate(&database.url));
        let results = futures::future::join_all(starts).await;

        for result in &results {
            assert!(result.is_ok(), "{result:?}");
        }
        database.drop_database().await;
    }

    async fn a_verdict_is_recorded_once_per_attempt(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let write = StepWrite {
            application_id: id,
            attempt: 1,
            outcome: StepOutcome::new(Step::Intake, Verdict::Passed, "evidence_planned"),
            evidence_id: None,
            next_status: Some(ApplicationStatus::AwaitingEvidence),
        };

        let first = store.record_step(write.clone(), chrono::Utc::now()).await.unwrap();
        let again = store.record_step(write.clone(), chrono::Utc::now()).await.unwrap();
        let closing = StepWrite {
            outcome: StepOutcome::new(Step::Expiry, Verdict::Failed, "idle_timeout"),
            next_status: Some(ApplicationStatus::Expired),
            ..write.clone()
        };
        store.record_step(closing, chrono::Utc::now()).await.unwrap();
        let late = StepWrite {
            outcome: StepOutcome::new(Step::Mrz, Verdict::Passed, "late"),
            next_status: Some(ApplicationStatus::AwaitingEvidence),
            ..write
        };
        store.record_step(late, chrono::Utc::now()).await.unwrap();

        assert!(first);
        assert!(!again);
        let steps = store.steps(id).await.unwrap();
        assert_eq!(steps.iter().map(|s| s.step).collect::<Vec<_>>(), [Step::Intake, Step::Expiry, Step::Mrz]);
        assert_eq!(store.application(id).await.unwrap().status, ApplicationStatus::Expired, "an ended application moved");

        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn a_decision_is_recorded_once_with_its_step_verdict(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, _) = new_application(&store).await;
        let decision = DecisionRecord {
            attempt: 1,
            policy_version: "2026-05-19".into(),
            user_group: Some("investor".into()),
            tier: Some(Tier::T2),
            valid_until: chrono::NaiveDate::from_ymd_opt(2027, 4, 30),
            flags: serde_json::json!([{"code": "stay.ending_soon", "reason": "the stay ends within 30 days"}]),
            explanation: serde_json::json!({"rules": [{"rule": "tier.t2", "held": true, "reason": "r", "evidence": ["immigration"]}]}),
            decided_at: chrono::Utc::now(),
        };
        let step = StepWrite {
            application_id: id,
            attempt: 1,
            outcome: StepOutcome::new(Step::Decision, Verdict::Flagged, "stay.ending_soon"),
            evidence_id: None,
            next_status: Some(ApplicationStatus::InReview),
        };
        let other_attempt = DecisionRecord { attempt: 2, tier: None, valid_until: None, ..decision.clone() };

        assert!(store.latest_decision(id).await.unwrap().is_none());
        assert!(store.record_decision(decision.clone(), step.clone(), None).await.unwrap());
        assert!(!store.record_decision(other_attempt, step.clone(), None).await.unwrap(), "the step attempt was taken");

        let stored = store.latest_decision(id).await.unwrap().unwrap();
        assert_eq!(stored.tier, Some(Tier::T2));
        assert_eq!(stored.valid_until, decision.valid_until);
        assert_eq!(stored.flags, decision.flags);
        assert_eq!(stored.explanation, decision.explanation);
        assert_eq!(store.steps(id).await.unwrap().len(), 1);
        assert_eq!(store.application(id).await.unwrap().status, ApplicationStatus::InReview);

        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn evidence_is_sealed_at_rest_and_bound_to_its_row(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (id, client_id) = new_application(&store).await;
        let mrz = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_vec();
        let evidence = NewEvidence {
            application_id: id,
            submitted_by: client_id,
            kind: EvidenceKind::Mrz,
            content_type: "text/plain".into(),
            content: mrz.clone(),
            delete_after: None,
        };

        let evidence_id = store.store_evidence(evidence, chrono::Utc::now()).await.unwrap();
        let opened = store.open_evidence(evidence_id).await.unwrap();

        assert_eq!(opened.content, mrz);
        let db = store.connection();
        let rows = db
            .query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT ciphertext, key_id FROM evidence"))
            .await
            .unwrap();
        let ciphertext: Vec<u8> = rows[0].try_get("", "ciphertext").unwrap();
        assert!(!ciphertext.windows(8).any(|window| window == b"ERIKSSON"));
        assert_eq!(rows[0].try_get::<String>("", "key_id").unwrap(), "test");

        // Moved onto another kind, the blob no longer opens.
        db.execute_raw(Statement::from_string(db.get_database_backend(), "UPDATE evidence SET kind = 'chip'"))
            .await
            .unwrap();
        assert!(matches!(store.open_evidence(evidence_id).await, Err(StoreError::Cipher(_))));

        db.clone().close().await.ok();
        database.drop_database().await;
    }
}
