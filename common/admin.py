"""Admin pages that change state through a service: a form, the service call, its message."""

from collections.abc import Callable

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from common.exceptions import ApplicationError
from common.money import format_cny


def money_column(field: str, description: str | None = None):
    """A list column showing an amount field as ¥1,234.56, sortable by the field."""

    @admin.display(description=description or field.replace("_", " "), ordering=field)
    def show(self, obj) -> str:
        value = getattr(obj, field)
        return "—" if value is None else format_cny(value)

    show.__name__ = f"{field}_cny"
    return show


def service_form_page(
    model_admin,
    request,
    *,
    form,
    title: str,
    call: Callable[[dict], object],
    success: Callable[[object], str],
    done_url: Callable[[object], str],
    extra: dict | None = None,
):
    """On a valid POST call the service; its domain error shows on the form, nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            result = call(form.cleaned_data)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            model_admin.message_user(request, success(result), messages.SUCCESS)
            return redirect(done_url(result))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "opts": model_admin.model._meta,
        **(extra or {}),
    }
    return TemplateResponse(request, "admin/service_form.html", context)


class ReadOnlyMixin:
    """History shown, never changed: no add, change or delete (models, admins and inlines)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    """History rows under their parent: its `fields`, read-only, and no empty rows to add."""

    extra = 0

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ServiceFormMixin:
    """An add page that calls a wallet service instead of saving a model form."""

    service_form = None
    service_title = ""  # subclasses define call_service(request, data) -> message
    change_list_template = "admin/service_change_list.html"  # the add button says what it does

    def changelist_view(self, request, extra_context=None):
        extra = {"service_title": self.service_title, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def add_view(self, request, form_url="", extra_context=None):
        changelist = f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"
        return service_form_page(
            self,
            request,
            form=self.service_form(request.POST or None, initial=request.GET.dict() or None),
            title=self.service_title,
            call=lambda data: self.call_service(request, data),
            success=lambda message: message,
            done_url=lambda _message: reverse(changelist),
        )

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
