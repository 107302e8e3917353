//! Settings: built-in defaults, then a TOML file, then `HUB_*` environment variables, then flags.
//!
//! Environment variables use `__` between sections (`HUB_SERVER__BIND`), with a few short names
//! people reach for first: `HUB_BIND`, `HUB_DATA_DIR`, `HUB_CONFIG` and `DATABASE_URL`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};

use crate::domain::LaCode;

/// Which defaults apply: the one-command demo, or a real deployment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    /// GraphiQL, introspection, the local dev issuer and demo data on.
    #[default]
    Demo,
    /// All of those off unless configured.
    Production,
}

/// A value that must never be printed (a database URL with a password, an HMAC secret).
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret itself; call only where it is used.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// All settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub profile: Profile,
    /// Where the SQLite database and the dev issuer's key live.
    pub data_dir: PathBuf,
    pub database: DatabaseSettings,
    pub server: ServerSettings,
    pub auth: AuthSettings,
    pub rate_limit: RateLimitSettings,
    pub demo: DemoSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            profile: Profile::Demo,
            data_dir: PathBuf::from("./data"),
            database: DatabaseSettings::default(),
            server: ServerSettings::default(),
            auth: AuthSettings::default(),
            rate_limit: RateLimitSettings::default(),
            demo: DemoSettings::default(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://...` or `sqlite://...`; unset means SQLite at `<data_dir>/hub.db`.
    pub url: Option<Secret>,
    pub max_connections: u32,
    /// The non-owner role council work runs as on PostgreSQL. It must not be able to bypass RLS.
    pub app_role: String,
    /// Run pending migrations when the server starts.
    pub migrate_on_start: bool,
    /// How long a request waits for a database connection before it is refused with
    /// SERVICE_UNAVAILABLE (HTTP 503): short, so an outage fails fast instead of queueing.
    pub acquire_timeout_seconds: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            max_connections: 16,
            app_role: migration::APP_ROLE.to_owned(),
            migrate_on_start: true,
            acquire_timeout_seconds: 2,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub bind: String,
    /// Serve GraphiQL on `GET /graphql`. Default: on in demo, off in production.
    pub graphiql: Option<bool>,
    /// Answer introspection queries. Default: on in demo, off in production.
    pub introspection: Option<bool>,
    pub request_timeout_seconds: u64,
    pub max_query_bytes: usize,
    pub max_body_bytes: usize,
    pub max_depth: usize,
    pub max_complexity: usize,
    /// Largest `first` a connection accepts.
    pub max_page_size: u32,
    /// Most rows one batch upsert accepts.
    pub max_batch_rows: usize,
    /// Most requests served at once; beyond it a request is refused at once with HTTP 503 and
    /// `Retry-After` rather than queued until it times out.
    pub max_in_flight: usize,
    /// On shutdown, how long requests already in flight may take to finish.
    pub shutdown_grace_seconds: u64,
    /// Browser origins (`https://cases.kent.gov.uk`) allowed to call the API; none by default.
    pub cors_allowed_origins: Vec<String>,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".to_owned(),
            graphiql: None,
            introspection: None,
            request_timeout_seconds: 30,
            max_query_bytes: 16 * 1024,
            max_body_bytes: 8 * 1024 * 1024,
            max_depth: 12,
            max_complexity: 2_000,
            max_page_size: 100,
            max_in_flight: 256,
            shutdown_grace_seconds: 30,
            cors_allowed_origins: Vec::new(),
            max_batch_rows: 10_000,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Trust the local dev issuer (`api token`). Default: on in demo, off in production.
    pub dev_issuer: Option<bool>,
    /// Clock skew allowed on `exp` and `nbf`.
    pub leeway_seconds: u64,
    /// How long a fetched JWKS is trusted before it is fetched again.
    pub jwks_cache_seconds: u64,
    /// A token with an unknown `kid` triggers a JWKS refresh at most this often per issuer.
    pub jwks_min_refresh_seconds: u64,
    pub issuers: Vec<IssuerSettings>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            dev_issuer: None,
            leeway_seconds: 30,
            jwks_cache_seconds: 3_600,
            jwks_min_refresh_seconds: 60,
            issuers: Vec::new(),
        }
    }
}

/// One trusted identity provider and what it may speak for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssuerSettings {
    /// The exact `iss` claim.
    pub issuer: String,
    /// The `aud` claim tokens must carry for this hub.
    pub audience: String,
    /// Accepted `alg` values, e.g. `["RS256"]`.
    pub algorithms: Vec<String>,
    /// The `typ` header every token of this issuer must carry (`"at+jwt"`); unset: not checked.
    #[serde(default)]
    pub typ: Option<String>,
    pub jwks_url: Option<String>,
    /// Path to a PEM public key (RSA, EC or Ed25519).
    pub public_key_pem: Option<PathBuf>,
    /// Shared HMAC secret; refused unless `allow_hs256 = true`. For development only.
    pub hs256_secret: Option<Secret>,
    #[serde(default)]
    pub allow_hs256: bool,
    /// The LA code of the one council this issuer speaks for.
    pub council: Option<String>,
    /// The code of the partnership this issuer speaks for.
    pub partnership: Option<String>,
    /// The claim holding roles; a dotted path reaches into objects (`realm_access.roles`).
    #[serde(default = "default_roles_claim")]
    pub roles_claim: String,
    /// The identity provider's role names mapped to the hub's (`"CME-Officer" = "caseworker"`).
    #[serde(default)]
    pub role_map: BTreeMap<String, String>,
}

/// What an issuer may speak for, from its `council` or `partnership` setting: tokens it signs
/// are bound to that one council or partnership whatever they claim.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Binding {
    /// One council, by its DfE code.
    Council(LaCode),
    /// One partnership, by its code.
    Partnership(String),
}

/// Where an issuer's verification keys come from: exactly one of its three key settings.
#[derive(Clone, Copy, Debug)]
pub enum KeySource<'a> {
    /// `jwks_url`: fetched, cached and refreshed.
    Jwks(&'a str),
    /// `public_key_pem`: a PEM public key file.
    PublicKeyPem(&'a Path),
    /// `hs256_secret`: a shared HMAC secret, for development only.
    Hs256Secret(&'a Secret),
}

/// An issuer's settings that keep every rule in [`IssuerSettings::check`], parsed: what the
/// verifier builds its issuers from.
#[derive(Debug)]
pub struct CheckedIssuer<'a> {
    /// The settings themselves, for the values no rule constrains (audience, roles claim...).
    pub settings: &'a IssuerSettings,
    /// The accepted `alg` values, never empty.
    pub algorithms: Vec<Algorithm>,
    /// Where the keys come from, consistent with `algorithms`.
    pub keys: KeySource<'a>,
    /// What the issuer speaks for.
    pub binding: Binding,
}

impl IssuerSettings {
    /// Every rule an issuer's settings must keep, checked in this one place (at load by
    /// [`Settings::validate`], and again by the verifier, which tests build without loading):
    /// known algorithms; exactly one key source, and one that suits them (HMAC only from
    /// `hs256_secret`, which needs `allow_hs256`, HS256 alone and at least 32 bytes); exactly one
    /// of council or partnership, a council by a valid LA code; a `typ`, if set, not blank. Each
    /// error names the issuer.
    pub fn check(&self) -> anyhow::Result<CheckedIssuer<'_>> {
        let name = &self.issuer;
        anyhow::ensure!(
            !self.algorithms.is_empty(),
            "issuer {name}: list its algorithms"
        );
        let algorithms = self
            .algorithms
            .iter()
            .map(|alg| {
                Algorithm::from_str(alg)
                    .map_err(|_| anyhow::anyhow!("issuer {name}: unknown algorithm {alg}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let hmac = algorithms
            .iter()
            .any(|alg| matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512));
        let keys = match (&self.jwks_url, &self.public_key_pem, &self.hs256_secret) {
            (Some(url), None, None) => {
                anyhow::ensure!(
                    !hmac,
                    "issuer {name}: HMAC algorithms cannot come from a JWKS"
                );
                KeySource::Jwks(url)
            }
            (None, Some(path), None) => {
                anyhow::ensure!(!hmac, "issuer {name}: HMAC algorithms need hs256_secret");
                KeySource::PublicKeyPem(path)
            }
            (None, None, Some(secret)) => {
                anyhow::ensure!(
                    self.allow_hs256,
                    "issuer {name}: hs256_secret needs allow_hs256 = true (development only)"
                );
                anyhow::ensure!(
                    algorithms == [Algorithm::HS256],
                    "issuer {name}: an hs256_secret issuer accepts HS256 only"
                );
                // RFC 7518 §3.2: an HMAC key at least as long as the hash (256 bits for HS256).
                anyhow::ensure!(
                    secret.expose().len() >= MIN_HS256_SECRET_BYTES,
                    "issuer {name}: hs256_secret must be at least {MIN_HS256_SECRET_BYTES} bytes"
                );
                KeySource::Hs256Secret(secret)
            }
            _ => anyhow::bail!(
                "issuer {name}: set exactly one of jwks_url, public_key_pem, hs256_secret"
            ),
        };
        let binding = match (&self.council, &self.partnership) {
            (Some(code), None) => Binding::Council(
                LaCode::parse(code).map_err(|error| anyhow::anyhow!("issuer {name}: {error}"))?,
            ),
            (None, Some(code)) => Binding::Partnership(code.clone()),
            _ => anyhow::bail!("issuer {name}: set exactly one of council or partnership"),
        };
        if let Some(typ) = &self.typ {
            anyhow::ensure!(
                !typ.trim().is_empty() && typ.trim() == typ,
                "issuer {name}: typ must be a media type like \"at+jwt\", without spaces"
            );
        }
        Ok(CheckedIssuer {
            settings: self,
            algorithms,
            keys,
            binding,
        })
    }
}

impl AuthSettings {
    /// Every issuer, checked (see [`IssuerSettings::check`]), each `iss` configured once.
    pub fn checked_issuers(&self) -> anyhow::Result<Vec<CheckedIssuer<'_>>> {
        let mut names = HashSet::new();
        self.issuers
            .iter()
            .map(|issuer| {
                anyhow::ensure!(
                    names.insert(issuer.issuer.as_str()),
                    "issuer {} is configured twice",
                    issuer.issuer
                );
                issuer.check()
            })
            .collect()
    }
}

/// The shortest `hs256_secret` accepted: 256 bits, the size of HS256's hash (RFC 7518 §3.2).
pub const MIN_HS256_SECRET_BYTES: usize = 32;

fn default_roles_claim() -> String {
    "roles".to_owned()
}

/// Per-caller request limits (a token bucket per caller): a runaway client is answered
/// RATE_LIMITED (HTTP 429, `Retry-After`) instead of slowing every council down.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSettings {
    /// Off only for load tests.
    pub enabled: bool,
    /// Sustained requests a second per principal (issuer + subject).
    pub per_principal_per_second: u32,
    /// Requests a principal may send at once before the sustained rate applies.
    pub per_principal_burst: u32,
    /// Batch upserts a minute per principal: their own, smaller budget.
    pub batch_per_minute: u32,
    /// Requests a second per client IP address for requests without a valid token.
    pub unauthenticated_per_second: u32,
    /// Burst for requests without a valid token, per client IP address.
    pub unauthenticated_burst: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            per_principal_per_second: 50,
            per_principal_burst: 100,
            batch_per_minute: 30,
            unauthenticated_per_second: 5,
            unauthenticated_burst: 20,
        }
    }
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoSettings {
    /// Seed the South-East demo partnership when the database has no councils.
    /// Default: on in demo, off in production.
    pub seed_when_empty: Option<bool>,
}

/// Values given on the command line, which beat everything else.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub bind: Option<String>,
}

impl Settings {
    /// Loads defaults, the config file, the environment and flags, in that order.
    pub fn load(overrides: &Overrides) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        let config_file = overrides
            .config_file
            .clone()
            .or_else(|| std::env::var_os("HUB_CONFIG").map(PathBuf::from));
        if let Some(path) = &config_file {
            anyhow::ensure!(
                path.exists(),
                "config file {} does not exist",
                path.display()
            );
            figment = figment.merge(Toml::file(path));
        }
        figment = figment
            .merge(
                Env::prefixed("HUB_")
                    .split("__")
                    // HUB_SKIP_BROWSER is the test suite's, not a setting.
                    .ignore(&["config", "bind", "skip_browser"]),
            )
            .merge(
                Env::raw()
                    .only(&["DATABASE_URL"])
                    .map(|_| "database.url".into()),
            )
            .merge(Env::raw().only(&["HUB_BIND"]).map(|_| "server.bind".into()));
        if let Some(dir) = &overrides.data_dir {
            figment = figment.merge(Serialized::default("data_dir", dir));
        }
        if let Some(bind) = &overrides.bind {
            figment = figment.merge(Serialized::default("server.bind", bind));
        }
        let settings: Settings = figment.extract()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Refuses settings that cannot work, before anything starts.
    pub fn validate(&self) -> anyhow::Result<()> {
        self.auth.checked_issuers()?;
        anyhow::ensure!(
            self.server.max_page_size > 0,
            "server.max_page_size must be positive"
        );
        anyhow::ensure!(
            self.server.max_in_flight > 0,
            "server.max_in_flight must be positive"
        );
        anyhow::ensure!(
            self.database.acquire_timeout_seconds > 0,
            "database.acquire_timeout_seconds must be at least 1"
        );
        let limits = &self.rate_limit;
        anyhow::ensure!(
            !limits.enabled
                || [
                    limits.per_principal_per_second,
                    limits.per_principal_burst,
                    limits.batch_per_minute,
                    limits.unauthenticated_per_second,
                    limits.unauthenticated_burst,
                ]
                .iter()
                .all(|n| *n > 0),
            "rate_limit: every limit must be positive (set rate_limit.enabled = false to turn them off)"
        );
        for origin in &self.server.cors_allowed_origins {
            anyhow::ensure!(
                is_origin(origin),
                "server.cors_allowed_origins: {origin:?} must be an origin like https://cases.example.gov.uk (http or https, a lower-case host, an optional port; no path, no wildcard)"
            );
        }
        Ok(())
    }

    /// The database URL, defaulting to SQLite in the data directory.
    pub fn database_url(&self) -> Secret {
        match &self.database.url {
            Some(url) => url.clone(),
            None => Secret::new(format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("hub.db").display()
            )),
        }
    }

    pub fn graphiql_enabled(&self) -> bool {
        self.server
            .graphiql
            .unwrap_or(self.profile == Profile::Demo)
    }

    pub fn introspection_enabled(&self) -> bool {
        self.server
            .introspection
            .unwrap_or(self.profile == Profile::Demo)
    }

    pub fn dev_issuer_enabled(&self) -> bool {
        self.auth
            .dev_issuer
            .unwrap_or(self.profile == Profile::Demo)
    }

    pub fn seed_when_empty(&self) -> bool {
        self.demo
            .seed_when_empty
            .unwrap_or(self.profile == Profile::Demo)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.server.request_timeout_seconds.max(1))
    }

    /// Where the dev issuer's ES256 private key is kept.
    pub fn dev_key_path(&self) -> PathBuf {
        dev_key_path(&self.data_dir)
    }
}

/// The dev issuer's key file inside a data directory.
pub fn dev_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("dev-issuer-es256.pem")
}

/// Whether `value` is a browser origin as a browser sends it: `http` or `https`, a lower-case
/// host of letters, digits, dots and hyphens, and an optional port; nothing else.
fn is_origin(value: &str) -> bool {
    let Some(rest) = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
    else {
        return false;
    };
    let (host, port) = rest.split_once(':').unwrap_or((rest, ""));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-');
    let port_ok = port.is_empty() && !rest.contains(':')
        || !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    host_ok && port_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_origins_are_accepted_for_cors() {
        for good in [
            "https://cases.kent.gov.uk",
            "http://localhost:3000",
            "https://10.0.0.7:8443",
        ] {
            assert!(is_origin(good), "{good}");
        }
        for bad in [
            "*",
            "https://*.kent.gov.uk",
            "https://cases.kent.gov.uk/",
            "https://cases.kent.gov.uk/app",
            "https://Cases.Kent.gov.uk",
            "ftp://cases.kent.gov.uk",
            "https://",
            "https://host:",
            "https://host:80:81",
            "cases.kent.gov.uk",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }

    fn issuer() -> IssuerSettings {
        IssuerSettings {
            issuer: "https://idp.kent.example".into(),
            audience: "hub".into(),
            algorithms: vec!["RS256".into()],
            typ: None,
            jwks_url: Some("https://idp.kent.example/jwks".into()),
            public_key_pem: None,
            hs256_secret: None,
            allow_hs256: false,
            council: Some("886".into()),
            partnership: None,
            roles_claim: default_roles_claim(),
            role_map: BTreeMap::new(),
        }
    }

    #[test]
    fn an_issuer_bound_to_both_a_council_and_a_partnership_is_refused() {
        let mut settings = Settings::default();
        let mut both = issuer();
        both.partnership = Some("SESLIP".into());
        settings.auth.issuers.push(both);
        assert!(settings.validate().is_err());
    }

    #[test]
    fn hs256_without_allow_hs256_is_refused() {
        let mut settings = Settings::default();
        let mut hs = issuer();
        hs.jwks_url = None;
        hs.hs256_secret = Some(Secret::new("d".repeat(MIN_HS256_SECRET_BYTES)));
        // A secret issuer accepts HS256 alone (see the next test), as the verifier always required.
        hs.algorithms = vec!["HS256".into()];
        settings.auth.issuers.push(hs.clone());
        assert!(settings.validate().is_err());
        hs.allow_hs256 = true;
        settings.auth.issuers = vec![hs];
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn a_secret_issuer_accepting_anything_but_hs256_is_refused_at_load() {
        let mut settings = Settings::default();
        let mut hs = issuer();
        hs.jwks_url = None;
        hs.hs256_secret = Some(Secret::new("d".repeat(MIN_HS256_SECRET_BYTES)));
        hs.allow_hs256 = true;
        settings.auth.issuers.push(hs);
        let refused = settings.validate().map_err(|error| error.to_string());
        assert_eq!(
            refused,
            Err(
                "issuer https://idp.kent.example: an hs256_secret issuer accepts HS256 only".into()
            )
        );
    }

    #[test]
    fn an_hs256_secret_shorter_than_256_bits_is_refused_at_load() {
        let mut hs = issuer();
        hs.jwks_url = None;
        hs.allow_hs256 = true;
        hs.algorithms = vec!["HS256".into()];
        hs.hs256_secret = Some(Secret::new("d".repeat(MIN_HS256_SECRET_BYTES - 1)));
        let refused = hs.check().map(|_| ()).map_err(|error| error.to_string());
        assert_eq!(
            refused,
            Err("issuer https://idp.kent.example: hs256_secret must be at least 32 bytes".into())
        );
        hs.hs256_secret = Some(Secret::new("d".repeat(MIN_HS256_SECRET_BYTES)));
        assert!(hs.check().is_ok());
    }

    #[test]
    fn a_blank_typ_is_refused_at_load() {
        for typ in ["", " at+jwt"] {
            let mut typed = issuer();
            typed.typ = Some(typ.into());
            assert!(typed.check().is_err(), "{typ:?}");
        }
        let mut typed = issuer();
        typed.typ = Some("at+jwt".into());
        assert!(typed.check().is_ok());
    }

    #[test]
    fn hmac_from_a_jwks_or_a_pem_key_is_refused() {
        let mut jwks = issuer();
        jwks.algorithms = vec!["HS256".into()];
        assert!(jwks.check().is_err());
        let mut pem = jwks.clone();
        pem.jwks_url = None;
        pem.public_key_pem = Some("/etc/hub/kent.pem".into());
        assert!(pem.check().is_err());
    }

    #[test]
    fn unknown_algorithms_bad_la_codes_and_missing_key_sources_are_refused_at_load() {
        let mut unknown = issuer();
        unknown.algorithms = vec!["RS257".into()];
        let mut bad_code = issuer();
        bad_code.council = Some("E10000016".into());
        let mut no_keys = issuer();
        no_keys.jwks_url = None;
        for broken in [unknown, bad_code, no_keys] {
            let mut settings = Settings::default();
            settings.auth.issuers.push(broken);
            assert!(settings.validate().is_err());
        }
    }

    #[test]
    fn an_issuer_configured_twice_is_refused_at_load() {
        let mut settings = Settings::default();
        settings.auth.issuers = vec![issuer(), issuer()];
        assert!(settings.validate().is_err());
    }

    #[test]
    fn a_checked_issuer_carries_its_parsed_algorithms_keys_and_binding() {
        let kent = issuer();
        let checked = kent.check().expect("a valid issuer");
        assert_eq!(checked.algorithms, [Algorithm::RS256]);
        assert!(matches!(
            checked.keys,
            KeySource::Jwks("https://idp.kent.example/jwks")
        ));
        assert_eq!(
            checked.binding,
            Binding::Council(LaCode::parse("886").expect("la code"))
        );
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("postgres://u:pw@h/db")),
            "Secret(***)"
        );
    }

    #[test]
    fn production_turns_demo_conveniences_off() {
        let settings = Settings {
            profile: Profile::Production,
            ..Settings::default()
        };
        assert!(!settings.graphiql_enabled());
        assert!(!settings.introspection_enabled());
        assert!(!settings.dev_issuer_enabled());
        assert!(!settings.seed_when_empty());
    }
}
