"""Fidelity check: what Steward's sync wrote, read back by the catalog's own Python SDK (pyatlan).

    python pyatlan_sync_check.py http://127.0.0.1:PORT EXPECTED_JSON

EXPECTED_JSON maps qualified names to what the catalog must show after a push with
announcements: {"<qualifiedName>": {"type": "Table", "metadata": {"Quality Score": 95.6, ...},
"announcement": {"type": "warning", "title": "...", "contains": ["..."], "updatedBy": "..."}
| null}}. For each asset the SDK reads the `Data Quality` custom metadata by display names and
the announcement; exits non-zero naming the asset and field at fault.
"""
import json
import math
import sys

from pyatlan.client.atlan import AtlanClient
from pyatlan.model.assets import Column, Schema, Table
from pyatlan.model.enums import AnnouncementType

url, expected = sys.argv[1], json.loads(sys.argv[2])
client = AtlanClient(base_url=url, api_key="sandbox-integration-token")
TYPES = {"Schema": Schema, "Table": Table, "Column": Column}


def same(got, want):
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and math.isclose(float(got), float(want), rel_tol=1e-9)
    return got == want


checked = 0
for qualified_name, want in expected.items():
    asset = client.asset.get_by_qualified_name(qualified_name=qualified_name, asset_type=TYPES[want["type"]])
    quality = asset.get_custom_metadata(client=client, name="Data Quality")
    for name, value in want["metadata"].items():
        assert same(quality[name], value), f"{qualified_name}: Data Quality.{name} is {quality[name]!r}, expected {value!r}"
        checked += 1
    announcement = want["announcement"]
    if announcement is None:
        assert asset.announcement_type is None, f"{qualified_name}: unexpected announcement {asset.announcement_type!r} {asset.announcement_title!r}"
        continue
    assert asset.announcement_type == AnnouncementType(announcement["type"]), f"{qualified_name}: announcement type {asset.announcement_type!r}"
    if "title" in announcement:
        assert asset.announcement_title == announcement["title"], f"{qualified_name}: announcement title {asset.announcement_title!r}"
    for part in announcement.get("contains", []):
        assert part in (asset.announcement_message or ""), f"{qualified_name}: announcement message {asset.announcement_message!r} lacks {part!r}"
    assert asset.announcement_updated_by == announcement["updatedBy"], f"{qualified_name}: announcement by {asset.announcement_updated_by!r}"

print(f"pyatlan read {checked} Data Quality values and the announcements of {len(expected)} assets: ok")
