//! Seeding: every category in every status, near ends, the test chips' holders; the same plan
//! gives the same people, and seeding again adds no one.

use std::collections::BTreeSet;

use chrono::Days;
use idproof_immigration_sandbox::SandboxConfig;
use idproof_immigration_sandbox::records::{Category, Status};
use idproof_test_passports::chip::write;
use reqwest::StatusCode;

use crate::{TestSandbox, day};

#[tokio::test]
async fn every_category_is_seeded_in_every_status_with_some_stays_ending_soon() {
    let sandbox = TestSandbox::start().await;
    let records = sandbox.all_records().await;
    assert_eq!(records.len() as u64, sandbox.running.registry.count().await.unwrap());
    assert_eq!(records.len(), sandbox.running.seeded.people);

    let pairs: BTreeSet<(Category, Status)> =
        records.iter().map(|record| (record.visa_category, record.status)).collect();
    for category in Category::ALL {
        for status in Status::ALL {
            assert!(pairs.contains(&(category, status)), "no {category} {status}");
        }
    }

    let days_left = |record: &&idproof_immigration_sandbox::records::StayRecord| {
        (record.permitted_stay_end.unwrap() - day()).num_days()
    };
    let current: Vec<_> =
        records.iter().filter(|record| record.status == Status::InCountry).collect();
    assert!(current.iter().all(|record| days_left(record) >= 0));
    let within_30 = current.iter().filter(|record| days_left(record) <= 30).count();
    let under_180 = current.iter().filter(|record| (31..180).contains(&days_left(record))).count();
    assert!(within_30 >= Category::ALL.len(), "{within_30} stays end within 30 days");
    assert!(under_180 >= 10, "{under_180} stays have 31 to 179 days left");

    for record in &records {
        let refs = &record.references;
        match record.visa_category {
            Category::SmartT
            | Category::SmartI
            | Category::SmartE
            | Category::SmartS
            | Category::SmartO => {
                assert!(refs.smart_approval.is_some() && refs.work_permit.is_none())
            }
            Category::LtrWgc | Category::LtrWp | Category::LtrWftp | Category::LtrHsp => {
                assert!(refs.ltr_approval.is_some())
            }
            Category::NonLMou => assert!(refs.work_permit.is_some()),
            Category::NonIb => assert!(refs.work_permit.is_some() && refs.boi_approval.is_some()),
            _ => {}
        }
    }
}

#[tokio::test]
async fn seeding_is_deterministic_and_twice_adds_no_one() {
    let directory = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-seeding");
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).unwrap();
    // A directory that does not exist yet: the sandbox makes it.
    let file = directory.join("not-yet").join("registry.sqlite");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let config = SandboxConfig { database_url: url, ..SandboxConfig::ephemeral() };

    let first = TestSandbox::start_with(config.clone()).await;
    assert_eq!(first.running.seeded.inserted as usize, first.running.seeded.people);
    let records = first.all_records().await;

    let again = TestSandbox::start_with(config).await;
    assert_eq!(again.running.seeded.inserted, 0);
    assert_eq!(again.all_records().await, records);

    // Another database seeded with the same plan holds the same records.
    let fresh = TestSandbox::start().await;
    assert_eq!(fresh.all_records().await, records);
}

#[tokio::test]
async fn every_valid_test_chip_holder_is_in_the_country_on_a_long_stay() {
    let directory = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("sandbox-chips");
    let _ = std::fs::remove_dir_all(&directory);
    let sandbox = TestSandbox::start().await;
    let plan = sandbox.running.plan;
    let manifest = write::write(plan.seed, plan.as_of, &directory).unwrap();

    let valid: Vec<_> = manifest.chips.iter().filter(|chip| chip.expected == "valid").collect();
    assert!(valid.len() >= 9);
    for chip in valid {
        let line = &chip.page_mrz[1];
        let number = line[0..9].trim_end_matches('<');
        let nationality = line[10..13].trim_end_matches('<');
        let birth = &line[13..19];
        let (status, body) = sandbox.lookup(nationality, number, "1900-01-01").await;
        assert_eq!(status, StatusCode::OK, "{}: {body}", chip.name);
        let record: idproof_immigration_sandbox::records::StayRecord =
            serde_json::from_value(body["record"].clone()).unwrap();
        assert_eq!(record.date_of_birth.format("%y%m%d").to_string(), birth, "{}", chip.name);
        assert_eq!(record.status, Status::InCountry, "{}", chip.name);
        assert!(record.permitted_stay_end.unwrap() >= day() + Days::new(300), "{}", chip.name);
    }
}

#[tokio::test]
async fn the_demo_people_are_listed_for_the_admin_only() {
    let sandbox = TestSandbox::start().await;
    let (status, people) = sandbox.admin(reqwest::Method::GET, "/admin/demo-people", None).await;
    assert_eq!(status, StatusCode::OK);
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), sandbox.running.seeded.demo.len());
    assert_eq!(people[0]["record_id"], "IMM-DEMO-01");
    assert_eq!(people[0]["mrz"].as_array().unwrap().len(), 2);
    let statuses: BTreeSet<&str> = people.iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, BTreeSet::from(["barred", "departed", "in_country", "overstayed"]));

    let (status, _) = sandbox.get("/admin/demo-people").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
