//! The setup checklist of seed 001 (what an administrator does in Hightouch so the catalog can
//! crawl it), each step marked with how Steward can verify it — and plainly unverifiable where
//! Hightouch's API offers no way to look.

use serde::Serialize;

/// How a step can be verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verification {
    /// Paste the role into the role checker ([`super::policy::RolePolicy::check_catalog_role`]).
    RoleCheck,
    /// Run the key check against the workspace.
    KeyCheck,
    /// No API shows it: only the person doing it can tick it.
    Manual,
}

/// One step of the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetupStep {
    /// Stable id: `role`, `group`, `system-user`, `role-assignment`, `api-key`.
    pub id: &'static str,
    /// What the step achieves.
    pub title: &'static str,
    /// What to do in Hightouch, in order (the seed's words).
    pub instructions: Vec<&'static str>,
    /// How Steward can verify it.
    pub verification: Verification,
    /// What the verification shows, or why there is none.
    pub how_verified: &'static str,
}

/// The role name the seed uses.
pub const ROLE_NAME: &str = "atlan_role";
/// The group name the seed uses.
pub const GROUP_NAME: &str = "atlan_group";

/// The checklist, in the seed's order.
pub fn setup_steps() -> Vec<SetupStep> {
    vec![
        SetupStep {
            id: "role",
            title: "Create the custom role atlan_role",
            instructions: vec![
                "In Hightouch, open Settings > Roles and click Add Role.",
                "Name it atlan_role and choose the JSON Builder.",
                "Paste the read-only policy (Steward's role generator writes it) and click Add Role.",
            ],
            verification: Verification::RoleCheck,
            how_verified: "Paste the role's JSON into the role checker: it must allow read on workspace, source, destination, model, sync and sync_templates, and nothing more.",
        },
        SetupStep {
            id: "group",
            title: "Create the group atlan_group",
            instructions: vec!["In Hightouch, open Settings > Groups and click Add Group.", "Name it atlan_group and click Create Group."],
            verification: Verification::Manual,
            how_verified: "Hightouch's API does not list groups, so Steward cannot verify this step: tick it when it is done.",
        },
        SetupStep {
            id: "system-user",
            title: "Create a system user in atlan_group",
            instructions: vec![
                "Provision a system account in your organization's directory.",
                "Create its Hightouch user through SSO or an invite.",
                "Add the user to atlan_group.",
            ],
            verification: Verification::Manual,
            how_verified: "Hightouch's API does not list users or group members, so Steward cannot verify this step: tick it when it is done.",
        },
        SetupStep {
            id: "role-assignment",
            title: "Assign atlan_role to atlan_group",
            instructions: vec!["In Settings > Roles, open atlan_role.", "Assign it to atlan_group."],
            verification: Verification::Manual,
            how_verified: "Hightouch's API never reveals which role a group or key has, so Steward cannot verify this step; the key check shows what the key can read, not that it can do nothing else.",
        },
        SetupStep {
            id: "api-key",
            title: "Create an API key for the system user",
            instructions: vec![
                "Log in to Hightouch as the system user.",
                "Open Settings > API Keys and click Create API Key.",
                "Name it, e.g. Atlan Integration, then copy the key and store it securely.",
            ],
            verification: Verification::KeyCheck,
            how_verified: "Run the key check: it lists sources, destinations, models and syncs with the key and says what each answered. It cannot prove the role is read-only; the role checker does that.",
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checklist_follows_the_seed_and_never_claims_an_unverifiable_step() {
        let steps = setup_steps();
        let ids: Vec<&str> = steps.iter().map(|s| s.id).collect();
        assert_eq!(ids, ["role", "group", "system-user", "role-assignment", "api-key"]);
        for step in &steps {
            if step.verification == Verification::Manual {
                assert!(step.how_verified.contains("cannot verify"), "{}", step.id);
            }
        }
        assert!(steps.iter().any(|s| s.title.contains(ROLE_NAME)) && steps.iter().any(|s| s.title.contains(GROUP_NAME)));
        let json = serde_json::to_value(&steps[0]).unwrap_or_default();
        assert_eq!(json["verification"], "role-check");
        assert!(json["howVerified"].is_string());
    }
}
