//! Output types. Each wraps or copies an entity's model and exposes only what the API means to:
//! never `tenant_id`.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{child, council, partnership};

use super::context;
use crate::auth::{Affiliation, Principal, Role};
use crate::error::AppError;
use crate::service::directory;

/// Sex as recorded in the school census.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::child::Sex")]
pub enum Sex {
    Female,
    Male,
    Unknown,
}

/// Special educational needs provision.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::child::SenStatus")]
pub enum SenStatus {
    /// No identified special educational needs.
    None,
    /// SEN support without a plan.
    SenSupport,
    /// An Education, Health and Care plan.
    EhcPlan,
}

/// SEN primary type of need, as coded in the school census.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::child::PrimaryNeed")]
pub enum PrimaryNeed {
    SpecificLearningDifficulty,
    ModerateLearningDifficulty,
    SevereLearningDifficulty,
    ProfoundAndMultipleLearningDifficulty,
    SocialEmotionalAndMentalHealth,
    SpeechLanguageAndCommunicationNeeds,
    HearingImpairment,
    VisionImpairment,
    MultiSensoryImpairment,
    PhysicalDisability,
    AutisticSpectrumDisorder,
    OtherDifficulty,
}

/// Children's social care involvement.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::child::SocialCareStatus")]
pub enum SocialCareStatus {
    None,
    /// Child in need.
    ChildInNeed,
    /// Child protection plan.
    ChildProtectionPlan,
    /// Child looked after.
    ChildLookedAfter,
}

/// A council (local authority).
#[derive(SimpleObject, Clone, Debug)]
pub struct Council {
    pub id: ID,
    /// DfE 3-digit LA code, e.g. 886.
    pub la_code: String,
    /// ONS 9-character code, e.g. E10000016.
    pub ons_code: String,
    pub name: String,
}

impl From<council::Model> for Council {
    fn from(model: council::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            la_code: model.la_code,
            ons_code: model.ons_code,
            name: model.name,
        }
    }
}

/// A regional partnership of councils.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct Partnership {
    pub id: ID,
    /// Short code, e.g. SESLIP.
    pub code: String,
    pub name: String,
    /// ONS region code, e.g. E12000008.
    pub region_code: Option<String>,
    pub region_name: Option<String>,
    #[graphql(skip)]
    pub partnership_id: uuid::Uuid,
}

#[ComplexObject]
impl Partnership {
    /// The member councils, by name.
    async fn member_councils(&self, ctx: &Context<'_>) -> Result<Vec<Council>, AppError> {
        let store = context::store(ctx)?;
        let councils = directory::member_councils(&store.db, self.partnership_id).await?;
        Ok(councils.into_iter().map(Council::from).collect())
    }
}

impl From<partnership::Model> for Partnership {
    fn from(model: partnership::Model) -> Self {
        Self {
            id: ID(model.id.to_string()),
            code: model.code,
            name: model.name,
            region_code: model.region_code,
            region_name: model.region_name,
            partnership_id: model.id,
        }
    }
}

/// The caller, as the hub sees them.
pub struct Me(pub Principal);

#[Object]
impl Me {
    /// The token's subject: the identity provider's id for the caller.
    async fn subject(&self) -> &str {
        &self.0.subject
    }

    /// The issuer that vouched for the caller.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    async fn roles(&self) -> Vec<Role> {
        self.0.roles.iter().copied().collect()
    }

    /// The caller's council; null for partnership users.
    async fn council(&self, ctx: &Context<'_>) -> Result<Option<Council>, AppError> {
        match &self.0.affiliation {
            Affiliation::Council { council_id, .. } => {
                let store = context::store(ctx)?;
                Ok(Some(
                    directory::council_by_id(&store.db, *council_id)
                        .await?
                        .into(),
                ))
            }
            Affiliation::Partnership { .. } => Ok(None),
        }
    }

    /// The caller's partnership; null for council users (see `partnership` for theirs).
    async fn partnership(&self, ctx: &Context<'_>) -> Result<Option<Partnership>, AppError> {
        match &self.0.affiliation {
            Affiliation::Partnership { partnership_id, .. } => {
                let store = context::store(ctx)?;
                Ok(Some(
                    directory::partnership_by_id(&store.db, *partnership_id)
                        .await?
                        .into(),
                ))
            }
            Affiliation::Council { .. } => Ok(None),
        }
    }
}

/// A child known to the caller's council.
pub struct Child(pub child::Model);

#[Object]
impl Child {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The council's own reference from its case-management system.
    async fn council_reference(&self) -> Option<&str> {
        self.0.council_reference.as_deref()
    }

    /// Unique pupil number.
    async fn upn(&self) -> Option<&str> {
        self.0.upn.as_deref()
    }

    async fn given_name(&self) -> &str {
        &self.0.given_name
    }

    async fn family_name(&self) -> &str {
        &self.0.family_name
    }

    async fn date_of_birth(&self) -> NaiveDate {
        self.0.date_of_birth
    }

    async fn sex(&self) -> Sex {
        self.0.sex.into()
    }

    /// National curriculum year; 0 is Reception.
    async fn year_group(&self) -> Option<i32> {
        self.0.year_group
    }

    async fn sen_status(&self) -> SenStatus {
        self.0.sen_status.into()
    }

    async fn primary_need(&self) -> Option<PrimaryNeed> {
        self.0.primary_need.map(Into::into)
    }

    async fn social_care_status(&self) -> SocialCareStatus {
        self.0.social_care_status.into()
    }

    /// The school's unique reference number.
    async fn school_urn(&self) -> Option<&str> {
        self.0.school_urn.as_deref()
    }

    async fn school_name(&self) -> Option<&str> {
        self.0.school_name.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
