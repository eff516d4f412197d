"""Workflow services of the orgs app: accounts (orgs.services.accounts) and unit import (.imports)."""
