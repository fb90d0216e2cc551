"""Django admin of users, accounts, memberships and workspaces.

Nothing money depends on is edited by hand: a workspace's account is fixed once created, its
status only shows the wallet's arrears countdown, its plan changes by the upgrade action, and
an account always keeps an owner (owners are not deleted, the last one is not demoted).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils import timezone

from common.exceptions import Conflict
from workspaces.models import Account, Membership, Role, User, Workspace
from workspaces.services import account_workspace_status, workspace_upgrade_by_staff

OWNER_NOT_DELETED = "An owner's membership is not deleted: make them admin or member first."
LAST_OWNER_STAYS = "An account keeps an owner: make another member owner first."


def _was_owner(membership: Membership) -> bool:
    if membership.pk is None:
        return False
    return Membership.objects.filter(pk=membership.pk, role=Role.OWNER).exists()


class MembershipForm(forms.ModelForm):
    """The last owner of an account is not demoted."""

    def clean(self):
        cleaned = super().clean()
        membership = self.instance
        demoted = cleaned.get("role") not in (None, Role.OWNER) and _was_owner(membership)
        if demoted:
            others = Membership.objects.filter(account_id=membership.account_id, role=Role.OWNER)
            if not others.exclude(pk=membership.pk).exists():
                raise ValidationError(LAST_OWNER_STAYS)
        return cleaned


class MembershipFormSet(forms.BaseInlineFormSet):
    """Rows of one account (or one user): owners are not deleted, the account keeps an owner."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if _was_owner(form.instance):
                raise ValidationError(OWNER_NOT_DELETED)
        if self.fk.name != "account" or self.instance.pk is None:
            return
        kept = [form for form in self.forms if form not in self.deleted_forms]
        owners = [form for form in kept if form.cleaned_data.get("role") == Role.OWNER]
        had_owner = Membership.objects.filter(account=self.instance, role=Role.OWNER).exists()
        if had_owner and not owners:
            raise ValidationError(LAST_OWNER_STAYS)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["user"]
    fk_name = "account"


class UserMembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    formset = MembershipFormSet
    extra = 0
    autocomplete_fields = ["account"]
    fk_name = "user"

    def get_readonly_fields(self, request, obj=None):
        return ["account"] if obj else []  # a membership never moves to another account


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [UserMembershipInline]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "is_staff",
        "is_active",
        "last_login",
    ]


class WorkspaceInline(admin.TabularInline):
    """The account's workspaces, renamed here; plan and status change only through services."""

    model = Workspace
    extra = 0
    fields = ["name", "plan", "status", "created_at"]
    readonly_fields = ["plan", "status", "created_at"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workspace_count", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "memberships__user__username", "memberships__user__email"]
    date_hierarchy = "created_at"
    inlines = [MembershipInline, WorkspaceInline]

    @admin.display(description="workspaces")
    def workspace_count(self, account: Account) -> int:
        return account.workspaces.count()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "account__name"]
    list_select_related = ["user", "account"]
    autocomplete_fields = ["user", "account"]
    form = MembershipForm

    def get_readonly_fields(self, request, obj=None):
        return ["user", "account"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.role != Role.OWNER

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would take owners too
        return actions


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "account", "plan", "status", "created_at", "upgraded_at"]
    list_filter = ["plan", "status"]
    search_fields = ["name", "account__name", "=id"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    readonly_fields = ["plan", "status", "created_at", "upgraded_at", "upgraded_by"]
    date_hierarchy = "created_at"
    actions = ["upgrade_to_commercial"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["account"] if obj else []  # its bills and subscriptions belong to the account
        return [*fixed, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if not change:  # a new workspace of an account in arrears shows it at once
            obj.status = account_workspace_status(account=obj.account)
        super().save_model(request, obj, form, change)

    @admin.action(description="Upgrade selected free workspaces to commercial")
    def upgrade_to_commercial(self, request, queryset):
        upgraded = 0
        for workspace in queryset.filter(plan="free").order_by("pk"):
            try:
                workspace_upgrade_by_staff(
                    workspace_id=workspace.pk, actor=request.user, now=timezone.now()
                )
            except Conflict:
                continue
            upgraded += 1
        self.message_user(
            request, f"{upgraded} workspace(s) upgraded to commercial.", messages.SUCCESS
        )
