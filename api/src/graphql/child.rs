//! Children: a council's identifiable records, as the API shows them (never `tenant_id`), and
//! the queries and mutations over them.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::child;

use super::context::{self, CouncilWork};
use crate::auth::CASEWORK;
use crate::domain::child as rules;
use crate::domain::cursor::{CursorReader, CursorWriter};
use crate::error::AppError;
use crate::service::child::{self as children, ChildChanges, ChildFilter, ChildListing, NewChild};

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

/// Extra fields on a page of children.
#[derive(SimpleObject)]
pub struct ChildConnectionFields {
    /// How many children match the filter, across all pages.
    total_count: u64,
}

pub type ChildConnection = Connection<String, Child, ChildConnectionFields>;

/// How to narrow the list of children.
#[derive(InputObject, Default)]
pub struct ChildFilterInput {
    /// Part of a given or family name, any case.
    name_contains: Option<String>,
    /// National curriculum year; 0 is Reception.
    year_group: Option<i32>,
    /// An exact UPN.
    upn: Option<String>,
}

impl ChildFilterInput {
    /// The filter as the service takes it: a blank name matches everyone, a name with control
    /// characters matches no one and is refused (a NUL was an INTERNAL_SERVER_ERROR on
    /// PostgreSQL), a UPN must be valid.
    fn parse(self) -> Result<ChildFilter, AppError> {
        if self
            .name_contains
            .as_deref()
            .is_some_and(|name| name.chars().any(char::is_control))
        {
            return Err(AppError::bad_input(
                "filter.nameContains",
                "must not contain control characters",
            ));
        }
        Ok(ChildFilter {
            name_contains: self
                .name_contains
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty()),
            year_group: self.year_group,
            upn: self
                .upn
                .map(|v| rules::parse_upn("filter.upn", &v))
                .transpose()?,
        })
    }
}

/// A new child's details.
#[derive(InputObject)]
pub struct CreateChildInput {
    given_name: String,
    family_name: String,
    date_of_birth: NaiveDate,
    /// Unique pupil number; validated with its check letter, unique within the council.
    upn: Option<String>,
    /// The council's own reference; unique within the council.
    council_reference: Option<String>,
    sex: Sex,
    year_group: Option<i32>,
    #[graphql(default_with = "SenStatus::None")]
    sen_status: SenStatus,
    primary_need: Option<PrimaryNeed>,
    #[graphql(default_with = "SocialCareStatus::None")]
    social_care_status: SocialCareStatus,
    school_urn: Option<String>,
    school_name: Option<String>,
}

/// Changes to a child. Omitted fields stay as they are; `null` clears an optional field.
#[derive(InputObject, Default)]
pub struct UpdateChildInput {
    given_name: Option<String>,
    family_name: Option<String>,
    date_of_birth: Option<NaiveDate>,
    upn: MaybeUndefined<String>,
    council_reference: MaybeUndefined<String>,
    sex: Option<Sex>,
    year_group: MaybeUndefined<i32>,
    sen_status: Option<SenStatus>,
    primary_need: MaybeUndefined<PrimaryNeed>,
    social_care_status: Option<SocialCareStatus>,
    school_urn: MaybeUndefined<String>,
    school_name: MaybeUndefined<String>,
}

impl CreateChildInput {
    pub(crate) fn parse(self) -> Result<NewChild, AppError> {
        let today = crate::domain::clock::today();
        Ok(NewChild {
            given_name: rules::parse_name("givenName", &self.given_name)?,
            family_name: rules::parse_name("familyName", &self.family_name)?,
            date_of_birth: rules::parse_date_of_birth("dateOfBirth", self.date_of_birth, today)?,
            upn: self.upn.map(|v| rules::parse_upn("upn", &v)).transpose()?,
            council_reference: self
                .council_reference
                .map(|v| rules::parse_council_reference("councilReference", &v))
                .transpose()?,
            sex: self.sex.into(),
            year_group: self
                .year_group
                .map(|v| rules::parse_year_group("yearGroup", v))
                .transpose()?,
            sen_status: self.sen_status.into(),
            primary_need: self.primary_need.map(Into::into),
            social_care_status: self.social_care_status.into(),
            school_urn: self
                .school_urn
                .map(|v| rules::parse_school_urn("schoolUrn", &v))
                .transpose()?,
            school_name: self
                .school_name
                .map(|v| rules::parse_text("schoolName", &v, 200))
                .transpose()?,
        })
    }
}

/// `MaybeUndefined` as "leave alone" (`None`) or "set to this or clear" (`Some(..)`), parsed.
fn change<T, U>(
    value: MaybeUndefined<T>,
    parse: impl FnOnce(T) -> Result<U, AppError>,
) -> Result<Option<Option<U>>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Ok(Some(None)),
        MaybeUndefined::Value(v) => Ok(Some(Some(parse(v)?))),
    }
}

impl UpdateChildInput {
    fn parse(self) -> Result<ChildChanges, AppError> {
        let today = crate::domain::clock::today();
        Ok(ChildChanges {
            given_name: self
                .given_name
                .map(|v| rules::parse_name("givenName", &v))
                .transpose()?,
            family_name: self
                .family_name
                .map(|v| rules::parse_name("familyName", &v))
                .transpose()?,
            date_of_birth: self
                .date_of_birth
                .map(|v| rules::parse_date_of_birth("dateOfBirth", v, today))
                .transpose()?,
            upn: change(self.upn, |v| rules::parse_upn("upn", &v))?,
            council_reference: change(self.council_reference, |v| {
                rules::parse_council_reference("councilReference", &v)
            })?,
            sex: self.sex.map(Into::into),
            year_group: change(self.year_group, |v| rules::parse_year_group("yearGroup", v))?,
            sen_status: self.sen_status.map(Into::into),
            primary_need: change(self.primary_need, |v| Ok(v.into()))?,
            social_care_status: self.social_care_status.map(Into::into),
            school_urn: change(self.school_urn, |v| {
                rules::parse_school_urn("schoolUrn", &v)
            })?,
            school_name: change(self.school_name, |v| {
                rules::parse_text("schoolName", &v, 200)
            })?,
        })
    }
}

/// Reading a council's children: caseworkers and managers only.
#[derive(Default)]
pub struct ChildQuery;

#[Object]
impl ChildQuery {
    /// The council's children in family-name order, `first` (default 20) at a time.
    #[graphql(complexity = "first.unwrap_or(20).max(1) as usize * child_complexity + 1")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        filter: Option<ChildFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<ChildConnection, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let first = context::page_size(first, context::limits(ctx)?)?;
        let after = after.map(|c| decode_child_cursor(&c)).transpose()?;
        let listing = ChildListing {
            filter: filter.unwrap_or_default().parse()?,
            first,
            after,
            count: ctx.look_ahead().field("totalCount").exists(),
        };
        let page = children::list(work.store, work.scope, &work.actor, &listing).await?;
        let mut connection = Connection::with_additional_fields(
            after.is_some(),
            page.has_next_page,
            ChildConnectionFields {
                // Counted only when selected; unselected, the value is never sent.
                total_count: page.total_count.unwrap_or_default(),
            },
        );
        connection
            .edges
            .extend(page.children.into_iter().map(|child| {
                Edge::new(
                    CursorWriter::new(CHILDREN).uuid(child.id).finish(),
                    Child(child),
                )
            }));
        Ok(connection)
    }

    /// One of the council's children. Any other id — including another council's — is NOT_FOUND.
    async fn child(&self, ctx: &Context<'_>, id: ID) -> Result<Child, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let id = context::parse_id("id", &id)?;
        Ok(Child(
            children::get(work.store, work.scope, &work.actor, id).await?,
        ))
    }
}

/// The list name children's cursors carry.
const CHILDREN: &str = "children";

/// The child inside a cursor of the children list; anything else names `after`.
fn decode_child_cursor(cursor: &str) -> Result<uuid::Uuid, AppError> {
    let mut key = CursorReader::open("after", CHILDREN, cursor)?;
    let id = key.uuid()?;
    key.end()?;
    Ok(id)
}

/// Changing a council's children: caseworkers and managers only.
#[derive(Default)]
pub struct ChildMutation;

#[Object]
impl ChildMutation {
    /// Records a child. Invalid fields are BAD_USER_INPUT; a UPN or reference already used in
    /// the council is CONFLICT. Nothing is written unless everything is valid.
    async fn create_child(
        &self,
        ctx: &Context<'_>,
        input: CreateChildInput,
    ) -> Result<Child, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let new = input.parse()?;
        Ok(Child(
            children::create(work.store, work.scope, &work.actor, new).await?,
        ))
    }

    /// Changes a child's details.
    async fn update_child(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateChildInput,
    ) -> Result<Child, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let id = context::parse_id("id", &id)?;
        let changes = input.parse()?;
        Ok(Child(
            children::update(work.store, work.scope, &work.actor, id, changes).await?,
        ))
    }

    /// Deletes a child; returns the deleted id.
    async fn delete_child(&self, ctx: &Context<'_>, id: ID) -> Result<ID, AppError> {
        let work = CouncilWork::begin(ctx, CASEWORK)?;
        let uuid = context::parse_id("id", &id)?;
        children::delete(work.store, work.scope, &work.actor, uuid).await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_filter_trims_the_name_and_drops_a_blank_one() {
        let filter = ChildFilterInput {
            name_contains: Some("  smi ".into()),
            year_group: Some(0),
            upn: None,
        }
        .parse()
        .expect("a good filter");
        assert_eq!(filter.name_contains.as_deref(), Some("smi"));
        assert_eq!(filter.year_group, Some(0));

        let blank = ChildFilterInput {
            name_contains: Some("   ".into()),
            ..ChildFilterInput::default()
        }
        .parse()
        .expect("a blank name is no filter");
        assert_eq!(blank.name_contains, None);
    }

    #[test]
    fn a_child_filter_with_a_control_character_in_the_name_names_filter_name_contains() {
        for name in ["a\u{0}b", "\u{7}", "line\nbreak"] {
            let filter = ChildFilterInput {
                name_contains: Some(name.into()),
                ..ChildFilterInput::default()
            };
            match filter.parse() {
                Err(AppError::BadUserInput { field, .. }) => {
                    assert_eq!(field, "filter.nameContains")
                }
                other => panic!("expected BAD_USER_INPUT for {name:?}, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_child_filter_with_a_bad_upn_names_filter_upn() {
        let filter = ChildFilterInput {
            upn: Some("not-a-upn".into()),
            ..ChildFilterInput::default()
        };
        match filter.parse() {
            Err(AppError::BadUserInput { field, .. }) => assert_eq!(field, "filter.upn"),
            other => panic!("expected BAD_USER_INPUT, got {other:?}"),
        }
    }
}
