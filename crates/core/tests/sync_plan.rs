//! The sync plan (SPEC §5) as a specification: what a pull and a push do given what the
//! catalog holds. Pure: no network, the catalog's answers are written out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::HashMap;

use serde_json::{json, Value};
use steward_core::catalog::entity::EntityHeader;
use steward_core::catalog::typedefs::{AttributeDef, BusinessMetadataDef, ClassificationDef};
use steward_core::mapping::{map_assets, CatalogAsset, MappingOptions, MappingReport};
use steward_core::sync::inventory::Inventory;
use steward_core::sync::plan::{self, AnnouncementChange, LogResult, SyncOptions, TagNames, ANNOUNCEMENT_MARKER};
use steward_core::sync::quality_set::{self, ResolvedSet, SetStatus};

const CONN: &str = "default/snowflake/1";

fn inventory(anomalies: u32) -> Inventory {
    Inventory::from_json(
        &json!({"datastores": [{"id": 1, "name": "DB.S", "connector": "snowflake", "tags": [], "externalTags": ["Old"],
            "quality": {"score": 80, "checks": 2, "anomalies": 0, "url": "https://dq.example/ds/1"},
            "containers": [{"id": 2, "name": "T", "tags": ["PII", "Gold"], "externalTags": ["Stale"],
                "quality": {"score": 93.5, "dimensions": {"volume": 50}, "checks": 4, "anomalies": anomalies, "url": "https://dq.example/t/2"},
                "fields": [{"id": 3, "name": "EMAIL", "quality": {"score": 70, "checks": 1, "anomalies": 0}}]}]}]})
        .to_string(),
    )
    .unwrap()
}

fn tag_defs() -> Vec<ClassificationDef> {
    [("id-pii", "PII"), ("id-fin", "Finance"), ("id-conf", "Confidential")]
        .iter()
        .map(|(id, name)| serde_json::from_value(json!({"name": id, "displayName": name})).unwrap())
        .collect()
}

fn header(type_name: &str, guid: &str, qn: &str, extra: Value, tags: Value) -> EntityHeader {
    let mut attributes = json!({"qualifiedName": qn, "name": qn.rsplit('/').next().unwrap()});
    attributes.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    serde_json::from_value(json!({"typeName": type_name, "guid": guid, "attributes": attributes, "classifications": tags})).unwrap()
}

fn set() -> ResolvedSet {
    let def = BusinessMetadataDef {
        name: "dq".into(),
        display_name: quality_set::DEFAULT_SET_NAME.into(),
        guid: None,
        description: String::new(),
        attribute_defs: quality_set::ATTRIBUTES
            .iter()
            .map(|(d, t, _)| serde_json::from_value::<AttributeDef>(json!({"name": format!("a-{d}"), "displayName": d, "typeName": t})).unwrap())
            .collect(),
        options: Default::default(),
    };
    match quality_set::resolve(&[def], quality_set::DEFAULT_SET_NAME) {
        SetStatus::Ready(set) => set,
        other => panic!("{other:?}"),
    }
}

struct Catalog {
    headers: HashMap<String, EntityHeader>,
    mapping: MappingReport,
}

fn catalog(inventory: &Inventory, table_extra: Value, table_tags: Value, column_tags: Value) -> Catalog {
    let list = vec![
        header("Schema", "g-s", &format!("{CONN}/DB/S"), json!({}), json!([])),
        header("Table", "g-t", &format!("{CONN}/DB/S/T"), table_extra, table_tags),
        header("Column", "g-c", &format!("{CONN}/DB/S/T/EMAIL"), json!({}), column_tags),
    ];
    let assets: Vec<CatalogAsset> = list.iter().filter_map(CatalogAsset::from_header).collect();
    let mapping = map_assets(inventory, &assets, &MappingOptions::default());
    assert_eq!(mapping.mapped.len(), 3, "{mapping:?}");
    Catalog { headers: list.into_iter().map(|h| (h.guid.clone(), h)).collect(), mapping }
}

fn direct(id: &str, guid: &str) -> Value {
    json!({"typeName": id, "entityGuid": guid})
}

fn current_values(set: &ResolvedSet, quality: &[(&str, Value)]) -> Value {
    let mut map = serde_json::Map::new();
    for (display, value) in quality {
        map.insert(format!("{}.a-{display}", set.set_id), value.clone());
    }
    Value::Object(map)
}

#[test]
fn catalog_tags_become_external_tags_by_display_name_and_removed_ones_go() {
    let inv = inventory(0);
    let cat = catalog(&inv, json!({}), json!([direct("id-fin", "g-t")]), json!([]));
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &TagNames::new(&tag_defs()), &SyncOptions::default());
    let table = pull.assets.iter().find(|a| a.asset_id.to_string() == "2").unwrap();
    assert_eq!(table.external_tags, ["Finance"]);
    assert_eq!(table.added, ["Finance"]);
    assert_eq!(table.removed, ["Stale"]);
    let mut after = inv.clone();
    let dropped = plan::apply_pull(&mut after, &pull);
    assert_eq!(dropped, ["Old", "Stale"], "external tags no asset carries any more are dropped");
    assert_eq!(after.datastores[0].containers[0].tags, ["PII", "Gold"], "local tags are never touched");
}

#[test]
fn a_local_tag_named_like_a_catalog_tag_is_left_alone_unless_overwrite_tags() {
    let inv = inventory(0);
    let cat = catalog(&inv, json!({}), json!([direct("id-pii", "g-t")]), json!([]));
    let tags = TagNames::new(&tag_defs());
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &tags, &SyncOptions::default());
    let table = pull.assets.iter().find(|a| a.asset_id.to_string() == "2").unwrap();
    assert!(table.external_tags.is_empty(), "PII stays a local tag, not doubled");
    let overwrite = SyncOptions { overwrite_tags: true, ..SyncOptions::default() };
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &tags, &overwrite);
    let mut after = inv.clone();
    plan::apply_pull(&mut after, &pull);
    assert_eq!(after.datastores[0].containers[0].tags, ["Gold"]);
    assert_eq!(after.datastores[0].containers[0].external_tags, ["PII"]);
}

#[test]
fn table_tags_do_not_reach_columns_and_propagated_tags_need_include_propagated() {
    let inv = inventory(0);
    // The column carries Confidential propagated from the table (entityGuid is the table's).
    let cat = catalog(&inv, json!({}), json!([direct("id-conf", "g-t")]), json!([direct("id-conf", "g-t")]));
    let tags = TagNames::new(&tag_defs());
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &tags, &SyncOptions::default());
    let column = pull.assets.iter().find(|a| a.asset_id.to_string() == "3").unwrap();
    assert!(column.external_tags.is_empty());
    let with = SyncOptions { include_propagated: true, ..SyncOptions::default() };
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &tags, &with);
    let column = pull.assets.iter().find(|a| a.asset_id.to_string() == "3").unwrap();
    assert_eq!(column.external_tags, ["Confidential"]);
}

#[test]
fn an_unknown_tag_id_is_reported_for_a_definition_refresh() {
    let inv = inventory(0);
    let cat = catalog(&inv, json!({}), json!([direct("id-new", "g-t")]), json!([]));
    let pull = plan::plan_pull(&inv, &cat.mapping, &cat.headers, &TagNames::new(&tag_defs()), &SyncOptions::default());
    assert!(pull.unknown_tag_ids.contains("id-new"));
}

#[test]
fn push_writes_only_what_differs_and_numbers_compare_as_numbers() {
    let inv = inventory(0);
    let set = set();
    // The catalog already holds the table's values, the score as an integer-valued number.
    let held = current_values(&set, &[("Quality Score", json!(93.5)), ("Volume", json!(50)), ("Check Count", json!(4.0)),
        ("Anomaly Count", json!(0)), ("URL", json!("https://dq.example/t/2"))]);
    let cat = catalog(&inv, held, json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
    assert!(push.writes.iter().all(|w| w.qualified_name != format!("{CONN}/DB/S/T")), "{:?}", push.writes);
    assert_eq!(push.metadata_unchanged, 1);
    assert_eq!(push.writes.len(), 2, "schema and column have values to write");
}

#[test]
fn a_value_the_tool_no_longer_has_is_removed() {
    let inv = inventory(0);
    let set = set();
    let held = current_values(&set, &[("Quality Score", json!(93.5)), ("Volume", json!(50)), ("Accuracy", json!(12)),
        ("Check Count", json!(4)), ("Anomaly Count", json!(0)), ("URL", json!("https://dq.example/t/2"))]);
    let cat = catalog(&inv, held, json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
    let table = push.writes.iter().find(|w| w.guid == "g-t").unwrap();
    assert_eq!(table.metadata, serde_json::Map::from_iter([("a-Accuracy".to_owned(), Value::Null)]));
}

#[test]
fn writes_address_the_catalog_guid_and_qualified_name_not_the_local_spelling() {
    let inv = inventory(0);
    let cat = catalog(&inv, json!({}), json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set()), &SyncOptions::default());
    let entity = push.writes.iter().find(|w| w.guid == "g-t").unwrap().to_bulk_entity("dq");
    assert_eq!(entity.guid.as_deref(), Some("g-t"));
    assert_eq!(entity.qualified_name(), Some("default/snowflake/1/DB/S/T"));
    assert_eq!(entity.business_attributes.unwrap()["dq"]["a-Quality Score"], json!(93.5));
}

#[test]
fn an_asset_with_anomalies_gets_our_warning_and_loses_it_at_zero() {
    let set = set();
    let inv = inventory(3);
    let cat = catalog(&inv, json!({}), json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
    let table = push.writes.iter().find(|w| w.guid == "g-t").unwrap();
    let Some(AnnouncementChange::Set { title, message }) = &table.announcement else { panic!("{table:?}") };
    assert_eq!(title, "3 active data-quality anomalies");
    assert!(message.contains("https://dq.example/t/2") && message.ends_with(ANNOUNCEMENT_MARKER), "{message}");
    let entity = table.to_bulk_entity(&set.set_id);
    assert_eq!(entity.attributes["announcementType"], "warning");
    // Next run: ours is there, the count dropped to zero → removed.
    let ours = json!({"announcementType": "warning", "announcementTitle": title, "announcementMessage": message});
    let inv = inventory(0);
    let cat = catalog(&inv, ours.clone(), json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
    let table = push.writes.iter().find(|w| w.guid == "g-t").unwrap();
    assert_eq!(table.announcement, Some(AnnouncementChange::Clear));
    // Same count as before: nothing to write for the announcement.
    let inv = inventory(3);
    let cat = catalog(&inv, ours, json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
    assert!(push.writes.iter().find(|w| w.guid == "g-t").unwrap().announcement.is_none());
}

#[test]
fn someone_elses_announcement_is_never_overwritten_or_removed() {
    let set = set();
    let theirs = json!({"announcementType": "information", "announcementTitle": "Migrating", "announcementMessage": "ask #data",
        "announcementUpdatedBy": "jane.doe"});
    for anomalies in [0, 5] {
        let inv = inventory(anomalies);
        let cat = catalog(&inv, theirs.clone(), json!([]), json!([]));
        let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set), &SyncOptions::default());
        assert!(push.writes.iter().all(|w| w.announcement.is_none()), "{anomalies}: {:?}", push.writes);
        if anomalies > 0 {
            assert_eq!(push.announcements_kept, 1);
            assert!(push.log.iter().any(|e| e.result == LogResult::Kept && e.message.contains("jane.doe")));
        }
    }
}

#[test]
fn announcements_off_writes_none() {
    let inv = inventory(3);
    let cat = catalog(&inv, json!({}), json!([]), json!([]));
    let options = SyncOptions { announcements: false, ..SyncOptions::default() };
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, Some(&set()), &options);
    assert!(push.writes.iter().all(|w| w.announcement.is_none()));
}

#[test]
fn options_name_the_one_at_fault() {
    let options: SyncOptions = serde_json::from_value(json!({"batchSize": 50})).unwrap();
    assert_eq!(options.validate().unwrap_err(), "options.batchSize: expected 1 to 20, got 50");
    assert!(serde_json::from_value::<SyncOptions>(json!({"dryrun": true})).is_err(), "unknown options are refused");
}

#[test]
fn without_the_set_announcements_are_still_planned() {
    let inv = inventory(3);
    let cat = catalog(&inv, json!({}), json!([]), json!([]));
    let push = plan::plan_push(&inv, &cat.mapping, &cat.headers, None, &SyncOptions::default());
    let table = push.writes.iter().find(|w| w.guid == "g-t").unwrap();
    assert!(table.metadata.is_empty());
    assert!(matches!(table.announcement, Some(AnnouncementChange::Set { .. })));
    assert_eq!(push.writes.len(), 1);
}
