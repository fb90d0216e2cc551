"""An order's lines become rows (OrderLine) instead of JSON, every line kept, in order; status
gets its choices."""

from decimal import Decimal

from django.db import migrations, models


def lines_to_rows(apps, schema_editor):
    order_model = apps.get_model("orders", "Order")
    line_model = apps.get_model("orders", "OrderLine")
    rows = []
    # values_list, not instances: here `lines` is both the JSON column and the new reverse
    # accessor of OrderLine, and an instance would take the accessor.
    orders = order_model.objects.order_by("pk").values_list("pk", "lines")
    for order_id, lines in orders.iterator(chunk_size=2000):
        for position, line in enumerate(lines or []):
            rows.append(
                line_model(
                    order_id=order_id,
                    position=position,
                    description=line["description"],
                    quantity=line["quantity"],
                    unit_price=Decimal(line["unit_price"]),
                    amount=Decimal(line["amount"]),
                    item_code=line.get("item") or "",
                    capacity=line.get("capacity"),
                )
            )
        if len(rows) >= 5000:
            line_model.objects.bulk_create(rows)
            rows = []
    line_model.objects.bulk_create(rows)


def rows_to_lines(apps, schema_editor):
    order_model = apps.get_model("orders", "Order")
    line_model = apps.get_model("orders", "OrderLine")
    lines: dict[int, list] = {}
    for line in line_model.objects.order_by("order_id", "position"):
        entry = {
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": f"{line.unit_price:.2f}",
            "amount": f"{line.amount:.2f}",
        }
        if line.item_code:
            entry["item"], entry["capacity"] = line.item_code, line.capacity
        lines.setdefault(line.order_id, []).append(entry)
    for order_id in order_model.objects.order_by("pk").values_list("pk", flat=True):
        order_model.objects.filter(pk=order_id).update(lines=lines.get(order_id, []))


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_wallet_statements_alerts_moved_out")]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="status",
            field=models.CharField(choices=[("paid", "Paid")], default="paid", max_length=10),
        ),
        migrations.CreateModel(
            name="OrderLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("description", models.CharField(max_length=300)),
                ("quantity", models.BigIntegerField()),
                ("unit_price", models.DecimalField(decimal_places=2, max_digits=14)),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14)),
                (
                    "item_code",
                    models.CharField(
                        blank=True, help_text="The item of a traffic pack's line.", max_length=32
                    ),
                ),
                (
                    "capacity",
                    models.BigIntegerField(
                        blank=True, help_text="A traffic pack's daily capacity.", null=True
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT,
                        related_name="lines",
                        to="orders.order",
                    ),
                ),
            ],
            options={
                "ordering": ["order_id", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("order", "position"), name="one_line_per_position"
                    )
                ],
            },
        ),
        migrations.RunPython(lines_to_rows, rows_to_lines),
        # Undone, the column comes back empty for every row, then rows_to_lines fills it.
        migrations.AlterField(
            model_name="order", name="lines", field=models.JSONField(default=list)
        ),
        migrations.RemoveField(model_name="order", name="lines"),
    ]
