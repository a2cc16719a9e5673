//! SPEC §5 "Mapping": which catalog asset each local datastore, container and field is.

// Test code: a failed unwrap or index is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use serde_json::{json, Value};
use steward_core::catalog::entity::{EntityHeader, EntityStatus};
use steward_core::mapping::{
    map_assets, strip_identifier_quotes, CatalogAsset, Level, LocalRef, MappingOptions, MappingReport,
};
use steward_core::sync::inventory::Inventory;

const SNOW: &str = "default/snowflake/1700000000";
const SNOW_2: &str = "default/snowflake/1700000001";
const PG: &str = "default/postgres/1700000002";

fn active(type_name: &str, qualified_name: &str) -> CatalogAsset {
    CatalogAsset {
        guid: format!("guid:{qualified_name}"),
        type_name: type_name.to_owned(),
        qualified_name: qualified_name.to_owned(),
        name: qualified_name.rsplit('/').next().unwrap().to_owned(),
        status: EntityStatus::Active,
    }
}

fn deleted(type_name: &str, qualified_name: &str) -> CatalogAsset {
    CatalogAsset {
        guid: format!("deleted:{qualified_name}"),
        status: EntityStatus::Deleted,
        ..active(type_name, qualified_name)
    }
}

/// A schema with its tables (`Table`) and their columns: `("ORDERS", &["ID", "TOTAL"])`.
fn schema(connection: &str, database_schema: &str, tables: &[(&str, &[&str])]) -> Vec<CatalogAsset> {
    let schema_qn = format!("{connection}/{}", database_schema.replace('.', "/"));
    let mut assets = vec![active("Schema", &schema_qn)];
    for (table, columns) in tables {
        let table_qn = format!("{schema_qn}/{table}");
        assets.push(active("Table", &table_qn));
        assets.extend(columns.iter().map(|c| active("Column", &format!("{table_qn}/{c}"))));
    }
    assets
}

fn inventory(value: Value) -> Inventory {
    Inventory::from_json(&value.to_string()).unwrap_or_else(|e| panic!("{e}"))
}

/// One snowflake datastore with containers `("ORDERS", &["ID"])`.
fn one_datastore(name: &str, containers: &[(&str, &[&str])]) -> Inventory {
    let mut id = 100;
    let containers: Vec<Value> = containers
        .iter()
        .map(|(container, fields)| {
            id += 100;
            let fields: Vec<Value> =
                fields.iter().enumerate().map(|(i, f)| json!({"id": id + i + 1, "name": f})).collect();
            json!({"id": id, "name": container, "fields": fields})
        })
        .collect();
    inventory(json!({"datastores": [{"id": 1, "name": name, "connector": "snowflake", "containers": containers}]}))
}

fn map(inventory: &Inventory, catalog: &[CatalogAsset]) -> MappingReport {
    map_assets(inventory, catalog, &MappingOptions::default())
}

fn mapped_pairs(report: &MappingReport) -> Vec<(String, String)> {
    report.mapped.iter().map(|m| (m.local_path.clone(), m.qualified_name.clone())).collect()
}

fn unmapped_local<'r>(report: &'r MappingReport, path: &str) -> &'r str {
    let found = report.unmapped_local.iter().find(|u| u.local_path == path);
    &found.unwrap_or_else(|| panic!("{path} is not unmapped: {report:#?}")).reason
}

fn unmapped_catalog<'r>(report: &'r MappingReport, qualified_name: &str) -> &'r str {
    let found = report.unmapped_catalog.iter().find(|u| u.qualified_name == qualified_name);
    &found.unwrap_or_else(|| panic!("{qualified_name} is not unmapped: {report:#?}")).reason
}

#[test]
fn a_datastore_container_and_field_map_to_schema_table_and_column() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &["ID", "TOTAL"])]);
    let catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID", "TOTAL"])]);
    let report = map(&inventory, &catalog);
    assert_eq!(
        mapped_pairs(&report),
        [
            ("SALES_DB.SALES".to_owned(), format!("{SNOW}/SALES_DB/SALES")),
            ("SALES_DB.SALES.ORDERS".to_owned(), format!("{SNOW}/SALES_DB/SALES/ORDERS")),
            ("SALES_DB.SALES.ORDERS.ID".to_owned(), format!("{SNOW}/SALES_DB/SALES/ORDERS/ID")),
            ("SALES_DB.SALES.ORDERS.TOTAL".to_owned(), format!("{SNOW}/SALES_DB/SALES/ORDERS/TOTAL")),
        ]
    );
    let field = &report.mapped[3];
    assert_eq!(field.level, Level::Field);
    assert_eq!(field.local, LocalRef { datastore: 0, container: Some(0), field: Some(1) });
    assert_eq!(field.local_id.to_string(), "202");
    assert_eq!((field.type_name.as_str(), field.name.as_str(), field.exact_case), ("Column", "TOTAL", true));
    assert!(report.unmapped_local.is_empty() && report.unmapped_catalog.is_empty() && report.ambiguous.is_empty());
}

#[test]
fn an_exact_case_match_wins_over_case_insensitive_ones() {
    let inventory = one_datastore("SALES_DB.MARKETING", &[("Campaigns", &[])]);
    let catalog = schema(SNOW, "SALES_DB.MARKETING", &[("CAMPAIGNS", &[]), ("Campaigns", &[]), ("campaigns_old", &[])]);
    let report = map(&inventory, &catalog);
    let container = &report.mapped[1];
    assert_eq!(container.qualified_name, format!("{SNOW}/SALES_DB/MARKETING/Campaigns"));
    assert!(container.exact_case);
    assert!(report.ambiguous.is_empty());
    assert_eq!(
        unmapped_catalog(&report, &format!("{SNOW}/SALES_DB/MARKETING/CAMPAIGNS")),
        "container SALES_DB.MARKETING.Campaigns maps to the exact-case Campaigns instead"
    );
}

#[test]
fn a_single_case_insensitive_match_maps_but_is_not_exact_case() {
    let inventory = one_datastore("sales_db.sales", &[("orders", &["id"])]);
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID"])]));
    assert_eq!(report.mapped.len(), 3);
    assert!(report.mapped.iter().all(|m| !m.exact_case));
    assert_eq!(report.mapped[2].local_path, "sales_db.sales.orders.id");
}

#[test]
fn equally_good_candidates_are_ambiguous_never_mapped_and_their_children_are_reported() {
    let inventory = one_datastore("SALES_DB.MARKETING", &[("campaigns", &["ID", "BUDGET"]), ("LEADS", &[])]);
    let catalog = schema(
        SNOW,
        "SALES_DB.MARKETING",
        &[("CAMPAIGNS", &["ID", "BUDGET"]), ("Campaigns", &["ID", "BUDGET"]), ("LEADS", &[])],
    );
    let report = map(&inventory, &catalog);
    assert_eq!(report.ambiguous.len(), 1);
    let ambiguous = &report.ambiguous[0];
    assert_eq!((ambiguous.level, ambiguous.local_path.as_str()), (Level::Container, "SALES_DB.MARKETING.campaigns"));
    assert_eq!(
        ambiguous.reason,
        "campaigns matches CAMPAIGNS and Campaigns in SALES_DB.MARKETING case-insensitively and neither exactly"
    );
    assert_eq!(
        ambiguous.candidates,
        [format!("{SNOW}/SALES_DB/MARKETING/CAMPAIGNS"), format!("{SNOW}/SALES_DB/MARKETING/Campaigns")]
    );
    // Neither the ambiguous container nor anything below it is mapped; its fields say why.
    assert!(report.mapped.iter().all(|m| !m.local_path.contains("campaigns")));
    assert_eq!(
        unmapped_local(&report, "SALES_DB.MARKETING.campaigns.ID"),
        "its container SALES_DB.MARKETING.campaigns is ambiguous"
    );
    assert_eq!(
        unmapped_local(&report, "SALES_DB.MARKETING.campaigns.BUDGET"),
        "its container SALES_DB.MARKETING.campaigns is ambiguous"
    );
    assert!(report.unmapped_local.iter().all(|u| u.local_path != "SALES_DB.MARKETING.campaigns"));
    // The competing tables are unmapped catalog assets; their columns (under unmapped tables) are not listed.
    let reason = unmapped_catalog(&report, &format!("{SNOW}/SALES_DB/MARKETING/CAMPAIGNS"));
    assert!(reason.contains("ambiguous container SALES_DB.MARKETING.campaigns"), "{reason}");
    assert!(report.unmapped_catalog.iter().all(|u| u.type_name != "Column"));
    assert!(report.mapped.iter().any(|m| m.local_path == "SALES_DB.MARKETING.LEADS"));
}

#[test]
fn an_ambiguous_datastore_reports_every_container_and_field_below_it() {
    let inventory = one_datastore("sales_db.sales", &[("ORDERS", &["ID"])]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID"])]);
    catalog.extend(schema(SNOW, "Sales_Db.Sales", &[("ORDERS", &["ID"])]));
    let report = map(&inventory, &catalog);
    assert!(report.mapped.is_empty());
    assert_eq!(
        report.ambiguous[0].reason,
        format!(
            "sales_db.sales matches SALES_DB.SALES and Sales_Db.Sales in {SNOW} case-insensitively and neither exactly"
        )
    );
    assert_eq!(unmapped_local(&report, "sales_db.sales.ORDERS"), "its datastore sales_db.sales is ambiguous");
    assert_eq!(unmapped_local(&report, "sales_db.sales.ORDERS.ID"), "its datastore sales_db.sales is ambiguous");
    let levels: Vec<Level> = report.unmapped_local.iter().map(|u| u.level).collect();
    assert_eq!(levels, [Level::Container, Level::Field]);
}

#[test]
fn identifier_quotes_are_stripped_before_comparing() {
    let inventory =
        inventory(json!({"datastores": [{"id": 1, "name": "x", "database": "\"SALES_DB\"", "schema": "SALES",
        "connector": "snowflake", "containers": [
            {"id": 2, "name": "\"PRODUCTS\"", "fields": [{"id": 3, "name": "ID"}, {"id": 4, "name": "`sku`"}]},
            {"id": 5, "name": "[Order Lines]", "fields": [{"id": 6, "name": "\"Qty\""}]}]}]}));
    let catalog = schema(SNOW, "SALES_DB.SALES", &[("PRODUCTS", &["ID", "SKU"]), ("Order Lines", &["Qty"])]);
    let report = map(&inventory, &catalog);
    assert!(report.unmapped_local.is_empty() && report.ambiguous.is_empty(), "{report:#?}");
    let exact: Vec<(&str, bool)> = report.mapped.iter().map(|m| (m.local_path.as_str(), m.exact_case)).collect();
    assert_eq!(
        exact,
        [
            ("\"SALES_DB\".SALES", true),
            ("\"SALES_DB\".SALES.\"PRODUCTS\"", true),
            ("\"SALES_DB\".SALES.\"PRODUCTS\".ID", true),
            ("\"SALES_DB\".SALES.\"PRODUCTS\".`sku`", false),
            ("\"SALES_DB\".SALES.[Order Lines]", true),
            ("\"SALES_DB\".SALES.[Order Lines].\"Qty\"", true),
        ]
    );
    assert_eq!(strip_identifier_quotes("\"PRODUCTS\""), "PRODUCTS");
    assert_eq!(strip_identifier_quotes("[Order Lines]"), "Order Lines");
    assert_eq!(strip_identifier_quotes("`sku`"), "sku");
}

#[test]
fn views_and_materialised_views_map_as_containers() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS_V", &["ID"]), ("DAILY_TOTALS", &["DAY"])]);
    let schema_qn = format!("{SNOW}/SALES_DB/SALES");
    let catalog = vec![
        active("Schema", &schema_qn),
        active("View", &format!("{schema_qn}/ORDERS_V")),
        active("Column", &format!("{schema_qn}/ORDERS_V/ID")),
        active("MaterialisedView", &format!("{schema_qn}/DAILY_TOTALS")),
        active("Column", &format!("{schema_qn}/DAILY_TOTALS/DAY")),
    ];
    let report = map(&inventory, &catalog);
    let types: Vec<&str> = report.mapped.iter().map(|m| m.type_name.as_str()).collect();
    assert_eq!(types, ["Schema", "View", "Column", "MaterialisedView", "Column"]);
}

#[test]
fn soft_deleted_catalog_assets_are_never_candidates() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &[]), ("OLD_ORDERS", &[])]);
    let schema_qn = format!("{SNOW}/SALES_DB/SALES");
    let catalog = vec![
        active("Schema", &schema_qn),
        deleted("Table", &format!("{schema_qn}/ORDERS")),
        active("Table", &format!("{schema_qn}/Orders")),
        deleted("Table", &format!("{schema_qn}/OLD_ORDERS")),
        deleted("Table", &format!("{schema_qn}/DROPPED")),
    ];
    let report = map(&inventory, &catalog);
    // The deleted exact-case ORDERS neither wins nor makes ORDERS ambiguous.
    assert_eq!(report.mapped[1].qualified_name, format!("{schema_qn}/Orders"));
    assert!(!report.mapped[1].exact_case);
    assert!(report.ambiguous.is_empty());
    assert_eq!(
        unmapped_local(&report, "SALES_DB.SALES.OLD_ORDERS"),
        format!("only a soft-deleted table matches ({schema_qn}/OLD_ORDERS)")
    );
    // Deleted assets are not reported as unmapped catalog assets either.
    assert!(report.unmapped_catalog.is_empty(), "{:#?}", report.unmapped_catalog);
}

#[test]
fn a_datastore_whose_only_schema_is_soft_deleted_says_so() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &[])]);
    let report = map(&inventory, &[deleted("Schema", &format!("{SNOW}/SALES_DB/SALES"))]);
    assert!(unmapped_local(&report, "SALES_DB.SALES").starts_with("only a soft-deleted schema matches"));
    assert_eq!(unmapped_local(&report, "SALES_DB.SALES.ORDERS"), "its datastore SALES_DB.SALES is not mapped");
}

#[test]
fn an_unmapped_datastore_names_the_connections_it_looked_in_and_its_children_name_it() {
    let inventory = one_datastore("SALES_DB.SCRATCH", &[("TMP", &["X"])]);
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[]));
    assert_eq!(unmapped_local(&report, "SALES_DB.SCRATCH"), format!("no schema SALES_DB.SCRATCH in connection {SNOW}"));
    assert_eq!(unmapped_local(&report, "SALES_DB.SCRATCH.TMP"), "its datastore SALES_DB.SCRATCH is not mapped");
    assert_eq!(unmapped_local(&report, "SALES_DB.SCRATCH.TMP.X"), "its datastore SALES_DB.SCRATCH is not mapped");
    assert_eq!(
        unmapped_catalog(&report, &format!("{SNOW}/SALES_DB/SALES")),
        "no local datastore matches schema SALES_DB.SALES"
    );
}

#[test]
fn without_named_connections_a_datastore_looks_in_the_connections_of_its_connector() {
    let inventory = inventory(json!({"datastores": [
        {"id": 1, "name": "SALES_DB.SALES", "connector": "postgres"},
        {"id": 2, "name": "SALES_DB.SALES", "connector": "bigquery"},
        {"id": 3, "name": "APP.PUBLIC"}]}));
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[]);
    catalog.extend(schema(PG, "SALES_DB.SALES", &[]));
    catalog.extend(schema(PG, "APP.PUBLIC", &[]));
    let report = map(&inventory, &catalog);
    assert_eq!(report.mapped[0].qualified_name, format!("{PG}/SALES_DB/SALES"));
    assert_eq!(report.mapped[0].local.datastore, 0);
    assert_eq!(
        unmapped_local(&report, "SALES_DB.SALES"),
        "no schema SALES_DB.SALES: the catalog has no connection with connector bigquery"
    );
    // No connector: every connection is considered (and APP.PUBLIC exists only in postgres).
    assert_eq!(report.mapped[1].qualified_name, format!("{PG}/APP/PUBLIC"));
    assert_eq!(report.mapped[1].local.datastore, 2);
}

#[test]
fn named_connections_replace_the_choice_by_connector() {
    let inventory = one_datastore("SALES_DB.SALES", &[]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[]);
    catalog.extend(schema(SNOW_2, "SALES_DB.SALES", &[]));
    catalog.extend(schema(PG, "SALES_DB.SALES", &[]));
    let only = |connections: &[&str]| {
        let options = MappingOptions { connections: connections.iter().map(|c| (*c).to_owned()).collect() };
        map_assets(&inventory, &catalog, &options)
    };
    assert_eq!(only(&[SNOW_2]).mapped[0].qualified_name, format!("{SNOW_2}/SALES_DB/SALES"));
    // A named connection counts even when its connector is not the datastore's.
    assert_eq!(only(&[PG]).mapped[0].qualified_name, format!("{PG}/SALES_DB/SALES"));
    let report = only(&["default/snowflake/1"]);
    assert_eq!(unmapped_local(&report, "SALES_DB.SALES"), "no schema SALES_DB.SALES in connection default/snowflake/1");
    // Only schemas of the named connections are listed as unmapped.
    let report = only(&[SNOW, "default/snowflake/1"]);
    assert!(report.unmapped_catalog.is_empty(), "{:#?}", report.unmapped_catalog);
}

#[test]
fn the_same_schema_in_two_considered_connections_is_ambiguous() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &[])]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &[])]);
    catalog.extend(schema(SNOW_2, "SALES_DB.SALES", &[("ORDERS", &[])]));
    let report = map(&inventory, &catalog);
    assert!(report.mapped.is_empty());
    let ambiguous = &report.ambiguous[0];
    assert_eq!(ambiguous.candidates, [format!("{SNOW}/SALES_DB/SALES"), format!("{SNOW_2}/SALES_DB/SALES")]);
    assert_eq!(
        ambiguous.reason,
        format!(
            "SALES_DB.SALES matches {SNOW}/SALES_DB/SALES and {SNOW_2}/SALES_DB/SALES exactly; \
             name one connection in the mapping options to choose"
        )
    );
    assert_eq!(unmapped_local(&report, "SALES_DB.SALES.ORDERS"), "its datastore SALES_DB.SALES is ambiguous");
}

#[test]
fn mapped_lists_parents_before_children_in_inventory_order() {
    let inventory = inventory(json!({"datastores": [
        {"id": "a", "name": "DB.B", "connector": "snowflake", "containers": [
            {"id": "a1", "name": "T2", "fields": [{"id": "a11", "name": "Y"}, {"id": "a12", "name": "X"}]},
            {"id": "a2", "name": "T1", "fields": [{"id": "a21", "name": "Z"}]}]},
        {"id": "b", "name": "DB.A", "connector": "snowflake", "containers": [
            {"id": "b1", "name": "T", "fields": [{"id": "b11", "name": "C"}]}]}]}));
    let mut catalog = schema(SNOW, "DB.A", &[("T", &["C"])]);
    catalog.extend(schema(SNOW, "DB.B", &[("T1", &["Z"]), ("T2", &["X", "Y"])]));
    catalog.reverse();
    let report = map(&inventory, &catalog);
    let ids: Vec<String> = report.mapped.iter().map(|m| m.local_id.to_string()).collect();
    assert_eq!(ids, ["a", "a1", "a11", "a12", "a2", "a21", "b", "b1", "b11"]);
    for (i, m) in report.mapped.iter().enumerate() {
        let parent = match m.level {
            Level::Datastore => continue,
            Level::Container => LocalRef { container: None, ..m.local },
            Level::Field => LocalRef { field: None, ..m.local },
        };
        assert!(report.mapped[..i].iter().any(|p| p.local == parent), "{} before its parent", m.local_path);
    }
}

#[test]
fn a_column_maps_only_under_its_own_table() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &["ID", "CUSTOMER_ID"])]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID"]), ("CUSTOMERS", &["CUSTOMER_ID"])]);
    // Same name deeper down the path, and a same-named table in another schema: neither counts.
    catalog.push(active("Column", &format!("{SNOW}/SALES_DB/SALES/ORDERS/NESTED/CUSTOMER_ID")));
    catalog.extend(schema(SNOW, "SALES_DB.ARCHIVE", &[("ORDERS", &["ID", "CUSTOMER_ID"])]));
    let report = map(&inventory, &catalog);
    assert_eq!(
        unmapped_local(&report, "SALES_DB.SALES.ORDERS.CUSTOMER_ID"),
        format!("no column CUSTOMER_ID in table {SNOW}/SALES_DB/SALES/ORDERS")
    );
    assert_eq!(report.mapped[2].qualified_name, format!("{SNOW}/SALES_DB/SALES/ORDERS/ID"));
    assert!(report.mapped.iter().all(|m| !m.qualified_name.contains("ARCHIVE")));
}

#[test]
fn unmapped_catalog_assets_are_listed_only_under_mapped_parents() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &["ID"])]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID", "NOTE"]), ("REFUNDS", &["ID"])]);
    catalog.extend(schema(SNOW, "SALES_DB.SCRATCH", &[("TMP", &["X"])]));
    catalog.extend(schema(PG, "APP.PUBLIC", &[("USERS", &[])]));
    let report = map(&inventory, &catalog);
    let listed: Vec<(&str, &str)> =
        report.unmapped_catalog.iter().map(|u| (u.qualified_name.as_str(), u.reason.as_str())).collect();
    assert_eq!(
        listed,
        [
            (
                "default/snowflake/1700000000/SALES_DB/SALES/ORDERS/NOTE",
                "no field of container SALES_DB.SALES.ORDERS matches column NOTE"
            ),
            (
                "default/snowflake/1700000000/SALES_DB/SALES/REFUNDS",
                "no container of datastore SALES_DB.SALES matches table REFUNDS"
            ),
            ("default/snowflake/1700000000/SALES_DB/SCRATCH", "no local datastore matches schema SALES_DB.SCRATCH"),
        ]
    );
}

#[test]
fn siblings_claiming_one_catalog_asset_equally_are_ambiguous() {
    let inventory = one_datastore("SALES_DB.SALES", &[("Orders", &["ID"]), ("orders", &[])]);
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID"])]));
    assert_eq!(report.mapped.len(), 1);
    let paths: Vec<&str> = report.ambiguous.iter().map(|a| a.local_path.as_str()).collect();
    assert_eq!(paths, ["SALES_DB.SALES.Orders", "SALES_DB.SALES.orders"]);
    assert_eq!(
        report.ambiguous[0].reason,
        format!(
            "SALES_DB.SALES.Orders and SALES_DB.SALES.orders both match {SNOW}/SALES_DB/SALES/ORDERS \
             case-insensitively and neither exactly"
        )
    );
    assert_eq!(unmapped_local(&report, "SALES_DB.SALES.Orders.ID"), "its container SALES_DB.SALES.Orders is ambiguous");
}

#[test]
fn an_exact_case_sibling_keeps_the_catalog_asset_a_case_insensitive_one_would_also_take() {
    let inventory = one_datastore("SALES_DB.SALES", &[("orders", &[]), ("ORDERS", &[])]);
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &[])]));
    assert_eq!(report.mapped[1].local_path, "SALES_DB.SALES.ORDERS");
    assert_eq!(
        unmapped_local(&report, "SALES_DB.SALES.orders"),
        format!(
            "its only match {SNOW}/SALES_DB/SALES/ORDERS is taken by SALES_DB.SALES.ORDERS, which matches it exactly"
        )
    );
}

#[test]
fn two_exact_case_claims_on_one_schema_are_ambiguous_and_a_case_insensitive_one_loses() {
    let inventory = inventory(json!({"datastores": [
        {"id": 1, "name": "SALES_DB.SALES", "connector": "snowflake"},
        {"id": 2, "name": "\"SALES_DB\".SALES", "connector": "snowflake"},
        {"id": 3, "name": "sales_db.sales", "connector": "snowflake"}]}));
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[]));
    assert!(report.mapped.is_empty());
    let ambiguous: Vec<(&str, &str)> =
        report.ambiguous.iter().map(|a| (a.local_path.as_str(), a.reason.as_str())).collect();
    let tie = format!("SALES_DB.SALES and \"SALES_DB\".SALES both match {SNOW}/SALES_DB/SALES exactly");
    assert_eq!(ambiguous, [("SALES_DB.SALES", tie.as_str()), ("\"SALES_DB\".SALES", tie.as_str())]);
    assert_eq!(
        unmapped_local(&report, "sales_db.sales"),
        format!("its only match {SNOW}/SALES_DB/SALES is matched exactly by SALES_DB.SALES and \"SALES_DB\".SALES")
    );
    assert_eq!(
        unmapped_catalog(&report, &format!("{SNOW}/SALES_DB/SALES")),
        "SALES_DB.SALES and \"SALES_DB\".SALES match it equally, so none is mapped"
    );
}

#[test]
fn a_guid_repeated_by_paging_counts_once() {
    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &[])]);
    let mut catalog = schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &[])]);
    catalog.extend(catalog.clone());
    let report = map(&inventory, &catalog);
    assert_eq!(report.mapped.len(), 2);
    assert!(report.ambiguous.is_empty());
}

#[test]
fn the_report_does_not_depend_on_catalog_order() {
    let inventory = one_datastore("SALES_DB.MARKETING", &[("campaigns", &[]), ("LEADS", &["ID"]), ("GONE", &[])]);
    let mut catalog =
        schema(SNOW, "SALES_DB.MARKETING", &[("CAMPAIGNS", &[]), ("Campaigns", &[]), ("LEADS", &["ID", "X", "A"])]);
    catalog.extend(schema(SNOW, "SALES_DB.OTHER", &[]));
    let forward = map(&inventory, &catalog);
    catalog.reverse();
    assert_eq!(map(&inventory, &catalog), forward);
}

#[test]
fn catalog_assets_read_the_flat_and_the_search_header_shapes() {
    let qn = format!("{SNOW}/SALES_DB/SALES/ORDERS");
    let flat: CatalogAsset =
        serde_json::from_value(json!({"typeName": "Table", "guid": "t1", "qualifiedName": qn, "name": "ORDERS"}))
            .unwrap();
    assert_eq!(flat.status, EntityStatus::Active);
    let header_json = json!({"typeName": "Table", "guid": "t1", "status": "ACTIVE", "displayText": "ORDERS",
        "attributes": {"qualifiedName": qn, "name": "ORDERS", "wQ8.aS1": 93.5}, "classificationNames": []});
    let nested: CatalogAsset = serde_json::from_value(header_json.clone()).unwrap();
    assert_eq!(nested, flat);
    let header: EntityHeader = serde_json::from_value(header_json).unwrap();
    assert_eq!(CatalogAsset::from_header(&header), Some(flat.clone()));
    // Written flat, and read back.
    let written = serde_json::to_value(&flat).unwrap();
    assert_eq!(
        written,
        json!({"guid": "t1", "typeName": "Table", "qualifiedName": qn, "name": "ORDERS", "status": "ACTIVE"})
    );
    assert_eq!(serde_json::from_value::<CatalogAsset>(written).unwrap(), flat);

    let gone: CatalogAsset = serde_json::from_value(
        json!({"typeName": "Table", "guid": "t2", "status": "DELETED", "attributes": {"qualifiedName": qn}}),
    )
    .unwrap();
    assert_eq!((gone.status, gone.name.as_str()), (EntityStatus::Deleted, "ORDERS"));
    let err =
        serde_json::from_value::<CatalogAsset>(json!({"typeName": "Table", "guid": "t3", "attributes": {"name": "X"}}))
            .unwrap_err();
    assert!(err.to_string().contains("t3 (Table) has no qualifiedName"), "{err}");
    let no_name: EntityHeader = serde_json::from_value(json!({"typeName": "Table", "guid": "t4"})).unwrap();
    assert_eq!(CatalogAsset::from_header(&no_name), None);
}

#[test]
fn options_and_report_are_camel_case_json() {
    let options: MappingOptions = serde_json::from_value(json!({})).unwrap();
    assert!(options.connections.is_empty());
    let options: MappingOptions = serde_json::from_value(json!({"connections": [SNOW]})).unwrap();
    assert_eq!(options.connections, [SNOW]);

    let inventory = one_datastore("SALES_DB.SALES", &[("ORDERS", &["ID", "GONE"])]);
    let report = map(&inventory, &schema(SNOW, "SALES_DB.SALES", &[("ORDERS", &["ID"])]));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        json["mapped"][2],
        json!({"local": {"datastore": 0, "container": 0, "field": 0}, "localId": 201, "level": "field",
            "localPath": "SALES_DB.SALES.ORDERS.ID", "guid": format!("guid:{SNOW}/SALES_DB/SALES/ORDERS/ID"),
            "typeName": "Column", "qualifiedName": format!("{SNOW}/SALES_DB/SALES/ORDERS/ID"), "name": "ID",
            "exactCase": true})
    );
    assert_eq!(json["mapped"][0]["local"], json!({"datastore": 0}));
    assert_eq!(json["unmappedLocal"][0]["level"], "field");
    assert_eq!(json["unmappedLocal"][0]["reason"], format!("no column GONE in table {SNOW}/SALES_DB/SALES/ORDERS"));
    assert_eq!(json["unmappedCatalog"], json!([]));
    assert_eq!(json["ambiguous"], json!([]));
}

#[test]
fn seventy_two_thousand_assets_map_completely() {
    // 24 datastores × 100 containers × 29 fields = 72,024 local assets, the catalog mirroring
    // them in lower case, plus one soft-deleted copy of every table.
    let (stores, containers, fields) = (24, 100, 29);
    let mut datastores = Vec::new();
    let mut catalog = Vec::new();
    let mut id = 0_u64;
    for d in 0..stores {
        let schema_qn = format!("{SNOW}/DB/S{d}");
        catalog.push(active("Schema", &schema_qn));
        let mut local_containers = Vec::new();
        for c in 0..containers {
            let table_qn = format!("{schema_qn}/t{c}");
            catalog.push(active(if c % 3 == 0 { "View" } else { "Table" }, &table_qn));
            catalog.push(deleted("Table", &format!("{schema_qn}/T{c}_OLD")));
            let mut local_fields = Vec::new();
            for f in 0..fields {
                catalog.push(active("Column", &format!("{table_qn}/c{f}")));
                id += 1;
                local_fields.push(json!({"id": id, "name": format!("C{f}")}));
            }
            id += 1;
            local_containers.push(json!({"id": id, "name": format!("\"T{c}\""), "fields": local_fields}));
        }
        id += 1;
        datastores.push(
            json!({"id": id, "name": format!("DB.S{d}"), "connector": "snowflake", "containers": local_containers}),
        );
    }
    let inventory = inventory(json!({ "datastores": datastores }));
    assert_eq!(inventory.asset_count(), 72_024);
    let started = std::time::Instant::now();
    let report = map(&inventory, &catalog);
    eprintln!("mapped {} assets in {:?}", inventory.asset_count(), started.elapsed());
    assert_eq!(report.mapped.len(), 72_024);
    assert_eq!(report.mapped.iter().filter(|m| m.exact_case).count(), stores);
    assert!(report.unmapped_local.is_empty() && report.unmapped_catalog.is_empty() && report.ambiguous.is_empty());
}
