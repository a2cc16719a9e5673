//! The sandbox's own endpoints and options: the local inventory, sample rows, the live access
//! config, the reset to the demo, the demo scale and the custom-metadata flag.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::{json, Value};
use steward_server::sandbox::catalog::demo::DemoOptions;
use steward_server::SandboxOptions;

#[tokio::test]
async fn the_inventory_matches_the_catalog_except_for_its_deliberate_mismatches() {
    let api = start_sandbox().await;
    let inventory: Value = api.client.get(format!("{}/sandbox/inventory", api.base)).send().await.unwrap().json().await.unwrap();
    let datastores = inventory["datastores"].as_array().unwrap();
    assert!(datastores.len() >= 5);
    let mut exact = 0;
    let mut missing = Vec::new();
    for store in datastores {
        assert!(store["id"].is_u64() && store["quality"]["url"].as_str().unwrap().starts_with("https://"));
        for container in store["containers"].as_array().unwrap() {
            let quality = &container["quality"];
            let score = quality["score"].as_f64().unwrap();
            assert!((0.0..=100.0).contains(&score));
            assert!(quality["checks"].is_u64() && quality["anomalies"].is_u64());
            let name = container["name"].as_str().unwrap();
            let qualified_name = format!("{CONNECTION}/{}/{}/{name}", store["database"].as_str().unwrap(), store["schema"].as_str().unwrap());
            let (_, page) = api.search(ADMIN, json!({"term": {"qualifiedName": qualified_name}}), 0, 1, &[]).await;
            if page["approximateCount"] == 1 {
                exact += 1;
            } else {
                missing.push(format!("{}.{name}", store["name"].as_str().unwrap()));
            }
        }
    }
    missing.sort();
    assert_eq!(missing, [
        "SALES_DB.MARKETING.campaigns", "SALES_DB.MARKETING.web_events",
        "SALES_DB.SALES.\"PRODUCTS\"", "SALES_DB.SALES.CUSTOMER_FEEDBACK", "SALES_DB.SCRATCH.TMP_ANALYSIS",
    ]);
    assert!(exact >= 100, "{exact}");
    let dimensions = &datastores[0]["containers"][0]["quality"]["dimensions"];
    assert!(dimensions.as_object().unwrap().keys().all(|k| ["completeness", "coverage", "conformity", "consistency",
        "precision", "timeliness", "volume", "accuracy"].contains(&k.as_str())));
}

#[tokio::test]
async fn samples_give_realistic_rows_for_tables_as_json_or_csv() {
    let api = start_sandbox().await;
    let customers = format!("{SALES}/CUSTOMERS");
    let url = format!("{}/sandbox/sample?qualifiedName={customers}&rows=50", api.base);
    let sample: Value = api.client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(sample["typeName"], "Table");
    let columns = sample["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 12);
    let email = columns.iter().find(|c| c["name"] == "EMAIL").unwrap();
    assert_eq!(email["tags"], json!(["PII"]));
    assert_eq!(email["values"].as_array().unwrap().len(), 50);
    assert!(email["values"].as_array().unwrap().iter().filter_map(Value::as_str).all(|v| v.contains('@')));
    let names = columns.iter().find(|c| c["name"] == "FIRST_NAME").unwrap();
    assert!(names["values"].as_array().unwrap().iter().filter_map(Value::as_str).any(|v| !v.is_ascii()));
    let again: Value = api.client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(sample, again, "deterministic");
    let cards: Value = api.client.get(format!("{}/sandbox/sample?qualifiedName={CONNECTION}/FINANCE_DB/PAYMENTS/CARDS", api.base))
        .send().await.unwrap().json().await.unwrap();
    let card = cards["columns"].as_array().unwrap().iter().find(|c| c["name"] == "CARD_NUMBER").unwrap();
    assert_eq!(card["tags"], json!(["PII", "Sensitive", "Finance"]), "propagated tags count too");
    let csv = api.client.get(format!("{url}&format=csv")).send().await.unwrap();
    assert!(csv.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("CUSTOMER_ID,FIRST_NAME,LAST_NAME,EMAIL,"));
    assert_eq!(text.lines().count(), 51);
    for (query, status) in [("", 400), ("?qualifiedName=nope", 404), (&format!("?qualifiedName={customers}/EMAIL")[..], 404), (&format!("?qualifiedName={customers}&rows=0")[..], 400)] {
        let response = api.client.get(format!("{}/sandbox/sample{query}", api.base)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{query}");
    }
}

#[tokio::test]
async fn the_demo_scale_sets_the_number_of_tables() {
    let options = SandboxOptions { demo: DemoOptions { scale: 600, ..DemoOptions::default() }, ..SandboxOptions::default() };
    let api = Api::new(start_with(config().with_sandbox(options)).await);
    let query = json!({"bool": {"filter": [{"terms": {"__typeName.keyword": ["Table", "View", "MaterialisedView"]}},
        {"term": {"connectionQualifiedName": CONNECTION}}]}});
    let (_, page) = api.search(ADMIN, query, 0, 1, &[]).await;
    assert_eq!(page["approximateCount"], 602, "600 generated, plus the two fixed extras");
}

async fn access_config(api: &Api) -> Value {
    let response = api.client.get(format!("{}/sandbox/access-config", api.base)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn persona_names(config: &Value) -> Vec<String> {
    config["personas"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_access_config_is_the_live_one_with_personas_created_through_the_api() {
    let api = start_sandbox().await;
    let demo: Value = serde_json::from_str(include_str!("../demo/access-config.json")).unwrap();
    let config = access_config(&api).await;
    assert_eq!(persona_names(&config), persona_names(&demo));
    assert_eq!(config["users"], demo["users"]);
    let persona = json!({"entities": [{"typeName": "Persona", "attributes": {"qualifiedName": "Auditors", "name": "Auditors",
        "personaUsers": ["service-account-apikey-unconfigured"], "personaGroups": [], "isAccessControlEnabled": true}}]});
    let (status, body) = api.post("/api/meta/entity/bulk", ADMIN, &persona).await;
    assert_eq!(status, 200, "{body}");
    let config = access_config(&api).await;
    let auditors = config["personas"].as_array().unwrap().iter().find(|p| p["name"] == "Auditors").unwrap();
    assert_eq!(auditors["users"], json!(["service-account-apikey-unconfigured"]));
    // The document is an access config core reads.
    steward_core::access::PolicyEngine::from_value(&config).unwrap();
}

#[tokio::test]
async fn a_reset_restores_the_demo_tenants() {
    let api = start_sandbox().await;
    let returns = format!("{SALES}/RETURNS");
    let change = json!({"entities": [{"typeName": "Table", "attributes": {"qualifiedName": returns, "name": "RETURNS", "description": "changed"},
        "addOrUpdateClassifications": [{"typeName": PII, "propagate": true}]}]});
    let (status, body) = api.post("/api/meta/entity/bulk?appendTags=true", ADMIN, &change).await;
    assert_eq!(status, 200, "{body}");
    let persona = json!({"entities": [{"typeName": "Persona", "attributes": {"qualifiedName": "Temp", "name": "Temp", "personaUsers": [], "personaGroups": []}}]});
    assert_eq!(api.post("/api/meta/entity/bulk", ADMIN, &persona).await.0, 200);
    let changed = api.asset(&returns, &["description"]).await;
    assert_eq!(changed["attributes"]["description"], "changed");

    let response = api.client.post(format!("{}/sandbox/reset", api.base)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let restored = api.asset(&returns, &["description"]).await;
    assert!(restored["attributes"].get("description").is_none(), "{restored}");
    assert!(!restored["classificationNames"].as_array().unwrap().contains(&json!(PII)));
    let (_, column) = api.search(ADMIN, json!({"prefix": {"qualifiedName": format!("{returns}/")}}), 0, 1, &[]).await;
    assert!(column["entities"][0]["classifications"].as_array().unwrap().iter().all(|c| c["typeName"] != PII), "propagation is gone too");
    assert!(!persona_names(&access_config(&api).await).contains(&"Temp".to_owned()));
    assert_eq!(restored["guid"], changed["guid"]);
}
