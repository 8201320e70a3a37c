"""Import vocabulary: target fields, other CRMs' header spellings, stage words, limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django.db.models import Field

from rallypoynt.contacts.choices import EmailKind, PhoneKind, Stage
from rallypoynt.contacts.models import (
    Contact,
)

BATCH = 5000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_STORED_ISSUES = 1000
PREVIEW_ROWS = 5
STALE_RUNNING = timedelta(minutes=30)
FORMATS = {"csv": "CSV", "vcf": "vCard"}
DEFAULT_SOURCE = {"csv": "CSV import", "vcf": "vCard import"}

# Target fields a column can feed; "" means "not imported".
TARGETS: dict[str, str] = {
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "email": "E-mail",
    "work_email": "Work e-mail",
    "other_email": "Other e-mail",
    "mobile_phone": "Mobile phone",
    "home_phone": "Home phone",
    "work_phone": "Work phone",
    "other_phone": "Other phone",
    "stage": "Stage",
    "source": "Source",
    "tags": "Tags",
    "street": "Street",
    "street2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP / postal code",
    "country": "Country",
    "birthday_on": "Birthday",
    "language": "Language",
    "background": "Notes",
}
NOT_IMPORTED = "Not imported"
EMAIL_KINDS = {
    "email": EmailKind.PERSONAL,
    "work_email": EmailKind.WORK,
    "other_email": EmailKind.OTHER,
}
PHONE_KINDS = {
    "mobile_phone": PhoneKind.MOBILE,
    "home_phone": PhoneKind.HOME,
    "work_phone": PhoneKind.WORK,
    "other_phone": PhoneKind.OTHER,
}
IDENTITY_TARGETS = {"first_name", "last_name", "full_name", *EMAIL_KINDS, *PHONE_KINDS}

# Header spellings of other CRMs, Google Contacts and Outlook, squeezed to [a-z0-9].
# A header is looked up as is, then without digits ("Email 2" -> "email").
_ALIASES: dict[str, str] = {
    "first_name": "firstname first givenname fname forename contactfirstname",
    "last_name": "lastname last surname familyname lname contactlastname",
    "full_name": "fullname name contactname displayname contact clientname",
    "email": (
        "email emails emailaddress primaryemail personalemail homeemail emailvalue "
        "secondaryemail alternateemail emailaddresses"
    ),
    "work_email": "workemail businessemail officeemail workemailaddress",
    "other_email": "otheremail otheremailaddress",
    "mobile_phone": (
        "phone phones phonenumber phonevalue primaryphone telephone tel mainphone mobile "
        "mobilephone mobilenumber cell cellphone cellnumber cellular"
    ),
    "home_phone": "homephone homephonenumber homenumber hometel",
    "work_phone": (
        "workphone workphonenumber businessphone businessphonenumber officephone worknumber"
    ),
    "other_phone": "otherphone alternatephone secondaryphone fax",
    "stage": (
        "stage status leadstatus contactstatus pipelinestage leadstage lifecyclestage contactstage"
    ),
    "source": "source leadsource contactsource referralsource origin leadorigin",
    "tags": "tags tag labels label groupmembership categories hashtags",
    "street": (
        "street address address1 addressline1 streetaddress street1 addressstreet homestreet "
        "homeaddress mailingstreet mailingaddress propertyaddress"
    ),
    "street2": "address2 addressline2 street2 homestreet2 addressextendedaddress apt unit suite",
    "city": "city town locality homecity mailingcity addresscity",
    "state": (
        "state province region stateprovince homestate mailingstate addressregion addressstate"
    ),
    "postal_code": (
        "zip zipcode postalcode postcode zippostalcode homepostalcode homezip mailingzip "
        "mailingpostalcode addresspostalcode addresszip"
    ),
    "country": "country countryregion homecountry homecountryregion addresscountry mailingcountry",
    "birthday_on": "birthday birthdate dateofbirth dob bday",
    "language": "language preferredlanguage",
    "background": "notes note background comments comment description about",
}
HEADER_ALIASES = {alias: target for target, names in _ALIASES.items() for alias in names.split()}

# Google Contacts gives each value column a label column ("Phone 1 - Label" or, in older
# files, "- Type"); a label these words name sets the kind of the value beside it.
LABEL_SUFFIXES = ("label", "type")
_LABELS = {
    "email": "home personal",
    "work_email": "work business office",
    "other_email": "other",
    "mobile_phone": "mobile cell cellphone iphone",
    "home_phone": "home",
    "work_phone": "work business office",
    "other_phone": "other fax homefax workfax otherfax pager",
}
EMAIL_LABELS = {w: t for t, words in _LABELS.items() if t in EMAIL_KINDS for w in words.split()}
PHONE_LABELS = {w: t for t, words in _LABELS.items() if t in PHONE_KINDS for w in words.split()}

# Stage and status words of other CRMs; anything else is a bad value, shown in the preview.
_STAGE_SYNONYMS = {
    Stage.LEAD: "new newlead open cold unqualified attemptedcontact contacted unresponsive",
    Stage.PROSPECT: "warm hot nurture watch qualified appointmentset",
    Stage.CLIENT: "active activeclient undercontract pending",
    Stage.PAST_CLIENT: "closed pastcustomer formerclient",
    Stage.SPHERE: "sphereofinfluence soi friend family",
}
STAGE_WORDS: dict[str, str] = {
    **{s.value.replace("_", ""): s.value for s in Stage},
    **{s.label.lower().replace(" ", ""): s.value for s in Stage},
    **{word: stage for stage, words in _STAGE_SYNONYMS.items() for word in words.split()},
}
COUNTRY_WORDS = {
    "usa": "US",
    "unitedstates": "US",
    "unitedstatesofamerica": "US",
    "america": "US",
    "canada": "CA",
    "mexico": "MX",
}
NAME_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
_SQUEEZE = re.compile(r"[^a-z0-9]")
_DIGITS = re.compile(r"\d+")
_EMAIL_SEPARATOR = re.compile(r"[;,\s]|:::")
_MULTI_EMAIL = re.compile(r"\s*(?::::|[;,\s])\s*")
_MULTI_PHONE = re.compile(r"\s*(?::::|;)\s*")
# Tags split on commas, semicolons, Google's " ::: " and before each "#hashtag" (kvCORE).
_MULTI_TAG = re.compile(r"\s*(?::::|[;,]|\s(?=#))\s*")
SYSTEM_TAGS = {"mycontacts", "starred"}  # Google Contacts' own labels
_LOCAL_PART = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*\Z")
_PHONE_JUNK = str.maketrans("", "", " ()-./")
_NANP = re.compile(r"[2-9]\d\d[2-9]\d{6}\Z")
_MDY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\Z")
_TIME_PART = re.compile(r"[T ]\d{1,2}:")
_YMD = re.compile(r"(\d{4})-?(\d{1,2})-?(\d{1,2})\Z")
_NAMED_DATE_FORMATS = ("%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y")
FORMULA_START = ("=", "+", "-", "@")

Progress = Callable[[int], None]
Cell = tuple[str, str, str]  # (target, column label, raw value)
UNREADABLE = "!unreadable"  # a cell whose value is the reason its row could not be read


def _max_lengths() -> dict[str, int]:
    return {
        f.name: f.max_length
        for f in Contact._meta.get_fields()
        if isinstance(f, Field) and f.max_length and f.name in TARGETS
    }


MAX_LENGTHS = _max_lengths()
