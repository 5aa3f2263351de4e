//! `idproof policy explain APPLICATION_ID`: the decision on an application as an officer reads
//! it: the tier reached and until when, the flags, each rule the policy applied, and the steps
//! whose verdicts it rested on. It prints ids, codes and dates the decision holds, no evidence.

use std::fmt::Write as _;

use anyhow::Context;
use idproof_proofing::ApplicationId;
use idproof_store::{ApplicationRecord, DecisionRecord, StepRecord, Store};
use serde_json::{Value, json};

/// Explains the latest decision on `application_id`; the text and the exit status (0 decided,
/// 1 no decision yet, 2 no such application).
pub async fn explain(
    store: &Store,
    application_id: &str,
    as_json: bool,
) -> anyhow::Result<(String, i32)> {
    let Ok(uuid) = uuid::Uuid::parse_str(application_id) else {
        return Ok((format!("{application_id:?} is not an application id (a UUID)"), 2));
    };
    let id = ApplicationId::from(uuid);
    let application = match store.application(id).await {
        Ok(application) => application,
        Err(idproof_store::StoreError::NotFound { .. }) => {
            return Ok((format!("no application {id}"), 2));
        }
        Err(err) => return Err(err).context("failed to read the application"),
    };
    let steps = store.steps(id).await.context("failed to read the steps")?;
    let decision = store.latest_decision(id).await.context("failed to read the decision")?;

    let Some(decision) = decision else {
        let text = if as_json {
            json!({ "application_id": id.to_string(), "status": application.status.as_str(), "decision": null })
                .to_string()
        } else {
            format!("application {id} ({}): not decided yet", application.status)
        };
        return Ok((text, 1));
    };
    let text = if as_json {
        as_json_text(&application, &steps, &decision)
    } else {
        as_table(&application, &steps, &decision)
    };
    Ok((text, 0))
}

fn as_json_text(
    application: &ApplicationRecord,
    steps: &[StepRecord],
    decision: &DecisionRecord,
) -> String {
    json!({
        "application_id": application.id.to_string(),
        "status": application.status.as_str(),
        "purpose": application.purpose.as_str(),
        "tier_requested": application.tier.as_str(),
        "channel": application.channel.as_str(),
        "decision": {
            "attempt": decision.attempt,
            "policy_version": decision.policy_version,
            "user_group": decision.user_group,
            "tier": decision.tier.map(|tier| tier.as_str()),
            "valid_until": decision.valid_until,
            "flags": decision.flags,
            "rules": decision.explanation.get("rules").cloned().unwrap_or(Value::Null),
            "decided_at": decision.decided_at,
        },
        "steps": steps.iter().map(|step| json!({
            "step": step.step.as_str(),
            "attempt": step.attempt,
            "verdict": step.verdict.as_str(),
            "reason": step.reason,
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

fn as_table(
    application: &ApplicationRecord,
    steps: &[StepRecord],
    decision: &DecisionRecord,
) -> String {
    let mut out = String::new();
    let tier = decision.tier.map_or("none", |tier| tier.as_str());
    let valid = decision.valid_until.map_or_else(|| "-".to_owned(), |day| day.to_string());
    let group = decision.user_group.as_deref().unwrap_or("unknown");
    let _ = writeln!(out, "application {} ({})", application.id, application.status);
    let _ = writeln!(
        out,
        "asked: {} {} via {}",
        application.purpose, application.tier, application.channel
    );
    let _ = writeln!(
        out,
        "decided: tier {tier}, valid until {valid}, group {group}, policy version {}",
        decision.policy_version
    );

    let flags = decision.flags.as_array().map(Vec::as_slice).unwrap_or_default();
    if !flags.is_empty() {
        let _ = writeln!(out, "\nflags");
        for flag in flags {
            let _ = writeln!(out, "  {:<24} {}", text(&flag["code"]), text(&flag["reason"]));
        }
    }

    let rules = decision.explanation["rules"].as_array().map(Vec::as_slice).unwrap_or_default();
    let width = rules.iter().map(|rule| text(&rule["rule"]).len()).max().unwrap_or(4).max(4);
    let _ = writeln!(out, "\nrules");
    for rule in rules {
        let held = if rule["held"] == Value::Bool(true) { "held" } else { "not held" };
        let evidence = rule["evidence"]
            .as_array()
            .map(|sources| sources.iter().map(text).collect::<Vec<_>>().join(", "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<width$}  {held:<8}  {}",
            text(&rule["rule"]),
            text(&rule["reason"])
        );
        if !evidence.is_empty() {
            let _ = writeln!(out, "  {:<width$}            from: {evidence}", "");
        }
    }

    let _ = writeln!(out, "\nsteps");
    for step in steps {
        let _ = writeln!(
            out,
            "  {:<12} #{}  {:<8} {}",
            step.step, step.attempt, step.verdict, step.reason
        );
    }
    out.trim_end().to_owned()
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}
