"""Day partitions of the usage samples table (PostgreSQL declarative range partitioning).

One partition a billing day, named quota_usagesample_pYYYYMMDD. Shared by the migration that
partitions the table and by the services that keep partitions ahead and drop old ones, so both
write the same DDL.
"""

from datetime import date

from django.db import connection

PARENT = "quota_usagesample"
PARTITION_LOCK_NAMESPACE = 72_002  # pg advisory lock class for "partition of billing day N"


def partition_name(day: date) -> str:
    return f"{PARENT}_p{day:%Y%m%d}"


def existing_partition_days(cursor) -> set[date]:
    """Days that have a partition, read from the catalog."""
    cursor.execute(
        "SELECT child.relname FROM pg_inherits "
        "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
        "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
        "WHERE parent.relname = %s",
        [PARENT],
    )
    days = set()
    for (name,) in cursor.fetchall():
        stamp = name.rsplit("_p", 1)[-1]
        days.add(date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8])))
    return days


def create_partition(cursor, day: date) -> bool:
    """Create the partition of `day` unless it exists; True if created.

    The new table is created on its own and then attached, which locks the parent only in SHARE
    UPDATE EXCLUSIVE mode: reads and writes of other days go on meanwhile. An advisory lock keeps
    two sessions from creating the same day at once.
    """
    name = partition_name(day)
    cursor.execute(
        "SELECT pg_advisory_xact_lock(%s, %s)", [PARTITION_LOCK_NAMESPACE, day.toordinal()]
    )
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is not None:
        return False
    following = date.fromordinal(day.toordinal() + 1)
    cursor.execute(
        f'CREATE TABLE "{name}" (LIKE "{PARENT}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
    )
    cursor.execute(
        f'ALTER TABLE "{PARENT}" ATTACH PARTITION "{name}" '
        f"FOR VALUES FROM ('{day.isoformat()}') TO ('{following.isoformat()}')"
    )
    return True


def drop_partition(cursor, day: date) -> bool:
    name = partition_name(day)
    cursor.execute("SELECT to_regclass(%s)", [name])
    if cursor.fetchone()[0] is None:
        return False
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # deferred FK checks of this transaction
    cursor.execute(f'DROP TABLE "{name}"')
    return True


def partition_sizes() -> list[tuple[date, int, int]]:
    """(day, rows estimated by the planner, bytes with indexes) of each partition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, child.reltuples::bigint, pg_total_relation_size(child.oid) "
            "FROM pg_inherits JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE parent.relname = %s ORDER BY child.relname",
            [PARENT],
        )
        rows = cursor.fetchall()
    sizes = []
    for name, rows_estimate, size in rows:
        stamp = name.rsplit("_p", 1)[-1]
        sizes.append((date(int(stamp[:4]), int(stamp[4:6]), int(stamp[6:8])), rows_estimate, size))
    return sizes
