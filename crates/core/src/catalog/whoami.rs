//! `GET /api/service/whoami`: the user the token acts as, with its roles.

use serde::{Deserialize, Serialize};

/// Path of the endpoint.
pub const PATH: &str = "/api/service/whoami";
/// The same answer under the path the official Python SDK's `user.get_current()` reads.
pub const CURRENT_USER_PATH: &str = "/api/service/users/current";

/// The role every API token carries besides its user's role.
pub const API_TOKEN_ROLE: &str = "$api-token-default-access";

/// The current user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WhoAmI {
    /// User id.
    pub id: String,
    /// Username; an API token acts as `service-account-apikey-<uuid>`.
    pub username: String,
    /// Email, when the user has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// First name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    /// Whether the user is enabled.
    #[serde(default = "enabled")]
    pub enabled: bool,
    /// Roles: `$admin`, `$member`, `$guest`, `$api-token-default-access`.
    #[serde(default)]
    pub roles: Vec<String>,
}

fn enabled() -> bool {
    true
}

impl WhoAmI {
    /// Whether the user has the `$admin` role.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "$admin")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_whoami_answer_for_an_api_token() {
        let json = r#"{"id": "u-1", "username": "service-account-apikey-0c1d", "enabled": true,
            "roles": ["$member", "$api-token-default-access"], "groupCount": 0}"#;
        let me: WhoAmI = serde_json::from_str(json).unwrap();
        assert!(me.username.starts_with("service-account-apikey-"));
        assert!(!me.is_admin());
        assert!(me.roles.iter().any(|r| r == API_TOKEN_ROLE));
    }
}
