"""What ends a user's API tokens besides their expiry: a new password, a logout of the portal.

Connected in WorkspacesConfig.ready. Both call the one service that revokes tokens.
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import pre_save
from django.dispatch import receiver

from workspaces.services import api_tokens_revoke_all


def _is_hash_upgrade(user, update_fields) -> bool:
    """Django re-hashes a password it has just checked when its hasher got stronger
    (check_password's setter: set_password, `_password = None`, save(update_fields=["password"])):
    the same password under a new hash, which is no password change."""
    return (
        update_fields is not None
        and set(update_fields) == {"password"}
        and getattr(user, "_password", None) is None
    )


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="tokens_end_with_the_password")
def tokens_end_with_the_password(sender, instance, raw=False, update_fields=None, **kwargs):
    """A new password by any path (pages, admin, changepassword, set_password and save, an
    unusable password) revokes every API token of the user."""
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "password" not in update_fields:
        return  # e.g. last_login at each sign-in: no query
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is None or stored == instance.password or _is_hash_upgrade(instance, update_fields):
        return
    api_tokens_revoke_all(user_id=instance.pk)


@receiver(user_logged_out, dispatch_uid="tokens_end_with_the_session")
def tokens_end_with_the_session(sender, request, user, **kwargs):
    """Logging out of the portal (or admin) signs the user out of the API too."""
    if user is not None and user.pk is not None:
        api_tokens_revoke_all(user_id=user.pk)
