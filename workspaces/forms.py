"""Forms of the team pages."""

from django import forms
from django.utils.translation import gettext_lazy

from workspaces.models import Role


class MemberAddForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    email = forms.CharField(label=gettext_lazy("E-mail"), max_length=254, required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices, initial=Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
