"""The contacts' search terms (core/search.py), written only by the triggers of migration
0011: names, streets, e-mail addresses and phone numbers, with the owner for scoped reads."""

from __future__ import annotations

from django.db import models


class ContactSearchTerm(models.Model):
    """One term of one contact: a word suffix of its name or street ("c"), of one e-mail
    ("e"), or digits of one phone ("p"); `source_id` is that row's id."""

    pk = models.CompositePrimaryKey("org_id", "term", "contact_id", "source", "source_id")
    # Plain ids, no foreign keys: the triggers add, move and remove the rows with the
    # contact's own (a merge must not move them as a relation), and bulk loads pay no check.
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    term = models.CharField(max_length=100)
    contact_id = models.BigIntegerField(db_index=True)
    source = models.CharField(max_length=1)
    source_id = models.BigIntegerField()
    owner_id = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            # A scoped reader's terms: one range per visible owner (the primary key serves
            # the org-wide reader).
            models.Index(
                fields=["org", "owner_id", "term", "contact_id"], name="contactsearch_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.term
