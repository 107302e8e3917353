//! Who is calling: JWT verification across many issuers, the resulting principal, and roles.

/// The local development issuer behind `api token` (demo only).
pub mod dev_issuer;
/// Which council or partnership an issuer's binding names, cached for the process.
pub mod directory;
/// The compact token form, read strictly before any key is touched.
pub mod jose;
/// JWKS fetching and caching with a bounded refresh rate.
pub mod jwks;
/// Verification keys and the one algorithm each may verify.
pub mod keys;
/// The token cache: tokens already verified, remembered for their own lifetime (bounded).
pub mod token_cache;
/// Token verification: issuer lookup, algorithm and key checks, claims, council binding.
pub mod verifier;

use std::collections::BTreeSet;

use async_graphql::Enum;
use uuid::Uuid;

use crate::config::Binding;
use crate::domain::audit::AuditActor;
use crate::error::{AppError, AppResult};
use crate::tenancy::{PartnershipScope, TenantScope};

/// What a principal may do: the table is in the README and in docs/domain.md, "Roles".
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Reads and writes identifiable case data in its own council.
    Caseworker,
    /// Caseworker, plus approvals, complaints, calendars and council settings.
    Manager,
    /// Its own council's unsuppressed aggregates and all releases; no identifiable rows.
    Analyst,
    /// Its own council's audit log.
    Auditor,
    /// A machine client: batch upserts and returns for its own council.
    Service,
    /// Published releases of its partnership only.
    PartnershipAnalyst,
    /// Partnership analyst, plus metric definitions, disclosure settings and compiling releases.
    PartnershipCoordinator,
}

impl Role {
    /// The name used in tokens and configuration (`caseworker`, `partnership_analyst`...).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "caseworker" => Self::Caseworker,
            "manager" => Self::Manager,
            "analyst" => Self::Analyst,
            "auditor" => Self::Auditor,
            "service" => Self::Service,
            "partnership_analyst" => Self::PartnershipAnalyst,
            "partnership_coordinator" => Self::PartnershipCoordinator,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caseworker => "caseworker",
            Self::Manager => "manager",
            Self::Analyst => "analyst",
            Self::Auditor => "auditor",
            Self::Service => "service",
            Self::PartnershipAnalyst => "partnership_analyst",
            Self::PartnershipCoordinator => "partnership_coordinator",
        }
    }

    /// Whether the role belongs to a council (rather than to the partnership).
    pub fn is_council_role(self) -> bool {
        !matches!(
            self,
            Self::PartnershipAnalyst | Self::PartnershipCoordinator
        )
    }
}

/// Roles that may read and change identifiable records about children.
pub const CASEWORK: &[Role] = &[Role::Caseworker, Role::Manager];

/// What the principal speaks for, fixed by its issuer's binding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Affiliation {
    Council { council_id: Uuid, la_code: String },
    Partnership { partnership_id: Uuid, code: String },
}

/// A token whose signature and claims have been verified: what a [`Principal`] is made from.
#[derive(Clone, Debug)]
pub struct VerifiedToken {
    /// The token's `sub`.
    pub subject: String,
    /// The token's `iss`.
    pub issuer: String,
    /// What the issuer speaks for, from its configuration (never from the token alone).
    pub binding: Binding,
    /// The hub's roles the token grants, already filtered to the issuer's kind.
    pub roles: BTreeSet<Role>,
}

/// A verified caller.
#[derive(Clone, Debug)]
pub struct Principal {
    /// The token's `sub`: an opaque id from the identity provider, never a name.
    pub subject: String,
    pub issuer: String,
    pub affiliation: Affiliation,
    pub roles: BTreeSet<Role>,
}

impl Principal {
    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|role| self.roles.contains(role))
    }

    /// The caller's council scope, if it holds one of `roles` in a council; FORBIDDEN otherwise.
    ///
    /// This is the only way resolvers obtain a [`TenantScope`], so council data is reachable
    /// only by a council principal with the right role, and only for its own council.
    pub fn council_scope(&self, roles: &[Role]) -> AppResult<TenantScope> {
        let Affiliation::Council { council_id, .. } = &self.affiliation else {
            return Err(AppError::Forbidden(
                "council records are not available to partnership users".into(),
            ));
        };
        if !self.has_any(roles) {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            return Err(AppError::Forbidden(format!(
                "needs one of the roles: {}",
                names.join(", ")
            )));
        }
        Ok(TenantScope::for_council(*council_id))
    }

    /// The caller's partnership scope, if it holds one of `roles` in a partnership; FORBIDDEN
    /// otherwise. The only way resolvers obtain a [`PartnershipScope`] (mirrors
    /// [`council_scope`](Self::council_scope)).
    pub fn partnership_scope(&self, roles: &[Role]) -> AppResult<PartnershipScope> {
        let Affiliation::Partnership { partnership_id, .. } = &self.affiliation else {
            return Err(AppError::Forbidden(
                "partnership work is not available to council users".into(),
            ));
        };
        if !self.has_any(roles) {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            return Err(AppError::Forbidden(format!(
                "needs one of the roles: {}",
                names.join(", ")
            )));
        }
        Ok(PartnershipScope::for_partnership(*partnership_id))
    }

    /// Who to name in the audit log: the token's subject and issuer, never a name.
    pub fn audit_actor(&self) -> AuditActor {
        AuditActor {
            subject: self.subject.clone(),
            issuer: self.issuer.clone(),
        }
    }

    /// The council id, for a council principal.
    pub fn council_id(&self) -> Option<Uuid> {
        match &self.affiliation {
            Affiliation::Council { council_id, .. } => Some(*council_id),
            Affiliation::Partnership { .. } => None,
        }
    }
}
