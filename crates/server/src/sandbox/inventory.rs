//! The demo local inventory (SPEC §5): what the data-quality tool that embeds Steward knows —
//! datastores (one database schema each), containers (tables and views) and fields (columns),
//! with their own tags, external tags and quality results. `GET /sandbox/inventory` serves it.
//!
//! It matches the demo catalog, with deliberate mismatches for the mapping to report:
//! - `SALES_DB.SALES.CUSTOMER_FEEDBACK` exists locally but not in the catalog;
//! - `SALES_DB.MARKETING.web_events` differs from the catalog's `WEB_EVENTS` only in case;
//! - `SALES_DB.MARKETING.campaigns` is ambiguous between the catalog's `CAMPAIGNS` and `Campaigns`;
//! - `SALES_DB.SALES."PRODUCTS"` carries identifier quotes;
//! - the datastore `SALES_DB.SCRATCH` has no catalog schema, and the catalog's `STAGING` schema
//!   (and the soft-deleted `ORDERS_OLD`) have no local datastore or container.

pub use steward_core::sync::inventory::{Container, Datastore, Dimensions, Field, Inventory, Quality};

use super::demo::{ConnectionSpec, TableKind};
use super::seeded::{rng_for, SplitMix64};

/// Base of the links to the local tool's pages.
pub const QUALITY_URL: &str = "https://quality.example.com";

fn one_decimal(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// Deterministic quality results for an asset path; `anomalies` forces the anomaly count.
fn quality(path: &str, url: String, anomalies: Option<u32>) -> Quality {
    let mut rng = rng_for(&format!("quality:{path}"));
    let dimension = |rng: &mut SplitMix64| rng.chance(0.85).then(|| one_decimal(50.0 + rng.unit() * 50.0));
    let dimensions = Dimensions {
        completeness: dimension(&mut rng),
        coverage: dimension(&mut rng),
        conformity: dimension(&mut rng),
        consistency: dimension(&mut rng),
        precision: dimension(&mut rng),
        timeliness: dimension(&mut rng),
        volume: dimension(&mut rng),
        accuracy: dimension(&mut rng),
    };
    let random_anomalies = if rng.chance(0.85) { 0 } else { 1 + rng.below(7) as u32 };
    Quality {
        score: Some(one_decimal(60.0 + rng.unit() * 39.9)),
        dimensions,
        checks: rng.below(31) as u32,
        anomalies: anomalies.unwrap_or(random_anomalies),
        url: Some(url),
    }
}

/// The local name of a catalog table (the deliberate mismatches), or `None` to leave it out.
fn local_container_name(schema: &str, name: &str) -> Option<String> {
    match (schema, name) {
        ("MARKETING", "WEB_EVENTS") => Some("web_events".into()),
        ("MARKETING", "CAMPAIGNS") => Some("campaigns".into()),
        ("MARKETING", "Campaigns") => None,
        ("SALES", "PRODUCTS") => Some("\"PRODUCTS\"".into()),
        _ => Some(name.to_owned()),
    }
}

/// The inventory matching the demo Snowflake connection.
pub fn demo(connection: &ConnectionSpec) -> Inventory {
    let mut ids = Ids { datastore: 0, container: 1000, field: 100_000 };
    let mut datastores = Vec::new();
    for db in &connection.databases {
        for schema in db.schemas.iter().filter(|s| s.name != "STAGING") {
            let path = format!("{}.{}", db.name, schema.name);
            let mut store = datastore(&mut ids, db.name, schema.name, connection.connector);
            if schema.name == "SALES" {
                store.tags.push("Critical".into());
            }
            for table in schema.tables.iter().filter(|t| !t.deleted) {
                let Some(local_name) = local_container_name(schema.name, &table.name) else { continue };
                let forced = match table.name.as_str() {
                    "ORDERS" if schema.name == "SALES" => Some(3),
                    "CUSTOMERS" if schema.name == "SALES" => Some(2),
                    _ => None,
                };
                let lower_fields = local_name == "web_events";
                let fields = table
                    .columns
                    .iter()
                    .map(|c| (if lower_fields { c.name.to_lowercase() } else { c.name.clone() }, c.data_type.to_owned()))
                    .collect();
                let mut c = container(&mut ids, &path, &local_name, table.kind, fields, forced);
                if schema.name == "SALES" && table.name == "CUSTOMERS" {
                    c.tags = vec!["Gold".into(), "PII".into()];
                    // A stale external tag no catalog asset carries: the next pull drops it.
                    c.external_tags = vec!["Legacy".into()];
                    if let Some(email) = c.fields.iter_mut().find(|f| f.name == "EMAIL") {
                        email.tags = vec!["PII".into()];
                    }
                }
                store.containers.push(c);
            }
            if schema.name == "SALES" {
                let fields = [("FEEDBACK_ID", "NUMBER"), ("CUSTOMER_ID", "NUMBER"), ("RATING", "NUMBER"), ("COMMENT", "VARCHAR")]
                    .iter()
                    .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
                    .collect();
                store.containers.push(container(&mut ids, &path, "CUSTOMER_FEEDBACK", TableKind::Table, fields, None));
            }
            datastores.push(store);
        }
    }
    let mut scratch = datastore(&mut ids, "SALES_DB", "SCRATCH", connection.connector);
    let fields = vec![("ID".to_owned(), "NUMBER".to_owned()), ("NOTE".to_owned(), "VARCHAR".to_owned())];
    scratch.containers.push(container(&mut ids, "SALES_DB.SCRATCH", "TMP_ANALYSIS", TableKind::Table, fields, None));
    datastores.push(scratch);
    Inventory { datastores }
}

struct Ids {
    datastore: u64,
    container: u64,
    field: u64,
}

fn datastore(ids: &mut Ids, database: &str, schema: &str, connector: &str) -> Datastore {
    ids.datastore += 1;
    let id = ids.datastore;
    let name = format!("{database}.{schema}");
    Datastore {
        id: id.into(),
        quality: Some(quality(&name, format!("{QUALITY_URL}/datastores/{id}"), None)),
        name,
        connector: Some(connector.to_owned()),
        database: database.to_owned(),
        schema: schema.to_owned(),
        tags: Vec::new(),
        external_tags: Vec::new(),
        containers: Vec::new(),
    }
}

fn container(ids: &mut Ids, store_path: &str, name: &str, kind: TableKind, fields: Vec<(String, String)>, anomalies: Option<u32>) -> Container {
    ids.container += 1;
    let id = ids.container;
    let path = format!("{store_path}.{name}");
    let fields = fields
        .into_iter()
        .map(|(field_name, field_type)| {
            ids.field += 1;
            let field_id = ids.field;
            Field {
                id: field_id.into(),
                quality: Some(quality(&format!("{path}.{field_name}"), format!("{QUALITY_URL}/fields/{field_id}"), None)),
                name: field_name,
                field_type: Some(field_type),
                tags: Vec::new(),
                external_tags: Vec::new(),
            }
        })
        .collect();
    Container {
        id: id.into(),
        quality: Some(quality(&path, format!("{QUALITY_URL}/containers/{id}"), anomalies)),
        name: name.to_owned(),
        container_type: if kind == TableKind::Table { "table".into() } else { "view".into() },
        tags: Vec::new(),
        external_tags: Vec::new(),
        fields,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::demo;

    #[test]
    fn the_inventory_has_the_deliberate_mismatches_and_quality_results() {
        let inventory = demo(&demo::snowflake(demo::DEFAULT_SCALE));
        let names: Vec<String> = inventory
            .datastores
            .iter()
            .flat_map(|d| d.containers.iter().map(move |c| format!("{}.{}", d.name, c.name)))
            .collect();
        for expected in ["SALES_DB.SALES.CUSTOMER_FEEDBACK", "SALES_DB.MARKETING.web_events", "SALES_DB.MARKETING.campaigns",
            "SALES_DB.SALES.\"PRODUCTS\"", "SALES_DB.SCRATCH.TMP_ANALYSIS"] {
            assert!(names.iter().any(|n| n == expected), "{expected}");
        }
        assert!(!names.iter().any(|n| n.contains("STAGING") || n.contains("ORDERS_OLD") || n.ends_with(".Campaigns")));
        let fields: usize = inventory.datastores.iter().flat_map(|d| &d.containers).map(|c| c.fields.len()).sum();
        assert!(fields >= 800, "{fields}");
        let anomalous = inventory.datastores.iter().flat_map(|d| &d.containers).filter(|c| c.quality.as_ref().is_some_and(|q| q.anomalies > 0)).count();
        assert!(anomalous >= 2);
        let all_scores = inventory.datastores.iter().flat_map(|d| &d.containers).all(|c| c.quality.as_ref().and_then(|q| q.score).is_some_and(|s| (0.0..=100.0).contains(&s)));
        assert!(all_scores);
        assert_eq!(inventory, demo(&demo::snowflake(demo::DEFAULT_SCALE)), "deterministic");
    }
}
