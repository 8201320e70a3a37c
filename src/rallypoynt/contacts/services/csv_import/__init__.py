"""Contact imports: header auto-mapping, row checks, in-file and org dedupe, batched insert.

One engine serves CSV and vCard files: each row becomes a list of cells (target field, the
column it came from, raw value); good rows are inserted set-based in committed batches, each
contact with its e-mails, phones and tags in the same transaction; bad rows are reported with
their row number, column and reason. The modules: vocabulary, reading, cleaning, rows, engine, jobs.
"""

from rallypoynt.contacts.services.csv_import.cleaning import (  # noqa: F401
    NAME_KEY_FIELDS,
    SINGLE_CLEANERS,
    TEXT_TARGETS,
    BadValue,
    CleanRow,
    SkippedValue,
    country_clean,
    date_clean,
    email_clean,
    name_split,
    phone_clean,
    row_clean,
    stage_clean,
)
from rallypoynt.contacts.services.csv_import.engine import (  # noqa: F401
    CONTACT_FIELDS,
    EMAIL_FIELDS,
    PHONE_FIELDS,
    TAG_FIELDS,
    ContactImporter,
    ImportOutcome,
    gc_paused,
)
from rallypoynt.contacts.services.csv_import.jobs import (  # noqa: F401
    ImportPreview,
    file_format_of,
    import_job_create,
    import_job_get,
    import_job_list,
    import_job_prepare,
    import_job_queryset,
    import_job_queue,
    import_job_run,
    import_owner_choices,
    import_preview,
    job_headers,
    job_text,
    org_default_owner,
)
from rallypoynt.contacts.services.csv_import.reading import (  # noqa: F401
    csv_cells,
    csv_delimiter,
    csv_headers,
    csv_reader,
    csv_row_count,
    header_target,
    mapping_clean,
    mapping_guess,
    text_decode,
    unique_headers,
)
from rallypoynt.contacts.services.csv_import.vocabulary import (  # noqa: F401
    BATCH,
    COUNTRY_WORDS,
    DEFAULT_SOURCE,
    EMAIL_KINDS,
    FORMATS,
    FORMULA_START,
    HEADER_ALIASES,
    IDENTITY_TARGETS,
    MAX_LENGTHS,
    MAX_STORED_ISSUES,
    MAX_UPLOAD_BYTES,
    NAME_SUFFIXES,
    NOT_IMPORTED,
    PHONE_KINDS,
    PREVIEW_ROWS,
    STAGE_WORDS,
    STALE_RUNNING,
    SYSTEM_TAGS,
    TARGETS,
    UNREADABLE,
    Cell,
    Progress,
)
