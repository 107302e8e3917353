//! The GraphQL schema: one query and one mutation object per domain, merged; resolvers stay thin
//! and call services.

/// The audit log, for auditors.
pub mod audit;
/// Batch upserts for councils' case systems.
pub mod batch;
/// The council's school calendar and deadline settings.
pub mod calendar;
/// Cases: the timeline, provision, evidence and deadlines.
pub mod case;
/// Children: queries and mutations over a council's identifiable records.
pub mod child;
/// Ombudsman complaints, remedies, the improvement plan and the committee's view.
pub mod complaint;
/// Helpers for resolvers: the caller, the store, ids and cursors.
pub mod context;
/// Who am I, my council, my partnership.
pub mod identity;
/// The partnership's metric catalogue and pupil populations.
pub mod metric;
/// Releases: compiling, disclosure settings, published figures.
pub mod release;
/// A council's returns: compute, submit, approve, read.
pub mod returns;

use async_graphql::{EmptySubscription, MergedObject, Schema};

use crate::config::Settings;
use crate::service::Store;

/// All queries.
#[derive(MergedObject, Default)]
pub struct Query(
    audit::AuditQuery,
    identity::IdentityQuery,
    child::ChildQuery,
    case::query::CaseQuery,
    calendar::CalendarQuery,
    complaint::query::ComplaintQuery,
    metric::MetricQuery,
    returns::ReturnQuery,
    release::query::ReleaseQuery,
);

/// All mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    batch::BatchMutation,
    child::ChildMutation,
    case::mutation::CaseMutation,
    calendar::CalendarMutation,
    complaint::mutation::ComplaintMutation,
    metric::MetricMutation,
    returns::ReturnMutation,
    release::mutation::ReleaseMutation,
);

pub type HubSchema = Schema<Query, Mutation, EmptySubscription>;

/// Limits resolvers enforce themselves.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_page_size: u32,
    pub max_batch_rows: usize,
}

/// Builds the schema with its limits; `store` is absent only when printing the SDL.
pub fn build_schema(settings: &Settings, store: Option<Store>) -> HubSchema {
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(settings.server.max_depth)
        .limit_complexity(settings.server.max_complexity)
        .data(Limits {
            max_page_size: settings.server.max_page_size,
            max_batch_rows: settings.server.max_batch_rows,
        });
    if let Some(store) = store {
        builder = builder.data(store);
    }
    if !settings.introspection_enabled() {
        builder = builder.disable_introspection();
    }
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    build_schema(&Settings::default(), None).sdl()
}
