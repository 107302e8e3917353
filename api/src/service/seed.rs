//! The demo partnership: the South East's 19 councils with their real codes, the standard metric
//! catalogue, and a handful of made-up children per council with valid UPNs (their cases and
//! returns are seeded by `seed_figures`). Reference data is seeded idempotently; demo
//! children are written through the council's own scope, so RLS applies to the seeder too.

use chrono::{NaiveDate, Utc};
use entity::child::{PrimaryNeed, SenStatus, Sex, SocialCareStatus};
use entity::{child, council, membership, partnership};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

use super::Store;
use super::child::NewChild;
use super::directory;
use crate::domain::reference::{self, SOUTH_EAST_COUNCILS};
use crate::domain::{Upn, upn};
use crate::error::{AppError, AppResult};
use crate::tenancy::TenantScope;

/// How many demo children each council gets.
pub const DEMO_CHILDREN_PER_COUNCIL: usize = 6;

/// Whether the database has no councils yet.
#[tracing::instrument(skip_all)]
#[expect(
    clippy::disallowed_methods,
    reason = "council is a shared reference table, not a council's data"
)]
pub async fn is_empty(db: &DatabaseConnection) -> AppResult<bool> {
    Ok(council::Entity::find().count(db).await? == 0)
}

/// Seeds the South-East partnership and its councils (skipping any already there).
#[tracing::instrument(skip_all)]
#[expect(
    clippy::disallowed_methods,
    reason = "partnership, council and membership are shared reference tables, not a council's data"
)]
pub async fn seed_reference_data(db: &DatabaseConnection) -> AppResult<()> {
    let now = Utc::now();
    let partnership_id =
        match directory::partnership_by_code(db, reference::SOUTH_EAST_PARTNERSHIP_CODE).await? {
            Some(existing) => existing.id,
            None => {
                let row = partnership::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    code: Set(reference::SOUTH_EAST_PARTNERSHIP_CODE.to_owned()),
                    name: Set(reference::SOUTH_EAST_PARTNERSHIP_NAME.to_owned()),
                    region_code: Set(Some(reference::SOUTH_EAST_REGION_CODE.to_owned())),
                    region_name: Set(Some(reference::SOUTH_EAST_REGION_NAME.to_owned())),
                    created_at: Set(now),
                };
                partnership::Entity::insert(row)
                    .exec_with_returning(db)
                    .await?
                    .id
            }
        };
    let joined_on = NaiveDate::from_ymd_opt(2024, 9, 1)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("date")))?;
    for reference in SOUTH_EAST_COUNCILS {
        if directory::council_by_la_code(db, reference.la_code)
            .await?
            .is_some()
        {
            continue;
        }
        let council_id = Uuid::now_v7();
        council::Entity::insert(council::ActiveModel {
            id: Set(council_id),
            la_code: Set(reference.la_code.to_owned()),
            ons_code: Set(reference.ons_code.to_owned()),
            name: Set(reference.name.to_owned()),
            created_at: Set(now),
        })
        .exec_without_returning(db)
        .await?;
        membership::Entity::insert(membership::ActiveModel {
            partnership_id: Set(partnership_id),
            council_id: Set(council_id),
            joined_on: Set(joined_on),
        })
        .exec_without_returning(db)
        .await?;
    }
    // Every partnership starts with the standard catalogue, agreed (idempotent).
    super::metric::seed_standard_catalogue(db).await?;
    Ok(())
}

/// Seeds reference data, then demo children for every council that has none.
#[tracing::instrument(skip_all)]
pub async fn seed_demo(store: &Store) -> AppResult<usize> {
    seed_reference_data(&store.db).await?;
    let mut created = 0;
    let seeder = super::audit::AuditActor {
        subject: "demo-seed".to_owned(),
        issuer: "partnership-hub".to_owned(),
    };
    for reference in SOUTH_EAST_COUNCILS {
        let Some(council) = directory::council_by_la_code(&store.db, reference.la_code).await?
        else {
            continue;
        };
        let scope = TenantScope::for_council(council.id);
        let txn = store.council(scope).await?;
        let existing = txn.select::<child::Entity>().count(txn.conn()).await?;
        txn.commit().await?;
        if existing > 0 {
            continue;
        }
        for n in 0..DEMO_CHILDREN_PER_COUNCIL {
            super::child::create(store, scope, &seeder, demo_child(reference.la_code, n)?).await?;
            created += 1;
        }
        super::complaint::seed_demo_complaints(
            store,
            scope,
            &seeder,
            reference.la_code,
            crate::domain::clock::today(),
        )
        .await?;
    }
    // Cases, pupil populations and returns on those children (the release is compiled after).
    super::seed_figures::seed_demo_returns(store, crate::domain::clock::today()).await?;
    super::release::seed_demo_release(store).await?;
    Ok(created)
}

const GIVEN_NAMES: [&str; 6] = ["Amara", "Callum", "Freya", "Kofi", "Maisie", "Oliver"];
const FAMILY_NAMES: [&str; 6] = ["Ashdown", "Brookes", "Chalk", "Downland", "Weald", "Medway"];

/// A made-up child of council `la_code`, with a UPN carrying that LA number and a valid check.
fn demo_child(la_code: &str, n: usize) -> AppResult<NewChild> {
    let body = format!("{la_code}2000{:02}{:03}", 19 + n % 5, n + 1);
    let letter = upn::check_letter(body.as_bytes())
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("demo UPN body is not checkable")))?;
    let upn = Upn::parse(&format!("{}{body}", letter as char))
        .map_err(|e| AppError::internal(anyhow::anyhow!(e)))?;
    let year = 2010 + (n as i32 % 6);
    let date_of_birth = NaiveDate::from_ymd_opt(year, 1 + (n as u32 % 12), 3 + n as u32)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("demo date")))?;
    Ok(NewChild {
        given_name: GIVEN_NAMES[n % GIVEN_NAMES.len()].to_owned(),
        family_name: FAMILY_NAMES[(n + la_code.len()) % FAMILY_NAMES.len()].to_owned(),
        date_of_birth,
        upn: Some(upn),
        council_reference: Some(format!("DEMO-{la_code}-{:04}", n + 1)),
        sex: [Sex::Female, Sex::Male][n % 2],
        year_group: Some(2026 - year - 5),
        sen_status: [SenStatus::None, SenStatus::SenSupport, SenStatus::EhcPlan][n % 3],
        primary_need: [
            None,
            Some(PrimaryNeed::SocialEmotionalAndMentalHealth),
            Some(PrimaryNeed::AutisticSpectrumDisorder),
        ][n % 3],
        social_care_status: [
            SocialCareStatus::None,
            SocialCareStatus::ChildInNeed,
            SocialCareStatus::None,
        ][n % 3],
        school_urn: Some(format!("1{la_code}{:02}", n + 10)),
        school_name: Some("Demo Academy".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_child_has_a_valid_upn_from_its_council() {
        for reference in SOUTH_EAST_COUNCILS {
            for n in 0..DEMO_CHILDREN_PER_COUNCIL {
                let child = demo_child(reference.la_code, n).expect("demo child");
                assert_eq!(child.upn.expect("upn").la_number(), reference.la_code);
            }
        }
    }
}
