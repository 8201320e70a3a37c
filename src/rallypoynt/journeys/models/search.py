"""The engagements' search terms (core/search.py), written only by the triggers of migration
0007: each engagement's title and its clients' names, with the agent for scoped reads."""

from __future__ import annotations

from django.db import models


class EngagementSearchTerm(models.Model):
    """One term of one engagement: a word suffix of its title ("t", `source_id` the
    engagement) or of a client's name ("k", `source_id` the contact)."""

    pk = models.CompositePrimaryKey("org_id", "term", "engagement_id", "source", "source_id")
    # Plain ids, no foreign keys: the triggers keep the rows with their engagement's,
    # clients' and contacts' (nothing moves or cascades them as a relation).
    org = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    term = models.CharField(max_length=100)
    engagement_id = models.BigIntegerField(db_index=True)
    source = models.CharField(max_length=1)
    source_id = models.BigIntegerField()
    agent_id = models.BigIntegerField()

    class Meta:
        indexes = [
            # A scoped reader's terms: one range per visible agent.
            models.Index(
                fields=["org", "agent_id", "term", "engagement_id"], name="engagementsearch_agent"
            ),
        ]

    def __str__(self) -> str:
        return self.term
