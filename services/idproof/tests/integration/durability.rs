//! Durability: a worker killed mid-step, and a Temporal server killed and restarted. In both the
//! application reaches its end once, and no step is recorded twice.

use std::time::{Duration, Instant};

use idproof_testkit::TemporalDevServer;
use idproof_workflows::ProofingWorkflow;
use temporalio_client::{WorkflowExecutionStatus, WorkflowFetchHistoryOptions};

use crate::support::{Backend, TestApp, on_both_databases};

const T1: &str = r#"{"purpose":"digital_id","tier":"t1","channel":"self_service"}"#;

/// Waits until the intake verdict is in the database.
async fn wait_for_intake_row(app: &TestApp) {
    let started = Instant::now();
    while app.count("step_result").await == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no intake verdict\n{}",
            app.worker_logs()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Checks each step was recorded once, and the workflow completed once.
async fn assert_recorded_once(app: &TestApp, id: &str, closing_step: &str) {
    let application = app.get_application(id).await;
    let steps: Vec<_> = application["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["step"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(steps, ["intake", closing_step], "{application}");
    assert_eq!(app.count("step_result").await, 2);

    let handle = app.temporal.get_workflow_handle::<ProofingWorkflow>(id.to_owned());
    // The database says the application ended a moment before Temporal closes the workflow.
    let started = Instant::now();
    let mut status = handle.describe(Default::default()).await.unwrap().status();
    while status == WorkflowExecutionStatus::Running && started.elapsed() < Duration::from_secs(30)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
        status = handle.describe(Default::default()).await.unwrap().status();
    }
    assert_eq!(status, WorkflowExecutionStatus::Completed);
    let history = handle.fetch_history(WorkflowFetchHistoryOptions::default());
    let events = history.into_events().await.unwrap();
    let completions = events
        .iter()
        .filter(|event| format!("{:?}", event.event_type()).contains("WorkflowExecutionCompleted"))
        .count();
    assert_eq!(completions, 1);
}

on_both_databases! {
    async fn a_worker_killed_mid_step_is_replaced(backend: Backend) {
        let mut app = TestApp::spawn_with(backend, |config| {
            config.proofing.step_timeout_secs = 2;
            config.proofing.idle_timeout_secs = 4;
        })
        .await;
        // The first worker pauses after writing the intake verdict, before it reports back.
        app.kill_worker();
        app.start_worker(Some("intake:60000"));
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        wait_for_intake_row(&app).await;

        app.kill_worker();
        app.start_worker(None);

        let expired = app.wait_for_status(&id, "expired", Duration::from_secs(60)).await;
        assert_eq!(expired["steps"][0]["attempt"], 1);
        assert_recorded_once(&app, &id, "expiry").await;
        let logs = app.worker_logs();
        assert!(logs.contains("failpoint pause"), "the first worker never paused:\n{logs}");
        assert!(logs.contains("verdict already recorded"), "the retry did not find the verdict:\n{logs}");
        app.stop().await;
    }

    async fn a_temporal_server_restart_loses_nothing(backend: Backend) {
        let mut temporal = tokio::task::block_in_place(TemporalDevServer::start).unwrap();
        let app = TestApp::spawn_on(backend, &temporal.address(), |config| {
            config.proofing.idle_timeout_secs = 6;
        })
        .await;
        let id = app.create_application(T1).await["id"].as_str().unwrap().to_owned();
        app.wait_for_status(&id, "awaiting_evidence", Duration::from_secs(30)).await;

        tokio::task::block_in_place(|| temporal.restart_after_crash()).unwrap();

        app.wait_for_status(&id, "expired", Duration::from_secs(90)).await;
        assert_recorded_once(&app, &id, "expiry").await;
        app.stop().await;
        drop(temporal);
    }
}
