"""ADR 0011: the sales record is a Deal. Tables and columns are renamed in place (no row is
copied by this migration); the indexes and unique constraints naming the old column are
dropped before the rename and made again on the new one. The stored names of the models
(events' subjects, audit entries' objects, permissions) follow them."""

import django.db.models.deletion
from django.db import migrations, models

# Old model name -> new one (content types and `<app>.<model>` labels are lower case).
MODELS = {
    "transaction": "deal",
    "transactionengagement": "dealengagement",
    "transactionsummary": "dealsummary",
}
VERBOSE = {"deal": "deal", "dealengagement": "deal engagement", "dealsummary": "deal summary"}
OLD_VERBOSE = {
    "transaction": "transaction",
    "transactionengagement": "transaction engagement",
    "transactionsummary": "transaction summary",
}
ACTIONS = ("add", "change", "delete", "view")


def _relabel(apps, renames: dict[str, str], verbose: dict[str, str]) -> None:
    """Point every stored `transactions.<model>` label and permission at the renamed model."""
    Event = apps.get_model("core", "Event")
    AuditEntry = apps.get_model("core", "AuditEntry")
    Permission = apps.get_model("auth", "Permission")
    for old, new in renames.items():
        old_label, new_label = f"transactions.{old}", f"transactions.{new}"
        Event.objects.filter(subject_type=old_label).update(subject_type=new_label)
        AuditEntry.objects.filter(object_type=old_label).update(object_type=new_label)
        # The content type itself is renamed by Django's contenttypes app with the model; its
        # permissions keep their codenames unless renamed here.
        for action in ACTIONS:
            found = Permission.objects.filter(
                content_type__app_label="transactions", codename=f"{action}_{old}"
            )
            if Permission.objects.filter(
                content_type__app_label="transactions", codename=f"{action}_{new}"
            ).exists():
                found.delete()
            else:
                found.update(codename=f"{action}_{new}", name=f"Can {action} {verbose[new]}")


def relabel_forwards(apps, schema_editor) -> None:
    _relabel(apps, MODELS, VERBOSE)


def relabel_backwards(apps, schema_editor) -> None:
    _relabel(apps, {new: old for old, new in MODELS.items()}, OLD_VERBOSE)


# Indexes and unique constraints on the renamed column: (model, name, columns before the
# deal column, columns after it). Their names stay unless they said "transaction".
INDEXES = [
    ("deadline", "deadline_deal_open_due", ["org"], ["is_open", "due_at"]),
    ("checklistitem", "checklist_deal", ["org"], ["kind", "position"]),
    ("issue", "issue_org_deal", ["org"], ["status"]),
    ("offer", "offer_org_deal", ["org"], ["status"]),
    ("party", "party_org_deal", ["org"], ["role"]),
]
CONSTRAINTS = [
    ("commission", "commission_side_agent_uniq", "commission_side_agent_uniq", ["side", "agent"]),
    ("checklistitem", "checklistitem_uniq", "checklistitem_uniq", ["kind", "key"]),
    ("dealengagement", "transactionengagement_uniq", "dealengagement_uniq", ["engagement"]),
    ("dealsummary", "transactionsummary_uniq", "dealsummary_uniq", []),
]
# Every foreign key to the deal, and its model.
DEAL_LINKS = [
    "commission",
    "deadline",
    "checklistitem",
    "issue",
    "progressupdate",
    "walkthroughreport",
    "offer",
    "party",
    "dealengagement",
    "dealsummary",
]


def _unique(column: str, name: str, after: list[str]) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        models.F("org"), models.F(column), *(models.F(f) for f in after), name=name
    )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_worker_heartbeat"),
        ("journeys", "0001_initial"),
        ("transactions", "0007_summary_unique_within_org"),
    ]

    operations = [
        migrations.RenameModel(old_name="Transaction", new_name="Deal"),
        migrations.RenameModel(old_name="TransactionEngagement", new_name="DealEngagement"),
        migrations.RenameModel(old_name="TransactionSummary", new_name="DealSummary"),
        migrations.RenameIndex(
            model_name="deal", new_name="deal_org_status", old_name="transaction_org_status"
        ),
        migrations.RenameIndex(
            model_name="dealengagement",
            new_name="dealengagement_eng",
            old_name="transactionengagement_eng",
        ),
        # Off the old column, so no index or constraint names a column that is gone.
        *(
            migrations.RemoveIndex(model_name=model, name=name)
            for model, name, _before, _after in INDEXES
        ),
        *(
            migrations.RemoveConstraint(model_name=model, name=old_name)
            for model, old_name, _new_name, _after in CONSTRAINTS
        ),
        *(
            migrations.RenameField(model_name=model, old_name="transaction", new_name="deal")
            for model in DEAL_LINKS
        ),
        *(
            migrations.AddIndex(
                model_name=model, index=models.Index(fields=[*before, "deal", *after], name=name)
            )
            for model, name, before, after in INDEXES
        ),
        *(
            migrations.AddConstraint(model_name=model, constraint=_unique("deal", new_name, after))
            for model, _old_name, new_name, after in CONSTRAINTS
        ),
        migrations.AlterField(
            model_name="dealengagement",
            name="engagement",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="deal_sides",
                to="journeys.engagement",
            ),
        ),
        migrations.RunPython(relabel_forwards, relabel_backwards),
    ]
