"""API tokens move from DRF's authtoken (the key in plain text, never expiring) to
django-rest-knox (a digest and an expiry): each old key becomes a knox token with the same
secret, so its client keeps sending `Authorization: Token <key>`; the plain-text rows are
deleted. A database made after the move has no authtoken table, and nothing to convert."""

from django.db import migrations
from django.utils import timezone

OLD_TABLE = "authtoken_token"


def convert_drf_tokens(apps, schema_editor) -> None:
    # knox finds a token by its first TOKEN_KEY_LENGTH characters and compares the digest of
    # all of it: a 40-character DRF key works as well as knox's own 64.
    from knox.crypto import hash_token
    from knox.settings import CONSTANTS, knox_settings

    connection = schema_editor.connection
    if OLD_TABLE not in connection.introspection.table_names():
        return
    auth_token = apps.get_model("knox", "AuthToken")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "key", "user_id" FROM "{OLD_TABLE}" ORDER BY "key"')
        old_tokens = cursor.fetchall()
    expiry = timezone.now() + knox_settings.TOKEN_TTL
    auth_token.objects.using(connection.alias).bulk_create(
        [
            auth_token(
                digest=hash_token(key),
                token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH],
                user_id=user_id,
                expiry=expiry,
            )
            for key, user_id in old_tokens
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{OLD_TABLE}"')


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0003_arrears_countdown_to_wallet"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    # Backwards the plain-text keys are gone: clients log in again.
    operations = [migrations.RunPython(convert_drf_tokens, migrations.RunPython.noop)]
