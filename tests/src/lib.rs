//! The test harness: a real server on a random port, a real database per test (PostgreSQL from a
//! migrated template, or a fresh SQLite file), real signed JWTs, and a JWKS served on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed set-up or query should stop the test with its message"
)]
#![allow(
    clippy::disallowed_methods,
    reason = "the tests attack the locks with deliberately unscoped and raw queries"
)]

pub mod cluster;
pub mod database;
pub mod figures;
pub mod tokens;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use api::config::{IssuerSettings, Profile, Secret, Settings};
use api::startup::Application;
use axum::Json;
use axum::routing::get;
use serde_json::{Value, json};
use tokio::sync::{RwLock, oneshot};

pub use database::{Backend, TestDatabase};
pub use tokens::{Caller, TokenFactory};

/// Kent: its IdP signs RS256 and publishes a JWKS.
pub const KENT: &str = "886";
/// Surrey: its IdP signs ES256 with a static key and names roles its own way.
pub const SURREY: &str = "936";
/// The partnership's code.
pub const PARTNERSHIP: &str = "SESLIP";
/// The audience every test issuer uses.
pub const AUDIENCE: &str = "partnership-hub-test";
pub const KENT_ISSUER: &str = "https://idp.kent.test";
pub const SURREY_ISSUER: &str = "https://idp.surrey.test";
pub const PARTNERSHIP_ISSUER: &str = "https://idp.seslip.test";

/// The path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// A JWKS endpoint whose keys a test can rotate, counting how often it is fetched.
pub struct JwksServer {
    pub url: String,
    keys: Arc<RwLock<Value>>,
    fetches: Arc<AtomicUsize>,
    _shutdown: oneshot::Sender<()>,
}

impl JwksServer {
    pub async fn start(initial: Vec<Value>) -> Self {
        let keys = Arc::new(RwLock::new(json!({ "keys": initial })));
        let fetches = Arc::new(AtomicUsize::new(0));
        let (served_keys, counter) = (keys.clone(), fetches.clone());
        let router = axum::Router::new().route(
            "/jwks.json",
            get(move || {
                let (keys, counter) = (served_keys.clone(), counter.clone());
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    Json(keys.read().await.clone())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind jwks");
        let address = listener.local_addr().expect("jwks address");
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    stopped.await.ok();
                })
                .await
                .ok();
        });
        Self {
            url: format!("http://{address}/jwks.json"),
            keys,
            fetches,
            _shutdown: shutdown,
        }
    }

    /// Replaces the published keys, as an IdP does when it rotates.
    pub async fn publish(&self, keys: Vec<Value>) {
        *self.keys.write().await = json!({ "keys": keys });
    }

    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::SeqCst)
    }
}

/// Reads a public JWK fixture.
pub fn jwk(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(&format!("{name}.jwk.json"))).expect("jwk fixture");
    serde_json::from_str(&text).expect("jwk json")
}

/// How to build a test server.
#[derive(Clone, Debug)]
pub struct Options {
    pub backend: Backend,
    /// Minimum seconds between JWKS refreshes triggered by unknown kids.
    pub jwks_min_refresh_seconds: u64,
    pub profile: Profile,
    /// The server's pool size: small for tests, which run many servers side by side.
    pub max_connections: u32,
    /// The PostgreSQL server to create the database on (a test's own [`cluster::Cluster`]);
    /// `None` for the shared one.
    pub admin_url: Option<String>,
    /// `server.cors_allowed_origins`.
    pub cors_allowed_origins: Vec<String>,
    /// Changes the settings last, for a test of one setting (tight rate limits, say).
    pub configure: fn(&mut Settings),
}

impl Options {
    pub fn new(backend: Backend) -> Self {
        Self {
            backend,
            jwks_min_refresh_seconds: 0,
            profile: Profile::Production,
            max_connections: 4,
            admin_url: None,
            cors_allowed_origins: Vec::new(),
            configure: |_| {},
        }
    }
}

/// A running server and everything needed to talk to it.
pub struct TestApp {
    pub address: SocketAddr,
    pub http: reqwest::Client,
    pub tokens: TokenFactory,
    pub jwks: JwksServer,
    /// Shared by every server started on it ([`TestApp::spawn_beside`]); dropped with the last.
    pub database: Arc<TestDatabase>,
    pub settings: Settings,
    statements: Arc<std::sync::atomic::AtomicU64>,
    statement_log: api::service::StatementLog,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// A production-profile server on `backend`, with Kent, Surrey and the partnership's issuers
    /// trusted and the South-East councils loaded.
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(Options::new(backend)).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        let database = match &options.admin_url {
            Some(admin) => TestDatabase::create_on(options.backend, admin).await,
            None => TestDatabase::create(options.backend).await,
        };
        Self::start(Arc::new(database), &options).await
    }

    /// Another server (another instance of the hub, with a JWKS server of its own) on this one's
    /// database.
    pub async fn spawn_beside(&self, options: Options) -> Self {
        Self::start(self.database.clone(), &options).await
    }

    async fn start(database: Arc<TestDatabase>, options: &Options) -> Self {
        let jwks = JwksServer::start(vec![jwk("kent-rs256-a")]).await;
        let settings = settings_for(&database, &jwks, options);
        let app = Application::build(settings.clone())
            .await
            .expect("build the server");
        api::service::seed::seed_reference_data(&app.store().db)
            .await
            .map_err(|e| e.client_message())
            .expect("seed councils");
        let address = app.address();
        let statements = app.store().statements.clone();
        let statement_log = app.store().statement_log.clone();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until(async {
            stopped.await.ok();
        }));
        Self {
            address,
            http: reqwest::Client::new(),
            tokens: TokenFactory::new(),
            jwks,
            database,
            settings,
            statements,
            statement_log,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// Starts the server's graceful shutdown, as SIGTERM would; the handle ends when it has.
    pub fn begin_shutdown(&mut self) -> tokio::task::JoinHandle<anyhow::Result<()>> {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        self.server
            .take()
            .expect("the server was already shut down")
    }

    /// Statements the server has sent to its database so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::SeqCst)
    }

    /// The server's statement recorder: `start()` before a request, `stop()` after, to see the
    /// statements (with their values) it sent.
    pub fn statement_log(&self) -> &api::service::StatementLog {
        &self.statement_log
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// POSTs a GraphQL request with a bearer token; returns the status and the JSON body.
    pub async fn graphql(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status().as_u16();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("expected a JSON body, got HTTP {status}: {text:?}"));
        (status, body)
    }

    /// A token for `caller`, valid for an hour.
    pub fn token(&self, caller: Caller, roles: &[&str]) -> String {
        self.tokens.token(caller, roles)
    }

    /// Creates a child as `token` and returns its id.
    pub async fn create_child(
        &self,
        token: &str,
        given: &str,
        family: &str,
        upn: Option<&str>,
    ) -> String {
        let (status, body) = self
            .graphql(
                token,
                "mutation($input: CreateChildInput!) { createChild(input: $input) { id } }",
                json!({ "input": {
                    "givenName": given, "familyName": family, "dateOfBirth": "2014-03-09",
                    "sex": "FEMALE", "yearGroup": 7, "upn": upn,
                }}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body["data"]["createChild"]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("createChild failed: {body}"))
            .to_owned()
    }
}

/// Settings for a test server: production profile, port 0, the test issuers.
pub fn settings_for(database: &TestDatabase, jwks: &JwksServer, options: &Options) -> Settings {
    let mut settings = Settings {
        profile: options.profile,
        data_dir: database.data_dir(),
        ..Settings::default()
    };
    settings.database.url = Some(Secret::new(database.url()));
    settings.database.max_connections = options.max_connections;
    settings.server.bind = "127.0.0.1:0".into();
    settings.server.cors_allowed_origins = options.cors_allowed_origins.clone();
    settings.auth.jwks_min_refresh_seconds = options.jwks_min_refresh_seconds;
    settings.auth.leeway_seconds = 5;
    // On, but far above what any test sends (the auth tests send many bad tokens from one
    // address); tests of the limits set their own through `configure`.
    settings.rate_limit.per_principal_per_second = 10_000;
    settings.rate_limit.per_principal_burst = 10_000;
    settings.rate_limit.batch_per_minute = 10_000;
    settings.rate_limit.unauthenticated_per_second = 10_000;
    settings.rate_limit.unauthenticated_burst = 10_000;
    settings.auth.issuers = vec![
        IssuerSettings {
            issuer: KENT_ISSUER.into(),
            audience: AUDIENCE.into(),
            algorithms: vec!["RS256".into()],
            typ: None,
            jwks_url: Some(jwks.url.clone()),
            public_key_pem: None,
            hs256_secret: None,
            allow_hs256: false,
            council: Some(KENT.into()),
            partnership: None,
            roles_claim: "roles".into(),
            role_map: Default::default(),
        },
        IssuerSettings {
            issuer: SURREY_ISSUER.into(),
            audience: AUDIENCE.into(),
            algorithms: vec!["ES256".into()],
            typ: None,
            jwks_url: None,
            public_key_pem: Some(fixture("surrey-es256.pub.pem")),
            hs256_secret: None,
            allow_hs256: false,
            council: Some(SURREY.into()),
            partnership: None,
            // Surrey's IdP puts roles in `groups` under its own names.
            roles_claim: "groups".into(),
            role_map: [
                ("CME-Officer".to_owned(), "caseworker".to_owned()),
                ("CME-Manager".to_owned(), "manager".to_owned()),
                ("Insight".to_owned(), "analyst".to_owned()),
            ]
            .into_iter()
            .collect(),
        },
        IssuerSettings {
            issuer: PARTNERSHIP_ISSUER.into(),
            audience: AUDIENCE.into(),
            algorithms: vec!["ES256".into()],
            typ: None,
            jwks_url: None,
            public_key_pem: Some(fixture("partnership-es256.pub.pem")),
            hs256_secret: None,
            allow_hs256: false,
            council: None,
            partnership: Some(PARTNERSHIP.into()),
            roles_claim: "roles".into(),
            role_map: Default::default(),
        },
    ];
    (options.configure)(&mut settings);
    settings
}

/// The `extensions.code` of the first error in a GraphQL response.
pub fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no error code>")
}

/// The `extensions.field` of the first error in a GraphQL response.
pub fn error_field(body: &Value) -> &str {
    body["errors"][0]["extensions"]["field"]
        .as_str()
        .unwrap_or("<no field>")
}

/// Runs an async test body once on each store, as `postgres` and `sqlite` tests.
#[macro_export]
macro_rules! on_both_stores {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn postgres() {
                super::$name($crate::Backend::Postgres).await
            }
            #[tokio::test]
            async fn sqlite() {
                super::$name($crate::Backend::Sqlite).await
            }
        }
    };
}
