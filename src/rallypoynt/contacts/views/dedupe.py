"""Pages: dedupe."""

urlpatterns: list = []
