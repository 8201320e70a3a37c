"""Pages: intake."""

urlpatterns: list = []
