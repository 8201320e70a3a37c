"""The deals' search terms (core/search.py), written only by the triggers of migration 0009:
word suffixes of each deal's street and MLS number."""

from __future__ import annotations

from django.db import models


class DealSearchTerm(models.Model):
    """One term of one deal (who may read it follows the deal: `deal_visible_q`)."""

    pk = models.CompositePrimaryKey("org_id", "term", "deal_id")
    # Plain ids, no foreign keys: the triggers keep the rows with the deal's.
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    term = models.CharField(max_length=100)
    deal_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return self.term
