"""An engagement's inquiry is now leads.LeadInquiry (state only: same table, same column)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journeys", "0005_follows_the_work"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="engagement",
                    name="inquiry",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="engagements",
                        to="leads.leadinquiry",
                    ),
                ),
            ],
        ),
    ]
