"""One credit per remittance: a `Remittance` per account and normalised reference, unique.

Databases where a remittance was credited twice (the bug) hold duplicate cash_credit entries;
the ledger is append-only, so they stay as they are: each (account, reference) gets the
remittance of its first credit (by time, then id), and the later duplicates are the cash_credit
entries without a remittance. Backwards, the table is dropped and nothing else changes."""

import django.db.models.deletion
from django.db import migrations, models

BATCH = 5000


def remittance_key(reference: str) -> str:
    """wallet.services.balances.remittance_key as of this migration (it must not change under
    it)."""
    return " ".join(reference.split()).upper()


def remittances_from_first_credits(apps, schema_editor):
    LedgerEntry = apps.get_model("wallet", "LedgerEntry")
    Remittance = apps.get_model("wallet", "Remittance")
    credits = (
        LedgerEntry.objects.filter(kind="cash_credit", amount__gt=0)
        .exclude(reference="")
        .order_by("account_id", "created_at", "pk")
        .values_list("pk", "account_id", "reference", "amount", "created_at")
    )
    account, seen, batch = None, set(), []
    for pk, account_id, reference, amount, created_at in credits.iterator(chunk_size=BATCH):
        if account_id != account:
            account, seen = account_id, set()
        key = remittance_key(reference)[:200]
        if not key or key in seen:
            continue  # a later credit of the same remittance: stays in the ledger, unlinked
        seen.add(key)
        batch.append(
            Remittance(
                account_id=account_id,
                reference=key,
                amount=amount,
                credited_at=created_at,
                entry_id=pk,
            )
        )
        if len(batch) >= BATCH:
            Remittance.objects.bulk_create(batch)
            batch = []
    Remittance.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("wallet", "0002_arrears_countdown_from_accounts"),
        ("workspaces", "0003_arrears_countdown_to_wallet"),
    ]

    operations = [
        migrations.CreateModel(
            name="Remittance",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reference", models.CharField(max_length=200)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                ("credited_at", models.DateTimeField()),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="remittances",
                        to="workspaces.account",
                    ),
                ),
                (
                    "entry",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="remittance",
                        to="wallet.ledgerentry",
                    ),
                ),
            ],
            options={
                "ordering": ["-credited_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("account", "reference"), name="remittance_once_per_account"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="remittance_amount_positive"
                    ),
                ],
            },
        ),
        migrations.RunPython(remittances_from_first_credits, migrations.RunPython.noop),
    ]
