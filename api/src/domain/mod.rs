//! Pure domain logic: types that validate when parsed, and rules that need no storage.

/// The audit log's hash chain and who acted: the encoding, and checking a walk of the chain.
pub mod audit;
/// School days on a council's calendar, with the bank-holiday fallback.
pub mod calendar;
/// A case's inputs, validated field by field: hours of provision, dates that have happened.
pub mod case;
/// A child's details, validated field by field.
pub mod child;
/// Today's date in England, which deadlines count from.
pub mod clock;
/// Opaque keyset cursors for every connection: the codec, shared by all lists.
pub mod cursor;
/// Provision deadlines, days without provision, reviews and evidence expiry.
pub mod deadline;
/// The DfE 3-digit local authority code.
pub mod la_code;
/// The South-East demo partnership and its councils (reference data).
pub mod reference;
/// Unique pupil numbers and their check letter.
pub mod upn;

pub use la_code::LaCode;
pub use upn::Upn;
