from django.dispatch import Signal

# Sent inside the submit transaction (the ledgers app snapshots facts on it).
# kwargs: evaluation, user
evaluation_submitted = Signal()
