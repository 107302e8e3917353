//! The `api` command: serve (the default), migrate, seed-demo, schema, token.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use api::auth::Role;
use api::auth::dev_issuer::{DevBinding, DevKey};
use api::config::{Overrides, Settings};
use api::domain::LaCode;
use api::service::{Store, seed};
use api::startup::{self, Application};
use clap::{Args, Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

#[derive(Parser)]
#[command(name = "api", version, about = "The partnership hub's GraphQL server")]
struct Cli {
    /// A TOML config file.
    #[arg(long, global = true, env = "HUB_CONFIG")]
    config: Option<PathBuf>,
    /// Where the SQLite database and the dev issuer's key live (default ./data).
    #[arg(long, global = true, env = "HUB_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, global = true, env = "HUB_BIND")]
    bind: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Add the South-East partnership and its 19 councils, without children (skipping what exists).
    SeedReference,
    /// Add the South-East demo partnership and demo children (skipping what exists).
    SeedDemo,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Print a token signed by the local dev issuer, which the demo server trusts.
    Token(TokenArgs),
}

#[derive(Args)]
struct TokenArgs {
    /// The council's LA code, e.g. 886 for Kent.
    #[arg(
        long,
        conflicts_with = "partnership",
        required_unless_present = "partnership"
    )]
    council: Option<String>,
    /// The partnership's code, e.g. SESLIP.
    #[arg(long)]
    partnership: Option<String>,
    /// A role; repeat for several (caseworker, manager, analyst, auditor, service,
    /// partnership_analyst, partnership_coordinator).
    #[arg(long = "role", required = true)]
    roles: Vec<String>,
    /// How long the token lasts, e.g. 30m, 1h, 8h.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    ttl: Duration,
    /// The token's subject.
    #[arg(long, default_value = "demo-user")]
    subject: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let overrides = Overrides {
        config_file: cli.config,
        data_dir: cli.data_dir,
        bind: cli.bind,
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Schema => {
            print!("{}", api::graphql::sdl());
            Ok(())
        }
        Command::Token(args) => token(&Settings::load(&overrides)?, args),
        Command::Migrate => {
            connect_and_migrate(&overrides).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::SeedReference => {
            let (db, _) = connect_and_migrate(&overrides).await?;
            seed::seed_reference_data(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e.client_message()))?;
            tracing::info!("reference data seeded");
            Ok(())
        }
        Command::SeedDemo => {
            let (db, settings) = connect_and_migrate(&overrides).await?;
            // One-off command: the audit log's read writer can share the one pool.
            let store = Store::new(
                db.clone(),
                db,
                settings.database.app_role.clone(),
                Default::default(),
                Default::default(),
            );
            let children = seed::seed_demo(&store)
                .await
                .map_err(|e| anyhow::anyhow!(e.client_message()))?;
            tracing::info!(children, "demo data seeded");
            Ok(())
        }
        Command::Serve => serve(Settings::load(&overrides)?).await,
    }
}

/// What every one-off database command starts with: logging, settings, the data directory, a
/// connection, and the migrations applied.
async fn connect_and_migrate(
    overrides: &Overrides,
) -> anyhow::Result<(sea_orm::DatabaseConnection, Settings)> {
    api::telemetry::init();
    let settings = Settings::load(overrides)?;
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "creating the data directory {}",
            settings.data_dir.display()
        )
    })?;
    let db = startup::connect(&settings).await?;
    Migrator::up(&db, None)
        .await
        .context("running migrations")?;
    Ok((db, settings))
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    api::telemetry::init();
    let graphiql = settings.graphiql_enabled();
    let dev_issuer = settings.dev_issuer_enabled();
    let app = Application::build(settings).await?;
    let address = app.address();
    tracing::info!(%address, "partnership hub listening");
    if graphiql {
        eprintln!("\n  GraphiQL:  http://{address}/graphql");
    }
    if dev_issuer {
        eprintln!("  A token:   cargo run -p api -- token --council 886 --role caseworker");
        eprintln!("             then add the header  Authorization: Bearer <token>  in GraphiQL\n");
    }
    app.run_until(shutdown_signal()).await
}

fn token(settings: &Settings, args: TokenArgs) -> anyhow::Result<()> {
    let binding = match (args.council, args.partnership) {
        (Some(code), None) => DevBinding::Council(
            LaCode::parse(&code)
                .map_err(anyhow::Error::msg)?
                .to_string(),
        ),
        (None, Some(code)) => DevBinding::Partnership(code.trim().to_owned()),
        _ => anyhow::bail!("give exactly one of --council or --partnership"),
    };
    let roles = args
        .roles
        .iter()
        .map(|name| Role::parse(name).with_context(|| format!("unknown role {name}")))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let key = DevKey::load_or_create(&settings.dev_key_path())?;
    println!("{}", key.mint(&binding, &args.subject, &roles, args.ttl)?);
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before exit.
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
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
