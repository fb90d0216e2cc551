"""The arrears countdown (since, reminded, locked) moves from workspaces.Account to the wallet,
next to the debt it counts down; every value is copied, both ways."""

from django.db import migrations, models

FIELDS = ("arrears_since", "arrears_reminded_at", "locked_at")


def copy_to_wallets(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        # An account that counts down always has a wallet; make sure of it all the same.
        cursor.execute(
            "INSERT INTO wallet_wallet (account_id, cash_balance, arrears, updated_at) "
            "SELECT id, 0, 0, now() FROM workspaces_account WHERE "
            + " OR ".join(f"{field} IS NOT NULL" for field in FIELDS)
            + " ON CONFLICT (account_id) DO NOTHING"
        )
        cursor.execute(
            "UPDATE wallet_wallet AS wallet SET "
            + ", ".join(f"{field} = account.{field}" for field in FIELDS)
            + " FROM workspaces_account AS account WHERE account.id = wallet.account_id"
        )


def copy_to_accounts(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE workspaces_account AS account SET "
            + ", ".join(f"{field} = wallet.{field}" for field in FIELDS)
            + " FROM wallet_wallet AS wallet WHERE account.id = wallet.account_id"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0001_models_from_orders"),
        ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="wallet",
            name="arrears_since",
            field=models.DateTimeField(
                blank=True,
                help_text="When the account first owed money; empty when it owes nothing.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="wallet",
            name="arrears_reminded_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="wallet",
            name="locked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(copy_to_wallets, copy_to_accounts),
    ]
