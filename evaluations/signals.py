from django.dispatch import Signal

# Sent inside the submit transaction (the ledgers app snapshots facts on it).
# kwargs: evaluation, user
evaluation_submitted = Signal()

# Sent inside every transition's transaction, after the state changed (the inbox tells people).
# kwargs: evaluation, user, action (policy.Action), comment
evaluation_transitioned = Signal()
