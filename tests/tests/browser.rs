//! GraphiQL in a real browser, offline: headless Chromium (Debian's `chromium` and
//! `chromium-driver`) driven through chromedriver's W3C WebDriver API over plain HTTP. The page
//! must render, take a pasted token in its Headers pane, run a query through GraphiQL's own
//! fetcher and show the answer, with every request going to the hub alone. Chromium runs with
//! every host name unresolvable, so a CDN could not answer even if the page asked one.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`.ci/run` installs them); set
//! `HUB_SKIP_BROWSER=1` to skip on a machine without them. The screenshot goes to
//! `<target dir>/graphiql.png`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use api::auth::Role;
use api::auth::dev_issuer::{DevBinding, DevKey};
use api::config::Profile;
use base64::Engine;
use hub_tests::{Backend, Options, TestApp};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// W3C WebDriver's key for an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// Bounds every wait, so a page that never renders fails instead of hanging.
const PATIENCE: Duration = Duration::from_secs(30);
const SUBJECT: &str = "graphiql-in-chromium";

#[tokio::test]
async fn graphiql_runs_a_query_with_a_pasted_token_offline_in_chromium() {
    if std::env::var("HUB_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("HUB_SKIP_BROWSER=1: GraphiQL's browser test skipped");
        return;
    }
    for program in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(program).exists(),
            "{program} is missing: install Chromium and its driver with \
             `apt-get install -y chromium chromium-driver` (.ci/run does), \
             or set HUB_SKIP_BROWSER=1 to skip this test"
        );
    }
    let app = TestApp::spawn_with(Options {
        profile: Profile::Demo,
        ..Options::new(Backend::Sqlite)
    })
    .await;
    // What `api token --council 886 --role caseworker` prints, minted with the server's dev key.
    let token = DevKey::load_or_create(&app.settings.dev_key_path())
        .expect("dev key")
        .mint(
            &DevBinding::Council("886".into()),
            SUBJECT,
            &[Role::Caseworker],
            Duration::from_secs(600),
        )
        .expect("mint");

    let driver = Chromedriver::start(&app.settings.data_dir);
    let browser = Browser::open(&driver, &app.settings.data_dir.join("chromium")).await;
    // The session is closed even when an assertion fails, so no Chromium outlives the test.
    let outcome = tokio::spawn(use_graphiql(browser.clone(), app.url(""), token)).await;
    browser.close().await;
    if let Err(failure) = outcome {
        std::panic::resume_unwind(failure.into_panic());
    }
}

/// Issue 9's walk-through on the demo server: Kent's manager computes and approves Kent's return,
/// the coordinator compiles a corrected release, and a partnership analyst reads it in GraphiQL,
/// where suppressed and missing figures show as symbols, never as numbers.
#[tokio::test]
async fn a_partnership_analyst_reads_a_release_with_its_symbols_in_graphiql() {
    if std::env::var("HUB_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("HUB_SKIP_BROWSER=1: GraphiQL's release test skipped");
        return;
    }
    let app = TestApp::spawn_with(Options {
        profile: Profile::Demo,
        ..Options::new(Backend::Sqlite)
    })
    .await;
    let key = DevKey::load_or_create(&app.settings.dev_key_path()).expect("dev key");
    let mint = |binding: DevBinding, role: Role| {
        key.mint(&binding, SUBJECT, &[role], Duration::from_secs(600))
            .expect("mint")
    };
    let manager = mint(DevBinding::Council("886".into()), Role::Manager);
    let coordinator = mint(
        DevBinding::Partnership("SESLIP".into()),
        Role::PartnershipCoordinator,
    );
    let analyst = mint(
        DevBinding::Partnership("SESLIP".into()),
        Role::PartnershipAnalyst,
    );

    let (_, body) = app
        .graphql(
            &manager,
            "mutation { computeReturn(period: \"2025-26\") { id status } }",
            json!({}),
        )
        .await;
    let kent_return = body["data"]["computeReturn"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();
    let (_, body) = app
        .graphql(
            &manager,
            "mutation($id: ID!) { approveReturn(id: $id) { status } }",
            json!({ "id": kent_return }),
        )
        .await;
    assert_eq!(
        body["data"]["approveReturn"]["status"], "APPROVED",
        "{body}"
    );
    let (_, body) = app
        .graphql(
            &coordinator,
            "mutation { compileRelease(period: \"2025-26\", reason: \"Kent approved its return\") { id revision } }",
            json!({}),
        )
        .await;
    let release = body["data"]["compileRelease"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned();

    let driver = Chromedriver::start(&app.settings.data_dir);
    let browser = Browser::open(&driver, &app.settings.data_dir.join("chromium")).await;
    let query = format!(
        "{{ release(id: \"{release}\") {{ period revision reason settings {{ threshold roundingBase }}
           cells(code: \"referrals\") {{ group council {{ name }} breakdown category value {{ display symbol }} }} }} }}"
    );
    let origin = app.url("");
    let reading = {
        let browser = browser.clone();
        tokio::spawn(async move {
            run_in_graphiql(&browser, &origin, &analyst, &query).await;
            let shown = browser
                .wait_until(
                    "the result pane shows the release's cells",
                    // The result editor's whole text: the pane itself only renders what is in view.
                    "const editor = document.querySelector('.result-window .CodeMirror');
                     const text = editor ? editor.CodeMirror.getValue() : '';
                     return text.includes('SUPPRESSED') ? text : null;",
                )
                .await;
            keep_screenshot(&browser, "graphiql-release.png").await;
            shown
        })
    }
    .await;
    browser.close().await;
    let shown = match reading {
        Ok(shown) => shown,
        Err(failure) => std::panic::resume_unwind(failure.into_panic()),
    };
    let shown = shown.as_str().unwrap_or("");
    // The revision the coordinator just compiled, its reason, and councils without an approved
    // return shown as `x`: never a number standing in for a missing figure.
    assert!(shown.contains("Kent approved its return"), "{shown}");
    assert!(shown.contains("\"display\": \"x\""), "{shown}");
    assert!(shown.contains("Wokingham"), "{shown}");
}

/// What an officer does: open GraphiQL, paste a token into Headers, type a query, press Run.
async fn run_in_graphiql(browser: &Browser, origin: &str, token: &str, query: &str) {
    browser.navigate(&format!("{origin}/graphql")).await;
    browser
        .wait_until(
            "GraphiQL renders its query and headers editors",
            "return !!document.querySelector('.graphiql-query-editor .CodeMirror') \
               && !!document.querySelector('.graphiql-editor-tool .CodeMirror') \
               && !!document.querySelector('.graphiql-execute-button');",
        )
        .await;

    // Paste into the editors (CodeMirror's own API, as a paste would: it fires the change events
    // GraphiQL listens to). The Headers pane is the one showing the Authorization template.
    let headers = json!({ "Authorization": format!("Bearer {token}") }).to_string();
    let pasted = browser
        .execute(
            "const [query, headers] = arguments;
             const editors = [...document.querySelectorAll('.CodeMirror')].map(e => e.CodeMirror);
             const headerEditor = editors.find(e => e.getValue().includes('Authorization'));
             if (!headerEditor) return 'no Headers editor with the Authorization template';
             headerEditor.setValue(headers);
             document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.setValue(query);
             return 'pasted';",
            json!([query, headers]),
        )
        .await;
    assert_eq!(pasted, "pasted");
    browser.click(".graphiql-execute-button").await;
}

/// Saves what the browser shows under the target dir.
async fn keep_screenshot(browser: &Browser, name: &str) {
    let screenshot = browser.screenshot().await;
    let path = target_dir().join(name);
    std::fs::create_dir_all(path.parent().expect("target dir")).expect("target dir");
    std::fs::write(&path, screenshot).expect("write the screenshot");
    eprintln!("GraphiQL screenshot: {}", path.display());
}

async fn use_graphiql(browser: Browser, origin: String, token: String) {
    run_in_graphiql(&browser, &origin, &token, "{ me { subject } }").await;
    let shown = browser
        .wait_until(
            "the result pane shows the caller's subject",
            &format!(
                "const pane = document.querySelector('.result-window');
                 return pane && pane.innerText.includes('{SUBJECT}') ? pane.innerText : null;"
            ),
        )
        .await;
    assert!(
        shown.as_str().unwrap_or("").contains("\"subject\""),
        "{shown}"
    );

    keep_screenshot(&browser, "graphiql.png").await;

    // Offline: the page, its files and its queries all came from the hub.
    let urls = browser
        .execute(
            "return performance.getEntriesByType('navigation')
               .concat(performance.getEntriesByType('resource')).map(e => e.name);",
            json!([]),
        )
        .await;
    let urls: Vec<&str> = urls
        .as_array()
        .expect("urls")
        .iter()
        .map(|url| url.as_str().expect("url"))
        .collect();
    for url in &urls {
        assert!(
            url.starts_with(&format!("{origin}/")),
            "the page fetched {url}, not from the hub: {urls:?}"
        );
    }
    for file in [
        "react.production.min.js",
        "graphiql.min.js",
        "graphiql.min.css",
        "hub.js",
    ] {
        assert!(
            urls.iter()
                .any(|url| url.starts_with(&format!("{origin}/graphiql/{file}?v="))),
            "{file} was not loaded from the hub: {urls:?}"
        );
    }
    assert!(
        urls.iter().any(|url| *url == format!("{origin}/graphql")),
        "the query did not go through GraphiQL's fetcher to /graphql: {urls:?}"
    );

    // Nothing the page itself does trips its Content-Security-Policy...
    let log = browser.log().await;
    let violations: Vec<&Value> = log
        .iter()
        .filter(|entry| {
            entry["message"]
                .as_str()
                .is_some_and(|message| message.contains("Content Security Policy"))
        })
        .collect();
    assert!(
        violations.is_empty(),
        "the page breaks its own policy: {violations:?}"
    );

    // ...and the policy refuses a script or a request to anywhere else, before any network.
    for (directive, attempt) in [
        (
            "script-src-elem",
            "const s = document.createElement('script');
             s.src = 'https://unpkg.com/react@18/umd/react.production.min.js';
             document.head.appendChild(s);",
        ),
        (
            "connect-src",
            "fetch('https://unpkg.com/').catch(() => {});",
        ),
    ] {
        let violation = browser
            .execute_async(&format!(
                "const done = arguments[arguments.length - 1];
                 document.addEventListener('securitypolicyviolation',
                   e => done({{ directive: e.effectiveDirective, blocked: e.blockedURI }}),
                   {{ once: true }});
                 setTimeout(() => done(null), 5000);
                 {attempt}"
            ))
            .await;
        assert_eq!(violation["directive"], directive, "{violation}");
        assert!(
            violation["blocked"]
                .as_str()
                .unwrap_or("")
                .starts_with("https://unpkg.com"),
            "{violation}"
        );
    }
}

/// `CARGO_TARGET_DIR`, or the workspace's `target`.
fn target_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf();
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    }
}

/// A chromedriver process on a free port, killed when dropped.
struct Chromedriver {
    process: Child,
    url: String,
    log: PathBuf,
}

impl Chromedriver {
    fn start(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let log = dir.join("chromedriver.log");
        let process = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        Self {
            process,
            url: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        self.process.kill().ok();
        self.process.wait().ok();
    }
}

/// One WebDriver session: a headless Chromium.
#[derive(Clone)]
struct Browser {
    http: reqwest::Client,
    /// `<chromedriver>/session/<id>`.
    session: String,
}

impl Browser {
    async fn open(driver: &Chromedriver, profile: &Path) -> Self {
        let http = reqwest::Client::builder()
            .timeout(PATIENCE)
            .build()
            .expect("http client");
        let started = Instant::now();
        loop {
            let ready = http.get(format!("{}/status", driver.url)).send().await;
            if let Ok(status) = ready
                && let Ok(body) = status.json::<Value>().await
                && body["value"]["ready"] == true
            {
                break;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "chromedriver did not start: {}",
                driver.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1280,800",
                    // Offline: no host name resolves, so nothing but the hub (an IP address)
                    // could answer.
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL" },
        }}});
        let response = http
            .post(format!("{}/session", driver.url))
            .json(&capabilities)
            .send()
            .await
            .expect("create a WebDriver session");
        let body: Value = response.json().await.expect("session JSON");
        let id = body["value"]["sessionId"].as_str().unwrap_or_else(|| {
            panic!("chromedriver refused the session: {body}\n{}", driver.log())
        });
        Self {
            session: format!("{}/session/{id}", driver.url),
            http,
        }
    }

    /// A WebDriver command; its `value`, or a panic naming the WebDriver error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|error| panic!("WebDriver {method} {path}: {error}"));
        let status = response.status();
        let body: Value = response.json().await.expect("WebDriver JSON");
        assert!(status.is_success(), "WebDriver {method} {path}: {body}");
        body["value"].clone()
    }

    async fn navigate(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn execute(&self, script: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
        .await
    }

    async fn execute_async(&self, script: &str) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// Runs `script` until it returns something truthy, and returns that.
    async fn wait_until(&self, what: &str, script: &str) -> Value {
        let started = Instant::now();
        loop {
            let value = self.execute(script, json!([])).await;
            if !matches!(value, Value::Null | Value::Bool(false)) {
                return value;
            }
            if started.elapsed() > PATIENCE {
                let page = self
                    .execute("return document.body.innerText.slice(0, 2000);", json!([]))
                    .await;
                panic!(
                    "waited {PATIENCE:?} for {what}; the page shows: {page}\nconsole: {:?}",
                    self.log().await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn click(&self, css: &str) {
        let element = self
            .command(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        let id = element[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {element}"));
        self.command(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn screenshot(&self) -> Vec<u8> {
        let png = self
            .command(reqwest::Method::GET, "/screenshot", None)
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(png.as_str().expect("base64 PNG"))
            .expect("PNG")
    }

    /// The browser console since the last call.
    async fn log(&self) -> Vec<Value> {
        let entries = self
            .command(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({ "type": "browser" })),
            )
            .await;
        entries.as_array().cloned().unwrap_or_default()
    }

    async fn close(&self) {
        self.http.delete(&self.session).send().await.ok();
    }
}
