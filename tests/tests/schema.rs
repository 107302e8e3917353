//! The committed SDL is the schema the server serves.

#[test]
fn schema_graphql_matches_the_server() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../schema.graphql"))
            .expect("schema.graphql at the repository root");
    let current = api::graphql::sdl();
    assert!(
        committed == current,
        "schema.graphql is out of date: run `cargo run -p api -- schema > schema.graphql`"
    );
}
