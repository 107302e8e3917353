//! Values the case input tests share.

use async_graphql::ID;
use chrono::NaiveDate;
use uuid::Uuid;

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

/// A Friday in term, as "today" for every test.
pub(super) fn today() -> NaiveDate {
    date(2021, 5, 28)
}

/// A fresh id, and the same as the GraphQL `ID` a client would send.
pub(super) fn id() -> (Uuid, ID) {
    let id = Uuid::now_v7();
    (id, ID(id.to_string()))
}
