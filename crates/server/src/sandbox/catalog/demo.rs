//! The demo catalog tenant: the demo warehouse as catalog assets, the tag and custom-metadata
//! definitions, the demo tokens and the demo access config.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};
use steward_core::catalog::entity::{attr, Classification, EntityStatus};
use steward_core::catalog::typedefs::{AttributeDef, BusinessMetadataDef, ClassificationDef, StructDef};

use super::store::{CatalogState, StoredEntity};
use crate::sandbox::demo::{self, ConnectionSpec, TagUse, EPOCH_MS, TAGS};
use crate::sandbox::seeded::{guid_for, hashed_id};

/// The demo credentials documented in the README: token → user.
pub const DEMO_TOKENS: [(&str, &str); 5] = [
    ("sandbox-admin-token", "sandbox-admin"),
    ("sandbox-integration-token", "service-account-apikey-integration"),
    ("sandbox-guest-token", "sandbox-guest"),
    // The integration's persona with a deny on `FINANCE_DB/HR`: neither reads nor writes there.
    ("sandbox-restricted-token", "service-account-apikey-restricted"),
    // A member in no persona: every asset is hidden and every read refused.
    ("sandbox-unconfigured-token", "service-account-apikey-unconfigured"),
];

/// The demo access config (SPEC §2 format).
pub const ACCESS_CONFIG: &str = include_str!("../../../demo/access-config.json");

/// Display name of the custom-metadata set the sync writes.
pub const QUALITY_SET: &str = "Data Quality";

/// The attributes of the `Data Quality` set: display name and type.
pub const QUALITY_ATTRIBUTES: [(&str, &str); 12] = [
    ("Quality Score", "float"),
    ("Completeness", "float"),
    ("Coverage", "float"),
    ("Conformity", "float"),
    ("Consistency", "float"),
    ("Precision", "float"),
    ("Timeliness", "float"),
    ("Volume", "float"),
    ("Accuracy", "float"),
    ("Check Count", "int"),
    ("Anomaly Count", "int"),
    ("URL", "string"),
];

/// The user the demo crawler wrote assets as.
const CRAWLER: &str = "sandbox-crawler";

/// Id of a custom-metadata set (the same id the server assigns when a client creates it).
pub fn set_id(display: &str) -> String {
    hashed_id(&format!("cm:{display}"))
}

/// Id of an attribute of a set (likewise).
pub fn attribute_id(set_display: &str, attribute_display: &str) -> String {
    hashed_id(&format!("cm:{set_display}:{attribute_display}"))
}

fn attribute(set: &str, display: &str, type_name: &str, options: &[(&str, &str)]) -> AttributeDef {
    AttributeDef {
        name: attribute_id(set, display),
        display_name: display.to_owned(),
        type_name: type_name.to_owned(),
        cardinality: "SINGLE".to_owned(),
        is_optional: true,
        description: String::new(),
        options: options.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
    }
}

/// The `Data Quality` set as the sync creates it, plus one archived attribute (an earlier
/// `Quality Score`) that keeps its id and must be skipped.
pub fn quality_set() -> BusinessMetadataDef {
    let mut attribute_defs: Vec<AttributeDef> = QUALITY_ATTRIBUTES
        .iter()
        .map(|(display, t)| {
            let options: &[(&str, &str)] = if *display == "URL" { &[("customType", "url")] } else { &[] };
            attribute(QUALITY_SET, display, t, options)
        })
        .collect();
    attribute_defs.push(attribute(
        QUALITY_SET,
        "Quality Score-archived-1690000000",
        "float",
        &[("isArchived", "true"), ("archivedAt", "1690000000000"), ("archivedBy", "sandbox-admin")],
    ));
    BusinessMetadataDef {
        name: set_id(QUALITY_SET),
        display_name: QUALITY_SET.to_owned(),
        guid: Some(guid_for(&format!("typedef:cm:{QUALITY_SET}"))),
        description: "Quality results pushed by the data-quality tool".to_owned(),
        attribute_defs,
        options: BTreeMap::new(),
    }
}

fn governance_set() -> BusinessMetadataDef {
    BusinessMetadataDef {
        name: set_id("Governance"),
        display_name: "Governance".to_owned(),
        guid: Some(guid_for("typedef:cm:Governance")),
        description: "Ownership and review".to_owned(),
        attribute_defs: vec![
            attribute("Governance", "Data Owner", "string", &[]),
            attribute("Governance", "Review Date", "date", &[]),
        ],
        options: BTreeMap::new(),
    }
}

/// The tag definitions.
pub fn tag_defs() -> Vec<ClassificationDef> {
    TAGS.iter()
        .map(|(id, name, color)| ClassificationDef {
            name: (*id).to_owned(),
            display_name: (*name).to_owned(),
            guid: Some(guid_for(&format!("typedef:tag:{name}"))),
            description: format!("{name} (sandbox demo tag)"),
            options: BTreeMap::from([("color".to_owned(), (*color).to_owned())]),
        })
        .collect()
}

fn tag_id(display: &str) -> String {
    TAGS.iter().find(|(_, name, _)| *name == display).map_or_else(|| display.to_owned(), |(id, _, _)| (*id).to_owned())
}

fn classifications(tags: &[TagUse]) -> Vec<Classification> {
    tags.iter()
        .map(|t| Classification {
            propagate: Some(t.propagate),
            remove_propagations_on_entity_delete: Some(true),
            restrict_propagation_through_lineage: Some(false),
            restrict_propagation_through_hierarchy: Some(false),
            ..Classification::named(tag_id(t.tag))
        })
        .collect()
}

fn reference(type_name: &str, qualified_name: &str) -> Value {
    json!({"guid": guid_for(qualified_name), "typeName": type_name, "uniqueAttributes": {"qualifiedName": qualified_name}})
}

struct Builder {
    entities: Vec<StoredEntity>,
}

impl Builder {
    fn add(&mut self, type_name: &str, qualified_name: &str, name: &str, attributes: Map<String, Value>, tags: &[TagUse], deleted: bool) {
        let index = i64::try_from(self.entities.len()).unwrap_or(0);
        let mut all = Map::new();
        all.insert(attr::QUALIFIED_NAME.to_owned(), Value::String(qualified_name.to_owned()));
        all.insert(attr::NAME.to_owned(), Value::String(name.to_owned()));
        all.extend(attributes);
        let time = EPOCH_MS + index * 1_000;
        self.entities.push(StoredEntity {
            status: if deleted { EntityStatus::Deleted } else { EntityStatus::Active },
            tags: classifications(tags),
            ..StoredEntity::new(type_name, guid_for(qualified_name), all, CRAWLER, time)
        });
    }

    fn connection(&mut self, c: &ConnectionSpec) {
        let conn = c.qualified_name;
        let base = |extra: Value| -> Map<String, Value> {
            let mut m = Map::new();
            m.insert("connectionQualifiedName".into(), json!(conn));
            m.insert("connectorName".into(), json!(c.connector));
            if let Value::Object(extra) = extra {
                m.extend(extra);
            }
            m
        };
        let mut attributes = base(json!({"category": "warehouse"}));
        attributes.insert(attr::ADMIN_USERS.into(), json!(c.admin_users));
        attributes.insert(attr::ADMIN_GROUPS.into(), json!([]));
        attributes.insert(attr::ADMIN_ROLES.into(), json!(c.admin_roles));
        attributes.remove("connectionQualifiedName");
        self.add("Connection", conn, c.name, attributes, &[], false);
        for db in &c.databases {
            let db_qn = format!("{conn}/{}", db.name);
            self.add("Database", &db_qn, db.name, base(json!({"schemaCount": db.schemas.len()})), &[], false);
            for schema in &db.schemas {
                let schema_qn = format!("{db_qn}/{}", schema.name);
                let tables = schema.tables.iter().filter(|t| t.kind == demo::TableKind::Table).count();
                let views = schema.tables.len() - tables;
                self.add(
                    "Schema",
                    &schema_qn,
                    schema.name,
                    base(json!({"databaseName": db.name, "databaseQualifiedName": db_qn, "tableCount": tables,
                        "viewsCount": views, "database": reference("Database", &db_qn)})),
                    &schema.tags,
                    false,
                );
                for table in &schema.tables {
                    let table_qn = format!("{schema_qn}/{}", table.name);
                    let type_name = table.kind.type_name();
                    self.add(
                        type_name,
                        &table_qn,
                        &table.name,
                        base(json!({"databaseName": db.name, "databaseQualifiedName": db_qn, "schemaName": schema.name,
                            "schemaQualifiedName": schema_qn, "columnCount": table.columns.len(), "rowCount": table.row_count,
                            "atlanSchema": reference("Schema", &schema_qn)})),
                        &table.tags,
                        table.deleted,
                    );
                    let (name_key, qn_key, parent_key) = match table.kind {
                        demo::TableKind::Table => ("tableName", "tableQualifiedName", "table"),
                        demo::TableKind::View => ("viewName", "viewQualifiedName", "view"),
                        demo::TableKind::MaterialisedView => ("viewName", "viewQualifiedName", "materialisedView"),
                    };
                    for (order, column) in table.columns.iter().enumerate() {
                        let mut attributes = base(json!({"databaseName": db.name, "databaseQualifiedName": db_qn,
                            "schemaName": schema.name, "schemaQualifiedName": schema_qn, "order": order + 1,
                            "dataType": column.data_type, "isNullable": !column.name.ends_with("_ID")}));
                        attributes.insert(name_key.into(), json!(table.name));
                        attributes.insert(qn_key.into(), json!(table_qn));
                        attributes.insert(parent_key.into(), reference(type_name, &table_qn));
                        self.add("Column", &format!("{table_qn}/{}", column.name), &column.name, attributes, &column.tags, table.deleted);
                    }
                }
            }
        }
    }

    fn entity_mut(&mut self, qualified_name: &str) -> Option<&mut StoredEntity> {
        self.entities.iter_mut().find(|e| e.qualified_name() == qualified_name)
    }
}

/// What the demo tenant holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoOptions {
    /// Generated tables and views in the Snowflake connection.
    pub scale: usize,
    /// Whether the `Data Quality` set exists (otherwise the sync must create it).
    pub quality_set: bool,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self { scale: demo::DEFAULT_SCALE, quality_set: true }
    }
}

/// The demo catalog tenant.
pub fn state(options: DemoOptions) -> Result<CatalogState, String> {
    let mut builder = Builder { entities: Vec::new() };
    builder.connection(&demo::snowflake(options.scale));
    builder.connection(&demo::postgres());
    let sales = format!("{}/SALES_DB/SALES", demo::CONNECTION_QN);
    // Someone else's announcement on a table with anomalies: a sync must keep it.
    if let Some(orders) = builder.entity_mut(&format!("{sales}/ORDERS")) {
        orders.attributes.insert(attr::ANNOUNCEMENT_TYPE.into(), json!("information"));
        orders.attributes.insert(attr::ANNOUNCEMENT_TITLE.into(), json!("Orders are migrating to the new pipeline"));
        orders.attributes.insert(attr::ANNOUNCEMENT_MESSAGE.into(), json!("Expect late data until the cut-over; ask #data-platform."));
        orders.attributes.insert(attr::ANNOUNCEMENT_UPDATED_AT.into(), json!(EPOCH_MS + 86_400_000));
        orders.attributes.insert(attr::ANNOUNCEMENT_UPDATED_BY.into(), json!("jane.doe"));
    }
    let governance = governance_set();
    let owner = attribute_id("Governance", "Data Owner");
    for table in ["CUSTOMERS", "ORDERS", "PRODUCTS"] {
        if let Some(e) = builder.entity_mut(&format!("{sales}/{table}")) {
            e.business_attributes.insert(governance.name.clone(), Map::from_iter([(owner.clone(), json!("sales-data-team"))]));
        }
    }
    let mut business_metadata = vec![governance];
    if options.quality_set {
        let set = quality_set();
        // A stale score from an earlier sync: the next push must overwrite it.
        if let Some(e) = builder.entity_mut(&format!("{sales}/CUSTOMERS")) {
            e.business_attributes.insert(
                set.name.clone(),
                Map::from_iter([(attribute_id(QUALITY_SET, "Quality Score"), json!(50.0)), (attribute_id(QUALITY_SET, "Check Count"), json!(3))]),
            );
        }
        business_metadata.insert(0, set);
    }
    let mut entities = builder.entities;
    entities.sort_by(|a, b| a.guid.cmp(&b.guid));
    let access: Value = serde_json::from_str(ACCESS_CONFIG).map_err(|e| format!("demo access config: {e}"))?;
    Ok(CatalogState {
        tags: tag_defs(),
        business_metadata,
        structs: vec![StructDef {
            name: "SourceTagAttachment".to_owned(),
            category: "STRUCT".to_owned(),
            attribute_defs: ["sourceTagName", "sourceTagQualifiedName", "sourceTagGuid", "sourceTagConnectorName"]
                .iter()
                .map(|n| AttributeDef {
                    name: (*n).to_owned(),
                    display_name: (*n).to_owned(),
                    type_name: "string".to_owned(),
                    cardinality: "SINGLE".to_owned(),
                    is_optional: true,
                    description: String::new(),
                    options: BTreeMap::new(),
                })
                .collect(),
        }],
        tokens: DEMO_TOKENS.iter().map(|(t, u)| ((*t).to_owned(), (*u).to_owned())).collect(),
        access,
        entities,
        created: 0,
    })
}
