"""Pages: people."""

urlpatterns: list = []
