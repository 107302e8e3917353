//! The one place the tenant is applied.
//!
//! Council data is reached only through a [`CouncilTxn`], opened from a [`TenantScope`] that only
//! a verified council principal (or the demo seeder) can produce. The transaction:
//! - on PostgreSQL, first switches to the non-owner app role and sets `app.tenant_id`, both local
//!   to the transaction, so row-level security filters every statement (the database lock);
//! - on every store, builds selects, updates and deletes already filtered on `tenant_id`, and
//!   stamps `tenant_id` on inserts (the application lock).
//!
//! A release is compiled in a [`CompilerTxn`], opened from a [`PartnershipScope`] that only a
//! verified partnership principal (or the demo seeder) can produce: on PostgreSQL it runs as the
//! compile role `hub_compiler` with `app.partnership_id` set, whose policies show approved
//! returns of the partnership's member councils and nothing else; on every store it reads only
//! those, and exposes nothing but those reads (the third lock, docs/architecture.md).
//!
//! Either lock alone keeps councils apart; the tests prove each on its own (see
//! `docs/architecture.md`, "The two locks").
//!
//! What keeps the application lock from being bypassed: `clippy.toml` disallows the sea-orm
//! calls that build a query on an entity directly (`Entity::find`, `update_many`, `insert`,
//! `ActiveModel::insert`...), and raw SQL, everywhere except in this file and a few marked
//! exceptions on shared tables. So `case::Entity::find().all(txn.conn())` fails CI's clippy; the
//! only way to reach a council table is a method below, which applies the tenant.

use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, DbBackend, DeleteMany, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Select, Statement, TransactionTrait, UpdateMany,
};
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

use entity::council_return::ReturnStatus;
use entity::{council_return, membership, return_cell};
use sea_orm::QuerySelect;

use crate::error::{AppError, AppResult};

/// A table holding one council's data. Its primary key must lead with `tenant_id`.
pub trait CouncilOwned: EntityTrait {
    /// The `tenant_id` column.
    fn tenant_column() -> Self::Column;
}

/// Declares the council tables: each has a `tenant_id` column (or this does not compile)
/// leading its primary key (a test checks the migrated schema on both stores).
macro_rules! council_tables {
    ($($table:ident),+ $(,)?) => {
        $(impl CouncilOwned for entity::$table::Entity {
            fn tenant_column() -> Self::Column {
                entity::$table::Column::TenantId
            }
        })+

        /// The names of every council table, as registered here.
        pub fn council_tables() -> Vec<&'static str> {
            vec![$(sea_orm::EntityName::table_name(&entity::$table::Entity)),+]
        }
    };
}

// The one registry of council tables. A new table holding a council's data goes here, and
// gets row-level security in its migration (`migration::rls`); the schema test fails until
// both are done.
council_tables!(
    council_setting,
    child,
    case,
    case_event,
    provision,
    medical_evidence,
    school_term,
    school_closure,
    audit_event,
    council_return,
    return_cell,
    complaint,
    remedy,
    remedy_event,
    improvement_action,
);

/// The right to work on one council's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TenantScope {
    council_id: Uuid,
}

impl TenantScope {
    /// Only auth (from a verified principal) and the demo seeder create scopes.
    pub(crate) fn for_council(council_id: Uuid) -> Self {
        Self { council_id }
    }

    pub fn council_id(&self) -> Uuid {
        self.council_id
    }

    /// Opens a transaction scoped to this council. With `turns` (SQLite, which has one writer),
    /// it first waits its turn and holds it until the transaction ends.
    pub async fn begin(
        &self,
        db: &DatabaseConnection,
        app_role: &str,
        turns: Option<&Arc<Mutex<()>>>,
    ) -> AppResult<CouncilTxn> {
        let serial = match turns {
            Some(turns) => Some(turns.clone().lock_owned().await),
            None => None,
        };
        let txn = db.begin().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // `set_config(.., true)` is `SET LOCAL`: gone at commit, so a pooled connection
            // (or a transaction-mode pooler) never carries one council's setting into another's.
            #[expect(
                clippy::disallowed_methods,
                reason = "the database lock itself: switching role and setting the tenant"
            )]
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)",
                [app_role.into(), self.council_id.to_string().into()],
            ))
            .await?;
        }
        Ok(CouncilTxn {
            txn,
            tenant_id: self.council_id,
            _serial: serial,
        })
    }
}

/// A transaction in which every query is confined to one council.
///
/// Inserts stamp `tenant_id` themselves: callers leave it `NotSet` in the row they build (the
/// one convention), so no call site can name another council.
pub struct CouncilTxn {
    txn: DatabaseTransaction,
    tenant_id: Uuid,
    // Declared after `txn` so it is released only once the transaction has ended.
    _serial: Option<OwnedMutexGuard<()>>,
}

// The one place entity queries are built from scratch: each applies the tenant.
#[expect(
    clippy::disallowed_methods,
    reason = "the application lock itself: every query built here is filtered or stamped"
)]
impl CouncilTxn {
    /// The council's rows of `E`.
    pub fn select<E: CouncilOwned>(&self) -> Select<E> {
        E::find().filter(E::tenant_column().eq(self.tenant_id))
    }

    /// An update of the council's rows of `E` matching `condition`.
    pub fn update_many<E: CouncilOwned>(&self, condition: impl IntoCondition) -> UpdateMany<E> {
        E::update_many()
            .filter(E::tenant_column().eq(self.tenant_id))
            .filter(condition)
    }

    /// A delete of the council's rows of `E` matching `condition`.
    pub fn delete_many<E: CouncilOwned>(&self, condition: impl IntoCondition) -> DeleteMany<E> {
        E::delete_many()
            .filter(E::tenant_column().eq(self.tenant_id))
            .filter(condition)
    }

    /// Inserts a row, stamped with this council's `tenant_id` whatever the caller set.
    pub async fn insert<E, A>(&self, mut row: A) -> AppResult<E::Model>
    where
        E: CouncilOwned,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        row.set(E::tenant_column(), self.tenant_id.into());
        Ok(row.insert(&self.txn).await?)
    }

    /// Inserts many rows in one statement, each stamped with this council's `tenant_id`.
    pub async fn insert_many<E, A>(&self, rows: Vec<A>) -> AppResult<()>
    where
        E: CouncilOwned,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        if rows.is_empty() {
            return Ok(());
        }
        let stamped = rows.into_iter().map(|mut row| {
            row.set(E::tenant_column(), self.tenant_id.into());
            row
        });
        E::insert_many(stamped)
            .exec_without_returning(&self.txn)
            .await?;
        Ok(())
    }

    /// Updates one row by its primary key, which leads with `tenant_id`: stamping the council's
    /// id there confines the `WHERE` to this council. NOT_FOUND when no such row is ours.
    pub async fn update<E, A>(&self, mut row: A, what: &'static str) -> AppResult<E::Model>
    where
        E: CouncilOwned,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        row.set(E::tenant_column(), self.tenant_id.into());
        match row.update(&self.txn).await {
            Ok(model) => Ok(model),
            Err(sea_orm::DbErr::RecordNotUpdated) => Err(AppError::NotFound(what)),
            Err(other) => Err(other.into()),
        }
    }

    /// Waits until no other transaction of this council holds its turn, then holds it until this
    /// transaction ends: for writers that must take turns, such as appenders to the council's
    /// audit chain. A PostgreSQL advisory lock keyed by the council; on SQLite, council
    /// transactions already take turns.
    pub async fn take_council_turn(&self) -> AppResult<()> {
        if self.txn.get_database_backend() == DbBackend::Postgres {
            self.txn
                .execute_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
                    [self.tenant_id.to_string().into()],
                ))
                .await?;
        }
        Ok(())
    }

    /// The council this transaction is confined to.
    pub fn tenant_id(&self) -> Uuid {
        self.tenant_id
    }

    /// The connection, for executing the statements built above. Handing it out is safe
    /// because nothing outside this file may build an unscoped statement (`clippy.toml`).
    pub fn conn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    pub async fn commit(self) -> AppResult<()> {
        Ok(self.txn.commit().await?)
    }
}

/// The right to compile a partnership's release: read its member councils' approved returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartnershipScope {
    partnership_id: Uuid,
}

impl PartnershipScope {
    /// Only auth (from a verified partnership principal) and the demo seeder create scopes.
    pub(crate) fn for_partnership(partnership_id: Uuid) -> Self {
        Self { partnership_id }
    }

    pub fn partnership_id(&self) -> Uuid {
        self.partnership_id
    }

    /// Opens the compile transaction. With `turns` (SQLite), it waits its turn as council
    /// transactions do.
    pub async fn begin_compile(
        &self,
        db: &DatabaseConnection,
        turns: Option<&Arc<Mutex<()>>>,
    ) -> AppResult<CompilerTxn> {
        let serial = match turns {
            Some(turns) => Some(turns.clone().lock_owned().await),
            None => None,
        };
        let txn = db.begin().await?;
        if txn.get_database_backend() == DbBackend::Postgres {
            // Local to the transaction, like the council lock: gone at commit.
            #[expect(
                clippy::disallowed_methods,
                reason = "the compile lock itself: switching to the compile role and setting the partnership"
            )]
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT set_config('role', $1, true), set_config('app.partnership_id', $2, true)",
                [
                    migration::COMPILER_ROLE.into(),
                    self.partnership_id.to_string().into(),
                ],
            ))
            .await?;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "membership is a shared table; the compile role may read it"
        )]
        let members: Vec<Uuid> = membership::Entity::find()
            .select_only()
            .column(membership::Column::CouncilId)
            .filter(membership::Column::PartnershipId.eq(self.partnership_id))
            .into_tuple()
            .all(&txn)
            .await?;
        Ok(CompilerTxn {
            txn,
            members,
            _serial: serial,
        })
    }
}

/// A return the compile transaction found approved (or approved and since superseded) for a
/// member council; only [`CompilerTxn`] makes one, so its cells are known to be shareable.
#[derive(Clone, Debug)]
pub struct ApprovedReturn(council_return::Model);

impl ApprovedReturn {
    pub fn council_id(&self) -> Uuid {
        self.0.tenant_id
    }
    pub fn id(&self) -> Uuid {
        self.0.id
    }
    pub fn version(&self) -> i32 {
        self.0.version
    }
    pub fn period(&self) -> &str {
        &self.0.period
    }
}

/// A transaction that reads approved returns of one partnership's member councils, and nothing
/// else: it hands out no connection, only these reads.
pub struct CompilerTxn {
    txn: DatabaseTransaction,
    members: Vec<Uuid>,
    _serial: Option<OwnedMutexGuard<()>>,
}

// The application half of the compile lock: every query here is confined to member councils and
// to returns they approved.
#[expect(
    clippy::disallowed_methods,
    reason = "the compile lock itself: every query built here is confined to approved returns of member councils"
)]
impl CompilerTxn {
    /// The partnership's member councils.
    pub fn members(&self) -> &[Uuid] {
        &self.members
    }

    /// Each member council's latest approved return for `period`. A council whose latest
    /// version is a draft is represented by its latest approved one (docs/domain.md, "Releases").
    pub async fn approved_returns(&self, period: &str) -> AppResult<Vec<ApprovedReturn>> {
        let rows = council_return::Entity::find()
            .filter(council_return::Column::TenantId.is_in(self.members.clone()))
            .filter(council_return::Column::Period.eq(period))
            .filter(council_return::Column::Status.eq(ReturnStatus::Approved))
            .order_by_asc(council_return::Column::TenantId)
            .order_by_desc(council_return::Column::Version)
            .all(&self.txn)
            .await?;
        let mut latest: Vec<ApprovedReturn> = Vec::new();
        for row in rows {
            if latest
                .last()
                .is_some_and(|last| last.council_id() == row.tenant_id)
            {
                continue;
            }
            latest.push(ApprovedReturn(row));
        }
        Ok(latest)
    }

    /// The periods member councils have approved returns for, most returns first.
    pub async fn approved_periods(&self) -> AppResult<Vec<(String, i64)>> {
        let mut periods: Vec<(String, i64)> = council_return::Entity::find()
            .select_only()
            .column(council_return::Column::Period)
            .column_as(council_return::Column::TenantId.count(), "returns")
            .filter(council_return::Column::TenantId.is_in(self.members.clone()))
            .filter(council_return::Column::Status.eq(ReturnStatus::Approved))
            .group_by(council_return::Column::Period)
            .into_tuple()
            .all(&self.txn)
            .await?;
        periods.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
        Ok(periods)
    }

    /// Returns by id that were approved (even if superseded since): what an earlier revision
    /// was compiled from. Anything else asked for is simply absent.
    pub async fn approved_returns_by_id(&self, ids: &[Uuid]) -> AppResult<Vec<ApprovedReturn>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = council_return::Entity::find()
            .filter(council_return::Column::TenantId.is_in(self.members.clone()))
            .filter(council_return::Column::Id.is_in(ids.to_vec()))
            .filter(council_return::Column::ApprovedAt.is_not_null())
            .filter(
                council_return::Column::Status
                    .is_in([ReturnStatus::Approved, ReturnStatus::Superseded]),
            )
            .all(&self.txn)
            .await?;
        Ok(rows.into_iter().map(ApprovedReturn).collect())
    }

    /// The cells of approved returns.
    pub async fn cells(&self, returns: &[ApprovedReturn]) -> AppResult<Vec<return_cell::Model>> {
        if returns.is_empty() {
            return Ok(Vec::new());
        }
        let councils: Vec<Uuid> = returns.iter().map(ApprovedReturn::council_id).collect();
        let ids: Vec<Uuid> = returns.iter().map(ApprovedReturn::id).collect();
        let cells = return_cell::Entity::find()
            .filter(return_cell::Column::TenantId.is_in(councils))
            .filter(return_cell::Column::ReturnId.is_in(ids))
            .order_by_asc(return_cell::Column::TenantId)
            .order_by_asc(return_cell::Column::ReturnId)
            .all(&self.txn)
            .await?;
        Ok(cells)
    }

    /// Ends the transaction (it changed nothing).
    pub async fn finish(self) -> AppResult<()> {
        Ok(self.txn.commit().await?)
    }
}
