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

use sea_orm::sea_query::{ArrayType, IntoCondition};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ActiveValue, ColumnTrait, ColumnType, ConnectionTrait,
    DatabaseConnection, DatabaseTransaction, DbBackend, DeleteMany, EntityTrait, IdenStatic,
    IntoActiveModel, Iterable, QueryFilter, QueryOrder, Select, Statement, TransactionTrait,
    UpdateMany, Value,
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

        /// Each column of a council table that `insert_many` could not carry as an array on
        /// PostgreSQL, with why: its type has no array type, or a value of its Rust type is
        /// another kind of value than the array holds (checked on the value every column with
        /// a `Default` gets). Empty when every column maps.
        #[cfg(test)]
        fn columns_unnest_cannot_carry() -> Vec<String> {
            let mut problems = Vec::new();
            $({
                let table = sea_orm::EntityName::table_name(&entity::$table::Entity);
                let defaults = <entity::$table::ActiveModel as ActiveModelTrait>::default_values();
                for column in <entity::$table::Column as Iterable>::iter() {
                    let name = format!("{table}.{}", column.as_str());
                    match unnest_type(column.def().get_column_type()) {
                        None => problems.push(format!("{name}: no array type")),
                        Some((array_type, _)) => {
                            if let ActiveValue::Set(value) = defaults.get(column)
                                && value.array_type() != array_type
                            {
                                problems.push(format!("{name}: {value:?} is not {array_type:?}"));
                            }
                        }
                    }
                }
            })+
            problems
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

/// Rows per `INSERT` on PostgreSQL, where rows travel as one array per column: a whole batch
/// (`server.max_batch_rows`) in one statement and one round trip.
const UNNEST_ROWS: usize = 10_000;
/// Bound parameters per `INSERT` as multi-row `VALUES`: under SQLite's limit of 32,766.
const SQLITE_PARAMETERS: usize = 32_000;

/// The array type and PostgreSQL element type that carry a column of `column_type` in an
/// `UNNEST` insert, or `None` for a type the array path does not carry (those rows are then
/// inserted as `VALUES`). Every column of every council table maps (a test below checks).
fn unnest_type(column_type: &ColumnType) -> Option<(ArrayType, &'static str)> {
    Some(match column_type {
        ColumnType::Uuid => (ArrayType::Uuid, "uuid"),
        // Enums are stored as strings: their values travel as text and PostgreSQL assigns them
        // to the `varchar` column (with its length check), as a bound text value would be.
        ColumnType::String(_) | ColumnType::Text => (ArrayType::String, "text"),
        ColumnType::Date => (ArrayType::ChronoDate, "date"),
        ColumnType::TimestampWithTimeZone => (ArrayType::ChronoDateTimeUtc, "timestamptz"),
        ColumnType::SmallInteger => (ArrayType::SmallInt, "int2"),
        ColumnType::Integer => (ArrayType::Int, "int4"),
        ColumnType::BigInteger => (ArrayType::BigInt, "int8"),
        ColumnType::Float => (ArrayType::Float, "float4"),
        ColumnType::Double => (ArrayType::Double, "float8"),
        ColumnType::Boolean => (ArrayType::Bool, "bool"),
        _ => return None,
    })
}

/// `"name"`, quoted as PostgreSQL quotes an identifier.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// One `INSERT` of `rows` into `E` for PostgreSQL, the rows carried as one array per column:
///
/// ```sql
/// INSERT INTO "child" ("tenant_id", "id", "council_reference", "upn", ...)
/// SELECT $1::uuid, r.c0, CASE WHEN r.p1 THEN r.c1 END, NULL::text, ...
/// FROM UNNEST($2::uuid[], $3::text[], $4::bool[], ...) AS r(c0, c1, p1, ...)
/// ```
///
/// `tenant_id` is `$1`, the transaction's council, whatever the rows hold. An array cannot hold
/// NULL through sea-query (its arrays bind as `Vec<T>`), so a nullable column with NULL in some
/// rows travels with a second array saying which rows have a value (a row without one gets the
/// type's placeholder in the value array and NULL in the table); a column NULL in every row is
/// a typed `NULL` and sends no array; a column with a value in every row sends its values
/// alone. Every array is an element per row that PostgreSQL receives and decodes at bind time,
/// so sending none that carries nothing matters: for a load of children with no UPNs, needs or
/// schools, it took a quarter off the insert. The arrays' types come from the entity's column
/// definitions, and every value must be of its column's type.
///
/// `None` (and the rows go as `VALUES` instead) when a row leaves a column unset that the first
/// row sets or the other way round, a column's type has no array here, a value is not of its
/// column's type, or a NOT NULL column is given NULL (PostgreSQL's own refusal then comes from
/// the `VALUES` insert).
fn unnest_insert<E, A>(tenant_id: Uuid, rows: &[A]) -> Option<Statement>
where
    E: CouncilOwned,
    A: ActiveModelTrait<Entity = E>,
{
    let first = rows.first()?;
    let tenant = E::tenant_column();
    let columns: Vec<E::Column> = <E::Column as Iterable>::iter()
        .filter(|column| column.as_str() != tenant.as_str() && !first.is_not_set(*column))
        .collect();
    let mut names = vec![quoted(tenant.as_str())];
    let mut select = vec!["$1::uuid".to_owned()];
    let mut arrays = Vec::new();
    let mut aliases = Vec::new();
    let mut values: Vec<Value> = vec![tenant_id.into()];
    for (index, column) in columns.into_iter().enumerate() {
        let definition = column.def();
        let (array_type, element) = unnest_type(definition.get_column_type())?;
        let mut column_values = Vec::with_capacity(rows.len());
        let mut present = Vec::with_capacity(rows.len());
        for row in rows {
            let value = match row.get(column) {
                ActiveValue::Set(value) | ActiveValue::Unchanged(value) => value,
                ActiveValue::NotSet => return None,
            };
            if value.array_type() != array_type {
                return None;
            }
            present.push(value.is_some());
            column_values.push(if value.is_some() {
                value
            } else {
                value.dummy_value()
            });
        }
        let some = present.iter().filter(|p| **p).count();
        if some < rows.len() && !definition.is_null() {
            return None;
        }
        names.push(quoted(column.as_str()));
        if some == 0 {
            // NULL in every row: no array at all.
            select.push(format!("NULL::{element}"));
            continue;
        }
        values.push(Value::Array(array_type, Some(Box::new(column_values))));
        arrays.push(format!("${}::{element}[]", values.len()));
        aliases.push(format!("c{index}"));
        if some == rows.len() {
            select.push(format!("r.c{index}"));
        } else {
            let present = present.into_iter().map(|p| Value::Bool(Some(p))).collect();
            values.push(Value::Array(ArrayType::Bool, Some(Box::new(present))));
            arrays.push(format!("${}::bool[]", values.len()));
            aliases.push(format!("p{index}"));
            select.push(format!("CASE WHEN r.p{index} THEN r.c{index} END"));
        }
    }
    // Every row must set exactly the columns the first one does.
    for row in rows {
        for column in <E::Column as Iterable>::iter() {
            if column.as_str() != tenant.as_str()
                && row.is_not_set(column) != first.is_not_set(column)
            {
                return None;
            }
        }
    }
    let sql = format!(
        "INSERT INTO {} ({}) SELECT {} FROM UNNEST({}) AS r({})",
        quoted(E::default().table_name()),
        names.join(", "),
        select.join(", "),
        arrays.join(", "),
        aliases.join(", "),
    );
    Some(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
}

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

    /// Inserts many rows, each stamped with this council's `tenant_id`, in as few statements as
    /// the store allows.
    ///
    /// On PostgreSQL the rows go as one array per column, `INSERT ... SELECT ... FROM
    /// UNNEST($2::uuid[], ...)` (see [`unnest_insert`]): a statement of a few dozen parameters
    /// whatever the number of rows, where a multi-row `VALUES` of 1,500 rows carried 24,000
    /// parameters that PostgreSQL parsed and planned one by one (16 ms a statement, against
    /// `COPY`'s 5 ms for as many rows). The tenant there is one parameter, this transaction's
    /// council, never a value from the rows. On SQLite (and for a row the array path cannot
    /// carry) the rows go as multi-row `VALUES`, as many a statement as SQLite's limit of bound
    /// parameters allows.
    pub async fn insert_many<E, A>(&self, rows: Vec<A>) -> AppResult<()>
    where
        E: CouncilOwned,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        if rows.is_empty() {
            return Ok(());
        }
        if self.txn.get_database_backend() == DbBackend::Postgres {
            // Every chunk's statement is built before any runs: should one chunk not fit the
            // array path, all the rows go the other way and none is written twice.
            let statements: Option<Vec<(Statement, usize)>> = rows
                .chunks(UNNEST_ROWS)
                .map(|chunk| unnest_insert::<E, A>(self.tenant_id, chunk).map(|s| (s, chunk.len())))
                .collect();
            if let Some(statements) = statements {
                for (statement, expected) in statements {
                    let inserted = self.txn.execute_raw(statement).await?.rows_affected();
                    if inserted != expected as u64 {
                        return Err(AppError::internal(anyhow::anyhow!(
                            "inserted {inserted} of {expected} rows"
                        )));
                    }
                }
                return Ok(());
            }
        }
        self.insert_as_values(rows).await
    }

    /// `insert_many` as multi-row `VALUES`, stamped here, in statements under SQLite's limit of
    /// bound parameters: SQLite's way, and PostgreSQL's for rows the array path cannot carry.
    async fn insert_as_values<E, A>(&self, rows: Vec<A>) -> AppResult<()>
    where
        E: CouncilOwned,
        A: ActiveModelTrait<Entity = E> + ActiveModelBehavior + Send,
        E::Model: IntoActiveModel<A>,
    {
        let columns = <E::Column as Iterable>::iter().count().max(1);
        let per_statement = (SQLITE_PARAMETERS / columns).max(1);
        let mut stamped = rows.into_iter().map(|mut row| {
            row.set(E::tenant_column(), self.tenant_id.into());
            row
        });
        loop {
            let chunk: Vec<A> = stamped.by_ref().take(per_statement).collect();
            if chunk.is_empty() {
                return Ok(());
            }
            E::insert_many(chunk)
                .exec_without_returning(&self.txn)
                .await?;
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_of_every_council_table_travels_as_an_array_on_postgresql() {
        assert_eq!(columns_unnest_cannot_carry(), Vec::<String>::new());
    }

    fn case_event(provision_id: Option<Uuid>) -> entity::case_event::ActiveModel {
        entity::case_event::ActiveModel {
            tenant_id: sea_orm::ActiveValue::NotSet,
            id: sea_orm::ActiveValue::Set(Uuid::nil()),
            case_id: sea_orm::ActiveValue::Set(Uuid::nil()),
            kind: sea_orm::ActiveValue::Set(entity::case_event::CaseEventKind::Closed),
            occurred_on: sea_orm::ActiveValue::Set(chrono::NaiveDate::MIN),
            recorded_at: sea_orm::ActiveValue::Set(chrono::DateTime::UNIX_EPOCH),
            recorded_by: sea_orm::ActiveValue::Set("someone".to_owned()),
            provision_id: sea_orm::ActiveValue::Set(provision_id),
        }
    }

    #[test]
    fn the_tenant_is_the_first_parameter_never_a_rows_value() {
        let mut row = case_event(None);
        row.tenant_id = sea_orm::ActiveValue::Set(Uuid::max());
        let council = Uuid::from_u128(7);
        let statement = unnest_insert(council, &[row, case_event(Some(Uuid::from_u128(8)))])
            .expect("an array insert");
        assert!(
            statement.sql.starts_with(
                "INSERT INTO \"case_event\" (\"tenant_id\", \"id\", \"case_id\", \"kind\", \
                 \"occurred_on\", \"recorded_at\", \"recorded_by\", \"provision_id\") \
                 SELECT $1::uuid, r.c0, r.c1, r.c2, r.c3, r.c4, r.c5, CASE WHEN r.p6 THEN r.c6 END \
                 FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::date[], $6::timestamptz[], \
                 $7::text[], $8::uuid[], $9::bool[]) AS r(c0, c1, c2, c3, c4, c5, c6, p6)"
            ),
            "{}",
            statement.sql
        );
        let values = statement.values.expect("values").0;
        assert_eq!(values[0], Value::from(council));
        assert!(!values.contains(&Value::from(Uuid::max())));
    }

    #[test]
    fn a_null_travels_as_a_placeholder_and_a_false_beside_it() {
        let statement = unnest_insert(
            Uuid::nil(),
            &[case_event(None), case_event(Some(Uuid::max()))],
        )
        .expect("an array insert");
        let values = statement.values.expect("values").0;
        assert_eq!(
            values[7],
            Value::from(vec![Uuid::nil(), Uuid::max()]),
            "the placeholder is the type's default"
        );
        assert_eq!(values[8], Value::from(vec![false, true]));
    }

    #[test]
    fn a_column_null_in_every_row_sends_no_array_and_one_with_a_value_in_every_row_no_mask() {
        let none = unnest_insert(Uuid::nil(), &[case_event(None), case_event(None)])
            .expect("an array insert");
        assert!(
            none.sql.contains(
                "r.c5, NULL::uuid FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::date[], \
                 $6::timestamptz[], $7::text[]) AS r(c0, c1, c2, c3, c4, c5)"
            ),
            "{}",
            none.sql
        );
        assert_eq!(none.values.expect("values").0.len(), 7);
        let all = unnest_insert(
            Uuid::nil(),
            &[case_event(Some(Uuid::nil())), case_event(Some(Uuid::max()))],
        )
        .expect("an array insert");
        assert!(
            all.sql.contains(
                "r.c5, r.c6 FROM UNNEST($2::uuid[], $3::uuid[], $4::text[], $5::date[], \
                 $6::timestamptz[], $7::text[], $8::uuid[]) AS r(c0, c1, c2, c3, c4, c5, c6)"
            ),
            "{}",
            all.sql
        );
        assert_eq!(
            all.values.expect("values").0[7],
            Value::from(vec![Uuid::nil(), Uuid::max()])
        );
    }

    #[test]
    fn rows_that_set_different_columns_go_as_values_instead() {
        let mut partial = case_event(None);
        partial.provision_id = sea_orm::ActiveValue::NotSet;
        assert!(unnest_insert(Uuid::nil(), &[case_event(None), partial.clone()]).is_none());
        assert!(unnest_insert(Uuid::nil(), &[partial, case_event(None)]).is_none());
    }
}
