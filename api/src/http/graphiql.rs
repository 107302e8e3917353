//! GraphiQL, served whole by the hub: the page, its start-up script, GraphiQL, React and their
//! licences are embedded in the binary (`api/assets/graphiql/`, where a README says which versions
//! and how to update them). Nothing comes from a CDN, so the page works on a council network that
//! blocks public CDNs, or with no internet at all, and its Content-Security-Policy can allow
//! scripts, styles and requests from the hub alone.

use std::sync::LazyLock;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::state::AppState;

/// The page's policy: everything from the hub; fonts and two small images that GraphiQL's CSS
/// inlines as `data:` URLs. No `unsafe-inline`, no `unsafe-eval`.
pub const PAGE_CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src data:; connect-src 'self'; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Files under `/graphiql/` change only with the binary, and their URLs carry a hash of their
/// contents: browsers may keep them.
const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

/// One embedded file, served at `/graphiql/<name>`.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

macro_rules! asset {
    ($name:literal, $content_type:expr) => {
        Asset {
            name: $name,
            content_type: $content_type,
            bytes: include_bytes!(concat!("../../assets/graphiql/", $name)),
        }
    };
}

static ASSETS: [Asset; 10] = [
    asset!("react.production.min.js", JAVASCRIPT),
    asset!("react-dom.production.min.js", JAVASCRIPT),
    asset!("graphiql.min.js", JAVASCRIPT),
    asset!("graphiql.min.css", CSS),
    asset!("hub.js", JAVASCRIPT),
    asset!("hub.css", CSS),
    asset!("LICENSE.graphiql", TEXT),
    asset!("LICENSE.react", TEXT),
    asset!("LICENSE.react-dom", TEXT),
    asset!("THIRD-PARTY-LICENSES.txt", TEXT),
];

const PAGE_TEMPLATE: &str = include_str!("../../assets/graphiql/index.html");

/// The page, rendered once: each `{{file}}` becomes `graphiql/<file>?v=<hash of its contents>`.
/// The URLs are relative to `/graphql`, so the page also works behind a proxy that adds a path
/// prefix.
static PAGE: LazyLock<String> = LazyLock::new(|| render_page(PAGE_TEMPLATE));

fn render_page(template: &str) -> String {
    ASSETS.iter().fold(template.to_owned(), |page, asset| {
        let digest = Sha256::digest(asset.bytes);
        let version: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
        page.replace(
            &format!("{{{{{}}}}}", asset.name),
            &format!("graphiql/{}?v={version}", asset.name),
        )
    })
}

fn disabled() -> Response {
    (
        StatusCode::NOT_FOUND,
        "GraphiQL is disabled; POST GraphQL requests here",
    )
        .into_response()
}

/// `GET /graphql`: the GraphiQL page where enabled.
pub async fn page(State(state): State<AppState>) -> Response {
    if !state.settings.graphiql_enabled() {
        return disabled();
    }
    let mut response = Html(PAGE.as_str()).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CONTENT_SECURITY_POLICY),
    );
    response
}

/// `GET /graphiql/{file}`: one of the page's embedded files, where GraphiQL is enabled.
pub async fn asset(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    if !state.settings.graphiql_enabled() {
        return disabled();
    }
    let Some(asset) = ASSETS.iter().find(|asset| asset.name == file) else {
        return (StatusCode::NOT_FOUND, "no such GraphiQL file").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, ASSET_CACHE_CONTROL),
        ],
        Body::from(asset.bytes),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_the_page_names_is_embedded_and_versioned() {
        let page = render_page(PAGE_TEMPLATE);
        assert!(!page.contains("{{"), "an unknown file in the page: {page}");
        for name in [
            "react.production.min.js",
            "react-dom.production.min.js",
            "graphiql.min.js",
            "graphiql.min.css",
            "hub.js",
            "hub.css",
        ] {
            assert!(
                page.contains(&format!("\"graphiql/{name}?v=")),
                "{name} is not on the page: {page}"
            );
        }
    }

    #[test]
    fn the_page_has_no_inline_script_or_style_and_no_outside_address() {
        let page = render_page(PAGE_TEMPLATE);
        assert_eq!(
            page.matches("<script").count(),
            page.matches("<script src=\"graphiql/").count(),
            "every script is a served file"
        );
        assert!(!page.contains("<style"), "styles are served files");
        assert!(!page.contains("style="), "no inline style attributes");
        assert!(!page.contains("//"), "no absolute or protocol-relative URL");
    }

    #[test]
    fn the_page_policy_allows_the_hub_alone_and_no_eval() {
        let policy = PAGE_CONTENT_SECURITY_POLICY;
        assert!(!policy.contains("unsafe-"), "{policy}");
        assert!(!policy.contains("http"), "{policy}");
        assert!(!policy.contains('*'), "{policy}");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    }
}
