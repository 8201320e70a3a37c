"""Writes on CRM data. Each service validates, writes atomically, audits and emits an event."""
