"""Forms of the CRM pages: a contact's fields and the pages' buttons and filters."""

from rallypoynt.contacts.forms.actions import (
    CollaboratorForm,
    DismissForm,
    ExportForm,
    MergeForm,
    PickQueryForm,
    TaskDoneForm,
    import_run_form,
)
from rallypoynt.contacts.forms.people import (
    ConsentForm,
    ContactForm,
    RelationshipForm,
    SmartListForm,
    TaskForm,
    TouchpointForm,
    channels_initial,
    custom_initial,
)
from rallypoynt.contacts.forms.profiles import ClientProfileForm, profile_initial

__all__ = [
    "ClientProfileForm",
    "CollaboratorForm",
    "ConsentForm",
    "ContactForm",
    "DismissForm",
    "ExportForm",
    "MergeForm",
    "PickQueryForm",
    "RelationshipForm",
    "SmartListForm",
    "TaskDoneForm",
    "TaskForm",
    "TouchpointForm",
    "channels_initial",
    "custom_initial",
    "import_run_form",
    "profile_initial",
]
