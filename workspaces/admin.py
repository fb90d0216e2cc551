from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from common.exceptions import Conflict
from workspaces.models import Account, Membership, User, Workspace
from workspaces.services import workspace_upgrade_by_staff


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fk_name = "account"


class UserMembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["account"]
    fk_name = "user"


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
    model = Workspace
    extra = 0
    fields = ["name", "plan", "status", "created_at"]
    readonly_fields = ["created_at"]
    show_change_link = True


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


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "account", "plan", "status", "created_at", "upgraded_at"]
    list_filter = ["plan", "status"]
    search_fields = ["name", "account__name", "=id"]
    list_select_related = ["account"]
    autocomplete_fields = ["account"]
    readonly_fields = ["plan", "created_at", "upgraded_at", "upgraded_by"]
    date_hierarchy = "created_at"
    actions = ["upgrade_to_commercial"]

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
