"""The purchase pages: new package (six steps), traffic packs, upgrade and renewal of a
subscription, the order page. They call the checkout services that the API calls."""

import contextlib
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dates import billing_day
from common.exceptions import ApplicationError, InvalidInput
from common.money import format_cny
from orders.forms import PurchaseForm, page_field, workspace_choice, workspace_ids_from
from orders.models import OrderKind
from orders.paying import pay_step_context
from orders.requests import MAX_CAPACITY, OrderRequest
from orders.selectors import order_get, order_payment_parts
from orders.services.checkout import order_place
from orders.services.kinds import order_quote
from orders.services.payment import payment_suggestion
from packages import pricing
from packages.selectors import plan_list, traffic_discount_tier_list, traffic_pack_spec_list
from quota.estimate import estimate_cheapest, usage_replay_estimate
from quota.selectors import subscription_get, subscription_view, workspace_subscriptions_on
from quota.services import PackRequest
from wallet.selectors import account_balances, usable_balances
from wallet.services.instruments import usable
from workspaces.selectors import membership_require_owner, workspace_list
from workspaces.views import billing_membership, current_membership


def _catalog_context() -> dict:
    specs = list(traffic_pack_spec_list())
    tiers = traffic_discount_tier_list()
    plans = list(plan_list())
    return {
        "plans": [
            {
                "plan": plan,
                "quotas": [
                    (quota.item.display_name, quota.daily_quantity) for quota in plan.quotas.all()
                ],
                "list_value": pricing.plan_list_value(plan=plan),
                "saving": pricing.plan_saving(plan=plan),
            }
            for plan in plans
        ],
        "pack_specs": specs,
        "pack_catalog": {
            spec.item.code: {
                "name": spec.item.display_name,
                "base": spec.base_unit,
                "min": spec.min_capacity,
                "price": str(spec.unit_price),
            }
            for spec in specs
        },
        "discount_tiers": [
            {"multiple": tier.min_multiple, "rate": str(tier.rate)} for tier in tiers
        ],
    }


def _wallet_context(account, now) -> dict:
    from wallet.models import PrepaidCard, Voucher

    return {
        "balances": account_balances(account=account),
        "usable": usable_balances(account=account, now=now),
        "pay_vouchers": list(
            usable(Voucher.objects.filter(account=account), now=now).order_by("expires_at", "pk")
        ),
        "pay_cards": list(
            usable(PrepaidCard.objects.filter(account=account), now=now).order_by(
                "expires_at", "pk"
            )
        ),
    }


def _buy_texts() -> dict:
    """Every text that buy.js shows, in the page's language (read with json_script)."""
    return {
        "total": _("Total"),
        "pay": _("Pay"),
        "perDay": _("/day"),
        "packHint": _("min %(min)s, step %(step)s"),
        "moveUp": _("Move up"),
        "moveDown": _("Move down"),
        "remove": _("Remove"),
        "add": _("Add"),
        "noDays": _("No billed days yet for these workspaces: nothing to replay."),
        "replay": _(
            "Replaying the last %(days)s billed days of the chosen workspaces: "
            "with no package they cost %(amount)s."
        ),
        "plan": _("Last %(days)s days: %(total)s (package share %(share)s + overage %(overage)s)"),
        "withPacks": _("; with your packs %(total)s"),
        "missing": _("%(missing)s missing"),
        "why": _(
            "This order costs %(total)s; usable for it: cash balance %(cash)s, prepaid cards "
            "%(cards)s, vouchers %(vouchers)s."
        ),
        "payMissing": _("Pay is not possible: %(missing)s missing (see below how to top up)."),
        "payNoTotal": _("Complete the order above: Pay needs its total."),
        "payAllocate": _("Allocate %(amount)s more: the parts must add up to the total."),
        "payOver": _("The parts are %(amount)s above the total."),
        "payFix": _("Correct the amounts marked above."),
        "notAmount": _("Not an amount: write it like 100.00."),
        "cheapest": _("Cheapest"),
    }


def _workspace_context(account, *, submitted, today) -> dict:
    """The account's workspaces: free ones, commercial ones still free to bind, the ones chosen
    in the submitted form (in its order), and the ones bound today with their subscription."""
    workspaces = list(workspace_list(account=account))
    bound = workspace_subscriptions_on(workspace_ids=[w.pk for w in workspaces], day=today)
    chosen_ids = [value for value in workspace_choice(submitted) if isinstance(value, int)]
    chosen = [w for wid in chosen_ids for w in workspaces if w.pk == wid]
    return {
        "free_workspaces": [w for w in workspaces if w.plan == "free"],
        "available_workspaces": [
            w
            for w in workspaces
            if w.plan == "commercial" and w.pk not in bound and w not in chosen
        ],
        "chosen_workspaces": chosen,
        "bound_workspaces": [(w, bound[w.pk]) for w in workspaces if w.pk in bound],
    }


def _render_order_page(
    request,
    *,
    membership,
    kind,
    subscription=None,
    errors=None,
    submitted=None,
    quote=None,
    suggestion=None,
    payment=None,
    status=200,
):
    now = timezone.now()
    today = billing_day(now)
    account = membership.account
    submitted = submitted or {}
    errors = errors or {}
    wallet = _wallet_context(account, now)
    context = {
        "kind": kind,
        "subscription": subscription,
        "subscription_view": subscription_view(subscription=subscription, today=today)
        if subscription
        else None,
        "membership": membership,
        **_workspace_context(account, submitted=submitted, today=today),
        "errors": errors,
        "submitted": submitted,
        "submitted_packs": list(
            zip(submitted.getlist("pack_item"), submitted.getlist("pack_capacity"), strict=False)
        )
        if hasattr(submitted, "getlist")
        else [],
        "quote": quote,
        "idempotency_key": (submitted.get("idempotency_key") if submitted else None)
        or uuid.uuid4().hex,
        "today": today,
        "buy_texts": _buy_texts(),
        **_catalog_context(),
        **wallet,
        **pay_step_context(
            account,
            quote=quote,
            suggestion=suggestion,
            submitted=submitted,
            errors=errors,
            payment=payment,
            wallet=wallet,
        ),
    }
    return render(request, "orders/buy.html", context, status=status)


def _quote_with_suggestion(account, order: OrderRequest, now):
    quote = order_quote(account=account, request=order, today=billing_day(now))
    return quote, payment_suggestion(account=account, quote=quote, now=now)


def _quote_if_possible(account, form: PurchaseForm):
    """The quote and suggestion of a validated form's order, or (None, None) when the order
    cannot be priced yet (the page shows why elsewhere)."""
    order = form.cleaned_data.get("order") if hasattr(form, "cleaned_data") else None
    if order is not None:
        with contextlib.suppress(ApplicationError):
            return _quote_with_suggestion(account, order, now=timezone.now())
    return None, None


def _render_with_error(request, *, form: PurchaseForm, errors: dict, status: int, page: dict):
    """The page again with the error at its step, and the quote when it can still be computed."""
    quote, suggestion = _quote_if_possible(page["membership"].account, form)
    return _render_order_page(
        request,
        errors=errors,
        quote=quote,
        suggestion=suggestion,
        payment=form.cleaned_data.get("payment") if hasattr(form, "cleaned_data") else None,
        status=status,
        **page,
    )


def _first_load(request, *, membership, kind, subscription):
    """A fresh page, priced at once when the link names the whole order (a renewal, an upgrade
    with ?plan=): the missing amount shows before anything is typed, with or without JS."""
    initial = request.GET.copy()
    form = PurchaseForm(
        initial, kind=kind, subscription_id=subscription.pk if subscription else None, pay=False
    )
    form.is_valid()
    quote, suggestion = _quote_if_possible(membership.account, form)
    return _render_order_page(
        request,
        membership=membership,
        kind=kind,
        subscription=subscription,
        submitted=initial,
        quote=quote,
        suggestion=suggestion,
    )


def _handle(request, *, membership, kind, subscription=None):
    if request.method != "POST":
        return _first_load(request, membership=membership, kind=kind, subscription=subscription)
    membership_require_owner(membership=membership)
    post = request.POST
    reviewing = post.get("action") == "review"
    form = PurchaseForm(
        post,
        kind=kind,
        subscription_id=subscription.pk if subscription else None,
        pay=not reviewing,
    )
    now = timezone.now()
    page = {"membership": membership, "kind": kind, "subscription": subscription, "submitted": post}
    if not form.is_valid():
        return _render_with_error(
            request, form=form, errors=form.first_error(), status=400, page=page
        )
    if reviewing:
        try:
            quote, suggestion = _quote_with_suggestion(
                membership.account, form.cleaned_data["order"], now
            )
        except ApplicationError as error:
            return _render_order_page(
                request, errors={page_field(error.field): error.message}, status=400, **page
            )
        return _render_order_page(request, quote=quote, suggestion=suggestion, **page)
    key = form.cleaned_data["idempotency_key"]
    try:
        order, created = order_place(
            membership=membership,
            request=form.cleaned_data["order"],
            payment=form.cleaned_data["payment"],
            idempotency_key=f"web-{key}" if key else None,
            now=now,
        )
    except ApplicationError as error:
        return _render_with_error(
            request,
            form=form,
            errors={page_field(error.field): error.message},
            status=error.status_code if error.status_code != 404 else 400,
            page=page,
        )
    if created:
        messages.success(request, _("Order #%(id)s is paid.") % {"id": order.pk})
    else:
        messages.info(
            request,
            _("Order #%(id)s was already placed; nothing was charged twice.") % {"id": order.pk},
        )
    return redirect("order-detail", order_id=order.pk)


@login_required
def buy(request: HttpRequest) -> HttpResponse:
    """A new package in six steps: upgrade, plan, traffic packs, workspaces, quote, payment."""
    membership = membership_require_owner(membership=current_membership(request))
    return _handle(request, membership=membership, kind=OrderKind.NEW_PACKAGE)


@login_required
def subscription_order(request: HttpRequest, subscription_id: int, kind: str) -> HttpResponse:
    """Traffic packs, an upgrade or the renewal of one subscription."""
    membership = current_membership(request)
    subscription = subscription_get(account=membership.account, subscription_id=subscription_id)
    membership_require_owner(membership=membership)
    if kind not in (OrderKind.TRAFFIC_PACKS, OrderKind.UPGRADE, OrderKind.RENEWAL):
        raise InvalidInput(_("Unknown kind of order."), field="kind")
    return _handle(request, membership=membership, kind=kind, subscription=subscription)


def _cheapest_json(cheapest) -> dict | None:
    """Which choice is cheapest for the replayed usage, in one plain sentence."""
    if cheapest is None:
        return None
    saving = format_cny(cheapest.daily_saving)
    if cheapest.plan is not None:
        text = _(
            "The %(plan)s is the cheapest for this usage: %(saving)s a day less than pay-as-you-go."
        ) % {"plan": cheapest.plan.name, "saving": saving}
    elif cheapest.daily_saving:
        text = _(
            "Pay-as-you-go is the cheapest for this usage: %(saving)s a day less than the %(plan)s."
        ) % {"plan": cheapest.compared_with.name, "saving": saving}
    else:
        text = _("Pay-as-you-go costs the same as the %(plan)s for this usage.") % {
            "plan": cheapest.compared_with.name
        }
    return {
        "choice": cheapest.plan.code if cheapest.plan else "payg",
        "daily_saving": f"{cheapest.daily_saving:.2f}",
        "text": text,
    }


@login_required
def buy_estimate(request: HttpRequest) -> JsonResponse:
    """JSON for the plan step: the last 30 billed days of the chosen workspaces under each plan."""
    membership = billing_membership(request)
    account_workspaces = set(
        workspace_list(account=membership.account).values_list("pk", flat=True)
    )
    workspace_ids = [
        wid
        for wid in workspace_ids_from(request.GET.get("workspaces", ""))
        if wid in account_workspaces
    ]
    packs = []
    for part in request.GET.get("packs", "").split(","):
        item, _sep, capacity = part.partition(":")
        # ASCII digits only ("²".isdigit() is true) and no larger than an order may buy
        if item and capacity.isascii() and capacity.isdigit() and 0 < int(capacity) <= MAX_CAPACITY:
            packs.append(PackRequest(item_code=item, capacity=int(capacity)))
    estimate = usage_replay_estimate(
        workspace_ids=workspace_ids, packs=packs, today=billing_day(timezone.now())
    )
    return JsonResponse(
        {
            "days": len(estimate.days),
            "payg_only": f"{estimate.payg_only:.2f}",
            "cheapest": _cheapest_json(estimate_cheapest(estimate, with_packs=bool(packs))),
            "plans": {
                entry.plan.code: {
                    "package_cost": f"{entry.package_cost:.2f}",
                    "packs_cost": f"{entry.packs_cost:.2f}",
                    "overage_without_packs": f"{entry.overage_without_packs:.2f}",
                    "overage_with_packs": f"{entry.overage_with_packs:.2f}",
                    "total_without_packs": f"{entry.total_without_packs:.2f}",
                    "total_with_packs": f"{entry.total_with_packs:.2f}",
                }
                for entry in estimate.plans
            },
        }
    )


@login_required
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    membership = current_membership(request)
    order = order_get(account=membership.account, order_id=order_id)
    billing_membership(request)
    view = None
    if order.subscription_id:
        view = subscription_view(subscription=order.subscription, today=billing_day(timezone.now()))
    context = {
        "order": order,
        "subscription_view": view,
        "payment_parts": order_payment_parts(order=order),
    }
    return render(request, "orders/order_detail.html", context)
