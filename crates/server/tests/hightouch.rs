//! The sandbox Hightouch workspace over real HTTP: list endpoints, paging, and API keys bound to
//! role policies evaluated per request.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::*;
use serde_json::Value;

const READONLY: &str = "sandbox-hightouch-readonly";
const BROAD: &str = "sandbox-hightouch-broad";
const PARTIAL: &str = "sandbox-hightouch-partial";

#[tokio::test]
async fn the_read_only_key_lists_every_resource_in_the_api_shape() {
    let api = start_sandbox().await;
    for list in ["sources", "destinations", "models", "syncs"] {
        let (status, page) = api.get(&format!("/api/v1/{list}"), READONLY).await;
        assert_eq!(status, 200, "{list}: {page}");
        assert_eq!(page["hasMore"], false);
        let data = page["data"].as_array().unwrap();
        assert!(data.len() >= 3, "{list}");
        for object in data {
            for key in ["id", "slug", "workspaceId", "createdAt", "updatedAt"] {
                assert!(object[key].is_string(), "{list}.{key}: {object}");
            }
        }
    }
    let (_, models) = api.get("/api/v1/models", READONLY).await;
    assert!(models["data"][0]["sourceId"].is_string());
    let (_, syncs) = api.get("/api/v1/syncs", READONLY).await;
    let sync = &syncs["data"][0];
    for key in ["modelId", "destinationId", "status"] {
        assert!(sync[key].is_string(), "{key}");
    }
    assert!(sync.get("schedule").is_some() && sync.get("lastRunAt").is_some());
}

#[tokio::test]
async fn limit_and_offset_page_through_a_list() {
    let api = start_sandbox().await;
    let (_, all) = api.get("/api/v1/syncs", BROAD).await;
    let all: Vec<Value> = all["data"].as_array().unwrap().clone();
    let mut collected = Vec::new();
    let mut offset = 0;
    loop {
        let (status, page) = api.get(&format!("/api/v1/syncs?limit=2&offset={offset}"), READONLY).await;
        assert_eq!(status, 200);
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2);
        collected.extend(data.iter().cloned());
        if page["hasMore"] == false {
            break;
        }
        offset += 2;
    }
    assert_eq!(collected, all);
    let (_, past) = api.get("/api/v1/syncs?limit=5&offset=500", READONLY).await;
    assert_eq!(past, serde_json::json!({"data": [], "hasMore": false}));
    for bad in ["limit=0", "limit=abc", "offset=-1", "limit=100000"] {
        let (status, body) = api.get(&format!("/api/v1/sources?{bad}"), READONLY).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn sync_runs_page_too_and_an_unknown_sync_is_404() {
    let api = start_sandbox().await;
    let (_, syncs) = api.get("/api/v1/syncs", READONLY).await;
    let id = syncs["data"][0]["id"].as_str().unwrap().to_owned();
    let (status, runs) = api.get(&format!("/api/v1/syncs/{id}/runs?limit=1"), READONLY).await;
    assert_eq!(status, 200);
    assert_eq!(runs["data"].as_array().unwrap().len(), 1);
    assert_eq!(runs["hasMore"], true);
    assert_eq!(runs["data"][0]["syncId"], id.as_str());
    let (status, body) = api.get("/api/v1/syncs/999999/runs", READONLY).await;
    assert_eq!(status, 404);
    assert!(body["message"].as_str().unwrap().contains("999999"));
}

#[tokio::test]
async fn a_key_whose_role_lacks_read_on_a_resource_gets_403_for_it() {
    let api = start_sandbox().await;
    for list in ["sources", "models"] {
        assert_eq!(api.get(&format!("/api/v1/{list}"), PARTIAL).await.0, 200, "{list}");
    }
    for list in ["destinations", "syncs", "syncs/401/runs"] {
        let (status, body) = api.get(&format!("/api/v1/{list}"), PARTIAL).await;
        assert_eq!(status, 403, "{list}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("\"read\""), "{message}");
    }
    for list in ["sources", "destinations", "models", "syncs"] {
        assert_eq!(api.get(&format!("/api/v1/{list}"), BROAD).await.0, 200, "{list}");
    }
}

#[tokio::test]
async fn an_unknown_or_missing_key_is_401() {
    let api = start_sandbox().await;
    let (status, body) = api.get("/api/v1/sources", "not-a-key").await;
    assert_eq!(status, 401);
    assert!(!body.to_string().contains("not-a-key"));
    let response = api.client.get(format!("{}/api/v1/sources", api.base)).send().await.unwrap();
    assert_eq!(response.status(), 401);
    // A catalog token is not a Hightouch key.
    assert_eq!(api.get("/api/v1/sources", ADMIN).await.0, 401);
}
