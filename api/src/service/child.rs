//! Children: listing, reading and changing a council's identifiable records.

use chrono::Utc;
use entity::child::{self, PrimaryNeed, SenStatus, Sex, SocialCareStatus};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::NotSet, ActiveValue::Set, ColumnTrait, Condition, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::Store;
use super::audit::{self, AuditActor};
use crate::domain::Upn;
use crate::error::{AppError, AppResult};
use crate::tenancy::{CouncilTxn, TenantScope};

/// A child's details, every field already validated.
#[derive(Clone, Debug)]
pub struct NewChild {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: chrono::NaiveDate,
    pub upn: Option<Upn>,
    pub council_reference: Option<String>,
    pub sex: Sex,
    pub year_group: Option<i32>,
    pub sen_status: SenStatus,
    pub primary_need: Option<PrimaryNeed>,
    pub social_care_status: SocialCareStatus,
    pub school_urn: Option<String>,
    pub school_name: Option<String>,
}

/// Changes to a child: `None` leaves a field alone, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct ChildChanges {
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<chrono::NaiveDate>,
    pub upn: Option<Option<Upn>>,
    pub council_reference: Option<Option<String>>,
    pub sex: Option<Sex>,
    pub year_group: Option<Option<i32>>,
    pub sen_status: Option<SenStatus>,
    pub primary_need: Option<Option<PrimaryNeed>>,
    pub social_care_status: Option<SocialCareStatus>,
    pub school_urn: Option<Option<String>>,
    pub school_name: Option<Option<String>>,
}

/// How to narrow a list of children.
#[derive(Clone, Debug, Default)]
pub struct ChildFilter {
    /// Matches any part of the given or family name, ignoring case.
    pub name_contains: Option<String>,
    pub year_group: Option<i32>,
    pub upn: Option<Upn>,
}

/// One page of children, in family-name order.
#[derive(Debug)]
pub struct ChildPage {
    pub children: Vec<child::Model>,
    pub has_next_page: bool,
    /// How many children match the filter, when asked for (a count reads every match).
    pub total_count: Option<u64>,
}

/// Which page of children to list.
#[derive(Clone, Debug)]
pub struct ChildListing {
    pub filter: ChildFilter,
    /// At most this many children.
    pub first: u64,
    /// The last child of the previous page; none for the first page.
    pub after: Option<Uuid>,
    /// Whether to count every match too: only when the caller shows the count, since paging
    /// itself never needs it.
    pub count: bool,
}

/// Children matching the listing's filter, `first` at a time after the child `after`, in
/// family-name order.
///
/// Keyset pages: the next page starts after the last child's (family name, given name, id),
/// a range of the index `child_tenant_name_idx`, so page 1,000 reads what page 1 reads. The
/// cursor carries only the child's id (never a name, since cursors travel in URLs and logs), so
/// the page first reads that child's names by its primary key.
#[tracing::instrument(
    skip_all,
    fields(council = %scope.council_id(), first = listing.first, after = listing.after.is_some())
)]
pub async fn list(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    listing: &ChildListing,
) -> AppResult<ChildPage> {
    let ChildListing {
        ref filter,
        first,
        after,
        count,
    } = *listing;
    let txn = store.council(scope).await?;
    let mut condition = Condition::all();
    if let Some(fragment) = &filter.name_contains {
        let pattern = format!("%{}%", escape_like(&fragment.to_lowercase()));
        let lower = |column: child::Column| Expr::expr(Func::lower(Expr::col(column)));
        condition = condition.add(
            Condition::any()
                .add(
                    lower(child::Column::GivenName)
                        .like(LikeExpr::new(pattern.clone()).escape('\\')),
                )
                .add(lower(child::Column::FamilyName).like(LikeExpr::new(pattern).escape('\\'))),
        );
    }
    if let Some(year_group) = filter.year_group {
        condition = condition.add(child::Column::YearGroup.eq(year_group));
    }
    if let Some(upn) = &filter.upn {
        condition = condition.add(child::Column::Upn.eq(upn.as_str()));
    }
    let total_count = if count {
        Some(
            txn.select::<child::Entity>()
                .filter(condition.clone())
                .count(txn.conn())
                .await?,
        )
    } else {
        None
    };

    let mut query = txn.select::<child::Entity>().filter(condition);
    if let Some(after) = after {
        let cursor = find(&txn, after)
            .await
            .map_err(|_| AppError::bad_input("after", "the cursor does not belong to this list"))?;
        // Keyset pagination on (family name, given name, id): stable under inserts, and a
        // range of the name index (a row comparison, which both stores use as a range).
        query = query.filter(
            Expr::tuple([
                Expr::col(child::Column::FamilyName),
                Expr::col(child::Column::GivenName),
                Expr::col(child::Column::Id),
            ])
            .gt(Expr::tuple([
                Expr::value(cursor.family_name),
                Expr::value(cursor.given_name),
                Expr::value(cursor.id),
            ])),
        );
    }
    let mut children = query
        .order_by_asc(child::Column::FamilyName)
        .order_by_asc(child::Column::GivenName)
        .order_by_asc(child::Column::Id)
        .limit(first + 1)
        .all(txn.conn())
        .await?;
    txn.commit().await?;
    let shown: Vec<Uuid> = children.iter().take(first as usize).map(|c| c.id).collect();
    store
        .reads
        .record(scope, actor, "child.list", "child", &shown)
        .await?;
    let has_next_page = children.len() as u64 > first;
    children.truncate(first as usize);
    Ok(ChildPage {
        children,
        has_next_page,
        total_count,
    })
}

/// One of the council's children; NOT_FOUND for any other id, including another council's.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), child = %id))]
pub async fn get(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    id: Uuid,
) -> AppResult<child::Model> {
    let txn = store.council(scope).await?;
    let child = find(&txn, id).await?;
    txn.commit().await?;
    store
        .reads
        .record(scope, actor, "child.read", "child", &[id])
        .await?;
    Ok(child)
}

/// Records a new child. A UPN or council reference already used in this council is a CONFLICT.
#[tracing::instrument(skip_all, fields(council = %scope.council_id()))]
pub async fn create(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    new: NewChild,
) -> AppResult<child::Model> {
    let txn = store.council(scope).await?;
    ensure_unique(
        &txn,
        None,
        new.upn.as_ref(),
        new.council_reference.as_deref(),
    )
    .await?;
    let now = Utc::now();
    let row = child::ActiveModel {
        tenant_id: NotSet,
        id: Set(Uuid::now_v7()),
        council_reference: Set(new.council_reference),
        upn: Set(new.upn.map(|u| u.as_str().to_owned())),
        given_name: Set(new.given_name),
        family_name: Set(new.family_name),
        date_of_birth: Set(new.date_of_birth),
        sex: Set(new.sex),
        year_group: Set(new.year_group),
        sen_status: Set(new.sen_status),
        primary_need: Set(new.primary_need),
        social_care_status: Set(new.social_care_status),
        school_urn: Set(new.school_urn),
        school_name: Set(new.school_name),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let child = txn.insert(row).await?;
    audit::record(&txn, actor, "child.create", "child", &[child.id]).await?;
    txn.commit().await?;
    tracing::debug!(child = %child.id, "child created");
    Ok(child)
}

/// Applies `changes` to one of the council's children.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), child = %id))]
pub async fn update(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    id: Uuid,
    changes: ChildChanges,
) -> AppResult<child::Model> {
    let txn = store.council(scope).await?;
    let current = find(&txn, id).await?;
    let upn = changes.upn.as_ref().and_then(Option::as_ref);
    let reference = changes
        .council_reference
        .as_ref()
        .and_then(|r| r.as_deref());
    ensure_unique(&txn, Some(id), upn, reference).await?;

    let mut row: child::ActiveModel = current.into();
    if let Some(v) = changes.given_name {
        row.given_name = Set(v);
    }
    if let Some(v) = changes.family_name {
        row.family_name = Set(v);
    }
    if let Some(v) = changes.date_of_birth {
        row.date_of_birth = Set(v);
    }
    if let Some(v) = changes.upn {
        row.upn = Set(v.map(|u| u.as_str().to_owned()));
    }
    if let Some(v) = changes.council_reference {
        row.council_reference = Set(v);
    }
    if let Some(v) = changes.sex {
        row.sex = Set(v);
    }
    if let Some(v) = changes.year_group {
        row.year_group = Set(v);
    }
    if let Some(v) = changes.sen_status {
        row.sen_status = Set(v);
    }
    if let Some(v) = changes.primary_need {
        row.primary_need = Set(v);
    }
    if let Some(v) = changes.social_care_status {
        row.social_care_status = Set(v);
    }
    if let Some(v) = changes.school_urn {
        row.school_urn = Set(v);
    }
    if let Some(v) = changes.school_name {
        row.school_name = Set(v);
    }
    row.updated_at = Set(Utc::now());
    let child = txn.update(row, "child").await?;
    audit::record(&txn, actor, "child.update", "child", &[id]).await?;
    txn.commit().await?;
    tracing::info!("child updated");
    Ok(child)
}

/// Deletes one of the council's children.
#[tracing::instrument(skip_all, fields(council = %scope.council_id(), child = %id))]
pub async fn delete(
    store: &Store,
    scope: TenantScope,
    actor: &AuditActor,
    id: Uuid,
) -> AppResult<()> {
    let txn = store.council(scope).await?;
    let result = txn
        .delete_many::<child::Entity>(child::Column::Id.eq(id))
        .exec(txn.conn())
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound("child"));
    }
    audit::record(&txn, actor, "child.delete", "child", &[id]).await?;
    txn.commit().await?;
    tracing::info!("child deleted");
    Ok(())
}

async fn find(txn: &CouncilTxn, id: Uuid) -> AppResult<child::Model> {
    txn.select::<child::Entity>()
        .filter(child::Column::Id.eq(id))
        .one(txn.conn())
        .await?
        .ok_or(AppError::NotFound("child"))
}

/// Names the clashing field before the database's unique index would refuse it anonymously.
async fn ensure_unique(
    txn: &CouncilTxn,
    except: Option<Uuid>,
    upn: Option<&Upn>,
    council_reference: Option<&str>,
) -> AppResult<()> {
    let others = |column: child::Column, value: String| {
        let mut query = txn.select::<child::Entity>().filter(column.eq(value));
        if let Some(id) = except {
            query = query.filter(child::Column::Id.ne(id));
        }
        query
    };
    if let Some(upn) = upn
        && others(child::Column::Upn, upn.as_str().to_owned())
            .count(txn.conn())
            .await?
            > 0
    {
        return Err(AppError::conflict(
            "upn",
            "another child in this council has this UPN",
        ));
    }
    if let Some(reference) = council_reference
        && others(child::Column::CouncilReference, reference.to_owned())
            .count(txn.conn())
            .await?
            > 0
    {
        return Err(AppError::conflict(
            "councilReference",
            "another child in this council has this reference",
        ));
    }
    Ok(())
}

/// Escapes `%`, `_` and `\` so a name fragment matches literally.
fn escape_like(fragment: &str) -> String {
    let mut escaped = String::with_capacity(fragment.len());
    for character in fragment.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_in_a_name_fragment_match_literally() {
        assert_eq!(escape_like("o_b%"), "o\\_b\\%");
    }
}
