"""The lead models now belong to the leads app (state only; their tables are renamed there)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_lead_models_unlinked"),
        ("journeys", "0006_engagement_inquiry_in_leads"),
        ("leads", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="touchpoint",
                    name="inquiry",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="touchpoints",
                        to="leads.leadinquiry",
                    ),
                ),
                migrations.RemoveField(
                    model_name="leadreviewitem",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="leadreviewitem",
                    name="resolved_by",
                ),
                migrations.RemoveField(
                    model_name="leadsettings",
                    name="default_assignee",
                ),
                migrations.RemoveField(
                    model_name="leadsettings",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="routingrule",
                    name="assignee",
                ),
                migrations.RemoveField(
                    model_name="routingrule",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="routingrule",
                    name="team",
                ),
                migrations.DeleteModel(
                    name="IdempotencyKey",
                ),
                migrations.DeleteModel(
                    name="LeadInquiry",
                ),
                migrations.DeleteModel(
                    name="LeadReviewItem",
                ),
                migrations.DeleteModel(
                    name="LeadSettings",
                ),
                migrations.DeleteModel(
                    name="RoutingRule",
                ),
            ],
        ),
    ]
