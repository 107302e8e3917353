//! Fixtures for shared-figure tests: metric definitions and council returns written directly
//! as the owner (the returns service has its own tests), a second partnership with its own
//! issuer, and checks every published release must pass.

use std::collections::HashMap;

use api::config::{IssuerSettings, Settings};
use chrono::Utc;
use entity::council_return::{ReturnSource, ReturnStatus};
use entity::metric_definition::{DefinitionStatus, MetricUnit};
use entity::{council, council_return, membership, metric_definition, partnership, return_cell};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, Statement, TransactionTrait,
};
use serde_json::Value;
use uuid::Uuid;

use crate::{AUDIENCE, Caller, PARTNERSHIP, TestApp, fixture};

/// The second partnership's code and its issuer (signing with the partnership fixture key).
pub const OTHER_PARTNERSHIP: &str = "OTHERP";
pub const OTHER_ISSUER: &str = "https://idp.otherp.test";

/// A figure of a return: definition, breakdown, category, value.
#[derive(Clone, Debug)]
pub struct Cell {
    pub definition: Uuid,
    pub breakdown: &'static str,
    pub category: &'static str,
    pub value: f64,
}

/// A count's total and its split by sex.
pub fn by_sex(definition: Uuid, female: i64, male: i64) -> Vec<Cell> {
    vec![
        Cell {
            definition,
            breakdown: "total",
            category: "total",
            value: (female + male) as f64,
        },
        Cell {
            definition,
            breakdown: "sex",
            category: "female",
            value: female as f64,
        },
        Cell {
            definition,
            breakdown: "sex",
            category: "male",
            value: male as f64,
        },
    ]
}

/// The database behind a test server, with the partnership and its councils.
pub struct Figures {
    pub db: DatabaseConnection,
    pub partnership: Uuid,
    /// The South-East councils by LA code, in LA-code order.
    pub councils: Vec<(String, Uuid)>,
}

impl Figures {
    pub async fn of(app: &TestApp) -> Self {
        let db = app.database.connect().await;
        let partnership = partnership::Entity::find()
            .filter(partnership::Column::Code.eq(PARTNERSHIP))
            .one(&db)
            .await
            .expect("read partnership")
            .expect("the partnership is seeded")
            .id;
        let councils = council::Entity::find()
            .order_by_asc(council::Column::LaCode)
            .all(&db)
            .await
            .expect("read councils")
            .into_iter()
            .map(|c| (c.la_code, c.id))
            .collect();
        Self {
            db,
            partnership,
            councils,
        }
    }

    pub fn council(&self, la_code: &str) -> Uuid {
        self.councils
            .iter()
            .find(|(code, _)| code == la_code)
            .map(|(_, id)| *id)
            .expect("a known council")
    }

    /// The partnership's definition `code` version 1, created (agreed) unless the catalogue
    /// already has it.
    pub async fn definition(
        &self,
        partnership_id: Uuid,
        code: &str,
        unit: MetricUnit,
        breakdowns: &str,
    ) -> Uuid {
        if let Some(existing) = metric_definition::Entity::find()
            .filter(metric_definition::Column::PartnershipId.eq(partnership_id))
            .filter(metric_definition::Column::Code.eq(code))
            .filter(metric_definition::Column::Version.eq(1))
            .one(&self.db)
            .await
            .expect("read definition")
        {
            return existing.id;
        }
        let id = Uuid::now_v7();
        metric_definition::Entity::insert(metric_definition::ActiveModel {
            id: Set(id),
            partnership_id: Set(partnership_id),
            code: Set(code.to_owned()),
            version: Set(1),
            title: Set(format!("Test figure {code}")),
            description: Set("For tests".to_owned()),
            unit: Set(unit),
            scope: Set("For tests".to_owned()),
            breakdowns: Set(breakdowns.to_owned()),
            status: Set(DefinitionStatus::Agreed),
            computable: Set(false),
            numerator_code: Set(None),
            denominator_code: Set(None),
            created_at: Set(Utc::now()),
            agreed_at: Set(Some(Utc::now())),
            retired_at: Set(None),
        })
        .exec_without_returning(&self.db)
        .await
        .expect("insert definition");
        id
    }

    /// Writes one version of a council's return with its cells, as the council would have.
    pub async fn put_return(
        &self,
        council_id: Uuid,
        period: &str,
        version: i32,
        status: ReturnStatus,
        cells: &[Cell],
    ) -> Uuid {
        let id = Uuid::now_v7();
        let txn = self.db.begin().await.expect("begin");
        as_council(&txn, council_id).await;
        let approved = matches!(status, ReturnStatus::Approved | ReturnStatus::Superseded);
        council_return::Entity::insert(council_return::ActiveModel {
            tenant_id: Set(council_id),
            id: Set(id),
            period: Set(period.to_owned()),
            period_start: Set(chrono::NaiveDate::from_ymd_opt(2023, 9, 1).expect("date")),
            period_end: Set(chrono::NaiveDate::from_ymd_opt(2024, 8, 31).expect("date")),
            version: Set(version),
            source: Set(ReturnSource::Submitted),
            status: Set(status),
            content_hash: Set(format!("{id}")),
            created_at: Set(Utc::now()),
            approved_at: Set(approved.then(Utc::now)),
        })
        .exec_without_returning(&txn)
        .await
        .expect("insert return");
        if !cells.is_empty() {
            return_cell::Entity::insert_many(cells.iter().map(|cell| return_cell::ActiveModel {
                tenant_id: Set(council_id),
                return_id: Set(id),
                definition_id: Set(cell.definition),
                breakdown: Set(cell.breakdown.to_owned()),
                category: Set(cell.category.to_owned()),
                value: Set(cell.value),
                numerator: Set(None),
                base: Set(None),
            }))
            .exec_without_returning(&txn)
            .await
            .expect("insert cells");
        }
        txn.commit().await.expect("commit");
        id
    }

    /// Marks a council's return superseded (a later version replaced it).
    pub async fn supersede(&self, council_id: Uuid, return_id: Uuid) {
        let txn = self.db.begin().await.expect("begin");
        as_council(&txn, council_id).await;
        council_return::Entity::update_many()
            .col_expr(
                council_return::Column::Status,
                sea_orm::sea_query::Expr::value(ReturnStatus::Superseded),
            )
            .filter(council_return::Column::TenantId.eq(council_id))
            .filter(council_return::Column::Id.eq(return_id))
            .exec(&txn)
            .await
            .expect("supersede");
        txn.commit().await.expect("commit");
    }

    /// Creates the second partnership with `members`; returns its id.
    pub async fn other_partnership(&self, members: &[Uuid]) -> Uuid {
        let id = Uuid::now_v7();
        partnership::Entity::insert(partnership::ActiveModel {
            id: Set(id),
            code: Set(OTHER_PARTNERSHIP.to_owned()),
            name: Set("Another partnership".to_owned()),
            region_code: Set(None),
            region_name: Set(None),
            created_at: Set(Utc::now()),
        })
        .exec_without_returning(&self.db)
        .await
        .expect("insert partnership");
        for council in members {
            membership::Entity::insert(membership::ActiveModel {
                partnership_id: Set(id),
                council_id: Set(*council),
                joined_on: Set(chrono::NaiveDate::from_ymd_opt(2024, 9, 1).expect("date")),
            })
            .exec_without_returning(&self.db)
            .await
            .expect("insert membership");
        }
        id
    }
}

/// On PostgreSQL, sets the council for the transaction so the writes pass its RLS policy
/// whatever the test login may bypass.
async fn as_council(txn: &sea_orm::DatabaseTransaction, council_id: Uuid) {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT set_config('app.tenant_id', $1, true)",
            [council_id.to_string().into()],
        ))
        .await
        .expect("set tenant");
    }
}

/// Settings with the second partnership's issuer trusted as well (for `Options::configure`).
pub fn with_other_partnership(settings: &mut Settings) {
    settings.auth.issuers.push(IssuerSettings {
        issuer: OTHER_ISSUER.into(),
        audience: AUDIENCE.into(),
        algorithms: vec!["ES256".into()],
        typ: None,
        jwks_url: None,
        public_key_pem: Some(fixture("partnership-es256.pub.pem")),
        hs256_secret: None,
        allow_hs256: false,
        council: None,
        partnership: Some(OTHER_PARTNERSHIP.into()),
        roles_claim: "roles".into(),
        role_map: Default::default(),
    });
}

/// A token of the second partnership's issuer.
pub fn other_partnership_token(app: &TestApp, roles: &[&str]) -> String {
    let mut claims = app.tokens.claims(Caller::Partnership, roles);
    claims["iss"] = Value::from(OTHER_ISSUER);
    claims["sub"] = Value::from(format!("{OTHER_ISSUER}/officer-3"));
    claims["partnership"] = Value::from(OTHER_PARTNERSHIP);
    app.tokens.sign(Caller::Partnership, &claims)
}

/// Every published value is exactly one of a number and a symbol, with a display; and no
/// visible count lies between 1 and the threshold, and visible counts are multiples of the base.
pub fn assert_published_safely(cells: &Value, threshold: i64, base: i64) {
    let cells = cells.as_array().expect("cells");
    assert!(!cells.is_empty(), "a release with no cells");
    let mut by_group: HashMap<&str, usize> = HashMap::new();
    for cell in cells {
        let value = &cell["value"];
        assert!(
            value["value"].is_null() != value["symbol"].is_null(),
            "exactly one of value and symbol: {cell}"
        );
        assert!(value["display"].is_string(), "{cell}");
        if let (true, Some(count)) = (cell["figure"]["unit"] == "count", value["value"].as_f64()) {
            let count = count as i64;
            assert!(
                count == 0 || count > threshold,
                "a visible count within 1..={threshold}: {cell}"
            );
            assert_eq!(count % base, 0, "a count not rounded to {base}: {cell}");
        }
        if cell["council"].is_null() && cell["breakdown"] == "total" {
            *by_group
                .entry(cell["group"].as_str().expect("group"))
                .or_default() += 1;
        }
    }
    assert!(
        by_group.values().all(|n| *n == 1),
        "one grand total per group: {by_group:?}"
    );
}
