"""Demo data for a first look (`seed_demo`): idempotent, built through the real services."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from billing.services.nightly import deduction_run_day
from common.dates import billing_day, billing_zone, day_start
from invoices.models import EnterpriseVerification
from invoices.services.addresses import AddressDetails, address_create
from invoices.services.verification import EnterpriseDetails, verification_update
from packages.selectors import plan_get
from quota.models import BillingRun, Subscription, UsageDay
from quota.services import PackRequest, subscription_create, usage_ingest
from wallet.models import Wallet
from wallet.services.balances import cash_credit
from wallet.services.instruments import prepaid_card_issue, voucher_issue
from workspaces.models import Account, Role, Workspace, WorkspacePlan
from workspaces.services import account_create, membership_set, workspace_upgrade_by_staff

DEMO_PASSWORD = "demo-billing-2026"
DEMO_ACCOUNT = "Demo Enterprise"
DEMO_OWNER = "demo"
DEMO_WORKSPACES = [
    ("Production", True),
    ("Staging", True),
    ("Mobile App", True),
    ("Data Lab", False),
    ("Sandbox", False),
]
OTHER_ACCOUNT = "Other Corp"
OTHER_OWNER = "other"


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def _account(name: str, owner: str, report: DemoReport) -> Account:
    account = Account.objects.filter(name=name, memberships__user__username=owner).first()
    if account is None:
        account = account_create(name=name, owner_username=owner, owner_password=DEMO_PASSWORD)
        report.note(f"account {name} with owner {owner}")
    return account


def _user(username: str, *, superuser: bool = False):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = superuser
        user.save()
    return user, created


def _workspace(
    account: Account, name: str, commercial: bool, report: DemoReport, now: datetime
) -> Workspace:
    workspace, created = Workspace.objects.get_or_create(account=account, name=name)
    if created:
        report.note(f"workspace {name}")
    if commercial and workspace.plan == WorkspacePlan.FREE:
        # upgraded before the demo history starts, so that every demo day is billed
        upgraded = now - timedelta(days=DEMO_DAYS + 30)
        workspace = workspace_upgrade_by_staff(workspace_id=workspace.pk, actor=None, now=upgraded)
    return workspace


def demo_seed(*, now: datetime | None = None) -> DemoReport:
    """Accounts and workspaces, a shared package with usage, and the bills of the past days."""
    now = now or timezone.now()
    report = DemoReport()
    with transaction.atomic():
        account = _accounts_and_workspaces(report, now)
    _wallet(account, now, report)
    _package_usage_and_bills(account, now, report)
    _invoicing(account, now, report)
    return report


def _wallet(account: Account, now: datetime, report: DemoReport) -> None:
    """Money that pays the demo bills: cash, an ordinary voucher, a partner card."""
    if Wallet.objects.filter(account=account).exists():
        return
    funded_at = now - timedelta(days=DEMO_DAYS + 1)
    cash_credit(account_id=account.pk, amount="20000.00", reference="DEMO-REMIT-001", now=funded_at)
    voucher_issue(account_id=account.pk, amount="300.00", valid_days=90, now=funded_at)
    prepaid_card_issue(account_id=account.pk, amount="5000", now=funded_at)
    code = voucher_issue(account_id=None, amount="200.00", valid_days=365, now=now).code
    report.note(f"wallet: ¥20,000 cash, a ¥300 voucher, a ¥5,000 card; code to redeem: {code}")


def _invoicing(account: Account, now: datetime, report: DemoReport) -> None:
    """The enterprise verification (GB 32100-2015's example code) and a mailing address, so
    that invoices can be requested at once."""
    if EnterpriseVerification.objects.filter(account=account).exists():
        return
    owner = account.memberships.select_related("user").get(user__username=DEMO_OWNER)
    details = EnterpriseDetails(
        registered_name="演示企业（上海）有限公司",
        taxpayer_id="91350100M000100Y43",
        bank_name="招商银行上海分行",
        bank_account="1219 0988 7610 001",
        registered_address="上海市浦东新区世纪大道 100 号",
        registered_phone="021-5888 0000",
    )
    verification_update(membership=owner, details=details, now=now)
    address = AddressDetails(
        recipient="王芳", phone="138 0013 8000", address="上海市徐汇区漕溪北路 88 号"
    )
    address_create(membership=owner, details=address, now=now)
    report.note("enterprise verification and a mailing address (invoices)")


def _accounts_and_workspaces(report: DemoReport, now: datetime) -> Account:
    account = _account(DEMO_ACCOUNT, DEMO_OWNER, report)
    for username, role in (("demo-admin", Role.ADMIN), ("demo-member", Role.MEMBER)):
        user, created = _user(username)
        membership_set(account=account, user=user, role=role)
        if created:
            report.note(f"user {username} ({role})")
    _, created = _user("operator", superuser=True)
    if created:
        report.note("operator (Django admin superuser)")
    for name, commercial in DEMO_WORKSPACES:
        _workspace(account, name, commercial, report, now)
    other = _account(OTHER_ACCOUNT, OTHER_OWNER, report)
    _workspace(other, "Other Production", True, report, now)
    return account


# (item, retention, base hourly quantity) — Production runs over its share some days
DEMO_USAGE = [
    ("datakit", None, 6),
    ("logs", 30, 450_000),
    ("traces", 7, 90_000),
    ("rum_pv", 14, 4_500),
    ("task_calls", None, 3_500),
    ("sms", None, 1),
]
DEMO_DAYS = 14


def _package_usage_and_bills(account: Account, now: datetime, report: DemoReport) -> None:
    today = billing_day(now)
    first_day = today - timedelta(days=DEMO_DAYS)
    workspaces = {workspace.name: workspace for workspace in account.workspaces.all()}
    if not Subscription.objects.filter(account=account).exists():
        subscription = subscription_create(
            account=account,
            plan=plan_get(code="startup_acceleration"),
            start_date=first_day,
            workspace_ids=[workspaces["Production"].pk, workspaces["Staging"].pk],
            traffic_packs=[PackRequest(item_code="logs", capacity=10_000_000)],
        )
        report.note(
            f"subscription #{subscription.pk} (Startup, Production then Staging, a logs pack)"
        )
    sent = billed = 0
    for offset in range(DEMO_DAYS + 1):
        day = first_day + timedelta(days=offset)
        closed = BillingRun.objects.filter(day=day).exists()
        if (
            not closed
            and not UsageDay.objects.filter(day=day, workspace=workspaces["Production"]).exists()
        ):
            sent += usage_ingest(
                samples=_demo_samples(workspaces, day, offset, today, now), now=now
            ).accepted
        if day < today and not closed:
            deduction_run_day(day=day, now=now)
            billed += 1
    if sent:
        report.note(f"{sent:,} usage samples over {DEMO_DAYS} days")
    if billed:
        report.note(f"bills of {billed} past day(s)")


def _demo_samples(workspaces: dict, day, offset: int, today, now: datetime) -> list[dict]:
    last_hour = 24 if day < today else billing_hour(now)
    samples = []
    for percent, name in (
        (100, "Production"),
        (45, "Staging"),
        (30, "Mobile App"),
        (20, "Sandbox"),
    ):
        for code, retention, base in DEMO_USAGE:
            for hour in range(last_hour):
                tenths = 10 + (offset * 7 + hour * 3) % 10  # a believable daily pattern
                sample = {
                    "workspace": workspaces[name].pk,
                    "item": code,
                    "hour": (day_start(day) + timedelta(hours=hour)).isoformat(),
                    "quantity": base * percent * tenths // 1000,
                }
                if retention:
                    sample["retention_days"] = retention
                samples.append(sample)
    return samples


def billing_hour(now: datetime) -> int:
    """Whole hours of today that have started."""
    return now.astimezone(billing_zone()).hour + 1
