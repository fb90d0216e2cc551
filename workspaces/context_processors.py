"""Template context: the account the user acts for, and the accounts they can switch to."""

from common.exceptions import NotFound


def current_membership(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from workspaces.views import current_membership as resolve
    from workspaces.views import membership_choices

    try:
        membership = resolve(request)
    except NotFound:
        return {"current_membership": None, "memberships": []}
    return {"current_membership": membership, "memberships": membership_choices(request)}
