"""An org's templates: the shipped default copied in once, team overrides, validated and
numbered versions, publishing, and YAML import."""

from __future__ import annotations

import copy

import pytest

from rallypoynt.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rallypoynt.core.models import Event
from rallypoynt.journeys.domain import yaml_write
from rallypoynt.journeys.models import JourneyTemplate, TemplateVersion
from rallypoynt.journeys.selectors import engagement_evaluate
from rallypoynt.journeys.services.templates import (
    _shipped_copy,
    template_copy,
    template_in_use,
    template_version_create,
    template_version_import,
    template_version_publish,
)
from rallypoynt.journeys.tests.factories import engagement_for


def journey_in_use(org, **values) -> TemplateVersion:
    return template_in_use(org=org, kind="journey", **values)


def renamed(version: TemplateVersion, name: str) -> dict:
    """The version's data with its first phase renamed (an org's edit)."""
    data = copy.deepcopy(version.data)
    data["phases"][0]["name"] = name
    return data


def draft(actor, version: TemplateVersion, name: str = "First contact") -> TemplateVersion:
    return template_version_create(
        actor=actor, template_id=version.template_id, data=renamed(version, name)
    )


# Copying the shipped default


def test_the_shipped_default_is_copied_into_an_org_once(brokerage, other):
    first = journey_in_use(brokerage.org)
    assert journey_in_use(brokerage.org) == first
    assert (first.number, first.is_published) == (1, True)
    assert (first.template.based_on, first.template.level) == ("client_journey", "team")
    assert first.template.team is None and first.data["key"] == "client_journey"
    assert JourneyTemplate.objects.filter(org=brokerage.org).count() == 1
    assert Event.objects.filter(org=brokerage.org, kind="journey_template.copied").count() == 1
    assert journey_in_use(other.org).org == other.org


def test_the_journey_and_the_pipeline_are_copied_separately(brokerage):
    journey = journey_in_use(brokerage.org)
    pipeline = template_in_use(org=brokerage.org, kind="pipeline")
    assert pipeline.template.kind == "pipeline" and pipeline.data["key"] == "sales_pipeline"
    assert pipeline.template_id != journey.template_id


def test_the_copy_is_the_variant_of_the_level_asked_for_first(brokerage):
    version = journey_in_use(brokerage.org, level="brokerage")
    assert version.template.level == "brokerage"
    gate = version.data["phases"][3]["gate"]
    assert gate["approval_role"] == "compliance_officer"


def test_a_second_first_use_racing_the_first_gets_the_same_version(brokerage):
    first = journey_in_use(brokerage.org)
    # What a concurrent caller does after missing the first's row: its insert collides.
    assert _shipped_copy(org=brokerage.org, kind="journey", level="team") == first
    assert JourneyTemplate.objects.filter(org=brokerage.org).count() == 1
    assert first.template.versions.count() == 1


# Team overrides


def team_override(brokerage, *, is_published: bool = True) -> TemplateVersion:
    """Summit's own journey: a copy of the org's with the first phase renamed."""
    copied = template_copy(actor=brokerage.broker, kind="journey", team_id=brokerage.summit.pk)
    version = draft(brokerage.broker, copied, "Summit hello")
    if is_published:
        template_version_publish(actor=brokerage.broker, version_id=version.pk)
    return version


def test_a_team_override_wins_over_the_orgs_template_for_that_team_only(brokerage):
    org_version, team_version = journey_in_use(brokerage.org), team_override(brokerage)
    assert journey_in_use(brokerage.org, team_id=brokerage.summit.pk) == team_version
    assert journey_in_use(brokerage.org, team_id=brokerage.flatirons.pk) == org_version
    assert journey_in_use(brokerage.org) == org_version
    engagement = engagement_for(brokerage.buyer, team_id=brokerage.summit.pk)
    assert engagement.journey == team_version
    assert engagement_evaluate(engagement, engagement.opened_at).phase.name == "Summit hello"


def test_a_team_override_with_only_a_draft_does_not_win(brokerage):
    org_version = journey_in_use(brokerage.org)
    team_override(brokerage, is_published=False)
    assert journey_in_use(brokerage.org, team_id=brokerage.summit.pk) == org_version


def test_a_team_gets_one_copy_and_only_a_manager_may_make_it(brokerage):
    team_override(brokerage)
    with pytest.raises(Conflict):
        template_copy(actor=brokerage.broker, kind="journey", team_id=brokerage.summit.pk)
    with pytest.raises(PermissionDenied):
        template_copy(actor=brokerage.lead, kind="journey", team_id=brokerage.flatirons.pk)


# Versions


def test_new_versions_are_validated_drafts_numbered_in_order(brokerage):
    first = journey_in_use(brokerage.org)
    # Journey templates are org-wide: the broker's and a systems admin's, not an office's.
    second, third = draft(brokerage.broker, first), draft(brokerage.sysadmin, first, "Hello")
    assert [second.number, third.number] == [2, 3]
    assert not second.is_published and not third.is_published
    assert journey_in_use(brokerage.org) == first


def test_a_broken_version_is_refused_with_its_path_and_nothing_is_written(brokerage):
    first = journey_in_use(brokerage.org)
    data = copy.deepcopy(first.data)
    data["phases"][1]["steps"][2]["title"] = ""
    with pytest.raises(ValidationFailed) as caught:
        template_version_create(actor=brokerage.broker, template_id=first.template_id, data=data)
    assert "phases[1].steps[2].title: a non-empty text" in caught.value.fields["template"]
    assert "phases[1].steps[2].title" in caught.value.message
    assert first.template.versions.count() == 1


def test_a_version_cannot_change_the_kind_of_its_template(brokerage):
    pipeline = template_in_use(org=brokerage.org, kind="pipeline")
    journey = journey_in_use(brokerage.org)
    with pytest.raises(ValidationFailed) as caught:
        template_version_create(
            actor=brokerage.broker, template_id=pipeline.template_id, data=journey.data
        )
    assert caught.value.fields["template"] == ["kind must stay pipeline"]


@pytest.mark.parametrize("name", ["buyer", "lead", "compliance"])
def test_a_member_without_manage_teams_may_not_create_or_publish_versions(brokerage, name):
    member, first = getattr(brokerage, name), journey_in_use(brokerage.org)
    second = draft(brokerage.broker, first)
    with pytest.raises(PermissionDenied):
        draft(member, first)
    with pytest.raises(PermissionDenied):
        template_version_publish(actor=member, version_id=second.pk)
    assert first.template.versions.count() == 2
    assert not TemplateVersion.objects.get(pk=second.pk).is_published


def test_another_orgs_template_and_version_are_not_found(brokerage, other):
    theirs = journey_in_use(other.org)
    with pytest.raises(NotFound):
        draft(brokerage.broker, theirs)
    their_draft = draft(other.broker, theirs)
    with pytest.raises(NotFound):
        template_version_publish(actor=brokerage.broker, version_id=their_draft.pk)
    assert not TemplateVersion.objects.get(pk=their_draft.pk).is_published


def test_a_version_is_published_once_and_new_engagements_use_it(brokerage):
    second = draft(brokerage.broker, journey_in_use(brokerage.org))
    published = template_version_publish(actor=brokerage.broker, version_id=second.pk)
    assert published.is_published and published.published_by == brokerage.broker
    with pytest.raises(Conflict):
        template_version_publish(actor=brokerage.broker, version_id=second.pk)
    assert journey_in_use(brokerage.org) == second
    kinds = Event.objects.filter(org=brokerage.org, kind="journey_template.published")
    assert kinds.count() == 1


def test_engagements_opened_before_a_publish_keep_their_old_version(brokerage):
    before = engagement_for(brokerage.buyer)
    second = draft(brokerage.broker, before.journey, "First contact")
    template_version_publish(actor=brokerage.broker, version_id=second.pk)
    after = engagement_for(brokerage.buyer)
    before.refresh_from_db()
    assert (before.journey.number, after.journey.number) == (1, 2)
    assert engagement_evaluate(before, before.opened_at).phase.name == "Discovery & Engagement"
    assert engagement_evaluate(after, after.opened_at).phase.name == "First contact"


# YAML import


def test_importing_yaml_makes_a_draft_of_the_same_template(brokerage):
    first = TemplateVersion.objects.get(pk=journey_in_use(brokerage.org).pk)
    text = yaml_write(renamed(first, "First contact"))
    version = template_version_import(
        actor=brokerage.broker, template_id=first.template_id, text=text, note="From a file"
    )
    assert (version.number, version.note, version.is_published) == (2, "From a file", False)
    assert version.data["phases"][0]["name"] == "First contact"


def test_importing_broken_yaml_names_the_line_and_writes_nothing(brokerage):
    first = journey_in_use(brokerage.org)
    text = "key: client_journey\nkind: journey\nphases:\n  - key: discovery\n    name: [oops\n"
    with pytest.raises(ValidationFailed) as caught:
        template_version_import(actor=brokerage.broker, template_id=first.template_id, text=text)
    assert "line 6" in caught.value.message
    assert first.template.versions.count() == 1


def test_importing_yaml_that_is_not_a_valid_template_names_the_path(brokerage):
    first = TemplateVersion.objects.get(pk=journey_in_use(brokerage.org).pk)
    text = yaml_write({**first.data, "kind": "maze"})
    with pytest.raises(ValidationFailed) as caught:
        template_version_import(actor=brokerage.broker, template_id=first.template_id, text=text)
    assert "kind: one of journey, pipeline" in caught.value.fields["template"]


# Archived templates, stage names, export


def test_an_archived_template_is_not_used_and_a_fresh_copy_replaces_it(brokerage):
    first = journey_in_use(brokerage.org)
    JourneyTemplate.objects.filter(pk=first.template_id).update(is_archived=True)
    fresh = journey_in_use(brokerage.org)
    assert fresh.template_id != first.template_id and fresh.is_published


def test_a_journey_naming_a_sales_stage_the_pipeline_lacks_is_refused(brokerage):
    first = TemplateVersion.objects.get(pk=journey_in_use(brokerage.org).pk)
    data = copy.deepcopy(first.data)
    data["phases"][0]["sales_stages"] = ["nowhere"]
    with pytest.raises(ValidationFailed) as caught:
        template_version_create(actor=brokerage.broker, template_id=first.template_id, data=data)
    assert "phases[0].sales_stages: no stage 'nowhere'" in caught.value.message


def test_a_freshly_copied_default_exports_as_yaml(brokerage):
    assert "client_journey" in yaml_write(journey_in_use(brokerage.org).data)


def test_an_office_manager_does_not_edit_the_orgs_journey_templates(brokerage):
    # Journey templates are org-wide settings: an office manager's powers stop at the office.
    first = journey_in_use(brokerage.org)
    with pytest.raises(PermissionDenied):
        draft(brokerage.manager, first)
    assert first.template.versions.count() == 1
