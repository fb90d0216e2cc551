"""Team management by owners (and, short of owners, admins): add, change a role, remove; the
account always keeps an owner; every change is recorded and told by e-mail through the outbox."""

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from post_office.models import Email
from rest_framework.test import APIClient

from common.exceptions import Conflict, Forbidden, InvalidInput, NotFound
from tests.factories import PASSWORD, add_member, make_account
from workspaces.models import Membership, MembershipEvent, Role, TeamAction, User
from workspaces.services import member_add, member_remove, member_role_change

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


def membership_of(user, account) -> Membership:
    return Membership.objects.get(user=user, account=account)


@pytest.fixture
def team(account_a):
    account, owner = account_a
    owner.email = "owner@example.com"
    owner.save()
    return account, membership_of(owner, account)


def test_an_owner_adds_a_new_user_with_a_temporary_password_shown_once(team):
    account, owner = team
    added = member_add(
        membership=owner, username="lin", email="lin@example.com", role=Role.ADMIN, now=NOW
    )
    user = User.objects.get(username="lin")
    assert added.membership.role == Role.ADMIN and added.membership.account == account
    assert user.password_change_required is True
    assert user.check_password(added.temporary_password)
    assert len(added.temporary_password) >= 16
    assert not User.objects.filter(password__contains=added.temporary_password).exists()
    notice = Email.objects.get(to=["lin@example.com"])
    assert "Alpha Corp" in notice.subject and "added to the team" in notice.subject
    assert "temporary password" in notice.message
    assert added.temporary_password not in notice.message  # the password never goes by e-mail
    event = MembershipEvent.objects.get()
    assert (event.action, event.username, event.role_after, event.actor) == (
        TeamAction.ADDED,
        "lin",
        Role.ADMIN,
        owner.user,
    )


def test_an_existing_user_is_added_by_username_and_the_e_mail_of_their_sign_in(team):
    account, owner = team
    other_account, other_owner = make_account(name="Gamma")
    other_owner.email = "wang@example.com"
    other_owner.save()
    with pytest.raises(InvalidInput) as wrong:
        member_add(
            membership=owner,
            username=other_owner.username,
            email="x@example.com",
            role=Role.MEMBER,
            now=NOW,
        )
    assert wrong.value.code == "email_mismatch"
    added = member_add(
        membership=owner,
        username=other_owner.username,
        email="WANG@example.com",
        role=Role.MEMBER,
        now=NOW,
    )
    assert added.temporary_password is None
    assert added.membership.user == other_owner
    assert other_owner.memberships.count() == 2
    assert User.objects.get(pk=other_owner.pk).check_password(PASSWORD)  # password unchanged
    with pytest.raises(Conflict) as again:
        member_add(
            membership=owner,
            username=other_owner.username,
            email="wang@example.com",
            role=Role.ADMIN,
            now=NOW,
        )
    assert again.value.code == "already_member"


def test_a_new_user_needs_a_valid_username_and_e_mail(team):
    _, owner = team
    for username, email, field in [
        ("", "a@example.com", "username"),
        ("bad name!", "a@example.com", "username"),
        ("newbie", "", "email"),
        ("newbie", "not-an-address", "email"),
    ]:
        with pytest.raises(InvalidInput) as error:
            member_add(membership=owner, username=username, email=email, role="member", now=NOW)
        assert error.value.field == field, (username, email)
    with pytest.raises(InvalidInput):
        member_add(membership=owner, username="newbie", email="a@example.com", role="boss", now=NOW)
    assert not User.objects.filter(username="newbie").exists()
    assert not Email.objects.exists()


def test_the_last_owner_can_be_neither_demoted_nor_removed(team):
    account, owner = team
    for change in (
        lambda: member_role_change(membership=owner, member_id=owner.pk, role="admin", now=NOW),
        lambda: member_remove(membership=owner, member_id=owner.pk, now=NOW),
    ):
        with pytest.raises(Conflict) as error:
            change()
        assert error.value.code == "last_owner"
    assert membership_of(owner.user, account).role == Role.OWNER
    assert not MembershipEvent.objects.exists()


def test_with_a_second_owner_an_owner_may_step_down_or_leave(team):
    account, owner = team
    second = membership_of(add_member(account, role=Role.OWNER), account)
    member_role_change(membership=owner, member_id=owner.pk, role=Role.ADMIN, now=NOW)
    assert membership_of(owner.user, account).role == Role.ADMIN
    with pytest.raises(Conflict):  # now the second is the last owner
        member_remove(membership=second, member_id=second.pk, now=NOW)
    member_remove(membership=second, member_id=owner.pk, now=NOW)
    assert list(account.memberships.values_list("role", flat=True)) == [Role.OWNER]


def test_admins_manage_admins_and_members_but_never_grant_or_touch_an_owner(team):
    account, owner = team
    admin = membership_of(add_member(account, role=Role.ADMIN), account)
    member = membership_of(add_member(account, role=Role.MEMBER), account)
    with pytest.raises(Forbidden):
        member_role_change(membership=admin, member_id=member.pk, role=Role.OWNER, now=NOW)
    with pytest.raises(Forbidden):
        member_add(membership=admin, username="boss", email="b@example.com", role="owner", now=NOW)
    with pytest.raises(Forbidden):
        member_role_change(membership=admin, member_id=owner.pk, role=Role.MEMBER, now=NOW)
    with pytest.raises(Forbidden):
        member_remove(membership=admin, member_id=owner.pk, now=NOW)
    member_role_change(membership=admin, member_id=member.pk, role=Role.ADMIN, now=NOW)
    member_add(membership=admin, username="temp", email="t@example.com", role="member", now=NOW)
    member_remove(membership=admin, member_id=member.pk, now=NOW)
    assert membership_of(owner.user, account).role == Role.OWNER
    assert sorted(account.memberships.values_list("role", flat=True)) == [
        "admin",
        "member",
        "owner",
    ]


def test_members_manage_nothing(team):
    account, owner = team
    member = membership_of(add_member(account, role=Role.MEMBER), account)
    admin = membership_of(add_member(account, role=Role.ADMIN), account)
    for change in (
        lambda: member_add(
            membership=member, username="x", email="x@example.com", role="member", now=NOW
        ),
        lambda: member_role_change(membership=member, member_id=admin.pk, role="member", now=NOW),
        lambda: member_remove(membership=member, member_id=admin.pk, now=NOW),
    ):
        with pytest.raises(Forbidden):
            change()


def test_a_membership_of_another_account_is_not_found(team, account_b):
    _, owner = team
    theirs = membership_of(account_b[1], account_b[0])
    with pytest.raises(NotFound):
        member_role_change(membership=owner, member_id=theirs.pk, role="member", now=NOW)
    with pytest.raises(NotFound):
        member_remove(membership=owner, member_id=theirs.pk, now=NOW)
    assert membership_of(account_b[1], account_b[0]).role == Role.OWNER


def test_role_changes_and_removals_are_recorded_and_told_to_the_person(team):
    account, owner = team
    user = add_member(account, role=Role.MEMBER)
    target = membership_of(user, account)
    member_role_change(membership=owner, member_id=target.pk, role=Role.ADMIN, now=NOW)
    member_role_change(membership=owner, member_id=target.pk, role=Role.ADMIN, now=NOW)  # no-op
    member_remove(membership=owner, member_id=target.pk, now=NOW + timedelta(minutes=1))
    assert [(e.action, e.role_before, e.role_after) for e in MembershipEvent.objects.all()] == [
        (TeamAction.REMOVED, Role.ADMIN, ""),
        (TeamAction.ROLE_CHANGED, Role.MEMBER, Role.ADMIN),
    ]
    subjects = [e.subject for e in Email.objects.filter(to=[user.email]).order_by("pk")]
    assert len(subjects) == 2
    assert "your role changed" in subjects[0] and "removed from the team" in subjects[1]
    assert User.objects.filter(pk=user.pk).exists()  # the user stays, outside the team


# Pages


def test_the_team_page_adds_a_user_and_shows_the_password_once(team):
    account, owner = team
    client = Client()
    client.force_login(owner.user)
    page = client.get("/team/")
    assert page.status_code == 200
    assert owner.user.username in page.content.decode()
    response = client.post(
        "/team/", {"username": "zhou", "email": "zhou@example.com", "role": "member"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert 'data-testid="temporary-password"' in html
    assert "zhou" in client.get("/team/").content.decode()
    assert 'data-testid="temporary-password"' not in client.get("/team/").content.decode()
    again = client.post(
        "/team/", {"username": "zhou", "email": "zhou@example.com", "role": "member"}
    )
    assert again.status_code == 400 and "already in the team" in again.content.decode()


def test_the_team_page_refuses_to_remove_the_last_owner(team):
    account, owner = team
    client = Client()
    client.force_login(owner.user)
    response = client.post(f"/team/{owner.pk}/remove/", follow=True)
    assert "always keeps an owner" in response.content.decode()
    assert membership_of(owner.user, account).role == Role.OWNER


def test_an_admin_sees_no_owner_role_to_grant_and_members_get_403(team):
    account, owner = team
    admin_user = add_member(account, role=Role.ADMIN)
    member_user = add_member(account, role=Role.MEMBER)
    client = Client()
    client.force_login(admin_user)
    html = client.get("/team/").content.decode()
    assert '<option value="owner"' not in html
    assert client.post(f"/team/{owner.pk}/role/", {"role": "member"}).status_code == 403
    client.force_login(member_user)
    assert client.get("/team/").status_code == 403
    assert client.post(f"/team/{owner.pk}/remove/").status_code == 403


def test_a_removed_member_lands_on_their_other_account(team, account_b):
    account, owner = team
    user = add_member(account, role=Role.ADMIN)
    Membership.objects.create(account=account_b[0], user=user, role=Role.MEMBER)
    client = Client()
    client.force_login(user)
    client.post("/account/switch/", {"account": account.pk})
    member_remove(membership=owner, member_id=membership_of(user, account).pk, now=NOW)
    response = client.get("/")
    assert response.status_code == 200
    assert "Beta Corp" in response.content.decode()


def test_a_temporary_password_leads_to_choosing_ones_own_first(team):
    _, owner = team
    added = member_add(
        membership=owner, username="qian", email="qian@example.com", role="admin", now=NOW
    )
    client = Client()
    login = client.post(
        "/accounts/login/", {"username": "qian", "password": added.temporary_password}, follow=True
    )
    assert login.redirect_chain[-1][0] == "/accounts/password/"
    assert client.get("/wallet/")["Location"] == "/accounts/password/"
    token = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "qian", "password": added.temporary_password},
        format="json",
    )
    assert token.status_code == 403
    assert token.json()["codes"]["detail"] == ["password_change_required"]
    done = client.post(
        "/accounts/password/",
        {
            "old_password": added.temporary_password,
            "new_password1": "my-own-Passw0rd!",
            "new_password2": "my-own-Passw0rd!",
        },
    )
    assert done.status_code == 302 and done["Location"] == "/"
    assert User.objects.get(username="qian").password_change_required is False
    assert client.get("/wallet/").status_code == 200
