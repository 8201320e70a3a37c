from django.db import models


class Stage(models.TextChoices):
    LEAD = "lead", "Lead"
    PROSPECT = "prospect", "Prospect"
    CLIENT = "client", "Client"
    PAST_CLIENT = "past_client", "Past client"
    SPHERE = "sphere", "Sphere"


class EmailKind(models.TextChoices):
    PERSONAL = "personal", "Personal"
    WORK = "work", "Work"
    OTHER = "other", "Other"


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", "Mobile"
    HOME = "home", "Home"
    WORK = "work", "Work"
    OTHER = "other", "Other"
