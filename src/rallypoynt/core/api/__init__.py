"""API plumbing every app's endpoints share: the error shape, bounded types, schema bases."""
