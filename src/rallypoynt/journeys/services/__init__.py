"""Writes of the journeys app: templates and engagements."""
