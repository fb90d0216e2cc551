"""The wallet's models, statements and spend alerts left orders (their tables were renamed by
wallet 0001, billing 0001 and quota 0007); orders forgets them."""

from django.db import migrations

from common.migration_moves import models_moved_out


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_schedules"),
        ("wallet", "0001_models_from_orders"),
        ("billing", "0001_statements_from_orders"),
        ("quota", "0007_spend_alerts_from_orders"),
    ]

    operations = models_moved_out(
        names=[
            "BillSettlement",
            "LedgerEntry",
            "PrepaidCard",
            "SpendAlert",
            "SpendAlertNotice",
            "Statement",
            "Voucher",
            "Wallet",
        ]
    )
