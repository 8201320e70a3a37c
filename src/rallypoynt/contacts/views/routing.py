"""Pages: routing."""

urlpatterns: list = []
