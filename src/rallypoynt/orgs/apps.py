from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "rallypoynt.orgs"
    label = "orgs"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save

        from rallypoynt.orgs import models
        from rallypoynt.orgs.config_cache import config_watch, user_changed

        config_watch(
            models.Organization,
            models.Membership,
            models.MembershipRole,
            models.Team,
            models.TeamMember,
            models.BusinessHours,
            models.Closure,
        )
        post_save.connect(user_changed, sender=get_user_model(), dispatch_uid="org-config-user")
