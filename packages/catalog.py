"""Versions of the catalog: a plan that was sold is frozen (its price, term and quotas explain
the bills of past days); a change is a new version under a new code."""

from django.db import transaction

from packages.models import Plan, PlanQuota

MAX_CODE = 40


def plan_is_sold(*, plan: Plan) -> bool:
    """Whether anything outside the catalog points at the plan (a subscription's plan period).
    Found through the model's reverse relations, so that the catalog imports no app above it."""
    for relation in Plan._meta.get_fields(include_hidden=True):
        if relation.concrete or not relation.auto_created or relation.related_model is PlanQuota:
            continue
        rows = relation.related_model._default_manager.filter(**{relation.field.name: plan})
        if rows.exists():
            return True
    return False


def _next_code(code: str) -> str:
    base = code.rsplit("-v", 1)[0] if code.rsplit("-v", 1)[-1].isdigit() else code
    number = 2
    while True:
        suffix = f"-v{number}"
        candidate = f"{base[: MAX_CODE - len(suffix)]}{suffix}"
        if not Plan.objects.filter(code=candidate).exists():
            return candidate
        number += 1


def plan_new_version(*, plan: Plan) -> Plan:
    """A copy of the plan and its quotas under a new code, not offered until an operator makes
    it active (after editing it); the sold plan stays as it was."""
    with transaction.atomic():
        copy = Plan.objects.create(
            code=_next_code(plan.code),
            name=plan.name,
            price=plan.price,
            term_days=plan.term_days,
            is_active=False,
            display_order=plan.display_order,
        )
        PlanQuota.objects.bulk_create(
            PlanQuota(plan=copy, item_id=quota.item_id, daily_quantity=quota.daily_quantity)
            for quota in plan.quotas.all()
        )
    return copy
