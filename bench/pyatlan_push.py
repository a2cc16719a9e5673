"""The push a user would script with the catalog's own SDK (PyPI `pyatlan`), for `bench/sync.mjs`.

    target/pyatlan-venv/bin/python bench/pyatlan_push.py URL TOKEN INVENTORY_JSON

INVENTORY_JSON is a file holding `GET URL/sandbox/inventory`, or `-` to fetch it. The script does
what `runSync({mode: "push"})` does, written the straightforward way pyatlan offers:

- the `Data Quality` set's attributes through pyatlan's custom-metadata cache (one typedefs read);
- a `FluentSearch` (page size 300, pyatlan's own paging) for the inventory's schemas in connection
  `default/snowflake/1700000000`, and one for every table, view and column in them, with the
  set's attributes and the announcement fields on the results (the same queries Steward sends);
- local assets mapped by name: exact first, else case-insensitive when that is unique, identifier
  quotes stripped; a name matching several catalog assets is left out;
- for each mapped asset, only the values that differ (numbers compared as numbers, absent = null)
  go into a `CustomMetadataDict` on the asset's `trim_to_required()` updater, and the anomaly
  announcement is set or removed as the sync does; the updaters go through a `Batch` of 20 that
  merges custom metadata.

One thread, one request at a time: pyatlan's `Batch` and search paging are sequential. Prints
`{"seconds", "cpu", "searches", "reads", "writes", "mapped", "changed"}` as JSON (`cpu`: this
process's CPU seconds, the import included); requests are counted by
a request hook on pyatlan's HTTP session.
"""
import json
import sys
import time
import urllib.request

from pyatlan.client.asset import Batch, CustomMetadataHandling
from pyatlan.client.atlan import AtlanClient
from pyatlan.model.assets import Asset, Column, MaterialisedView, Schema, Table, View
from pyatlan.model.core import Announcement
from pyatlan.model.custom_metadata import CustomMetadataDict
from pyatlan.model.enums import AnnouncementType
from pyatlan.model.fluent_search import CompoundQuery, FluentSearch

CONNECTION = "default/snowflake/1700000000"
SET_NAME = "Data Quality"
BATCH_SIZE = 20
PAGE_SIZE = 300
# The same marker and texts as Steward's anomaly announcement (core `sync::plan`), so both scripts
# leave the catalog in the same state and a resync after either is a no-op.
MARKER = "(posted by the data-quality sync)"
DIMENSIONS = ["Completeness", "Coverage", "Conformity", "Consistency", "Precision", "Timeliness", "Volume", "Accuracy"]

url, token, inventory_path = sys.argv[1], sys.argv[2], sys.argv[3]
counts = {"searches": 0, "reads": 0, "writes": 0}


def count(request):
    path = request.url.path
    if path.endswith("/search/indexsearch"):
        counts["searches"] += 1
    elif request.method == "GET":
        counts["reads"] += 1
    else:
        counts["writes"] += 1


if inventory_path == "-":
    with urllib.request.urlopen(f"{url}/sandbox/inventory") as answer:
        inventory = json.load(answer)
else:
    with open(inventory_path, encoding="utf-8") as f:
        inventory = json.load(f)

started = time.perf_counter()
client = AtlanClient(base_url=url, api_key=token)
client._session.event_hooks["request"].append(count)

# 1. The set's attributes, as search results must request them ("<setId>.<attrId>").
cm_attributes = client.custom_metadata_cache.get_attributes_for_search_results(SET_NAME)

# 2. The inventory's schemas, then every table, view and column in them, each search paged by
# pyatlan, with the names, the announcement fields and the set's attributes on the results.
schemas = sorted({f"{CONNECTION}/{d['database']}/{d['schema']}" for d in inventory["datastores"]})


def search(types, where):
    request = (
        FluentSearch()
        .where(CompoundQuery.active_assets())
        .where(CompoundQuery.asset_types(types))
        .where(where)
        .page_size(PAGE_SIZE)
        .include_on_results(Asset.NAME)
        .include_on_results(Asset.ANNOUNCEMENT_TYPE)
        .include_on_results(Asset.ANNOUNCEMENT_TITLE)
        .include_on_results(Asset.ANNOUNCEMENT_MESSAGE)
    )
    for attribute in cm_attributes:
        request = request.include_on_results(attribute)
    return request.execute(client=client)


# Catalog assets by (parent qualified name, name), and by the same in lower case.
exact, folded = {}, {}
found = [*search([Schema], Asset.QUALIFIED_NAME.within(schemas)),
         *search([Table, View, MaterialisedView, Column], Column.SCHEMA_QUALIFIED_NAME.within(schemas))]
for asset in found:
    parent, _, name = asset.qualified_name.rpartition("/")
    exact[(parent, name)] = asset
    folded.setdefault((parent.lower(), name.lower()), []).append(asset)


def find(parent, name):
    name = name.strip('"')
    if (parent, name) in exact:
        return exact[(parent, name)]
    found = folded.get((parent.lower(), name.lower()), [])
    return found[0] if len(found) == 1 else None


def wanted(quality):
    dims = quality.get("dimensions") or {}
    values = {"Quality Score": quality.get("score")}
    values.update({d: dims.get(d.lower()) for d in DIMENSIONS})
    values.update({"Check Count": quality.get("checks"), "Anomaly Count": quality.get("anomalies"), "URL": quality.get("url")})
    return values


def same(current, value):
    if isinstance(current, (int, float)) and isinstance(value, (int, float)):
        return float(current) == float(value)
    return current == value


def announcement(asset, quality):
    """The announcement change the sync makes: a warning while anomalies are active, removed
    (only ours) at zero, someone else's kept. None when nothing changes."""
    anomalies = quality.get("anomalies") or 0
    present = bool(asset.announcement_type or asset.announcement_title or asset.announcement_message)
    ours = (asset.announcement_message or "").endswith(MARKER)
    if anomalies == 0:
        return "remove" if present and ours else None
    if present and not ours:
        return None
    noun = "anomaly" if anomalies == 1 else "anomalies"
    title = f"{anomalies} active data-quality {noun}"
    link = f" Review them at {quality['url']}" if quality.get("url") else ""
    message = f"{asset.name} has {anomalies} active {noun}.{link} {MARKER}"
    if str(asset.announcement_type or "").lower() == "warning" and asset.announcement_title == title and asset.announcement_message == message:
        return None
    return Announcement(announcement_type=AnnouncementType.WARNING, announcement_title=title, announcement_message=message)


# 3. Diff each mapped asset and queue the writes.
batch = Batch(client, max_size=BATCH_SIZE, custom_metadata_handling=CustomMetadataHandling.MERGE)
mapped = changed = 0


def push(asset, quality):
    global mapped, changed
    if asset is None:
        return
    mapped += 1
    if not quality:
        return
    current = asset.get_custom_metadata(client=client, name=SET_NAME)
    diff = CustomMetadataDict(client=client, name=SET_NAME)
    for attribute, value in wanted(quality).items():
        if not same(current[attribute], value):
            diff[attribute] = value
    change = announcement(asset, quality)
    if not diff.modified and change is None:
        return
    changed += 1
    updater = asset.trim_to_required()
    if diff.modified:
        updater.set_custom_metadata(client=client, custom_metadata=diff)
    if change == "remove":
        updater.remove_announcement()
    elif change is not None:
        updater.set_announcement(change)
    batch.add(updater)


for store in inventory["datastores"]:
    schema_qn = f"{CONNECTION}/{store['database']}/{store['schema']}"
    push(find(f"{CONNECTION}/{store['database']}", store["schema"]), store.get("quality"))
    for container in store.get("containers") or []:
        table = find(schema_qn, container["name"])
        push(table, container.get("quality"))
        if table is None:
            continue
        for field in container.get("fields") or []:
            push(find(table.qualified_name, field["name"]), field.get("quality"))
batch.flush()

print(json.dumps({"seconds": round(time.perf_counter() - started, 2), "cpu": round(time.process_time(), 2), **counts, "mapped": mapped, "changed": changed}))
