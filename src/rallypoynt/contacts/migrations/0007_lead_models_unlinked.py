"""The lead models move to the leads app (state only: no table or row changes here)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_ack_window"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="idempotencykey",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="leadinquiry",
                    name="assigned_to",
                ),
                migrations.RemoveField(
                    model_name="leadinquiry",
                    name="contact",
                ),
                migrations.RemoveField(
                    model_name="leadinquiry",
                    name="org",
                ),
                migrations.RemoveField(
                    model_name="leadinquiry",
                    name="pond_team",
                ),
                migrations.RemoveField(
                    model_name="leadinquiry",
                    name="routing_rule",
                ),
                migrations.RemoveField(
                    model_name="leadreviewitem",
                    name="inquiry",
                ),
            ],
        ),
    ]
