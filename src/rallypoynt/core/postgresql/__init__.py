"""Django's PostgreSQL backend with integers checked against their column before they travel."""
