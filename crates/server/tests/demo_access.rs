//! The demo access config (`demo/access-config.json`, what the page's access simulator shows)
//! reaches every outcome a user should be able to try, on real demo assets, decided by core's
//! engine — from the file and from the live sandbox alike.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::{json, Value};
use steward_core::access::{PolicyEngine, Request};
use steward_server::sandbox::demo::{self, TagUse, DEFAULT_SCALE};

const DEMO_CONFIG: &str = include_str!("../demo/access-config.json");

fn names(tags: &[TagUse]) -> Vec<String> {
    tags.iter().map(|t| t.tag.to_owned()).collect()
}

/// A demo table's spec by `DB/SCHEMA/TABLE`.
fn table_spec(path: &str) -> demo::TableSpec {
    let [db, schema, name] = path.split('/').collect::<Vec<_>>()[..] else { panic!("{path}") };
    let warehouse = demo::snowflake(DEFAULT_SCALE);
    let database = warehouse.databases.iter().find(|d| d.name == db).unwrap();
    let schema_spec = database.schemas.iter().find(|s| s.name == schema).unwrap();
    schema_spec.tables.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no demo table {path}")).clone()
}

/// A demo table's qualified name and tags.
fn table(path: &str) -> (String, Vec<String>) {
    (format!("{CONNECTION}/{path}"), names(&table_spec(path).tags))
}

/// A demo column's (`DB/SCHEMA/TABLE/COLUMN`) qualified name and tags: its own plus those
/// propagated from its table.
fn column(path: &str) -> (String, Vec<String>) {
    let (table_path, name) = path.rsplit_once('/').unwrap();
    let spec = table_spec(table_path);
    let column = spec.columns.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no demo column {path}"));
    let mut tags = names(&column.tags);
    for tag in spec.tags.iter().filter(|t| t.propagate) {
        if !tags.iter().any(|t| t == tag.tag) {
            tags.push(tag.tag.to_owned());
        }
    }
    (format!("{CONNECTION}/{path}"), tags)
}

fn decide(engine: &PolicyEngine, user: &str, action: &str, (qualified_name, tags): &(String, Vec<String>), type_name: &str) -> Value {
    let request: Request =
        serde_json::from_value(json!({"user": user, "action": action, "asset": {"qualifiedName": qualified_name, "typeName": type_name, "tags": tags}}))
            .unwrap();
    serde_json::to_value(engine.decide(&request).unwrap()).unwrap()
}

/// Every promised outcome against one engine.
fn check_outcomes(engine: &PolicyEngine) {
    let email = column("SALES_DB/SALES/CUSTOMERS/EMAIL");
    assert_eq!(email.1, ["PII"], "the demo's PII column");

    let analyst = decide(engine, "sandbox-analyst", "query", &email, "Column");
    assert_eq!(analyst["allowed"], true, "{analyst}");
    assert_eq!(analyst["reason"], "persona-grant", "{analyst}");
    assert_eq!(analyst["decidedBy"], json!({"owner": "persona", "ownerName": "Sales analysts", "policy": "Query sales"}), "{analyst}");
    assert_eq!(analyst["mask"], "REDACT", "{analyst}");
    assert_eq!(analyst["maskedBy"]["ownerName"], "PII protection", "{analyst}");
    let matched: Vec<(String, String)> = analyst["policies"].as_array().unwrap().iter()
        .map(|p| (p["ownerName"].as_str().unwrap().to_owned(), p["policy"].as_str().unwrap().to_owned())).collect();
    assert_eq!(matched, [("Sales analysts".to_owned(), "Query sales".to_owned()), ("PII protection".to_owned(), "Mask PII".to_owned())]);

    let admin = decide(engine, "sandbox-admin", "query", &email, "Column");
    assert_eq!(admin["allowed"], true, "{admin}");
    assert_eq!(admin["reason"], "connection-admin", "{admin}");
    assert!(admin.get("mask").is_none(), "data-platform sees PII in clear: {admin}");

    // A column the persona grants but no purpose masks: clear for the analyst too.
    let order_status = column("SALES_DB/SALES/ORDERS/STATUS");
    assert!(order_status.1.is_empty());
    let clear = decide(engine, "sandbox-analyst", "query", &order_status, "Column");
    assert_eq!((clear["allowed"].clone(), clear.get("mask")), (json!(true), None), "{clear}");

    for confidential in [table("FINANCE_DB/HR/EMPLOYEES"), column("FINANCE_DB/HR/PAYROLL/SALARY")] {
        assert!(confidential.1.contains(&"Confidential".to_owned()), "{confidential:?}");
        let type_name = if confidential.0.matches('/').count() == 6 { "Column" } else { "Table" };
        let hidden = decide(engine, "sandbox-analyst", "query", &confidential, type_name);
        assert_eq!(hidden["allowed"], false, "{hidden}");
        assert_eq!(hidden["reason"], "deny-policy", "{hidden}");
        assert_eq!(
            hidden["decidedBy"],
            json!({"owner": "purpose", "ownerName": "Confidential data", "policy": "Hide confidential data"}),
            "{hidden}"
        );
        assert!(hidden.get("mask").is_none(), "a denied query returns no data, not masked data");
        assert_eq!(hidden["policies"].as_array().unwrap().len(), 1, "{hidden}");
        // The purpose is scoped to analysts: the connection admin still queries HR.
        assert_eq!(decide(engine, "sandbox-admin", "query", &confidential, type_name)["reason"], "connection-admin");
    }

    let orders = table("SALES_DB/SALES/ORDERS");
    let guest = decide(engine, "sandbox-guest", "update", &orders, "Table");
    assert_eq!(guest["allowed"], false, "{guest}");
    assert_eq!(guest["reason"], "guest-ceiling", "{guest}");

    // And the rest of SPEC §2's reasons on demo users.
    let ledger = table("FINANCE_DB/LEDGER/ACCOUNTS");
    assert_eq!(decide(engine, "sandbox-analyst", "query", &ledger, "Table")["reason"], "implicit-deny");
    let connection = (CONNECTION.to_owned(), Vec::new());
    assert_eq!(decide(engine, "service-account-apikey-integration", "manage-policies", &connection, "Connection")["reason"], "not-admin");
}

#[test]
fn the_demo_access_config_reaches_every_outcome_on_real_demo_assets() {
    check_outcomes(&PolicyEngine::from_json_str(DEMO_CONFIG).unwrap());
}

#[tokio::test]
async fn the_live_sandbox_serves_the_same_outcomes() {
    let api = start_sandbox().await;
    let config: Value = api.client.get(format!("{}/sandbox/access-config", api.base)).send().await.unwrap().json().await.unwrap();
    let demo: Value = serde_json::from_str(DEMO_CONFIG).unwrap();
    assert_eq!(config["purposes"], demo["purposes"]);
    assert!(config["users"].as_array().unwrap().iter().any(|u| u["name"] == "sandbox-analyst"));
    check_outcomes(&PolicyEngine::from_value(&config).unwrap());
}
