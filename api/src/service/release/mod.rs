//! Releases: compiling a partnership's disclosure-controlled figures for a period from its
//! members' approved returns, corrections as new revisions, reads, and the partnership's
//! disclosure settings (docs/domain.md, "Releases").

/// Compiling a release (and its revisions) from approved returns.
mod compile;
/// The demo partnership's published release.
mod demo;
/// Earlier revisions of a period, rebuilt to protect a correction against them.
mod history;
/// Reading releases: who may, the list, one release with its cells.
mod read;
/// The partnership's disclosure settings.
mod settings;
/// What the compile transaction reads: approved returns and their cells.
mod source;

pub use compile::{CompileRequest, Compiled, compile, parse_period};
pub use demo::seed_demo_release;
pub use read::{Readership, ReleaseCellView, ReleaseDetail, ReleasePage, get, list};
pub use settings::{disclosure_rules, set_disclosure_rules};
