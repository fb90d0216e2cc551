"""The arrears countdown now lives on the wallet (copied by wallet 0002)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0002_account_arrears_reminded_at_account_locked_at"),
        ("wallet", "0002_arrears_countdown_from_accounts"),
    ]

    operations = [
        migrations.RemoveField(model_name="account", name="arrears_since"),
        migrations.RemoveField(model_name="account", name="arrears_reminded_at"),
        migrations.RemoveField(model_name="account", name="locked_at"),
    ]
