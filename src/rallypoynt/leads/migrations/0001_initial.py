"""The lead models, taken over from contacts as they are (state only; 0002 renames the tables)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contacts", "0007_lead_models_unlinked"),
        ("orgs", "0004_invitation_unique_within_org"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RoutingRule",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("name", models.CharField(max_length=120)),
                        ("position", models.PositiveIntegerField(default=0)),
                        ("is_active", models.BooleanField(default=True)),
                        ("sources", models.JSONField(blank=True, default=list)),
                        ("lead_types", models.JSONField(blank=True, default=list)),
                        ("postal_codes", models.JSONField(blank=True, default=list)),
                        ("cities", models.JSONField(blank=True, default=list)),
                        ("languages", models.JSONField(blank=True, default=list)),
                        (
                            "price_min",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True
                            ),
                        ),
                        (
                            "price_max",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True
                            ),
                        ),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("assign", "Assign to a member"),
                                    ("round_robin", "Round robin within a team"),
                                    ("pond", "First to claim (pond)"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("pond_timeout_minutes", models.PositiveIntegerField(default=15)),
                        ("rr_position", models.PositiveIntegerField(default=0)),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="orgs.membership",
                            ),
                        ),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                            ),
                        ),
                        (
                            "team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="orgs.team",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contacts_routingrule",
                        "ordering": ["position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="LeadInquiry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("api", "API"),
                                    ("email", "E-mail"),
                                    ("csv", "CSV import"),
                                    ("web", "Entered by hand"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("source", models.CharField(blank=True, max_length=100)),
                        (
                            "lead_type",
                            models.CharField(
                                choices=[
                                    ("buyer", "Buyer"),
                                    ("seller", "Seller"),
                                    ("renter", "Renter"),
                                ],
                                default="buyer",
                                max_length=10,
                            ),
                        ),
                        ("message", models.TextField(blank=True)),
                        ("timeframe", models.CharField(blank=True, max_length=100)),
                        ("property", models.JSONField(blank=True, default=dict)),
                        (
                            "price",
                            models.DecimalField(
                                blank=True, decimal_places=2, max_digits=14, null=True
                            ),
                        ),
                        ("language", models.CharField(blank=True, max_length=10)),
                        ("received_at", models.DateTimeField()),
                        ("is_deduplicated", models.BooleanField(default=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("new", "New"),
                                    ("pond", "In the pond"),
                                    ("assigned", "Assigned, waiting for first response"),
                                    ("responded", "Responded"),
                                    ("escalated", "Escalated"),
                                ],
                                default="new",
                                max_length=12,
                            ),
                        ),
                        ("assigned_at", models.DateTimeField(blank=True, null=True)),
                        ("routing_reason", models.TextField(blank=True)),
                        ("claim_deadline_at", models.DateTimeField(blank=True, null=True)),
                        ("first_response_due_at", models.DateTimeField(blank=True, null=True)),
                        ("first_responded_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "first_response_minutes",
                            models.PositiveIntegerField(
                                blank=True,
                                help_text="Business minutes from receipt to first response",
                                null=True,
                            ),
                        ),
                        ("escalated_at", models.DateTimeField(blank=True, null=True)),
                        ("escalation_reason", models.TextField(blank=True)),
                        ("acknowledged_at", models.DateTimeField(blank=True, null=True)),
                        ("ack_claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("ack_skipped_reason", models.CharField(blank=True, max_length=200)),
                        ("raw", models.JSONField(blank=True, default=dict)),
                        (
                            "assigned_to",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="assigned_inquiries",
                                to="orgs.membership",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="inquiries",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                            ),
                        ),
                        (
                            "pond_team",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="orgs.team",
                            ),
                        ),
                        (
                            "routing_rule",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="leads.routingrule",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "lead inquiries",
                        "db_table": "contacts_leadinquiry",
                    },
                ),
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("key", models.CharField(max_length=200)),
                        ("scope", models.CharField(max_length=60)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("status_code", models.PositiveSmallIntegerField(default=0)),
                        ("response", models.JSONField(default=dict)),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contacts_idempotencykey",
                        "constraints": [
                            models.UniqueConstraint(
                                models.F("org"),
                                models.F("scope"),
                                models.F("key"),
                                name="idempotencykey_uniq",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LeadReviewItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("api", "API"),
                                    ("email", "E-mail"),
                                    ("csv", "CSV import"),
                                    ("web", "Entered by hand"),
                                ],
                                default="email",
                                max_length=10,
                            ),
                        ),
                        ("subject", models.CharField(blank=True, max_length=300)),
                        ("sender", models.CharField(blank=True, max_length=300)),
                        ("raw", models.TextField(help_text="The message as received")),
                        ("reason", models.TextField()),
                        ("received_at", models.DateTimeField()),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("open", "Open"),
                                    ("resolved", "Turned into a lead"),
                                    ("discarded", "Discarded"),
                                ],
                                default="open",
                                max_length=10,
                            ),
                        ),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "inquiry",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="leads.leadinquiry",
                            ),
                        ),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="orgs.membership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contacts_leadreviewitem",
                        "indexes": [
                            models.Index(
                                fields=["org", "status", "-received_at"], name="review_org_status"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="LeadSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "first_response_minutes",
                            models.PositiveIntegerField(
                                default=60,
                                help_text="Business minutes to the first touchpoint (the seed's 1 hour)",
                            ),
                        ),
                        ("is_ack_enabled", models.BooleanField(default=True)),
                        ("ack_window_hours", models.PositiveSmallIntegerField(default=24)),
                        (
                            "ack_subject",
                            models.CharField(
                                default="Thanks for reaching out to {{ org_name }}", max_length=200
                            ),
                        ),
                        (
                            "ack_body",
                            models.TextField(
                                default="Hi {{ first_name|default:'there' }},\n\nThank you for your inquiry{% if property_address %} about {{ property_address }}{% endif %}. {{ agent_name|default:'One of our agents' }} will contact you shortly.\n\n{{ org_name }}"
                            ),
                        ),
                        ("is_reassign_on_escalation", models.BooleanField(default=False)),
                        (
                            "default_assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="orgs.membership",
                            ),
                        ),
                        (
                            "org",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "lead settings",
                        "db_table": "contacts_leadsettings",
                        "constraints": [
                            models.UniqueConstraint(
                                models.F("org"), name="leadsettings_one_per_org"
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="routingrule",
                    index=models.Index(
                        fields=["org", "is_active", "position"], name="rule_org_order"
                    ),
                ),
                migrations.AddIndex(
                    model_name="leadinquiry",
                    index=models.Index(
                        fields=["org", "status", "-received_at"], name="inquiry_org_status"
                    ),
                ),
                migrations.AddIndex(
                    model_name="leadinquiry",
                    index=models.Index(
                        fields=["org", "assigned_to", "status"], name="inquiry_org_assignee"
                    ),
                ),
                migrations.AddIndex(
                    model_name="leadinquiry",
                    index=models.Index(fields=["org", "contact"], name="inquiry_org_contact"),
                ),
            ],
        ),
    ]
