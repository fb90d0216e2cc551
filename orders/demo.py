"""Demo data for a first look (`seed_demo`): idempotent, built through the real services."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

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


def _workspace(account: Account, name: str, commercial: bool, report: DemoReport) -> Workspace:
    workspace, created = Workspace.objects.get_or_create(account=account, name=name)
    if created:
        report.note(f"workspace {name}")
    if commercial and workspace.plan == WorkspacePlan.FREE:
        workspace = workspace_upgrade_by_staff(
            workspace_id=workspace.pk, actor=None, now=timezone.now()
        )
    return workspace


@transaction.atomic
def demo_seed() -> DemoReport:
    report = DemoReport()
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
        _workspace(account, name, commercial, report)
    other = _account(OTHER_ACCOUNT, OTHER_OWNER, report)
    _workspace(other, "Other Production", True, report)
    return report
