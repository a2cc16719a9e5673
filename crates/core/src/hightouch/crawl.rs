//! The key check and the crawl preview: what an API key can read in a Hightouch workspace, and
//! what the catalog's crawler would import with it, as a graph source → model → sync →
//! destination.
//!
//! Objects are read leniently (ids as strings or numbers, names optional) because the graph is
//! a preview of someone else's data: an object we can't fully read still becomes a node. A
//! reference to an object the key did not list is kept as a *missing* node and reported in
//! `dangling`, never dropped.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::api::ListEndpoint;
use super::policy::Resource;

/// What one list endpoint answered: every object (all pages), or the refusal.
#[derive(Debug, Clone, PartialEq)]
pub enum Listing {
    /// The objects, as the API answered them.
    Read(Vec<Value>),
    /// An HTTP error answer.
    Refused {
        /// The status.
        status: u16,
        /// Hightouch's own message, or ours when it gave none.
        message: String,
    },
}

/// What the key could do on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAccess {
    /// The role-policy resource the list needs `read` on.
    pub resource: Resource,
    /// The endpoint read, e.g. `/api/v1/sources`.
    pub endpoint: String,
    /// Whether the list could be read.
    pub readable: bool,
    /// How many objects it holds, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// The HTTP status of a refusal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// What the answer means, in words.
    pub why: String,
    /// Hightouch's own message for a refusal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A kind of node of the crawl preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    /// A source (a warehouse or database).
    Source,
    /// A model (a query over a source).
    Model,
    /// A sync (a model written to a destination).
    Sync,
    /// A destination (a tool written to).
    Destination,
}

impl NodeKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Source => "source",
            Self::Model => "model",
            Self::Sync => "sync",
            Self::Destination => "destination",
        }
    }
}

/// An object of the workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// `kind:id`, e.g. `model:301`.
    pub id: String,
    /// Its kind.
    pub kind: NodeKind,
    /// Its name (its slug or id when it has none).
    pub name: String,
    /// Referred to, but not among the objects the key listed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub missing: bool,
}

/// A `from` → `to` link (source → model → sync → destination), by node id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edge {
    /// The upstream node.
    pub from: String,
    /// The downstream node.
    pub to: String,
}

/// A reference to an object that was not listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dangling {
    /// The node that refers.
    pub from: String,
    /// The node it refers to (a `missing` node of the graph).
    pub to: String,
    /// Why the object is not there.
    pub reason: String,
}

/// What the catalog would import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CrawlGraph {
    /// Sources, models, syncs, destinations, in that order, each in list order; missing ones last.
    pub nodes: Vec<Node>,
    /// Every link, dangling ones included.
    pub edges: Vec<Edge>,
    /// The links whose far end was not listed.
    pub dangling: Vec<Dangling>,
}

/// The result of a key check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyCheck {
    /// Every list was readable.
    pub ok: bool,
    /// Hightouch accepted the key (no 401).
    pub key_accepted: bool,
    /// Per resource: sources, destinations, models, syncs.
    pub resources: Vec<ResourceAccess>,
    /// What the catalog would import with this key.
    pub preview: CrawlGraph,
    /// What a key check cannot show.
    pub notes: Vec<&'static str>,
}

/// What a key check cannot prove, said with every result.
pub const NOTES: [&str; 2] = [
    "A key check cannot prove the key's role is read-only: Hightouch's API never reveals a key's role. Check the role itself with the role checker.",
    "workspace and sync_templates have no list endpoint to try; the role checker covers them.",
];

/// Builds the key check from what the four lists answered (in [`ListEndpoint::CHECKED`] order:
/// sources, destinations, models, syncs).
pub fn key_check(sources: &Listing, destinations: &Listing, models: &Listing, syncs: &Listing) -> KeyCheck {
    let listings = [(ListEndpoint::Sources, sources), (ListEndpoint::Destinations, destinations), (ListEndpoint::Models, models), (ListEndpoint::Syncs, syncs)];
    let resources: Vec<ResourceAccess> = listings.iter().map(|(endpoint, listing)| access(*endpoint, listing)).collect();
    KeyCheck {
        ok: resources.iter().all(|r| r.readable),
        key_accepted: !resources.iter().any(|r| r.status == Some(401)),
        resources,
        preview: crawl_preview(sources, destinations, models, syncs),
        notes: NOTES.to_vec(),
    }
}

fn access(endpoint: ListEndpoint, listing: &Listing) -> ResourceAccess {
    let resource = endpoint.resource();
    let path = endpoint.path(None);
    match listing {
        Listing::Read(objects) => ResourceAccess {
            why: format!("listed {} {}", objects.len(), plural(objects.len(), endpoint.segment())),
            resource,
            endpoint: path,
            readable: true,
            count: Some(objects.len()),
            status: None,
            detail: None,
        },
        Listing::Refused { status, message } => {
            let why = match status {
                401 => "the key is wrong, revoked or expired: Hightouch did not accept it".to_owned(),
                403 => format!("the key's role lacks read on {resource}"),
                429 => "Hightouch kept rate-limiting the requests; try again later".to_owned(),
                s if *s >= 500 => format!("Hightouch failed to answer (HTTP {s}); try again later"),
                s => format!("Hightouch refused the request (HTTP {s})"),
            };
            ResourceAccess { resource, endpoint: path, readable: false, count: None, status: Some(*status), why, detail: Some(message.clone()) }
        }
    }
}

/// `sources` for many, `source` for one.
fn plural(count: usize, segment: &str) -> String {
    if count == 1 {
        segment.trim_end_matches('s').to_owned()
    } else {
        segment.to_owned()
    }
}

/// The graph the catalog's crawler would build from these lists.
pub fn crawl_preview(sources: &Listing, destinations: &Listing, models: &Listing, syncs: &Listing) -> CrawlGraph {
    let mut graph = Graph { listings: [sources, models, syncs, destinations], missing: HashMap::new(), out: CrawlGraph::default() };
    for (kind, listing) in [(NodeKind::Source, sources), (NodeKind::Model, models), (NodeKind::Sync, syncs), (NodeKind::Destination, destinations)] {
        for object in objects(listing) {
            if let Some(id) = text_field(object, "id") {
                let name = ["name", "slug"].iter().find_map(|key| text_field(object, key).filter(|n| !n.is_empty())).unwrap_or_else(|| id.clone());
                let node = node_id(kind, &id);
                graph.missing.insert(node.clone(), false);
                graph.out.nodes.push(Node { id: node, kind, name, missing: false });
            }
        }
    }
    for model in objects(models) {
        graph.link(model, NodeKind::Model, "sourceId", NodeKind::Source, false);
    }
    for sync in objects(syncs) {
        graph.link(sync, NodeKind::Sync, "modelId", NodeKind::Model, false);
        graph.link(sync, NodeKind::Sync, "destinationId", NodeKind::Destination, true);
    }
    graph.out
}

struct Graph<'a> {
    /// Sources, models, syncs, destinations.
    listings: [&'a Listing; 4],
    /// Every node id so far, and whether it is a missing one.
    missing: HashMap<String, bool>,
    out: CrawlGraph,
}

impl Graph<'_> {
    /// Links `object` (of `kind`) with the object its `field` names; `downstream` when that
    /// object comes after it in the flow (a sync's destination).
    fn link(&mut self, object: &Value, kind: NodeKind, field: &str, other: NodeKind, downstream: bool) {
        let (Some(id), Some(other_id)) = (text_field(object, "id"), text_field(object, field)) else { return };
        let here = node_id(kind, &id);
        let there = node_id(other, &other_id);
        let (from, to) = if downstream { (here.clone(), there.clone()) } else { (there.clone(), here.clone()) };
        self.out.edges.push(Edge { from, to });
        let known = self.missing.get(&there).copied();
        if known == Some(false) {
            return;
        }
        let listing = match other {
            NodeKind::Source => self.listings[0],
            NodeKind::Model => self.listings[1],
            NodeKind::Sync => self.listings[2],
            NodeKind::Destination => self.listings[3],
        };
        let cause = match listing {
            Listing::Refused { status, .. } => format!("which this key can't read (HTTP {status})"),
            Listing::Read(_) => "which the workspace did not list (deleted, or another workspace's)".to_owned(),
        };
        let reason = format!("{} {id} refers to {} {other_id}, {cause}", kind.as_str(), other.as_str());
        if known.is_none() {
            self.missing.insert(there.clone(), true);
            self.out.nodes.push(Node { id: there.clone(), kind: other, name: other_id, missing: true });
        }
        self.out.dangling.push(Dangling { from: here, to: there, reason });
    }
}

fn objects(listing: &Listing) -> &[Value] {
    match listing {
        Listing::Read(objects) => objects,
        Listing::Refused { .. } => &[],
    }
}

fn node_id(kind: NodeKind, id: &str) -> String {
    format!("{}:{id}", kind.as_str())
}

/// A string or number field as text (Hightouch ids are strings; some tools write numbers).
fn text_field(object: &Value, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn read(objects: Value) -> Listing {
        Listing::Read(objects.as_array().cloned().unwrap_or_default())
    }

    fn refused(status: u16) -> Listing {
        Listing::Refused { status, message: format!("HTTP {status} from the sandbox") }
    }

    fn workspace() -> [Listing; 4] {
        [
            read(json!([{"id": "101", "name": "Snowflake"}, {"id": 102, "slug": "app-postgres"}])),
            read(json!([{"id": "201", "name": "Salesforce"}])),
            read(json!([{"id": "301", "name": "Customers", "sourceId": "101"}, {"id": "302", "name": "Users", "sourceId": 102}])),
            read(json!([{"id": "401", "name": "Customers → Salesforce", "modelId": "301", "destinationId": "201"}])),
        ]
    }

    #[test]
    fn a_readable_workspace_becomes_a_graph_from_sources_to_destinations() {
        let [s, d, m, y] = workspace();
        let check = key_check(&s, &d, &m, &y);
        assert!(check.ok && check.key_accepted);
        let counts: Vec<Option<usize>> = check.resources.iter().map(|r| r.count).collect();
        assert_eq!(counts, [Some(2), Some(1), Some(2), Some(1)]);
        assert_eq!(check.resources[1].why, "listed 1 destination");
        let ids: Vec<&str> = check.preview.nodes.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["source:101", "source:102", "model:301", "model:302", "sync:401", "destination:201"]);
        assert_eq!(check.preview.nodes[1].name, "app-postgres");
        let edges: Vec<(&str, &str)> = check.preview.edges.iter().map(|e| (e.from.as_str(), e.to.as_str())).collect();
        assert_eq!(edges, [("source:101", "model:301"), ("source:102", "model:302"), ("model:301", "sync:401"), ("sync:401", "destination:201")]);
        assert!(check.preview.dangling.is_empty());
        assert!(check.notes[0].contains("cannot prove"));
    }

    #[test]
    fn references_to_unreadable_or_unlisted_objects_are_kept_as_missing_nodes() {
        let [s, _, m, _] = workspace();
        let syncs = read(json!([
            {"id": "401", "modelId": "301", "destinationId": "201"},
            {"id": "402", "modelId": "399", "destinationId": "201"}]));
        let check = key_check(&s, &refused(403), &m, &syncs);
        assert!(!check.ok && check.key_accepted);
        assert_eq!(check.resources[1].why, "the key's role lacks read on destination");
        assert_eq!(check.resources[1].status, Some(403));
        let missing: Vec<&str> = check.preview.nodes.iter().filter(|n| n.missing).map(|n| n.id.as_str()).collect();
        assert_eq!(missing, ["destination:201", "model:399"]);
        let reasons: Vec<&str> = check.preview.dangling.iter().map(|d| d.reason.as_str()).collect();
        assert_eq!(
            reasons,
            [
                "sync 401 refers to destination 201, which this key can't read (HTTP 403)",
                "sync 402 refers to model 399, which the workspace did not list (deleted, or another workspace's)",
                "sync 402 refers to destination 201, which this key can't read (HTTP 403)",
            ]
        );
        assert_eq!(check.preview.edges.len(), 6);
    }

    #[test]
    fn a_wrong_key_is_said_to_be_wrong() {
        let check = key_check(&refused(401), &refused(401), &refused(401), &refused(401));
        assert!(!check.ok && !check.key_accepted);
        assert!(check.resources.iter().all(|r| r.why.starts_with("the key is wrong")));
        assert!(check.preview.nodes.is_empty());
        let json = serde_json::to_value(&check).unwrap();
        assert_eq!(json["resources"][0]["resource"], "source");
        assert_eq!(json["resources"][0]["endpoint"], "/api/v1/sources");
        assert_eq!(json["keyAccepted"], false);
    }
}
