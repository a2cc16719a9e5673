//! The sandbox catalog over real HTTP: every endpoint of API-NOTES, its error paths, paging and
//! the write semantics (tags, propagation, custom metadata, announcements, creation).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::{json, Value};
use steward_server::sandbox::catalog::demo::DemoOptions;
use steward_server::SandboxOptions;

const TYPEDEFS: &str = "/api/meta/types/typedefs";
const BULK: &str = "/api/meta/entity/bulk";

fn qn(rest: &str) -> String {
    format!("{CONNECTION}/{rest}")
}

fn entity(type_name: &str, qualified_name: &str, name: &str) -> Value {
    json!({"typeName": type_name, "attributes": {"qualifiedName": qualified_name, "name": name}})
}

fn guids(page: &Value) -> Vec<String> {
    page["entities"].as_array().map(|a| a.iter().map(|e| e["guid"].as_str().unwrap().to_owned()).collect()).unwrap_or_default()
}

#[tokio::test]
async fn typedefs_answer_the_requested_categories_with_struct_definitions_always() {
    let api = start_sandbox().await;
    let (status, body) = api.get(&format!("{TYPEDEFS}?type=business_metadata"), ADMIN).await;
    assert_eq!(status, 200);
    assert!(body["classificationDefs"].as_array().unwrap().is_empty());
    assert!(!body["structDefs"].as_array().unwrap().is_empty());
    let sets = body["businessMetadataDefs"].as_array().unwrap();
    let quality = sets.iter().find(|s| s["displayName"] == "Data Quality").unwrap();
    assert_ne!(quality["name"], "Data Quality", "sets are known by an id");
    let attributes = quality["attributeDefs"].as_array().unwrap();
    for display in ["Quality Score", "Completeness", "Coverage", "Conformity", "Consistency", "Precision", "Timeliness", "Volume", "Accuracy", "Check Count", "Anomaly Count", "URL"] {
        assert!(attributes.iter().any(|a| a["displayName"] == display && a["options"]["isArchived"].is_null()), "{display}");
    }
    let archived: Vec<&Value> = attributes.iter().filter(|a| a["options"]["isArchived"] == "true").collect();
    assert_eq!(archived.len(), 1, "one archived attribute keeps its id");
    assert!(attributes.iter().any(|a| a["displayName"] == "URL" && a["options"]["customType"] == "url"));

    let (_, all) = api.get(TYPEDEFS, ADMIN).await;
    for key in ["classificationDefs", "businessMetadataDefs", "structDefs", "enumDefs", "entityDefs", "relationshipDefs"] {
        assert!(all[key].is_array(), "{key}");
    }
    assert_eq!(all["classificationDefs"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn an_admin_creates_a_tag_and_the_server_assigns_its_id() {
    let api = start_sandbox().await;
    let request = json!({"classificationDefs": [{"name": "Restricted", "displayName": "Restricted", "description": "", "options": {"color": "Red"}}]});
    let (status, created) = api.post(TYPEDEFS, ADMIN, &request).await;
    assert_eq!(status, 200, "{created}");
    let id = created["classificationDefs"][0]["name"].as_str().unwrap().to_owned();
    assert_ne!(id, "Restricted");
    let (_, defs) = api.get(&format!("{TYPEDEFS}?type=classification"), INTEGRATION).await;
    assert!(defs["classificationDefs"].as_array().unwrap().iter().any(|t| t["name"] == id.as_str() && t["displayName"] == "Restricted"));
    let (status, again) = api.post(TYPEDEFS, ADMIN, &request).await;
    assert_eq!(status, 409);
    assert_eq!(again["errorCode"], "ATLAS-409-00-001");
}

#[tokio::test]
async fn creating_type_definitions_needs_the_admin_role() {
    let api = start_sandbox().await;
    let request = json!({"businessMetadataDefs": [{"name": "Mine", "displayName": "Mine", "attributeDefs": []}]});
    for token in [INTEGRATION, GUEST] {
        let (status, body) = api.post(TYPEDEFS, token, &request).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["errorCode"], "ATLAS-403-00-001");
        assert!(body["errorMessage"].as_str().unwrap().contains("admin"), "{body}");
    }
}

#[tokio::test]
async fn a_missing_quality_set_is_created_by_an_admin_and_then_written() {
    let options = SandboxOptions { demo: DemoOptions { quality_set: false, ..DemoOptions::default() }, ..SandboxOptions::default() };
    let api = Api::new(start_with(config().with_sandbox(options)).await);
    let (_, defs) = api.get(&format!("{TYPEDEFS}?type=BUSINESS_METADATA"), ADMIN).await;
    assert!(!defs["businessMetadataDefs"].as_array().unwrap().iter().any(|s| s["displayName"] == "Data Quality"));
    let request = json!({"businessMetadataDefs": [{"name": "Data Quality", "displayName": "Data Quality", "attributeDefs": [
        {"name": "Quality Score", "displayName": "Quality Score", "typeName": "float", "cardinality": "SINGLE", "options": {}},
        {"name": "URL", "displayName": "URL", "typeName": "string", "cardinality": "SINGLE", "options": {"customType": "url"}}]}]});
    let (status, created) = api.post(TYPEDEFS, ADMIN, &request).await;
    assert_eq!(status, 200, "{created}");
    let (set, score) = api.quality_attribute("Quality Score").await;
    assert_eq!(created["businessMetadataDefs"][0]["name"], set.as_str());
    let orders = qn("SALES_DB/SALES/ORDERS");
    let mut e = entity("Table", &orders, "ORDERS");
    e["businessAttributes"] = json!({ set.clone(): { score.clone(): 88.5 } });
    let (status, body) = api.post(&format!("{BULK}?replaceBusinessAttributes=true&overwriteBusinessAttributes=false"), INTEGRATION, &json!({"entities": [e]})).await;
    assert_eq!(status, 200, "{body}");
    let key = format!("{set}.{score}");
    assert_eq!(api.asset(&orders, &[&key]).await["attributes"][&key], 88.5);
}

#[tokio::test]
async fn an_archived_attribute_can_not_be_written() {
    let api = start_sandbox().await;
    let (_, defs) = api.get(&format!("{TYPEDEFS}?type=business_metadata"), ADMIN).await;
    let set = defs["businessMetadataDefs"].as_array().unwrap().iter().find(|s| s["displayName"] == "Data Quality").unwrap().clone();
    let mut url = set["attributeDefs"].as_array().unwrap().iter().find(|a| a["displayName"] == "URL").unwrap().clone();
    url["options"]["isArchived"] = json!("true");
    let update = json!({"businessMetadataDefs": [{"name": set["name"], "displayName": "Data Quality", "attributeDefs": [url.clone()]}]});
    let (status, body) = api.put(TYPEDEFS, ADMIN, &update).await;
    assert_eq!(status, 200, "{body}");
    let (_, after) = api.get(&format!("{TYPEDEFS}?type=business_metadata"), ADMIN).await;
    let after_set = after["businessMetadataDefs"].as_array().unwrap().iter().find(|s| s["name"] == set["name"]).unwrap();
    assert_eq!(after_set["attributeDefs"].as_array().unwrap().len(), set["attributeDefs"].as_array().unwrap().len(), "nothing dropped");
    let guid = api.asset(&qn("SALES_DB/SALES/ORDERS"), &[]).await["guid"].as_str().unwrap().to_owned();
    let values = json!({ set["name"].as_str().unwrap(): { url["name"].as_str().unwrap(): "https://quality.example.com/x" } });
    let (status, body) = api.post(&format!("/api/meta/entity/guid/{guid}/businessmetadata?isOverwrite=false"), ADMIN, &values).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errorMessage"].as_str().unwrap().contains("archived"));
}

#[tokio::test]
async fn search_pages_by_offset_in_guid_order_until_a_page_has_no_entities() {
    let api = start_sandbox().await;
    let query = json!({"bool": {"filter": [{"term": {"__typeName.keyword": "Column"}}, {"prefix": {"qualifiedName": format!("{SALES}/")}}]}});
    let mut seen: Vec<String> = Vec::new();
    let mut from = 0;
    let total = loop {
        let (status, page) = api.search(INTEGRATION, query.clone(), from, 40, &["name"]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["queryType"], "INDEX");
        if page.get("entities").is_none() {
            break page["approximateCount"].as_u64().unwrap();
        }
        seen.extend(guids(&page));
        from += 40;
    };
    assert!(total > 100, "{total}");
    assert_eq!(seen.len() as u64, total);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen, "pages are in __guid order without duplicates");
}

#[tokio::test]
async fn deleted_assets_are_returned_unless_filtered_on_state() {
    let api = start_sandbox().await;
    let old = qn("SALES_DB/SALES/ORDERS_OLD");
    let (_, page) = api.search(ADMIN, json!({"term": {"qualifiedName": old}}), 0, 10, &[]).await;
    assert_eq!(page["approximateCount"], 1);
    assert_eq!(page["entities"][0]["status"], "DELETED");
    let active = json!({"bool": {"filter": [{"term": {"qualifiedName": old}}, {"term": {"__state": "ACTIVE"}}]}});
    let (status, page) = api.search(ADMIN, active, 0, 10, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(page, json!({"queryType": "INDEX", "approximateCount": 0}), "no entities key when nothing matched");
}

#[tokio::test]
async fn trait_names_find_direct_tags_and_propagated_trait_names_find_propagated_ones() {
    let api = start_sandbox().await;
    let ledger = qn("FINANCE_DB/LEDGER/ACCOUNTS");
    let table_guid = api.asset(&ledger, &[]).await["guid"].as_str().unwrap().to_owned();
    let direct = json!({"bool": {"filter": [{"terms": {"__traitNames": [FINANCE]}}, {"prefix": {"qualifiedName": format!("{ledger}/")}}]}});
    let (_, page) = api.search(ADMIN, direct, 0, 100, &[]).await;
    assert_eq!(page["approximateCount"], 0, "the columns don't carry Finance themselves");
    let propagated = json!({"bool": {"filter": [{"terms": {"__propagatedTraitNames": [FINANCE]}}, {"prefix": {"qualifiedName": format!("{ledger}/")}}]}});
    let (_, page) = api.search(ADMIN, propagated, 0, 100, &[]).await;
    let columns = page["entities"].as_array().unwrap();
    assert_eq!(columns.len(), 7);
    for column in columns {
        let finance = column["classifications"].as_array().unwrap().iter().find(|c| c["typeName"] == FINANCE).unwrap();
        assert_eq!(finance["entityGuid"], table_guid.as_str(), "propagated from the table");
        assert_eq!(finance["propagate"], true);
        assert!(column["classificationNames"].as_array().unwrap().contains(&json!(FINANCE)));
    }
    let email = api.asset(&qn("SALES_DB/SALES/CUSTOMERS/EMAIL"), &[]).await;
    let pii = email["classifications"].as_array().unwrap().iter().find(|c| c["typeName"] == PII).unwrap();
    assert_eq!(pii["entityGuid"], email["guid"], "a direct tag names its own asset");
    // A schema tag propagates to tables and columns, from the nearest ancestor that has it.
    let payments = api.asset(&qn("FINANCE_DB/PAYMENTS/PAYMENTS/CARD_NUMBER"), &[]).await;
    let schema_guid = api.asset(&qn("FINANCE_DB/PAYMENTS"), &[]).await["guid"].clone();
    let finance = payments["classifications"].as_array().unwrap().iter().find(|c| c["typeName"] == FINANCE).unwrap();
    assert_eq!(finance["entityGuid"], schema_guid);
}

#[tokio::test]
async fn custom_metadata_comes_back_flattened_under_the_requested_dotted_key() {
    let api = start_sandbox().await;
    let (set, score) = api.quality_attribute("Quality Score").await;
    let key = format!("{set}.{score}");
    let customers = api.asset(&format!("{SALES}/CUSTOMERS"), &[&key, "rowCount"]).await;
    assert_eq!(customers["attributes"][&key], 50.0);
    assert!(customers["attributes"]["rowCount"].is_number());
    let orders = api.asset(&format!("{SALES}/ORDERS"), &[&key]).await;
    assert!(orders["attributes"].get(&key).is_none(), "absent values are left out");
    // The dotted key is an index field too.
    let (_, page) = api.search(ADMIN, json!({"exists": {"field": key}}), 0, 10, &[]).await;
    assert_eq!(page["approximateCount"], 1);
}

#[tokio::test]
async fn the_query_subset_works_over_http() {
    let api = start_sandbox().await;
    let count = |page: &Value| page["approximateCount"].as_u64().unwrap();
    let (_, announced) = api.search(ADMIN, json!({"exists": {"field": "announcementType"}}), 0, 10, &["announcementUpdatedBy"]).await;
    assert_eq!(count(&announced), 1);
    assert_eq!(announced["entities"][0]["attributes"]["announcementUpdatedBy"], "jane.doe");
    let tables_or_views = json!({"bool": {"should": [{"term": {"__typeName.keyword": "View"}}, {"term": {"__typeName.keyword": "MaterialisedView"}}],
        "filter": {"term": {"connectionQualifiedName": CONNECTION}}, "minimum_should_match": 1}});
    let (_, views) = api.search(ADMIN, tables_or_views, 0, 500, &[]).await;
    assert!(count(&views) > 5);
    assert!(views["entities"].as_array().unwrap().iter().all(|e| e["typeName"] != "Table"));
    let not_sales = json!({"bool": {"filter": [{"term": {"__typeName.keyword": "Schema"}}], "must_not": [{"term": {"databaseQualifiedName": format!("{CONNECTION}/SALES_DB")}}]}});
    let (_, schemas) = api.search(ADMIN, not_sales, 0, 50, &["name"]).await;
    assert_eq!(count(&schemas), 4, "three FINANCE_DB schemas and the postgres one");
    let case_insensitive = json!({"term": {"name.keyword": {"value": "campaigns", "case_insensitive": true}}});
    let (_, campaigns) = api.search(ADMIN, case_insensitive, 0, 50, &[]).await;
    assert_eq!(count(&campaigns), 2, "CAMPAIGNS and Campaigns");
    let recent = json!({"bool": {"filter": [{"range": {"__timestamp": {"gte": 1_700_000_000_000_i64, "lt": 1_700_000_005_000_i64}}}]}});
    let (_, first_five) = api.search(ADMIN, recent, 0, 50, &[]).await;
    assert_eq!(count(&first_five), 5);
    let by_super_type = json!({"bool": {"filter": [{"term": {"__superTypeNames.keyword": "SQL"}}, {"term": {"__typeName.keyword": "Database"}}]}});
    let (_, databases) = api.search(ADMIN, by_super_type, 0, 50, &[]).await;
    assert_eq!(count(&databases), 3);
}

#[tokio::test]
async fn an_extreme_minimum_should_match_is_answered_400_and_a_huge_count_saturates() {
    let api = start_sandbox().await;
    let search = |minimum: &str| {
        let query = format!(
            r#"{{"bool": {{"should": [{{"term": {{"__typeName.keyword": "Database"}}}}, {{"term": {{"__typeName.keyword": "Schema"}}}}], "minimum_should_match": {minimum}}}}}"#
        );
        let body = format!(r#"{{"dsl": {{"from": 0, "size": 1, "query": {query}, "track_total_hits": true}}, "attributes": []}}"#);
        let request = api.client.post(format!("{}/api/meta/search/indexsearch", api.base)).bearer_auth(ADMIN);
        async move {
            let response = request.header("content-type", "application/json").body(body).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    for minimum in [
        r#""-9223372036854775808%""#,
        r#""9223372036854775807%""#,
        r#""150%""#,
        r#""""#,
        r#""abc""#,
        "9223372036854775808",
        "-9223372036854775809",
        "18446744073709551616",
        "1e400",
        "1.5",
    ] {
        let (status, body) = search(minimum).await;
        assert_eq!(status, 400, "{minimum}: {body}");
        assert!(body["errorCode"].as_str().unwrap().starts_with("ATLAS-400"), "{minimum}: {body}");
    }
    // Counts saturate: more than there are clauses means all of them, fewer than minus that none.
    let (status, all) = search(r#""9223372036854775807""#).await;
    assert_eq!((status, all["approximateCount"].as_u64()), (200, Some(0)), "{all}");
    for none_required in [r#""-9223372036854775808""#, r#""-100%""#] {
        let (status, any) = search(none_required).await;
        assert_eq!(status, 200, "{any}");
        assert!(any["approximateCount"].as_u64().unwrap() > 1000, "{none_required}: every asset matches");
    }
}

#[tokio::test]
async fn other_sorts_order_the_hits() {
    let api = start_sandbox().await;
    let body = json!({"dsl": {"from": 0, "size": 10, "query": {"term": {"__typeName.keyword": "Schema"}},
        "sort": [{"name.keyword": {"order": "desc"}}]}, "attributes": []});
    let (status, page) = api.post("/api/meta/search/indexsearch", ADMIN, &body).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = page["entities"].as_array().unwrap().iter().map(|e| e["attributes"]["name"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn pages_by_timestamp_ranges_reach_every_hit_past_the_result_window() {
    let api = start_sandbox().await;
    let filter = json!([{"terms": {"__typeName.keyword": ["Table", "View", "MaterialisedView", "Column"]}}, {"term": {"__state": "ACTIVE"}}]);
    let (_, all) = api.search(INTEGRATION, json!({"bool": {"filter": filter}}), 0, 10, &[]).await;
    let total = all["approximateCount"].as_u64().unwrap();
    let (status, body) = api.search(INTEGRATION, json!({"bool": {"filter": filter}}), 99_990, 20, &[]).await;
    assert_eq!(status, 400, "from + size past 100,000 is refused: {body}");
    // As the SDKs do past the window: sort by creation time, then ask for what came after.
    let mut seen: Vec<String> = Vec::new();
    let mut since = 0_i64;
    loop {
        let mut clauses = filter.as_array().unwrap().clone();
        clauses.push(json!({"range": {"__timestamp": {"gt": since}}}));
        let body = json!({"dsl": {"from": 0, "size": 100, "query": {"bool": {"filter": clauses}},
            "sort": [{"__timestamp": {"order": "asc"}}, {"__guid": {"order": "asc"}}], "track_total_hits": true}, "attributes": []});
        let (status, page) = api.post("/api/meta/search/indexsearch", INTEGRATION, &body).await;
        assert_eq!(status, 200, "{page}");
        let Some(entities) = page["entities"].as_array() else { break };
        let times: Vec<i64> = entities.iter().map(|e| e["createTime"].as_i64().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "sorted by creation time");
        assert!(times[0] > since);
        since = *times.last().unwrap();
        seen.extend(guids(&page));
    }
    assert_eq!(seen.len() as u64, total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as u64, total, "no hit twice");
}

#[tokio::test]
async fn bad_searches_are_400_with_the_place_in_the_query() {
    let api = start_sandbox().await;
    let (status, body) = api.search(ADMIN, json!({"bool": {"filter": [{"match": {"name": "ORDERS"}}]}}), 0, 10, &[]).await;
    assert_eq!(status, 400);
    assert_eq!(body["errorCode"], "ATLAS-400-00-103");
    assert!(body["errorMessage"].as_str().unwrap().contains("query.bool.filter[0]"), "{body}");
    let (status, body) = api.search(ADMIN, json!({"match_all": {}}), 99_990, 100, &[]).await;
    assert_eq!(status, 400);
    assert!(body["errorMessage"].as_str().unwrap().contains("__timestamp"));
    let response = api.client.post(format!("{}/api/meta/search/indexsearch", api.base)).bearer_auth(ADMIN).body("{nope").send().await.unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn append_tags_adds_and_removes_tags_and_propagation_follows() {
    let api = start_sandbox().await;
    let returns = format!("{SALES}/RETURNS");
    let mut add = entity("Table", &returns, "RETURNS");
    add["addOrUpdateClassifications"] = json!([{"typeName": CONFIDENTIAL, "propagate": true}]);
    let (status, body) = api.post(&format!("{BULK}?appendTags=true&replaceTags=false"), INTEGRATION, &json!({"entities": [add]})).await;
    assert_eq!(status, 200, "{body}");
    let table = api.asset(&returns, &[]).await;
    assert_eq!(body["mutatedEntities"]["UPDATE"][0]["guid"], table["guid"]);
    assert!(body["mutatedEntities"].get("CREATE").is_none());
    let reason = api.asset(&format!("{returns}/REASON"), &[]).await;
    let confidential = reason["classifications"].as_array().unwrap().iter().find(|c| c["typeName"] == CONFIDENTIAL).unwrap();
    assert_eq!(confidential["entityGuid"], table["guid"]);

    let mut remove = entity("Table", &returns, "RETURNS");
    remove["removeClassifications"] = json!([{"typeName": CONFIDENTIAL}]);
    let (status, _) = api.post(&format!("{BULK}?appendTags=true"), INTEGRATION, &json!({"entities": [remove]})).await;
    assert_eq!(status, 200);
    let reason = api.asset(&format!("{returns}/REASON"), &[]).await;
    assert!(reason["classificationNames"].as_array().unwrap().is_empty(), "{reason}");
}

#[tokio::test]
async fn without_append_tags_the_tags_of_a_bulk_payload_are_ignored() {
    let api = start_sandbox().await;
    let returns = format!("{SALES}/RETURNS");
    let mut add = entity("Table", &returns, "RETURNS");
    add["addOrUpdateClassifications"] = json!([{"typeName": PII}]);
    let (status, body) = api.post(BULK, ADMIN, &json!({"entities": [add]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["mutatedEntities"], json!({}), "nothing changed");
    assert!(api.asset(&returns, &[]).await["classificationNames"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn business_attributes_merge_null_removes_and_an_unchanged_write_mutates_nothing() {
    let api = start_sandbox().await;
    let (set, score) = api.quality_attribute("Quality Score").await;
    let (_, checks) = api.quality_attribute("Check Count").await;
    let orders = format!("{SALES}/ORDERS");
    let url = format!("{BULK}?replaceBusinessAttributes=true&overwriteBusinessAttributes=false");
    let write = |values: Value| {
        let mut e = entity("Table", &orders, "ORDERS");
        e["businessAttributes"] = json!({ set.clone(): values });
        json!({"entities": [e]})
    };
    let (status, body) = api.post(&url, INTEGRATION, &write(json!({ score.clone(): 91.5, checks.clone(): 12 }))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["mutatedEntities"]["UPDATE"].as_array().unwrap().len(), 1);
    let guid = body["mutatedEntities"]["UPDATE"][0]["guid"].as_str().unwrap().to_owned();
    let stored = api.entity(&guid).await;
    assert_eq!(stored["businessAttributes"][&set][&score], 91.5);
    assert_eq!(stored["businessAttributes"][&set][&checks], 12);
    assert_eq!(stored["businessAttributes"].as_object().unwrap().len(), 2, "the Governance set is kept (merge)");

    let (_, body) = api.post(&url, INTEGRATION, &write(json!({ score.clone(): 91.5 }))).await;
    assert_eq!(body["mutatedEntities"], json!({}), "same value: no mutation");
    let (_, _) = api.post(&url, INTEGRATION, &write(json!({ checks.clone(): null }))).await;
    let stored = api.entity(&guid).await;
    assert!(stored["businessAttributes"][&set].get(&checks).is_none());
    assert_eq!(stored["businessAttributes"][&set][&score], 91.5);
}

#[tokio::test]
async fn announcements_are_set_with_who_and_when_and_removed_by_nulls() {
    let api = start_sandbox().await;
    let customers = format!("{SALES}/CUSTOMERS");
    let mut set = entity("Table", &customers, "CUSTOMERS");
    set["attributes"]["announcementType"] = json!("warning");
    set["attributes"]["announcementTitle"] = json!("2 active anomalies");
    set["attributes"]["announcementMessage"] = json!("See https://quality.example.com/containers/1 for the anomalies.");
    let (status, body) = api.post(BULK, INTEGRATION, &json!({"entities": [set]})).await;
    assert_eq!(status, 200, "{body}");
    let fields = ["announcementType", "announcementTitle", "announcementMessage", "announcementUpdatedBy", "announcementUpdatedAt"];
    let asset = api.asset(&customers, &fields).await;
    assert_eq!(asset["attributes"]["announcementType"], "warning");
    assert_eq!(asset["attributes"]["announcementUpdatedBy"], "service-account-apikey-integration");
    assert!(asset["attributes"]["announcementUpdatedAt"].as_i64().unwrap() > 1_700_000_000_000);

    let mut clear = entity("Table", &customers, "CUSTOMERS");
    for f in ["announcementType", "announcementTitle", "announcementMessage"] {
        clear["attributes"][f] = Value::Null;
    }
    let (status, _) = api.post(BULK, INTEGRATION, &json!({"entities": [clear]})).await;
    assert_eq!(status, 200);
    let asset = api.asset(&customers, &fields).await;
    for f in fields {
        assert!(asset["attributes"].get(f).is_none(), "{f} removed: {asset}");
    }
}

#[tokio::test]
async fn an_unknown_qualified_name_creates_an_asset_and_a_known_one_never_does() {
    let api = start_sandbox().await;
    let new = format!("{SALES}/CUSTOMER_FEEDBACK");
    let mut e = entity("Table", &new, "CUSTOMER_FEEDBACK");
    e["guid"] = json!("-1");
    let (status, body) = api.post(BULK, ADMIN, &json!({"entities": [e.clone()]})).await;
    assert_eq!(status, 200, "{body}");
    let created = &body["mutatedEntities"]["CREATE"][0];
    assert_eq!(created["attributes"]["qualifiedName"], new.as_str());
    assert_eq!(body["guidAssignments"]["-1"], created["guid"]);
    let stored = api.entity(created["guid"].as_str().unwrap()).await;
    assert_eq!(stored["attributes"]["connectionQualifiedName"], CONNECTION);
    assert_eq!(stored["createdBy"], "sandbox-admin");

    let (_, again) = api.post(BULK, ADMIN, &json!({"entities": [e]})).await;
    assert!(again["mutatedEntities"].get("CREATE").is_none(), "{again}");
    let (_, page) = api.search(ADMIN, json!({"term": {"qualifiedName": new}}), 0, 10, &[]).await;
    assert_eq!(page["approximateCount"], 1);
}

#[tokio::test]
async fn bulk_errors_name_the_entity_and_change_nothing() {
    let api = start_sandbox().await;
    let orders = format!("{SALES}/ORDERS");
    let (set, score) = api.quality_attribute("Quality Score").await;
    let mut good = entity("Table", &format!("{SALES}/RETURNS"), "RETURNS");
    good["attributes"]["description"] = json!("changed");
    let cases: Vec<(Value, &str, u16, &str)> = vec![
        ({ let mut e = entity("Table", &orders, "ORDERS"); e["addOrUpdateClassifications"] = json!([{"typeName": "NoSuchTag"}]); e }, "appendTags=true", 404, "ATLAS-404-00-001"),
        ({ let mut e = entity("Table", &orders, "ORDERS"); e["businessAttributes"] = json!({ set.clone(): { score.clone(): "high" } }); e }, "replaceBusinessAttributes=true", 400, "ATLAS-400-00-09E"),
        ({ let mut e = entity("Table", &orders, "ORDERS"); e["businessAttributes"] = json!({ "noSuchSet": { "x": 1 } }); e }, "replaceBusinessAttributes=true", 400, "ATLAS-400-00-09D"),
        (entity("Dashboard", "default/looker/1/x", "x"), "", 404, "ATLAS-404-00-001"),
        (json!({"typeName": "Table", "attributes": {"name": "T"}}), "", 400, "ATLAS-400-00-001"),
        (json!({"typeName": "Table", "guid": "0000-nope", "attributes": {"qualifiedName": "q", "name": "T"}}), "", 404, "ATLAS-404-00-005"),
    ];
    for (bad, flags, status, code) in cases {
        let (got, body) = api.post(&format!("{BULK}?{flags}"), ADMIN, &json!({"entities": [good.clone(), bad]})).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(body["errorCode"], code, "{body}");
        assert!(body["errorMessage"].as_str().unwrap().starts_with("entities[1]: "), "{body}");
    }
    let returns = api.asset(&format!("{SALES}/RETURNS"), &["description"]).await;
    assert!(returns["attributes"].get("description").is_none(), "a failed request writes nothing");
    let response = api.client.post(format!("{}{BULK}", api.base)).bearer_auth(ADMIN).body("[").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorCode"], "ATLAS-400-00-002");
}

#[tokio::test]
async fn the_single_asset_custom_metadata_write_answers_204_and_merges() {
    let api = start_sandbox().await;
    let (set, score) = api.quality_attribute("Quality Score").await;
    let (_, url) = api.quality_attribute("URL").await;
    let guid = api.asset(&format!("{SALES}/CUSTOMERS"), &[]).await["guid"].as_str().unwrap().to_owned();
    let path = format!("/api/meta/entity/guid/{guid}/businessmetadata?isOverwrite=false");
    let response = api.client.post(format!("{}{path}", api.base)).bearer_auth(INTEGRATION)
        .json(&json!({ set.clone(): { url.clone(): "https://quality.example.com/containers/1002" } })).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let stored = api.entity(&guid).await;
    assert_eq!(stored["businessAttributes"][&set][&url], "https://quality.example.com/containers/1002");
    assert_eq!(stored["businessAttributes"][&set][&score], 50.0, "merged with the earlier value");
    let (status, body) = api.post("/api/meta/entity/guid/no-such-guid/businessmetadata", ADMIN, &json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["errorCode"], "ATLAS-404-00-005");
}

#[tokio::test]
async fn entities_are_read_by_guid_and_by_unique_attribute_with_an_encoded_colon() {
    let api = start_sandbox().await;
    let orders = format!("{SALES}/ORDERS");
    let guid = api.asset(&orders, &[]).await["guid"].as_str().unwrap().to_owned();
    let (status, body) = api.get(&format!("/api/meta/entity/guid/{guid}"), INTEGRATION).await;
    assert_eq!(status, 200);
    assert_eq!(body["entity"]["attributes"]["qualifiedName"], orders.as_str());
    assert!(body["referredEntities"].is_object());
    assert_eq!(body["entity"]["attributes"]["atlanSchema"]["uniqueAttributes"]["qualifiedName"], SALES);
    let encoded: String = form_encode(&orders);
    for path in [
        format!("/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName={orders}"),
        format!("/api/meta/entity/uniqueAttribute/type/Table?attr%3AqualifiedName={encoded}&minExtInfo=true&ignoreRelationships=true"),
    ] {
        let (status, body) = api.get(&path, INTEGRATION).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["entity"]["guid"], guid.as_str());
    }
    let (status, body) = api.get(&format!("/api/meta/entity/uniqueAttribute/type/View?attr:qualifiedName={orders}"), ADMIN).await;
    assert_eq!((status, body["errorCode"].as_str()), (404, Some("ATLAS-404-00-009")));
    let (status, body) = api.get("/api/meta/entity/guid/00000000-0000-0000-0000-000000000000", ADMIN).await;
    assert_eq!((status, body["errorCode"].as_str()), (404, Some("ATLAS-404-00-005")));
    let (status, _) = api.get("/api/meta/entity/uniqueAttribute/type/Table", ADMIN).await;
    assert_eq!(status, 400);
}

fn form_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b == b'_' { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn whoami_answers_each_tokens_user_and_roles() {
    let api = start_sandbox().await;
    let (status, admin) = api.get("/api/service/whoami", ADMIN).await;
    assert_eq!(status, 200);
    assert_eq!(admin["username"], "sandbox-admin");
    assert_eq!(admin["roles"], json!(["$admin"]));
    let (_, integration) = api.get("/api/service/whoami", INTEGRATION).await;
    assert_eq!(integration["username"], "service-account-apikey-integration");
    assert_eq!(integration["roles"], json!(["$member", "$api-token-default-access"]));
    let (_, guest) = api.get("/api/service/whoami", GUEST).await;
    assert_eq!(guest["roles"], json!(["$guest"]));
    let (status, body) = api.get("/api/service/whoami", "expired").await;
    assert_eq!((status, body["errorCode"].as_str()), (401, Some("ATLAS-401-00-001")));
}

#[tokio::test]
async fn unknown_catalog_endpoints_answer_404_in_the_catalog_format() {
    let api = start_sandbox().await;
    let (status, body) = api.get("/api/meta/lineage/list", ADMIN).await;
    assert_eq!((status, body["errorCode"].as_str()), (404, Some("ATLAS-404-00-000")));
    let (status, _) = api.get("/api/meta/lineage/list", "wrong").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_partial_update_by_unique_attribute_changes_attributes_and_never_creates() {
    let api = start_sandbox().await;
    let returns = format!("{SALES}/RETURNS");
    let path = format!("/api/meta/entity/uniqueAttribute/type/Table?attr:qualifiedName={returns}");
    let body = json!({"entity": {"typeName": "Table", "attributes": {"qualifiedName": returns, "name": "RETURNS",
        "announcementType": "issue", "announcementTitle": "Late data", "announcementMessage": "Loads are delayed."}}});
    let (status, answer) = api.put(&path, INTEGRATION, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["mutatedEntities"]["PARTIAL_UPDATE"][0]["attributes"]["qualifiedName"], returns.as_str());
    let asset = api.asset(&returns, &["announcementType", "announcementUpdatedBy"]).await;
    assert_eq!(asset["attributes"]["announcementType"], "issue");
    let missing = format!("/api/meta/entity/uniqueAttribute/type/Table/?attr:qualifiedName={SALES}/NOPE");
    let (status, answer) = api.put(&missing, ADMIN, &body).await;
    assert_eq!((status, answer["errorCode"].as_str()), (404, Some("ATLAS-404-00-009")));
    let (status, _) = api.put(&path, GUEST, &body).await;
    assert_eq!(status, 403);
    let (status, me) = api.get("/api/service/users/current", INTEGRATION).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("service-account-apikey-integration")));
    let (status, _) = api.post(&format!("{BULK}/"), ADMIN, &json!({"entities": []})).await;
    assert_eq!(status, 200, "paths answer with a trailing slash too");
}
