"""The matters area: what it gives the platform (no pages of its own: the matter page is the
boards', which compose every area's part of a matter)."""

from council.matters import events, migrations, tables
from council.platform.area import Area

AREA = Area(
    name="matters",
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    event_labels=events.LABELS,
)
