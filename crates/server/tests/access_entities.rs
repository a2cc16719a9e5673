//! The sandbox's personas, purposes and policies as the catalog shows them (`Persona`,
//! `Purpose`, `AuthPolicy`): readable by admins through search and get, importable by core's
//! `import_catalog_policies`, and writable by admins through the bulk endpoint, taking effect on
//! the next request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::{json, Value};
use steward_core::access::import_catalog_policies;

const BULK: &str = "/api/meta/entity/bulk";

async fn access_entities(api: &Api, token: &str) -> Vec<Value> {
    let query = json!({"terms": {"__typeName.keyword": ["Persona", "Purpose", "AuthPolicy"]}});
    let attributes = ["personaUsers", "personaGroups", "purposeClassifications", "isAccessControlEnabled", "policies", "policyCategory",
        "policySubCategory", "policyType", "policyActions", "policyResources", "policyUsers", "policyGroups", "policyMaskType",
        "isPolicyEnabled", "accessControl", "connectionQualifiedName"];
    let (status, page) = api.search(token, query, 0, 100, &attributes).await;
    assert_eq!(status, 200);
    page["entities"].as_array().cloned().unwrap_or_default()
}

fn persona<'a>(entities: &'a [Value], name: &str) -> &'a Value {
    entities.iter().find(|e| e["typeName"] == "Persona" && e["attributes"]["name"] == name).unwrap()
}

#[tokio::test]
async fn admins_see_the_access_config_as_catalog_entities_that_import_back() {
    let api = start_sandbox().await;
    let entities = access_entities(&api, ADMIN).await;
    let integration = persona(&entities, "Data Quality Integration");
    assert_eq!(integration["attributes"]["personaUsers"], json!(["service-account-apikey-integration"]));
    let policy = entities.iter().find(|e| e["typeName"] == "AuthPolicy" && e["attributes"]["accessControl"]["guid"] == integration["guid"]).unwrap();
    assert_eq!(policy["attributes"]["policyActions"], json!(["persona-asset-read", "persona-asset-update",
        "persona-business-update-metadata", "persona-entity-add-classification", "persona-entity-remove-classification"]));
    assert_eq!(policy["attributes"]["policyResources"], json!([format!("entity:{CONNECTION}")]));
    let purpose = entities.iter().find(|e| e["typeName"] == "Purpose" && e["attributes"]["name"] == "PII protection").unwrap();
    assert_eq!(purpose["attributes"]["purposeClassifications"], json!([PII]));
    let confidential = entities.iter().find(|e| e["typeName"] == "Purpose" && e["attributes"]["name"] == "Confidential data").unwrap();
    assert_eq!(confidential["attributes"]["purposeClassifications"], json!([CONFIDENTIAL]));
    let (status, got) = api.get(&format!("/api/meta/entity/guid/{}", policy["guid"].as_str().unwrap()), ADMIN).await;
    assert_eq!(status, 200);
    assert_eq!(got["entity"]["typeName"], "AuthPolicy");

    let (_, tags) = api.get("/api/meta/types/typedefs?type=classification", ADMIN).await;
    let imported = import_catalog_policies(&Value::Array(entities.clone()), Some(&tags));
    let demo: Value = serde_json::from_str(include_str!("../demo/access-config.json")).unwrap();
    let names = |list: &Value| list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let back = serde_json::to_value(&imported.config).unwrap();
    assert_eq!(names(&back["personas"]), names(&demo["personas"]));
    assert_eq!(back["personas"][0]["policies"][0]["actions"], demo["personas"][0]["policies"][0]["actions"]);
    assert_eq!(names(&back["purposes"]), names(&demo["purposes"]));
    let pii = back["purposes"].as_array().unwrap().iter().find(|p| p["name"] == "PII protection").unwrap();
    assert_eq!(pii["tags"], json!(["PII"]));
    assert_eq!(pii["groups"], json!(["analysts"]));
}

#[tokio::test]
async fn only_admins_read_access_control_entities() {
    let api = start_sandbox().await;
    assert!(access_entities(&api, INTEGRATION).await.is_empty());
    assert!(access_entities(&api, GUEST).await.is_empty());
    let guid = persona(&access_entities(&api, ADMIN).await, "Sales analysts")["guid"].as_str().unwrap().to_owned();
    let (status, body) = api.get(&format!("/api/meta/entity/guid/{guid}"), INTEGRATION).await;
    assert_eq!(status, 403, "{body}");
}

fn deny_remove_tags(persona_guid: &str, name: &str) -> Value {
    json!({"entities": [{"typeName": "AuthPolicy", "guid": "-1", "attributes": {"qualifiedName": name, "name": name,
        "policyCategory": "persona", "policySubCategory": "metadata", "policyType": "deny",
        "policyActions": ["persona-entity-remove-classification"], "policyResources": [format!("entity:{CONNECTION}/SALES_DB")],
        "policyUsers": [], "policyGroups": [], "isPolicyEnabled": true,
        "accessControl": {"typeName": "Persona", "guid": persona_guid}}}]})
}

#[tokio::test]
async fn an_admin_adds_a_deny_policy_and_the_next_request_is_refused() {
    let api = start_sandbox().await;
    let email = format!("{SALES}/CUSTOMERS/EMAIL");
    let remove = json!({"entities": [{"typeName": "Column", "attributes": {"qualifiedName": email, "name": "EMAIL"},
        "removeClassifications": [{"typeName": PII}]}]});
    let integration = persona(&access_entities(&api, ADMIN).await, "Data Quality Integration")["guid"].as_str().unwrap().to_owned();
    let (status, body) = api.post(BULK, ADMIN, &deny_remove_tags(&integration, "Keep tags")).await;
    assert_eq!(status, 200, "{body}");
    let created = &body["mutatedEntities"]["CREATE"][0];
    assert_eq!(created["typeName"], "AuthPolicy");
    assert_eq!(body["guidAssignments"]["-1"], created["guid"]);
    let (status, body) = api.post(&format!("{BULK}?appendTags=true"), INTEGRATION, &remove).await;
    assert_eq!(status, 403, "{body}");
    let message = body["errorMessage"].as_str().unwrap();
    assert!(message.contains("\"remove-tags\"") && message.contains("deny-policy") && message.contains("Keep tags"), "{message}");
    let persona_after = persona(&access_entities(&api, ADMIN).await, "Data Quality Integration").clone();
    assert_eq!(persona_after["attributes"]["policies"].as_array().unwrap().len(), 2);

    // Disabling the policy lifts the denial.
    let policy_guid = created["guid"].as_str().unwrap();
    let disable = json!({"entities": [{"typeName": "AuthPolicy", "guid": policy_guid, "attributes": {"isPolicyEnabled": false}}]});
    let (status, body) = api.post(BULK, ADMIN, &disable).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mutatedEntities"]["UPDATE"][0]["guid"], policy_guid);
    let (status, _) = api.post(&format!("{BULK}?appendTags=true"), INTEGRATION, &remove).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_new_persona_and_its_policy_grant_access_on_the_next_request() {
    let api = start_sandbox().await;
    let ledger = format!("{CONNECTION}/FINANCE_DB/LEDGER/ACCOUNTS");
    let guid = api.asset(&ledger, &[]).await["guid"].as_str().unwrap().to_owned();
    assert_eq!(api.get(&format!("/api/meta/entity/guid/{guid}"), GUEST).await.0, 403);
    let new_persona = json!({"entities": [{"typeName": "Persona", "guid": "-7", "attributes": {"qualifiedName": "Finance readers",
        "name": "Finance readers", "personaUsers": ["sandbox-guest"], "personaGroups": [], "isAccessControlEnabled": true}}]});
    let (status, body) = api.post(BULK, ADMIN, &new_persona).await;
    assert_eq!(status, 200, "{body}");
    let persona_guid = body["guidAssignments"]["-7"].as_str().unwrap().to_owned();
    let policy = json!({"entities": [{"typeName": "AuthPolicy", "attributes": {"qualifiedName": "read ledger", "name": "read ledger",
        "policyCategory": "persona", "policySubCategory": "metadata", "policyType": "allow",
        "policyActions": ["persona-asset-read"], "policyResources": [format!("entity:{CONNECTION}/FINANCE_DB/LEDGER")],
        "accessControl": {"typeName": "Persona", "guid": persona_guid}}}]});
    let (status, body) = api.post(BULK, ADMIN, &policy).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(api.get(&format!("/api/meta/entity/guid/{guid}"), GUEST).await.0, 200);
}

#[tokio::test]
async fn bad_access_control_writes_are_refused_as_the_catalog_does() {
    let api = start_sandbox().await;
    let integration = persona(&access_entities(&api, ADMIN).await, "Data Quality Integration")["guid"].as_str().unwrap().to_owned();
    let (status, body) = api.post(BULK, INTEGRATION, &deny_remove_tags(&integration, "x")).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = api.post(BULK, ADMIN, &deny_remove_tags(&integration, "Once")).await;
    assert_eq!(status, 200);
    let (status, body) = api.post(BULK, ADMIN, &deny_remove_tags(&integration, "Once")).await;
    assert_eq!((status, body["errorCode"].as_str()), (409, Some("ATLAS-409-00-017")), "{body}");
    let mut two = deny_remove_tags(&integration, "A");
    let second = deny_remove_tags(&integration, "B")["entities"][0].clone();
    two["entities"].as_array_mut().unwrap().push(second);
    let (status, body) = api.post(BULK, ADMIN, &two).await;
    assert_eq!(status, 400);
    assert!(body["errorMessage"].as_str().unwrap().contains("one AuthPolicy"), "{body}");
    let mut bad_action = deny_remove_tags(&integration, "Bad");
    bad_action["entities"][0]["attributes"]["policyActions"] = json!(["persona-asset-reed"]);
    let (status, body) = api.post(BULK, ADMIN, &bad_action).await;
    assert_eq!(status, 400);
    assert!(body["errorMessage"].as_str().unwrap().contains("persona-asset-reed"), "{body}");
    let mut orphan = deny_remove_tags("no-such-persona", "Orphan");
    orphan["entities"][0]["guid"] = Value::Null;
    let (status, _) = api.post(BULK, ADMIN, &orphan).await;
    assert_eq!(status, 404);
    let unknown_user = json!({"entities": [{"typeName": "Persona", "attributes": {"qualifiedName": "p", "name": "p", "personaUsers": ["nobody"]}}]});
    let (status, body) = api.post(BULK, ADMIN, &unknown_user).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errorMessage"].as_str().unwrap().contains("nobody"), "{body}");
}
