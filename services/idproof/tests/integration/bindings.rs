//! Mobile bindings on both databases: the caps per operator and in all, a number held by one
//! identity at a time, two shops binding at once, where exactly one wins, and the identity a
//! renewed passport carries over from its registry record.

use idproof_store::{BindOutcome, BindingCaps, CapScope, NewBinding, PersonIndexKey, Store};

use crate::store::{new_application, open};
use crate::support::{Backend, on_both_databases};

const CAPS: BindingCaps = BindingCaps { per_operator: 3, total: 4 };

fn key() -> PersonIndexKey {
    PersonIndexKey::from_base64("test", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=").unwrap()
}

fn identity(n: u32) -> String {
    key().identity("UTO", &format!("L{n:08}"), "1974-08-12")
}

async fn binding(store: &Store, identity: &str, number: &str, operator: &str) -> NewBinding {
    let (application_id, _) = new_application(store).await;
    NewBinding {
        identity_key: identity.to_owned(),
        number_key: key().number(number),
        number_masked: format!("+66 8x xxx x{}", &number[number.len() - 3..]),
        operator: operator.to_owned(),
        application_id,
    }
}

async fn bind(store: &Store, identity: &str, number: &str, operator: &str) -> BindOutcome {
    let new = binding(store, identity, number, operator).await;
    store.bind_number(new, CAPS, chrono::Utc::now()).await.unwrap()
}

fn bound(outcome: &BindOutcome) -> bool {
    matches!(outcome, BindOutcome::Bound(_))
}

on_both_databases! {
    async fn the_caps_per_operator_and_in_all_hold_and_unbinding_frees_a_place(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let person = identity(1);

        let mut ais = Vec::new();
        for n in 0..3 {
            ais.push(bind(&store, &person, &format!("+6681000000{n}"), "ais").await);
        }
        let fourth_ais = bind(&store, &person, "+66810000009", "ais").await;
        let first_true = bind(&store, &person, "+66820000000", "true").await;
        let second_true = bind(&store, &person, "+66820000001", "true").await;
        let BindOutcome::Bound(first) = ais[0] else { panic!("{:?}", ais[0]) };
        let unbound = store.unbind_number(first, "digital_id_revoked", chrono::Utc::now()).await.unwrap();
        let again = store.unbind_number(first, "digital_id_revoked", chrono::Utc::now()).await.unwrap();
        let after = bind(&store, &person, "+66820000001", "true").await;

        assert!(ais.iter().all(bound), "{ais:?}");
        assert_eq!(fourth_ais, BindOutcome::CapReached(CapScope::Operator));
        assert!(bound(&first_true));
        assert_eq!(second_true, BindOutcome::CapReached(CapScope::Total));
        assert!(unbound && !again, "an ended binding ends once");
        assert!(bound(&after), "{after:?}");
        let held = store.bindings_of(&person).await.unwrap();
        assert_eq!(held.len(), 5);
        assert_eq!(held.iter().filter(|b| b.unbound_at.is_none()).count(), 4);
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn a_number_is_held_by_one_identity_and_binding_it_again_changes_nothing(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (owner, other) = (identity(1), identity(2));

        let first = bind(&store, &owner, "+66891234567", "ais").await;
        let again = bind(&store, &owner, "+66891234567", "ais").await;
        let stolen = bind(&store, &other, "+66891234567", "dtac").await;

        let BindOutcome::Bound(id) = first else { panic!("{first:?}") };
        assert_eq!(again, BindOutcome::AlreadyBound(id));
        assert_eq!(stolen, BindOutcome::NumberTaken);
        assert!(store.bindings_of(&other).await.unwrap().is_empty());
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn two_shops_binding_one_number_at_once_make_one_winner(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let mut rounds = Vec::new();

        for round in 0..8 {
            let number = format!("+6690000{round:04}");
            let (a, b) = (identity(100 + round), identity(200 + round));
            let first = binding(&store, &a, &number, "ais").await;
            let second = binding(&store, &b, &number, "true").await;
            let (x, y) = tokio::join!(
                store.bind_number(first, CAPS, chrono::Utc::now()),
                store.bind_number(second, CAPS, chrono::Utc::now()),
            );
            rounds.push((x.unwrap(), y.unwrap()));
        }

        for (x, y) in &rounds {
            let winners = [x, y].iter().filter(|o| bound(o)).count();
            let refused = [x, y].iter().filter(|o| ***o == BindOutcome::NumberTaken).count();
            assert_eq!((winners, refused), (1, 1), "{rounds:?}");
        }
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn one_person_at_two_shops_at_once_stays_within_the_cap(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let person = identity(7);
        for n in 0..2 {
            assert!(bound(&bind(&store, &person, &format!("+6661000000{n}"), "ais").await));
        }

        let first = binding(&store, &person, "+66610000008", "ais").await;
        let second = binding(&store, &person, "+66610000009", "ais").await;
        let (x, y) = tokio::join!(
            store.bind_number(first, CAPS, chrono::Utc::now()),
            store.bind_number(second, CAPS, chrono::Utc::now()),
        );

        let outcomes = [x.unwrap(), y.unwrap()];
        assert_eq!(outcomes.iter().filter(|o| bound(o)).count(), 1, "{outcomes:?}");
        assert!(outcomes.contains(&BindOutcome::CapReached(CapScope::Operator)), "{outcomes:?}");
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }

    async fn a_renewed_passport_counts_against_the_identity_its_registry_record_began_with(backend: Backend) {
        let (store, database, _dir) = open(backend).await;
        let (old_passport, renewed, stranger) = (identity(11), identity(12), identity(13));
        let record = key().registry_record("IMM-000042");
        let now = chrono::Utc::now();

        let first = store.carried_identity(&record, &old_passport, now).await.unwrap();
        let carried = store.carried_identity(&record, &renewed, now).await.unwrap();
        let elsewhere = store.carried_identity(&key().registry_record("IMM-000043"), &stranger, now).await.unwrap();
        assert_eq!((first.as_str(), carried.as_str()), (old_passport.as_str(), old_passport.as_str()));
        assert_eq!(elsewhere, stranger);
        assert_ne!(record, key().registry_record("IMM-00004"), "the record's id is hashed whole");

        // The renewed passport's numbers count with the old one's: its cap of 3 with AIS.
        for n in 0..2 {
            assert!(bound(&bind(&store, &first, &format!("+6662000000{n}"), "ais").await));
        }
        assert!(bound(&bind(&store, &carried, "+66620000002", "ais").await));
        let over = bind(&store, &carried, "+66620000003", "ais").await;
        assert_eq!(over, BindOutcome::CapReached(CapScope::Operator));

        // Two renewals linked at once agree on one identity.
        let contested = key().registry_record("IMM-000044");
        let (a, b) = (identity(21), identity(22));
        let (x, y) = tokio::join!(
            store.carried_identity(&contested, &a, now),
            store.carried_identity(&contested, &b, now),
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert_eq!(x, y);
        assert!(x == a || x == b);
        store.connection().clone().close().await.ok();
        database.drop_database().await;
    }
}
