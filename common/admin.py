"""Admin pages that change state through a service: a form, the service call, its message."""

from collections.abc import Callable

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from common.exceptions import ApplicationError


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
