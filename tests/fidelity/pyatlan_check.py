"""Fidelity check: the catalog's own Python SDK (PyPI `pyatlan`) against the sandbox.

    python pyatlan_check.py http://127.0.0.1:PORT

Runs a tag search (display name → id through typedefs, paged), reads custom metadata by display
names, writes it back merged, sets an announcement, adds a propagating tag, and asserts the
results. Exits non-zero with the failing step on any mismatch.
"""
import sys

from pyatlan.client.atlan import AtlanClient
from pyatlan.model.assets import Column, Table
from pyatlan.model.core import Announcement
from pyatlan.model.enums import AnnouncementType
from pyatlan.model.fluent_search import CompoundQuery, FluentSearch

url = sys.argv[1]
client = AtlanClient(base_url=url, api_key="sandbox-integration-token")
SALES = "default/snowflake/1700000000/SALES_DB/SALES"

# 1. Tag search by display name, paged by the SDK.
request = (
    FluentSearch()
    .where(CompoundQuery.active_assets())
    .where(CompoundQuery.asset_type(Column))
    .where(CompoundQuery.tagged(client=client, with_one_of=["PII"]))
    .page_size(25)
).to_request()
results = client.asset.search(request)
seen = [asset.qualified_name for asset in results]
assert results.count > 25, results.count
assert len(seen) == results.count == len(set(seen)), (len(seen), results.count)
assert all(any(str(t.type_name) == "PII" for t in (a.atlan_tags or [])) for a in client.asset.search(request)), "tags map back to display names"

# 2. Custom metadata read by display names.
customers = client.asset.get_by_qualified_name(qualified_name=f"{SALES}/CUSTOMERS", asset_type=Table)
quality = customers.get_custom_metadata(client=client, name="Data Quality")
assert quality["Quality Score"] == 50.0, quality["Quality Score"]

# 3. Merged custom-metadata write.
stores = client.asset.get_by_qualified_name(qualified_name=f"{SALES}/STORES", asset_type=Table)
quality = stores.get_custom_metadata(client=client, name="Data Quality")
quality["Quality Score"] = 81.5
quality["Anomaly Count"] = 2
stores.set_custom_metadata(client=client, custom_metadata=quality)
response = client.asset.update_merging_cm(stores)
assert [a.qualified_name for a in response.assets_updated(asset_type=Table)] == [f"{SALES}/STORES"]
again = client.asset.get_by_qualified_name(qualified_name=f"{SALES}/STORES", asset_type=Table)
assert again.get_custom_metadata(client=client, name="Data Quality")["Anomaly Count"] == 2

# 4. Announcement (partial update by unique attribute).
client.asset.update_announcement(
    asset_type=Table, qualified_name=f"{SALES}/RETURNS", name="RETURNS",
    announcement=Announcement(announcement_type=AnnouncementType.WARNING, announcement_title="2 active anomalies", announcement_message="see link"),
)
returns = client.asset.get_by_qualified_name(qualified_name=f"{SALES}/RETURNS", asset_type=Table)
assert returns.announcement_type == AnnouncementType.WARNING, returns.announcement_type
assert returns.announcement_updated_by == "service-account-apikey-integration"

# 5. A propagating tag shows on the columns, from the table.
client.asset.add_atlan_tags(asset_type=Table, qualified_name=f"{SALES}/RETURNS", atlan_tag_names=["Confidential"], propagate=True)
reason = client.asset.get_by_qualified_name(qualified_name=f"{SALES}/RETURNS/REASON", asset_type=Column)
tags = {str(t.type_name): t.entity_guid for t in reason.atlan_tags or []}
assert tags.get("Confidential") == returns.guid, tags

# 6. The current user.
assert client.user.get_current().username == "service-account-apikey-integration"
print(f"pyatlan {len(seen)} tagged columns, custom metadata, announcement, propagation, whoami: ok")
