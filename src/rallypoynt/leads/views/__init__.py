"""Lead pages: the review queue, routing rules and settings, the pond."""
