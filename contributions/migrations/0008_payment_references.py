"""Issue 15: each dues invoice carries its ISO 11649 payment reference; an operational
member's money pledge gets an invoice of its own, paid by money entries of the ledger."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal

from django.db import migrations, models

import meetcoop.core.money
from meetcoop.core.banking import rf_reference


def fill_references(apps, schema_editor):
    DuesInvoice = apps.get_model("contributions", "DuesInvoice")
    rows = list(DuesInvoice.objects.only("pk", "membership_id", "period_start"))
    for row in rows:
        row.reference = rf_reference(f"D{row.membership_id}{row.period_start:%Y%m%d}")
    DuesInvoice.objects.bulk_update(rows, ["reference"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0007_waged_role_hours"),
        ("membership", "0015_reseller_availability"),
    ]

    operations = [
        migrations.AddField(
            model_name="duesinvoice",
            name="reference",
            field=models.CharField(
                default="", editable=False, max_length=25, verbose_name="payment reference"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="duesinvoice",
            name="reference",
            field=models.CharField(
                editable=False, max_length=25, unique=True, verbose_name="payment reference"
            ),
        ),
        migrations.CreateModel(
            name="PledgeInvoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        max_digits=12,
                        validators=[django.core.validators.MinValueValidator(Decimal("0.01"))],
                        verbose_name="amount",
                    ),
                ),
                ("currency", meetcoop.core.money.CurrencyField()),
                ("due_on", models.DateField(verbose_name="due on")),
                ("issued_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="issued")),
                (
                    "reference",
                    models.CharField(editable=False, max_length=25, unique=True, verbose_name="payment reference"),
                ),
                (
                    "membership",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pledge_invoice",
                        to="membership.membership",
                        verbose_name="membership",
                    ),
                ),
            ],
            options={
                "verbose_name": "pledge invoice",
                "verbose_name_plural": "pledge invoices",
                "ordering": ["-issued_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__gt", 0)), name="pledge_invoice_positive"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="pledge_invoice",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="contributions.pledgeinvoice",
                verbose_name="pays the pledge invoice",
            ),
        ),
    ]
