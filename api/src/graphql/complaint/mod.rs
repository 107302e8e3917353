//! Ombudsman complaints, remedies and the improvement plan as the API shows them: the types in
//! `types`, what callers send (and its parse) in `input`, the resolvers in `query` and
//! `mutation`, each reading scope, parse, service, answer; `owed` is the one field the case
//! page takes from here.

/// Keyset cursors for the committee's view.
mod cursor;
/// The input objects callers send, and their parse.
pub mod input;
/// Changing complaints, remedies and actions: managers only.
pub mod mutation;
/// The remedies still owed on a case, for the case page.
pub mod owed;
/// Reading complaints, the committee's view, and the counts analysts see.
pub mod query;
/// The enums and objects of complaints, remedies and actions.
pub mod types;
