//! The demo warehouse: one deterministic description from which the sandbox catalog's assets,
//! the local inventory and the sample rows are all built, so they match (except where they
//! deliberately don't: see `inventory.rs`).

/// The demo Snowflake connection.
pub const CONNECTION_QN: &str = "default/snowflake/1700000000";
/// Its name.
pub const CONNECTION_NAME: &str = "sandbox-snowflake";
/// A second, small connection the integration persona does not cover.
pub const OTHER_CONNECTION_QN: &str = "default/postgres/1700000100";
/// Its name.
pub const OTHER_CONNECTION_NAME: &str = "app-postgres";
/// Tables (and views) generated at the default scale.
pub const DEFAULT_SCALE: usize = 150;
/// Creation time of every demo asset (epoch ms), plus its index in seconds.
pub const EPOCH_MS: i64 = 1_700_000_000_000;

/// Tag display names with their ids and colours (ids look like the catalog's hashed ids).
pub const TAGS: [(&str, &str, &str); 5] = [
    ("cTrLMeBjKNeRV7HzBSL11u", "PII", "Red"),
    ("Kq3wZ8bYd1Xg2nP5sT7vLm", "Confidential", "Yellow"),
    ("f8RbN2xQp0LcV6tYh3JwEa", "Finance", "Green"),
    ("Zt5mH1dPq7WsK9cXa2VnLb", "Sensitive", "Red"),
    ("Ru4eG8kYb3NfJ6pTw1MzQc", "Deprecated", "Grey"),
];

/// A tag on a demo asset, by display name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagUse {
    /// Display name.
    pub tag: &'static str,
    /// Whether it propagates to child assets.
    pub propagate: bool,
}

const fn direct(tag: &'static str) -> TagUse {
    TagUse { tag, propagate: false }
}

const fn propagating(tag: &'static str) -> TagUse {
    TagUse { tag, propagate: true }
}

/// Table, View or MaterialisedView.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// `Table`.
    Table,
    /// `View`.
    View,
    /// `MaterialisedView`.
    MaterialisedView,
}

impl TableKind {
    /// The catalog type name.
    pub fn type_name(self) -> &'static str {
        match self {
            Self::Table => "Table",
            Self::View => "View",
            Self::MaterialisedView => "MaterialisedView",
        }
    }
}

/// A demo column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Name.
    pub name: String,
    /// Warehouse type, e.g. `VARCHAR`.
    pub data_type: &'static str,
    /// Tags.
    pub tags: Vec<TagUse>,
}

/// A demo table or view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// Name (case as the catalog has it).
    pub name: String,
    /// Kind.
    pub kind: TableKind,
    /// Tags.
    pub tags: Vec<TagUse>,
    /// Columns in order.
    pub columns: Vec<ColumnSpec>,
    /// Row count.
    pub row_count: u64,
    /// Soft-deleted in the catalog.
    pub deleted: bool,
}

/// A demo schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaSpec {
    /// Name.
    pub name: &'static str,
    /// Tags.
    pub tags: Vec<TagUse>,
    /// Tables and views.
    pub tables: Vec<TableSpec>,
}

/// A demo database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseSpec {
    /// Name.
    pub name: &'static str,
    /// Schemas.
    pub schemas: Vec<SchemaSpec>,
}

/// A demo connection with its databases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSpec {
    /// Qualified name.
    pub qualified_name: &'static str,
    /// Name.
    pub name: &'static str,
    /// Connector (2nd path segment).
    pub connector: &'static str,
    /// Connection admins (usernames).
    pub admin_users: &'static [&'static str],
    /// Connection admins (role names).
    pub admin_roles: &'static [&'static str],
    /// Databases.
    pub databases: Vec<DatabaseSpec>,
}

type Template = (&'static str, &'static [(&'static str, &'static str)]);

const V: &str = "VARCHAR";
const N: &str = "NUMBER";
const D: &str = "DATE";
const TS: &str = "TIMESTAMP_NTZ";
const F: &str = "FLOAT";
const B: &str = "BOOLEAN";

const SALES: &[Template] = &[
    ("CUSTOMERS", &[("CUSTOMER_ID", N), ("FIRST_NAME", V), ("LAST_NAME", V), ("EMAIL", V), ("PHONE", V), ("ADDRESS", V), ("CITY", V), ("COUNTRY", V), ("DATE_OF_BIRTH", D), ("SIGNUP_DATE", D), ("LOYALTY_TIER", V), ("NOTES", V)]),
    ("ORDERS", &[("ORDER_ID", N), ("CUSTOMER_ID", N), ("STORE_ID", N), ("ORDER_DATE", D), ("STATUS", V), ("AMOUNT", F), ("CURRENCY", V), ("SHIPPING_ADDRESS", V), ("CREATED_AT", TS), ("UPDATED_AT", TS)]),
    ("ORDER_ITEMS", &[("ORDER_ITEM_ID", N), ("ORDER_ID", N), ("PRODUCT_ID", N), ("QUANTITY", N), ("UNIT_PRICE", F), ("DISCOUNT", F), ("AMOUNT", F), ("CREATED_AT", TS)]),
    ("PRODUCTS", &[("PRODUCT_ID", N), ("SKU", V), ("PRODUCT_NAME", V), ("CATEGORY", V), ("UNIT_PRICE", F), ("CURRENCY", V), ("IS_ACTIVE", B), ("DESCRIPTION", V), ("CREATED_AT", TS)]),
    ("STORES", &[("STORE_ID", N), ("STORE_NAME", V), ("ADDRESS", V), ("CITY", V), ("COUNTRY", V), ("MANAGER_EMAIL", V), ("PHONE", V), ("OPENED_ON", D)]),
    ("RETURNS", &[("RETURN_ID", N), ("ORDER_ID", N), ("CUSTOMER_ID", N), ("REASON", V), ("AMOUNT", F), ("STATUS", V), ("RETURNED_AT", TS), ("NOTES", V)]),
    ("SHIPMENTS", &[("SHIPMENT_ID", N), ("ORDER_ID", N), ("CARRIER", V), ("TRACKING_NUMBER", V), ("SHIPPING_ADDRESS", V), ("STATUS", V), ("SHIPPED_AT", TS), ("DELIVERED_AT", TS)]),
];

const MARKETING: &[Template] = &[
    ("CAMPAIGNS", &[("CAMPAIGN_ID", N), ("CAMPAIGN_NAME", V), ("CHANNEL", V), ("BUDGET", F), ("CURRENCY", V), ("STARTS_ON", D), ("ENDS_ON", D), ("OWNER_EMAIL", V), ("STATUS", V)]),
    ("LEADS", &[("LEAD_ID", N), ("FULL_NAME", V), ("EMAIL", V), ("PHONE", V), ("COMPANY", V), ("COUNTRY", V), ("SOURCE", V), ("SCORE", N), ("CREATED_AT", TS), ("NOTES", V)]),
    ("WEB_EVENTS", &[("EVENT_ID", N), ("SESSION_ID", V), ("CUSTOMER_ID", N), ("EVENT_TYPE", V), ("PAGE_URL", V), ("IP_ADDRESS", V), ("USER_AGENT", V), ("COUNTRY", V), ("EVENT_AT", TS)]),
    ("EMAIL_SENDS", &[("SEND_ID", N), ("CAMPAIGN_ID", N), ("EMAIL", V), ("SENT_AT", TS), ("OPENED", B), ("CLICKED", B), ("BOUNCED", B)]),
    ("AD_SPEND", &[("AD_SPEND_ID", N), ("CAMPAIGN_ID", N), ("CHANNEL", V), ("SPEND_DATE", D), ("AMOUNT", F), ("CURRENCY", V), ("IMPRESSIONS", N), ("CLICKS", N)]),
    ("SEGMENTS", &[("SEGMENT_ID", N), ("SEGMENT_NAME", V), ("DESCRIPTION", V), ("CUSTOMER_COUNT", N), ("CREATED_BY", V), ("CREATED_AT", TS), ("IS_ACTIVE", B)]),
];

const STAGING: &[Template] = &[
    ("RAW_CUSTOMERS", &[("ID", V), ("FIRST_NAME", V), ("LAST_NAME", V), ("EMAIL", V), ("PHONE", V), ("PAYLOAD", V), ("LOADED_AT", TS)]),
    ("RAW_ORDERS", &[("ID", V), ("CUSTOMER_ID", V), ("AMOUNT", V), ("CURRENCY", V), ("PAYLOAD", V), ("LOADED_AT", TS)]),
    ("RAW_EVENTS", &[("ID", V), ("EVENT_TYPE", V), ("PAYLOAD", V), ("IP_ADDRESS", V), ("LOADED_AT", TS)]),
    ("LOAD_AUDIT", &[("LOAD_ID", N), ("TABLE_NAME", V), ("ROW_COUNT", N), ("STATUS", V), ("STARTED_AT", TS), ("FINISHED_AT", TS), ("ERROR_MESSAGE", V)]),
];

const LEDGER: &[Template] = &[
    ("GENERAL_LEDGER", &[("ENTRY_ID", N), ("ACCOUNT_ID", N), ("COST_CENTER_ID", N), ("POSTING_DATE", D), ("DEBIT", F), ("CREDIT", F), ("CURRENCY", V), ("DESCRIPTION", V), ("POSTED_BY", V)]),
    ("JOURNAL_ENTRIES", &[("JOURNAL_ID", N), ("ENTRY_ID", N), ("ACCOUNT_ID", N), ("AMOUNT", F), ("CURRENCY", V), ("APPROVED_BY", V), ("CREATED_AT", TS)]),
    ("ACCOUNTS", &[("ACCOUNT_ID", N), ("ACCOUNT_NAME", V), ("ACCOUNT_TYPE", V), ("IBAN", V), ("CURRENCY", V), ("IS_ACTIVE", B), ("OPENED_ON", D)]),
    ("COST_CENTERS", &[("COST_CENTER_ID", N), ("COST_CENTER_NAME", V), ("OWNER_EMAIL", V), ("BUDGET", F), ("CURRENCY", V)]),
    ("BUDGETS", &[("BUDGET_ID", N), ("COST_CENTER_ID", N), ("FISCAL_YEAR", N), ("AMOUNT", F), ("CURRENCY", V), ("APPROVED_BY", V), ("APPROVED_AT", TS)]),
];

const PAYMENTS: &[Template] = &[
    ("PAYMENTS", &[("PAYMENT_ID", N), ("ORDER_ID", N), ("CUSTOMER_ID", N), ("CARD_NUMBER", V), ("AMOUNT", F), ("CURRENCY", V), ("STATUS", V), ("PAID_AT", TS), ("BILLING_ADDRESS", V)]),
    ("CARDS", &[("CARD_ID", N), ("CUSTOMER_ID", N), ("CARD_NUMBER", V), ("CARD_HOLDER", V), ("EXPIRY", V), ("BRAND", V), ("IS_DEFAULT", B)]),
    ("REFUNDS", &[("REFUND_ID", N), ("PAYMENT_ID", N), ("AMOUNT", F), ("CURRENCY", V), ("REASON", V), ("REFUNDED_AT", TS)]),
    ("PAYOUTS", &[("PAYOUT_ID", N), ("IBAN", V), ("AMOUNT", F), ("CURRENCY", V), ("STATUS", V), ("PAID_OUT_AT", TS)]),
    ("CHARGEBACKS", &[("CHARGEBACK_ID", N), ("PAYMENT_ID", N), ("CARD_NUMBER", V), ("AMOUNT", F), ("REASON", V), ("OPENED_AT", TS), ("STATUS", V)]),
];

const HR: &[Template] = &[
    ("EMPLOYEES", &[("EMPLOYEE_ID", N), ("FIRST_NAME", V), ("LAST_NAME", V), ("EMAIL", V), ("PHONE", V), ("DATE_OF_BIRTH", D), ("SSN", V), ("DEPARTMENT_ID", N), ("HIRED_ON", D), ("ADDRESS", V)]),
    ("PAYROLL", &[("PAYROLL_ID", N), ("EMPLOYEE_ID", N), ("PAY_DATE", D), ("SALARY", F), ("BONUS", F), ("IBAN", V), ("CURRENCY", V)]),
    ("BENEFITS", &[("BENEFIT_ID", N), ("EMPLOYEE_ID", N), ("PLAN_NAME", V), ("MONTHLY_COST", F), ("STARTS_ON", D), ("NOTES", V)]),
    ("DEPARTMENTS", &[("DEPARTMENT_ID", N), ("DEPARTMENT_NAME", V), ("MANAGER_EMAIL", V), ("COST_CENTER_ID", N), ("HEADCOUNT", N)]),
];

/// How a schema is built: (database, schema, schema tags, table tags, templates).
type SchemaRecipe = (&'static str, &'static str, &'static [TagUse], &'static [TagUse], &'static [Template]);

const SCHEMAS: [SchemaRecipe; 6] = [
    ("SALES_DB", "SALES", &[], &[], SALES),
    ("SALES_DB", "MARKETING", &[], &[], MARKETING),
    ("SALES_DB", "STAGING", &[], &[], STAGING),
    ("FINANCE_DB", "LEDGER", &[], &[propagating("Finance")], LEDGER),
    ("FINANCE_DB", "PAYMENTS", &[propagating("Finance")], &[], PAYMENTS),
    ("FINANCE_DB", "HR", &[], &[propagating("Confidential")], HR),
];

/// Name suffixes of the copies generated beyond the templates (archives, daily views, …).
const VARIANTS: [&str; 8] = ["_ARCHIVE", "_DAILY", "_SNAPSHOT", "_HISTORY", "_V2", "_BACKUP", "_2023", "_2024"];

/// Tags a column gets from its name.
pub fn column_tags(name: &str) -> Vec<TagUse> {
    match name {
        "EMAIL" | "PHONE" | "FIRST_NAME" | "LAST_NAME" | "FULL_NAME" | "ADDRESS" | "DATE_OF_BIRTH" | "SHIPPING_ADDRESS"
        | "BILLING_ADDRESS" | "CARD_HOLDER" | "IP_ADDRESS" => vec![direct("PII")],
        "CARD_NUMBER" | "SSN" => vec![direct("PII"), direct("Sensitive")],
        "IBAN" => vec![direct("Sensitive")],
        "SALARY" | "BONUS" => vec![direct("Confidential")],
        _ => Vec::new(),
    }
}

/// The demo Snowflake connection with `table_count` tables and views spread over six schemas in
/// two databases, plus the fixed extras the inventory's deliberate mismatches need.
pub fn snowflake(table_count: usize) -> ConnectionSpec {
    let mut databases: Vec<DatabaseSpec> = Vec::new();
    for (db, schema, schema_tags, _, _) in SCHEMAS {
        let schema = SchemaSpec { name: schema, tags: schema_tags.to_vec(), tables: Vec::new() };
        match databases.iter_mut().find(|d| d.name == db) {
            Some(d) => d.schemas.push(schema),
            None => databases.push(DatabaseSpec { name: db, schemas: vec![schema] }),
        }
    }
    for i in 0..table_count {
        let which = i % SCHEMAS.len();
        let Some((db, schema_name, _, table_tags, templates)) = SCHEMAS.get(which) else { continue };
        let k = i / SCHEMAS.len();
        let Some((base, columns)) = templates.get(k % templates.len().max(1)) else { continue };
        let round = k / templates.len().max(1);
        let suffix = match round {
            0 => String::new(),
            r => VARIANTS.get(r - 1).map_or_else(|| format!("_{r}"), |v| (*v).to_owned()),
        };
        let kind = match suffix.as_str() {
            "_DAILY" => TableKind::View,
            "_SNAPSHOT" => TableKind::MaterialisedView,
            _ => TableKind::Table,
        };
        let mut tags = table_tags.to_vec();
        if suffix == "_ARCHIVE" {
            tags.push(direct("Deprecated"));
        }
        let table = TableSpec {
            name: format!("{base}{suffix}"),
            kind,
            tags,
            columns: columns
                .iter()
                .map(|(name, data_type)| ColumnSpec { name: (*name).to_owned(), data_type, tags: column_tags(name) })
                .collect(),
            row_count: 1_000 + (crate::sandbox::seeded::hash64(&[base.as_bytes(), suffix.as_bytes()]) % 5_000_000),
            deleted: false,
        };
        if let Some(s) = schema_mut(&mut databases, db, schema_name) {
            s.tables.push(table);
        }
    }
    add_extras(&mut databases);
    ConnectionSpec {
        qualified_name: CONNECTION_QN,
        name: CONNECTION_NAME,
        connector: "snowflake",
        admin_users: &["sandbox-admin"],
        admin_roles: &[],
        databases,
    }
}

fn schema_mut<'a>(databases: &'a mut [DatabaseSpec], db: &str, schema: &str) -> Option<&'a mut SchemaSpec> {
    databases.iter_mut().find(|d| d.name == db)?.schemas.iter_mut().find(|s| s.name == schema)
}

/// Fixed assets the inventory's mismatches are built around, whatever the scale:
/// `MARKETING."Campaigns"` (a quoted mixed-case twin of `CAMPAIGNS`: the inventory's `campaigns`
/// is ambiguous between them) and the soft-deleted `SALES.ORDERS_OLD`.
fn add_extras(databases: &mut [DatabaseSpec]) {
    let columns = |names: &[(&str, &'static str)]| -> Vec<ColumnSpec> {
        names.iter().map(|(n, t)| ColumnSpec { name: (*n).to_owned(), data_type: t, tags: column_tags(n) }).collect()
    };
    if let Some(marketing) = schema_mut(databases, "SALES_DB", "MARKETING") {
        if !marketing.tables.iter().any(|t| t.name == "CAMPAIGNS") {
            if let Some((_, c)) = MARKETING.first() {
                marketing.tables.push(TableSpec { name: "CAMPAIGNS".into(), kind: TableKind::Table, tags: vec![], columns: columns(c), row_count: 420, deleted: false });
            }
        }
        marketing.tables.push(TableSpec {
            name: "Campaigns".into(),
            kind: TableKind::Table,
            tags: vec![],
            columns: columns(&[("CAMPAIGN_ID", N), ("CAMPAIGN_NAME", V), ("CHANNEL", V)]),
            row_count: 12,
            deleted: false,
        });
        if !marketing.tables.iter().any(|t| t.name == "WEB_EVENTS") {
            if let Some((_, c)) = MARKETING.get(2) {
                marketing.tables.push(TableSpec { name: "WEB_EVENTS".into(), kind: TableKind::Table, tags: vec![], columns: columns(c), row_count: 90_000, deleted: false });
            }
        }
    }
    if let Some(sales) = schema_mut(databases, "SALES_DB", "SALES") {
        if !sales.tables.iter().any(|t| t.name == "CUSTOMERS") {
            if let Some((_, c)) = SALES.first() {
                sales.tables.push(TableSpec { name: "CUSTOMERS".into(), kind: TableKind::Table, tags: vec![], columns: columns(c), row_count: 25_000, deleted: false });
            }
        }
        sales.tables.push(TableSpec {
            name: "ORDERS_OLD".into(),
            kind: TableKind::Table,
            tags: vec![direct("Deprecated")],
            columns: columns(&[("ORDER_ID", N), ("CUSTOMER_ID", N), ("AMOUNT", F)]),
            row_count: 0,
            deleted: true,
        });
    }
}

/// The small Postgres connection (admins by role: every admin user).
pub fn postgres() -> ConnectionSpec {
    let columns = |names: &[(&str, &'static str)]| -> Vec<ColumnSpec> {
        names.iter().map(|(n, t)| ColumnSpec { name: (*n).to_owned(), data_type: t, tags: column_tags(n) }).collect()
    };
    let table = |name: &str, cols: &[(&str, &'static str)]| TableSpec {
        name: name.to_owned(),
        kind: TableKind::Table,
        tags: vec![],
        columns: columns(cols),
        row_count: 5_000,
        deleted: false,
    };
    ConnectionSpec {
        qualified_name: OTHER_CONNECTION_QN,
        name: OTHER_CONNECTION_NAME,
        connector: "postgres",
        admin_users: &[],
        admin_roles: &["admin"],
        databases: vec![DatabaseSpec {
            name: "APP",
            schemas: vec![SchemaSpec {
                name: "PUBLIC",
                tags: vec![],
                tables: vec![
                    table("USERS", &[("USER_ID", N), ("EMAIL", V), ("FULL_NAME", V), ("CREATED_AT", TS)]),
                    table("SESSIONS", &[("SESSION_ID", V), ("USER_ID", N), ("IP_ADDRESS", V), ("STARTED_AT", TS)]),
                    table("FEATURE_FLAGS", &[("FLAG", V), ("ENABLED", B), ("UPDATED_AT", TS)]),
                ],
            }],
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_warehouse_meets_the_demo_minimums() {
        let sf = snowflake(DEFAULT_SCALE);
        let schemas: Vec<&SchemaSpec> = sf.databases.iter().flat_map(|d| &d.schemas).collect();
        let tables: Vec<&TableSpec> = schemas.iter().flat_map(|s| &s.tables).collect();
        let columns: usize = tables.iter().map(|t| t.columns.len()).sum();
        assert!(sf.databases.len() >= 2);
        assert!(schemas.len() >= 5);
        assert!(tables.len() >= 100, "{}", tables.len());
        assert!(columns >= 1_000, "{columns}");
        assert!(tables.iter().any(|t| t.kind == TableKind::View));
        assert!(tables.iter().any(|t| t.kind == TableKind::MaterialisedView));
        assert!(tables.iter().any(|t| t.deleted));
        assert!(tables.iter().any(|t| t.name == "Campaigns") && tables.iter().any(|t| t.name == "CAMPAIGNS"));
        let mut names: Vec<String> = schemas.iter().flat_map(|s| s.tables.iter().map(move |t| format!("{}.{}", s.name, t.name))).collect();
        let before = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), before, "table names are unique per schema");
    }

    #[test]
    fn the_scale_sets_the_number_of_generated_tables() {
        let count = |n| snowflake(n).databases.iter().flat_map(|d| &d.schemas).map(|s| s.tables.len()).sum::<usize>();
        assert_eq!(count(1_000), 1_000 + 2);
        assert_eq!(snowflake(7), snowflake(7));
        assert!(count(1) >= 4, "the extras exist at any scale");
    }
}
