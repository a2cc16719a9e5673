//! Every catalog request is authorised for the token's user: the integration token (a member
//! limited by a persona on the Snowflake connection), the same with a deny on `FINANCE_DB/HR`,
//! a member in no persona, the admin (connection admin) and the guest.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::{json, Value};

const BULK: &str = "/api/meta/entity/bulk";

fn tables() -> Value {
    json!({"bool": {"filter": [{"terms": {"__typeName.keyword": ["Table", "View", "MaterialisedView"]}}]}})
}

async fn connections_seen(api: &Api, token: &str) -> (u64, Vec<String>) {
    let (status, page) = api.search(token, tables(), 0, 1_000, &["connectionQualifiedName"]).await;
    assert_eq!(status, 200);
    let mut connections: Vec<String> = page["entities"].as_array().map(|a| a.iter()
        .map(|e| e["attributes"]["connectionQualifiedName"].as_str().unwrap().to_owned()).collect()).unwrap_or_default();
    connections.sort();
    connections.dedup();
    (page["approximateCount"].as_u64().unwrap(), connections)
}

#[tokio::test]
async fn searches_answer_only_the_assets_each_token_may_read() {
    let api = start_sandbox().await;
    let (admin_count, admin) = connections_seen(&api, ADMIN).await;
    assert_eq!(admin, [POSTGRES, CONNECTION], "the admin is connection admin of both (directly, and by role)");
    let (integration_count, integration) = connections_seen(&api, INTEGRATION).await;
    assert_eq!(integration, [CONNECTION], "the persona covers the Snowflake connection only");
    assert_eq!(integration_count, admin_count - 3);
    let (guest_count, _) = connections_seen(&api, GUEST).await;
    let (_, page) = api.search(GUEST, tables(), 0, 1_000, &[]).await;
    assert!(guest_count > 0 && guest_count < integration_count);
    assert!(page["entities"].as_array().unwrap().iter()
        .all(|e| e["attributes"]["qualifiedName"].as_str().unwrap().starts_with(&format!("{CONNECTION}/SALES_DB/"))),
        "the guest's persona covers SALES_DB only");
}

#[tokio::test]
async fn reading_an_asset_without_read_is_403_naming_the_permission() {
    let api = start_sandbox().await;
    let users = format!("{POSTGRES}/APP/PUBLIC/USERS");
    let guid = api.asset(&users, &[]).await["guid"].as_str().unwrap().to_owned();
    for path in [format!("/api/meta/entity/guid/{guid}"), format!("/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName={users}")] {
        let (status, body) = api.get(&path, INTEGRATION).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["errorCode"], "ATLAS-403-00-001");
        let message = body["errorMessage"].as_str().unwrap();
        assert!(message.contains("missing permission \"read\""), "{message}");
        assert!(message.contains("service-account-apikey-integration"), "{message}");
    }
    let (status, _) = api.get(&format!("/api/meta/entity/guid/{guid}"), ADMIN).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_integration_token_tags_writes_custom_metadata_and_announcements_on_its_connection() {
    let api = start_sandbox().await;
    let (set, score) = api.quality_attribute("Quality Score").await;
    let accounts = format!("{CONNECTION}/FINANCE_DB/LEDGER/ACCOUNTS");
    let e = json!({"typeName": "Table", "attributes": {"qualifiedName": accounts, "name": "ACCOUNTS",
        "announcementType": "warning", "announcementTitle": "1 active anomaly", "announcementMessage": "see link"},
        "businessAttributes": { set.clone(): { score.clone(): 77.0 } },
        "addOrUpdateClassifications": [{"typeName": SENSITIVE, "propagate": false}]});
    let (status, body) = api.post(&format!("{BULK}?appendTags=true&replaceBusinessAttributes=true"), INTEGRATION, &json!({"entities": [e]})).await;
    assert_eq!(status, 200, "{body}");
    let key = format!("{set}.{score}");
    let asset = api.asset(&accounts, &[&key, "announcementType"]).await;
    assert_eq!(asset["attributes"][&key], 77.0);
    assert_eq!(asset["attributes"]["announcementType"], "warning");
    assert!(asset["classificationNames"].as_array().unwrap().contains(&json!(SENSITIVE)));
}

#[tokio::test]
async fn the_integration_token_may_not_create_assets_or_write_outside_its_persona() {
    let api = start_sandbox().await;
    let new = json!({"typeName": "Table", "guid": "-1", "attributes": {"qualifiedName": format!("{SALES}/BRAND_NEW"), "name": "BRAND_NEW"}});
    let (status, body) = api.post(BULK, INTEGRATION, &json!({"entities": [new]})).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["errorMessage"].as_str().unwrap().contains("missing permission \"create\""), "{body}");
    let users = json!({"typeName": "Table", "attributes": {"qualifiedName": format!("{POSTGRES}/APP/PUBLIC/USERS"), "name": "USERS", "description": "x"}});
    let (status, body) = api.post(BULK, INTEGRATION, &json!({"entities": [users]})).await;
    assert_eq!(status, 403);
    assert!(body["errorMessage"].as_str().unwrap().contains("missing permission \"update\""), "{body}");
}

#[tokio::test]
async fn the_guest_reads_but_never_writes_even_where_a_persona_allows_it() {
    let api = start_sandbox().await;
    let orders = format!("{SALES}/ORDERS");
    let guid = api.asset(&orders, &[]).await["guid"].as_str().unwrap().to_owned();
    let (status, _) = api.get(&format!("/api/meta/entity/guid/{guid}"), GUEST).await;
    assert_eq!(status, 200);
    let tag = json!({"typeName": "Table", "attributes": {"qualifiedName": orders, "name": "ORDERS"}, "addOrUpdateClassifications": [{"typeName": PII}]});
    let (status, body) = api.post(&format!("{BULK}?appendTags=true"), GUEST, &json!({"entities": [tag]})).await;
    assert_eq!(status, 403);
    let message = body["errorMessage"].as_str().unwrap();
    assert!(message.contains("missing permission \"add-tags\"") && message.contains("guest-ceiling"), "{message}");
    let (set, score) = api.quality_attribute("Quality Score").await;
    let (status, body) = api.post(&format!("/api/meta/entity/guid/{guid}/businessmetadata"), GUEST, &json!({ set: { score: 1.0 } })).await;
    assert_eq!(status, 403);
    assert!(body["errorMessage"].as_str().unwrap().contains("missing permission \"update-custom-metadata\""), "{body}");
}

#[tokio::test]
async fn a_request_with_one_refused_entity_writes_none() {
    let api = start_sandbox().await;
    let returns = format!("{SALES}/RETURNS");
    let allowed = json!({"typeName": "Table", "attributes": {"qualifiedName": returns, "name": "RETURNS", "description": "ok"}});
    let refused = json!({"typeName": "Table", "attributes": {"qualifiedName": format!("{POSTGRES}/APP/PUBLIC/USERS"), "name": "USERS", "description": "no"}});
    let (status, body) = api.post(BULK, INTEGRATION, &json!({"entities": [allowed, refused]})).await;
    assert_eq!(status, 403);
    assert!(body["errorMessage"].as_str().unwrap().starts_with("entities[1]: "));
    assert!(api.asset(&returns, &["description"]).await["attributes"].get("description").is_none());
}

#[tokio::test]
async fn removing_a_tag_needs_remove_tags() {
    let api = start_sandbox().await;
    let email = format!("{SALES}/CUSTOMERS/EMAIL");
    let remove = json!({"typeName": "Column", "attributes": {"qualifiedName": email, "name": "EMAIL"}, "removeClassifications": [{"typeName": PII}]});
    let (status, body) = api.post(&format!("{BULK}?appendTags=true"), GUEST, &json!({"entities": [remove.clone()]})).await;
    assert_eq!(status, 403);
    assert!(body["errorMessage"].as_str().unwrap().contains("\"remove-tags\""), "{body}");
    let (status, _) = api.post(&format!("{BULK}?appendTags=true"), INTEGRATION, &json!({"entities": [remove]})).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_restricted_token_reads_and_writes_its_connection_except_hr() {
    let api = start_sandbox().await;
    let employees = format!("{CONNECTION}/FINANCE_DB/HR/EMPLOYEES");
    let orders = format!("{SALES}/ORDERS");
    let by_name = |qn: &str| format!("/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName={qn}");
    let (status, body) = api.get(&by_name(&employees), RESTRICTED).await;
    assert_eq!(status, 403, "{body}");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(message.contains("missing permission \"read\"") && message.contains("deny-policy") && message.contains("No HR metadata"), "{message}");
    let (status, body) = api.get(&by_name(&orders), RESTRICTED).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(api.get(&by_name(&employees), INTEGRATION).await.0, 200, "the integration token itself has no deny");

    let in_schema = |schema: &str| json!({"bool": {"filter": [{"term": {"schemaQualifiedName": format!("{CONNECTION}/{schema}")}}]}});
    let (_, hr) = api.search(RESTRICTED, in_schema("FINANCE_DB/HR"), 0, 100, &[]).await;
    assert_eq!(hr, json!({"queryType": "INDEX", "approximateCount": 0}), "HR assets are hidden from searches");
    let (_, ledger) = api.search(RESTRICTED, in_schema("FINANCE_DB/LEDGER"), 0, 100, &[]).await;
    assert!(ledger["approximateCount"].as_u64().unwrap() > 0);

    let tag = |qn: &str, name: &str| json!({"entities": [{"typeName": "Table", "attributes": {"qualifiedName": qn, "name": name},
        "addOrUpdateClassifications": [{"typeName": SENSITIVE}]}]});
    let (status, body) = api.post(&format!("{BULK}?appendTags=true"), RESTRICTED, &tag(&employees, "EMPLOYEES")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["errorMessage"].as_str().unwrap().contains("missing permission \"add-tags\""), "{body}");
    let (status, body) = api.post(&format!("{BULK}?appendTags=true"), RESTRICTED, &tag(&orders, "ORDERS")).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn the_unconfigured_token_sees_nothing_and_every_read_is_refused() {
    let api = start_sandbox().await;
    let (status, page) = api.search(UNCONFIGURED, json!({"match_all": {}}), 0, 100, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(page, json!({"queryType": "INDEX", "approximateCount": 0}));
    let orders = format!("{SALES}/ORDERS");
    let (status, body) = api.get(&format!("/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName={orders}"), UNCONFIGURED).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["errorMessage"].as_str().unwrap().contains("service-account-apikey-unconfigured"), "{body}");
    let guid = api.asset(&orders, &[]).await["guid"].as_str().unwrap().to_owned();
    assert_eq!(api.get(&format!("/api/meta/entity/guid/{guid}"), UNCONFIGURED).await.0, 403);
    let (status, me) = api.get("/api/service/whoami", UNCONFIGURED).await;
    assert_eq!(status, 200, "the token itself is valid");
    assert_eq!(me["username"], "service-account-apikey-unconfigured");
}
