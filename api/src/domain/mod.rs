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
/// Ombudsman complaints and remedies: the LGSCO reference, and what is due, overdue and done.
pub mod complaint;
/// Opaque keyset cursors for every connection: the codec, shared by all lists.
pub mod cursor;
/// Provision deadlines, days without provision, reviews and evidence expiry.
pub mod deadline;
/// Disclosure control of shared figures: symbols, primary and secondary suppression, the exact audit.
pub mod disclosure;
/// The DfE 3-digit local authority code.
pub mod la_code;
/// The figures partnerships share: the standard catalogue, breakdowns and their categories.
pub mod metric;
/// Periods figures are returned for, and their DfE time_period and time_identifier.
pub mod period;
/// The South-East demo partnership and its councils (reference data).
pub mod reference;
/// Assembling a release from approved returns: like-for-like groups and published cells.
pub mod release;
/// A council's return: checking submitted cells, their digest, reading CSV.
pub mod returns;
/// Unique pupil numbers and their check letter.
pub mod upn;

pub use la_code::LaCode;
pub use upn::Upn;
