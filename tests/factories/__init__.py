"""Factories for tests. Accounts with owners come from the real service."""

import factory
from django.utils import timezone

from workspaces.models import Membership, Role, User, Workspace, WorkspacePlan
from workspaces.services import account_create, workspace_upgrade_by_staff

PASSWORD = "s3cret-billing-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def persist(self, create, extracted, **kwargs):
        if create:
            self.save()


_account_counter = iter(range(1, 10**9))


def make_account(name: str | None = None, owner: str | None = None):
    """An account and its owner, made by account_create; returns (account, owner user)."""
    number = next(_account_counter)
    owner = owner or f"owner{number}-{timezone.now().timestamp():.0f}"
    account = account_create(
        name=name or f"Account {number}", owner_username=owner, owner_password=PASSWORD
    )
    return account, User.objects.get(username=owner)


def add_member(account, role: str = Role.MEMBER, username: str | None = None) -> User:
    user = UserFactory(username=username) if username else UserFactory()
    Membership.objects.create(account=account, user=user, role=role)
    return user


LONG_AGO = timezone.datetime(2024, 1, 1, tzinfo=timezone.get_fixed_timezone(480))


def make_workspace(account, name: str | None = None, commercial: bool = False, upgraded_at=None):
    """A workspace; a commercial one is upgraded through the service (by default long ago)."""
    workspace = Workspace.objects.create(
        account=account, name=name or f"ws-{Workspace.objects.count() + 1}-{account.pk}"
    )
    if commercial:
        workspace = workspace_upgrade_by_staff(
            workspace_id=workspace.pk, actor=None, now=upgraded_at or LONG_AGO
        )
    assert workspace.plan == (WorkspacePlan.COMMERCIAL if commercial else WorkspacePlan.FREE)
    return workspace
