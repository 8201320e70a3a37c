"""CRM pages, one module per area; contacts/urls.py lists their URLs."""
