import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate-limit counters live in the cache; token ids repeat across rolled-back tests.
    cache.clear()
    yield
    cache.clear()
