"""Usage ingestion: validate a whole batch of hourly samples, then store it all or nothing."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg2.extras import execute_values

from common.dates import billing_day, billing_zone
from common.exceptions import Conflict, InvalidInput
from packages.pricing import ItemPricing
from quota.models import NO_RETENTION, BillingRun, LateUsage, RunStatus, UsageDay, UsageSample
from quota.selectors import billing_run_open_account_ids, catalog_snapshot
from quota.services.partitions import usage_partitions_ensure
from workspaces.models import Workspace

MAX_BATCH = 10_000
MAX_SAMPLE_QUANTITY = 10**15  # one hour of one item: anything larger is a metering bug
# What one item of one workspace may cost in a day: 15 such lines stay far below numeric(14,2).
MAX_ITEM_DAY_AMOUNT = Decimal("10000000000")
HOURS_A_DAY = 24
SAMPLE_FIELDS = frozenset({"workspace", "item", "retention_days", "hour", "quantity"})
DAY_LOCK_NAMESPACE = 72_001  # pg advisory lock class for "usage of billing day N"


class BatchInvalid(InvalidInput):
    """Several samples are bad: errors keyed `samples[i].field`."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(
            _("%(count)s field(s) of the batch are invalid; nothing was stored.")
            % {"count": len(errors)}
        )
        self.errors = errors

    def as_errors(self) -> dict[str, list[str]]:
        return self.errors

    def as_codes(self) -> dict[str, list[str]]:
        return {key: ["invalid_sample"] * len(messages) for key, messages in self.errors.items()}


@dataclass(frozen=True)
class Sample:
    workspace_id: int
    item_id: int
    retention_days: int
    hour: datetime
    day: date
    quantity: int


def sample_quantity_limit(item: ItemPricing) -> int:
    """The largest hourly quantity of an item whose whole day still fits a bill.

    A day of it (24 hours of a summed item, the peak of a maximum) at the item's dearest price
    per raw unit — a retention tier's price, or the retention factor times the default price
    under a package — costs at most MAX_ITEM_DAY_AMOUNT, so no bill line, bill or settlement
    can overflow its column; and never more than MAX_SAMPLE_QUANTITY.
    """
    dearest = max(
        [item.unit_price]
        + [max(price, factor * item.unit_price) for price, factor in item.tiers.values()]
    )
    day_quantity = int(MAX_ITEM_DAY_AMOUNT / dearest * item.unit_size)
    hours = 1 if item.aggregation == "max" else HOURS_A_DAY
    return min(MAX_SAMPLE_QUANTITY, day_quantity // hours)


def _late_of(
    samples, runs: dict[date, BillingRun], account_of: dict[int, int], now: datetime
) -> dict[tuple[date, int], int]:
    """Samples of a day whose run billed their account are late usage (SPEC 6.2): stored, and
    re-rated by the next run. Returns (day, account) → late samples. A day whose raw usage is
    no longer kept (older than USAGE_RETENTION_DAYS) cannot be re-rated: refused."""
    if not runs:
        return {}
    open_accounts = billing_run_open_account_ids(runs=list(runs.values()))
    late: dict[tuple[date, int], int] = {}
    for sample in samples:
        account_id = account_of[sample.workspace_id]
        if sample.day in runs and account_id not in open_accounts.get(sample.day, set()):
            late[(sample.day, account_id)] = late.get((sample.day, account_id), 0) + 1
    kept_from = billing_day(now) - timedelta(days=settings.USAGE_RETENTION_DAYS)
    dropped = sorted({day for day, _account in late if day < kept_from})
    if dropped:
        raise Conflict(
            _(
                "The raw usage of %(days)s is no longer kept, so it cannot be re-rated; "
                "correct its bills with an adjustment. Nothing was stored."
            )
            % {"days": ", ".join(day.isoformat() for day in dropped)},
            code="usage_no_longer_kept",
        )
    return late


def _record_late(cursor, late: dict[tuple[date, int], int], now: datetime) -> None:
    """Mark each late account-day for re-rating (one open row each, counting its samples)."""
    if not late:
        return
    execute_values(
        cursor,
        f"INSERT INTO {LateUsage._meta.db_table} (day, account_id, samples, received_at) "
        "VALUES %s ON CONFLICT (account_id, day) WHERE rerated_at IS NULL DO UPDATE SET "
        f"samples = {LateUsage._meta.db_table}.samples + EXCLUDED.samples, "
        "received_at = EXCLUDED.received_at",
        [(day, account_id, count, now) for (day, account_id), count in sorted(late.items())],
    )


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class _Rules:
    """What every sample of a batch is checked against: one per batch."""

    catalog: dict[str, ItemPricing]
    known_workspaces: set[int]
    now: datetime
    oldest: datetime | None
    max_age_days: int | None
    zone: tzinfo
    # item code → sample_quantity_limit: its Decimal arithmetic, once per item instead of per sample
    limits: dict[str, int] = field(default_factory=dict)


def _parse_hour(value, rules: _Rules) -> datetime:
    """The hour a sample covers; ValueError says why it is refused."""
    if not isinstance(value, str):
        raise ValueError(
            _("Give the hour as an ISO 8601 time with offset, e.g. 2026-11-21T13:00:00+08:00.")
        )
    try:
        hour = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(_("Not an ISO 8601 time, e.g. 2026-11-21T13:00:00+08:00.")) from None
    if hour.tzinfo is None:
        raise ValueError(_("The hour needs a UTC offset, e.g. +08:00."))
    if hour.minute or hour.second or hour.microsecond or hour.utcoffset().total_seconds() % 3600:
        raise ValueError(_("A sample covers a whole hour: the time must be on the hour."))
    if hour > rules.now:
        raise ValueError(_("This hour has not started yet."))
    if rules.oldest is not None and hour < rules.oldest:
        raise ValueError(
            _("Older than %(days)s days; ask an operator to import it.")
            % {"days": rules.max_age_days}
        )
    return hour


def _check_item(
    entry: dict, rules: _Rules, bad: dict[str, str]
) -> tuple[ItemPricing | None, int | None]:
    """The entry's item and the retention it is stored with; what is wrong goes into `bad`."""
    code = entry.get("item")
    item = rules.catalog.get(code) if isinstance(code, str) else None
    if item is None:
        bad["item"] = _("Unknown billing item %(item)s.") % {"item": repr(code)}
    retention = entry.get("retention_days")
    if retention is not None and not _is_int(retention):
        bad["retention_days"] = _("retention_days is a whole number of days.")
    elif item is not None:
        try:
            retention = item.resolve_retention(retention)
        except InvalidInput as error:
            bad["retention_days"] = error.message
    return item, retention


def _quantity_problem(quantity, item: ItemPricing | None, rules: _Rules) -> str | None:
    """Why an hourly quantity is refused, or None."""
    if item is None:
        limit = MAX_SAMPLE_QUANTITY
    else:
        limit = rules.limits.get(item.code)
        if limit is None:
            limit = rules.limits[item.code] = sample_quantity_limit(item)
    if not _is_int(quantity):
        return _("A whole number is required.")
    if quantity < 0:
        return _("Must not be negative.")
    if quantity > limit:
        return _("Must be at most %(maximum)s for one hour.") % {"maximum": f"{limit:,}"}
    return None


def _entry_sample(entry: dict, rules: _Rules) -> tuple[Sample | None, dict[str, str]]:
    """The sample of one entry, or None and the message of each bad field (in field order)."""
    bad: dict[str, str] = {}
    workspace_id = entry.get("workspace")
    if not _is_int(workspace_id):
        bad["workspace"] = _("A workspace id (integer) is required.")
    elif workspace_id not in rules.known_workspaces:
        bad["workspace"] = _("Unknown workspace %(id)s.") % {"id": workspace_id}
    item, retention = _check_item(entry, rules, bad)
    hour = None
    try:
        hour = _parse_hour(entry.get("hour"), rules)
    except ValueError as error:
        bad["hour"] = str(error)
    problem = _quantity_problem(entry.get("quantity"), item, rules)
    if problem:
        bad["quantity"] = problem
    unknown = set(entry) - SAMPLE_FIELDS
    if unknown:
        bad["detail"] = _("Unknown field(s): %(fields)s.") % {
            "fields": ", ".join(sorted(map(str, unknown)))
        }
    if bad:
        return None, bad
    sample = Sample(
        workspace_id=workspace_id,
        item_id=item.id,
        retention_days=NO_RETENTION if retention is None else retention,
        hour=hour,
        day=hour.astimezone(rules.zone).date(),
        quantity=entry["quantity"],
    )
    return sample, bad


def _validate(
    raw: Sequence,
    *,
    catalog: dict[str, ItemPricing],
    known_workspaces: set[int],
    now: datetime,
    max_age_days: int | None,
) -> tuple[list[Sample], dict[str, list[str]]]:
    """The samples of a batch, and every error keyed `samples[i]` or `samples[i].field`."""
    rules = _Rules(
        catalog=catalog,
        known_workspaces=known_workspaces,
        now=now,
        oldest=now - timedelta(days=max_age_days) if max_age_days is not None else None,
        max_age_days=max_age_days,
        zone=billing_zone(),
    )
    errors: dict[str, list[str]] = {}
    samples: list[Sample] = []
    for index, entry in enumerate(raw):
        prefix = f"samples[{index}]"
        if not isinstance(entry, dict):
            errors[prefix] = [_("Each sample is an object.")]
            continue
        sample, bad = _entry_sample(entry, rules)
        if bad:
            for name, message in bad.items():
                errors[f"{prefix}.{name}"] = [message]
            continue
        samples.append(sample)
    return samples, errors


def _check_batch_size(samples: Sequence, *, operator_import: bool) -> None:
    """A list of one to MAX_BATCH samples; an operator's import has no maximum."""
    if not isinstance(samples, list | tuple):
        raise InvalidInput(_("samples must be a list."), field="samples")
    if not samples:
        raise InvalidInput(_("Send at least one sample."), field="samples")
    if len(samples) > MAX_BATCH and not operator_import:
        raise InvalidInput(
            _("Send at most %(count)s samples a request.") % {"count": f"{MAX_BATCH:,}"},
            field="samples",
            code="too_many_samples",
        )


def _account_ids_of(samples: Sequence) -> dict[int, int]:
    """Workspace id → account id of the workspaces the samples name, in one query."""
    workspace_ids = {
        entry["workspace"]
        for entry in samples
        if isinstance(entry, dict)
        and _is_int(entry.get("workspace"))
        and 0 < entry["workspace"] < 2**63
    }
    return dict(Workspace.objects.filter(pk__in=workspace_ids).values_list("pk", "account_id"))


def _lock_days(cursor, days: list[date], seen_runs: dict[date, str]) -> None:
    """A run planning day D takes its lock exclusively: no sample can slip into a billed day.

    A day whose run is unfinished is taken exclusively here (its chunks share it), so a
    corrected sample never races a chunk that is billing its account.
    """
    for day in days:
        unfinished = day in seen_runs and seen_runs[day] != RunStatus.DONE
        lock = "pg_advisory_xact_lock" if unfinished else "pg_advisory_xact_lock_shared"
        cursor.execute(f"SELECT {lock}(%s, %s)", [DAY_LOCK_NAMESPACE, day.toordinal()])


def _refuse_runs_started(runs: dict[date, BillingRun], seen_runs: dict[date, str]) -> None:
    """A run that began between the first look and the lock: its day took the wrong lock."""
    started = set(runs) - set(seen_runs)
    if started:
        raise Conflict(
            _("Billing of %(days)s started just now; send the samples again.")
            % {"days": ", ".join(sorted(str(day) for day in started))},
            code="billing_in_progress",
        )


def _store(cursor, samples: Collection[Sample], now: datetime) -> None:
    """Upsert the samples (a re-send replaces the quantity) and note their usage days."""
    execute_values(
        cursor,
        f"INSERT INTO {UsageSample._meta.db_table} "
        "(day, workspace_id, item_id, retention_days, hour, quantity, received_at) VALUES %s "
        "ON CONFLICT (day, workspace_id, item_id, retention_days, hour) "
        "DO UPDATE SET quantity = EXCLUDED.quantity, received_at = EXCLUDED.received_at",
        [
            (s.day, s.workspace_id, s.item_id, s.retention_days, s.hour, s.quantity, now)
            for s in samples
        ],
        page_size=MAX_BATCH,
    )
    execute_values(
        cursor,
        f"INSERT INTO {UsageDay._meta.db_table} (day, workspace_id) VALUES %s "
        "ON CONFLICT DO NOTHING",
        sorted({(s.day, s.workspace_id) for s in samples}),
        page_size=MAX_BATCH,
    )


@dataclass(frozen=True)
class Ingested:
    accepted: int
    late: int  # of them, for days already billed: re-rated by the next run (SPEC 6.2)


def usage_ingest(*, samples: Sequence, now: datetime, operator_import: bool = False) -> Ingested:
    """Store a batch of samples: all of it, or nothing with every error by index.

    The metering API sends at most 10,000 recent samples a request; an operator's import
    (`import_usage`) may send any number, of any age.
    """
    _check_batch_size(samples, operator_import=operator_import)
    account_of = _account_ids_of(samples)
    parsed, errors = _validate(
        samples,
        catalog=catalog_snapshot(),
        known_workspaces=set(account_of),
        now=now,
        max_age_days=None if operator_import else settings.USAGE_MAX_AGE_DAYS,
    )
    if errors:
        raise BatchInvalid(errors)
    # The same key twice in one batch: the later sample wins, as a re-send would.
    latest: dict[tuple, Sample] = {}
    for sample in parsed:
        latest[
            (sample.day, sample.workspace_id, sample.item_id, sample.retention_days, sample.hour)
        ] = sample
    days = sorted({sample.day for sample in latest.values()})
    usage_partitions_ensure(days=days)
    seen_runs = dict(BillingRun.objects.filter(day__in=days).values_list("day", "status"))
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_days(cursor, days, seen_runs)
        runs = {run.day: run for run in BillingRun.objects.filter(day__in=days)}
        _refuse_runs_started(runs, seen_runs)
        late = _late_of(latest.values(), runs, account_of, now)
        _store(cursor, latest.values(), now)
        _record_late(cursor, late, now)
    return Ingested(accepted=len(parsed), late=sum(late.values()))


def usage_lock_day_exclusive(*, day: date) -> None:
    """Taken by the run that closes `day`, inside its transaction."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)", [DAY_LOCK_NAMESPACE, day.toordinal()]
        )


def usage_lock_day_shared(*, day: date) -> None:
    """Taken by each chunk of `day` (they share it); a correction of the day waits for them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock_shared(%s, %s)", [DAY_LOCK_NAMESPACE, day.toordinal()]
        )
