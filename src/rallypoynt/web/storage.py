"""Static files storage that still works before `collectstatic` has run."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed names once collected (`rallypoynt serve` collects); plain names before."""

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            # Not collected yet (tests, first run): whitenoise serves from the app folders.
            return name
