//! The `idproof` command.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use clap::{Parser, Subcommand};
use idproof::{
    chip_cli, config::Config, dev, explain_cli, passport_cli, policy_cli, sandbox_cli, telemetry,
    trust_cli, wiring,
};
use idproof_api::Scope;
use idproof_proofing::{Clock, SystemClock};
use idproof_store::NewClient;

/// Identity proofing for foreigners in Thailand.
#[derive(Parser)]
#[command(name = "idproof", version)]
struct Cli {
    /// A TOML configuration file; `IDPROOF_`-prefixed environment variables override it.
    #[arg(long, global = true, env = "IDPROOF_CONFIG")]
    config: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// API and worker in one process, with a dev API key; for `just run`.
    Dev,
    /// The HTTP API only.
    Serve,
    /// The Temporal worker only.
    Worker,
    /// Apply pending database migrations.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Manage API clients.
    Client {
        #[command(subcommand)]
        command: ClientCommand,
    },
    /// Read passports.
    Passport {
        #[command(subcommand)]
        command: PassportCommand,
    },
    /// The CSCA trust store: import master lists, certificates and CRLs; coverage by state.
    Trust {
        #[command(subcommand)]
        command: trust_cli::TrustCommand,
    },
    /// The proofing policy: check a policy file before it is deployed.
    Policy {
        #[command(subcommand)]
        command: policy_cli::PolicyCommand,
    },
    /// The sandbox immigration registry, seeded with the test passports' people.
    ImmigrationSandbox(sandbox_cli::SandboxArgs),
}

#[derive(Subcommand)]
enum PassportCommand {
    /// Read the MRZ from a PNG or JPEG image, repair and check it; exits as parse-mrz does.
    Mrz {
        /// The image file (10 MB at most).
        image: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Parse and check typed MRZ lines; exits 0 when valid, 1 when a field fails, 2 when the
    /// lines are not an MRZ.
    ParseMrz {
        /// The lines, top to bottom (2 or 3).
        #[arg(required = true)]
        lines: Vec<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Verify a chip's files (EF.SOD, EF.DG*, aa/) offline against the trust store or a
    /// directory; exits 0 when valid, 1 when a check fails, 2 when it cannot be verified.
    VerifyChip(chip_cli::VerifyChipArgs),
}

#[derive(Subcommand)]
enum ClientCommand {
    /// Create a client and print its key, once.
    Create {
        /// A name people recognise.
        #[arg(long)]
        name: String,
        /// A scope the key carries; repeat for more. Default: every scope.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Where the client wants webhooks.
        #[arg(long)]
        callback_url: Option<String>,
    },
}

/// How long start-up waits for Temporal, which `just run` starts alongside.
const TEMPORAL_PATIENCE: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match &cli.command {
        Command::Openapi => {
            println!("{}", idproof_api::openapi_json());
            return Ok(());
        }
        Command::Passport { command: PassportCommand::ParseMrz { lines, json } } => {
            let (text, status) = passport_cli::parse_mrz(lines, *json);
            println!("{text}");
            std::process::exit(status);
        }
        Command::Passport { command: PassportCommand::Mrz { image, json } } => {
            let (text, status) = passport_cli::read_mrz(image, *json);
            println!("{text}");
            std::process::exit(status);
        }
        Command::Passport { command: PassportCommand::VerifyChip(args) } => {
            let (text, status) = chip_cli::verify(args, cli.config.as_deref()).await?;
            println!("{text}");
            std::process::exit(status);
        }
        Command::Policy { command: command @ policy_cli::PolicyCommand::Check { .. } } => {
            std::process::exit(policy_cli::run(command))
        }
        _ => {}
    }

    let mut config = Config::load(cli.config.as_deref())?;
    telemetry::init(&config.log);
    match cli.command {
        Command::Policy {
            command: policy_cli::PolicyCommand::Explain { application_id, json },
        } => {
            let store = wiring::open_store(&config).await?;
            let (text, status) = explain_cli::explain(&store, &application_id, json).await?;
            println!("{text}");
            std::process::exit(status);
        }
        Command::Openapi | Command::Passport { .. } | Command::Policy { .. } => Ok(()),
        Command::Migrate => {
            wiring::migrate(&config).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Client { command: ClientCommand::Create { name, scopes, callback_url } } => {
            create_client(&config, name, scopes, callback_url).await
        }
        Command::Trust { command } => {
            let status = trust_cli::run(&config, command).await?;
            std::process::exit(status);
        }
        Command::ImmigrationSandbox(args) if args.list => {
            print!("{}", sandbox_cli::demo_listing(&config, &args));
            Ok(())
        }
        Command::ImmigrationSandbox(args) => {
            sandbox_cli::run(&config, &args, shutdown_signal()).await
        }
        Command::Serve => {
            let store = wiring::open_store(&config).await?;
            let client = wiring::connect_temporal(&config, TEMPORAL_PATIENCE).await?;
            let api = wiring::start_api(&config, store, client, shutdown_signal()).await?;
            api.task.await.context("the API task panicked")?.context("the API server failed")
        }
        Command::Worker => {
            let policy = wiring::load_policy(&config)?;
            let store = wiring::open_store(&config).await?;
            let client = wiring::connect_temporal(&config, TEMPORAL_PATIENCE).await?;
            wiring::run_worker(&config, policy, store, client, shutdown_signal()).await
        }
        Command::Dev => {
            let policy = wiring::load_policy(&config)?;
            dev::ensure_evidence_key(&mut config)?;
            dev::use_stand_ins(&mut config);
            let store = wiring::open_store(&config).await?;
            let api_key = dev::ensure_api_key(&store, &config.dev.data_dir).await?;
            let sandbox =
                sandbox_cli::start_in_dev(&mut config, &api_key, shutdown_signal()).await?;
            let client = wiring::connect_temporal(&config, TEMPORAL_PATIENCE).await?;
            let api = wiring::start_api(&config, store.clone(), client.clone(), shutdown_signal())
                .await?;
            print_banner(&config, api.addr, &api_key, &sandbox_cli::dev_banner(&config, &sandbox));
            let worker = wiring::run_worker(&config, policy, store, client, shutdown_signal());
            let (worker, api, sandbox) = tokio::join!(worker, api.task, sandbox.task);
            worker?;
            sandbox
                .context("the sandbox registry's task panicked")?
                .context("the sandbox registry failed")?;
            api.context("the API task panicked")?.context("the API server failed")
        }
    }
}

async fn create_client(
    config: &Config,
    name: String,
    scopes: Vec<String>,
    callback_url: Option<String>,
) -> anyhow::Result<()> {
    let scopes = if scopes.is_empty() {
        Scope::ALL.iter().map(|scope| scope.as_str().to_owned()).collect()
    } else {
        for scope in &scopes {
            let known = Scope::ALL.iter().map(Scope::as_str).collect::<Vec<_>>().join(", ");
            Scope::parse(scope)
                .with_context(|| format!("unknown scope {scope:?}; known scopes: {known}"))?;
        }
        scopes
    };

    // Known before anything is stored: a client with a callback URL needs its secret.
    let signer = match &callback_url {
        Some(_) => Some(wiring::webhook_signer(config).context(
            "a callback URL needs the webhook key: set webhooks.signing_key or an evidence key",
        )?),
        None => None,
    };

    let store = wiring::open_store(config).await?;
    let (client, issued) =
        store.create_client(NewClient { name, scopes, callback_url }, SystemClock.now()).await?;
    println!("client id: {}", client.id);
    println!("scopes:    {}", client.scopes.join(" "));
    println!("api key:   {}", issued.key);
    println!("The key is shown once; only its hash is stored.");
    if let Some(signer) = signer {
        println!("webhook secret: {}", signer.secret_for(client.id.into()));
        println!(
            "Webhooks carry {}: t=UNIX_SECONDS,v1=HMAC-SHA256(secret, \"t.body\") in hex.",
            idproof_workflows::webhook::SIGNATURE_HEADER
        );
    }
    Ok(())
}

fn print_banner(config: &Config, addr: std::net::SocketAddr, api_key: &str, immigration: &str) {
    println!();
    println!("  idproof dev is up");
    println!("  API          http://{addr}/v1");
    println!("  Swagger UI   http://{addr}/docs");
    println!("  Temporal UI  {}", config.temporal.ui_address);
    println!("  dev API key  {api_key}");
    print!("{immigration}");
    println!();
    println!("  curl -s -X POST http://{addr}/v1/applications -H 'X-Api-Key: {api_key}' \\");
    println!("    -H 'Content-Type: application/json' \\");
    println!(
        "    -d '{{\"purpose\":\"digital_id\",\"tier\":\"t1\",\"channel\":\"self_service\"}}'"
    );
    println!();
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
