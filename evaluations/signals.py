from django.dispatch import Signal

# Sent inside the submit transaction (the ledgers app snapshots facts on it).
# kwargs: evaluation, user
evaluation_submitted = Signal()

# Sent inside every transition's transaction, after the from-state check and before the change: a
# receiver refuses the step by raising workflow.WorkflowError (the notice app refuses publication while
# the notice window runs or an objection is open). kwargs: evaluation, user, action (policy.Action)
evaluation_transitioning = Signal()

# Sent inside every transition's transaction, after the state changed and the cached result's refresh
# (the inbox tells people). A receiver that moves the sheet on again (an objection's re-review rejoining
# the notice) returns True, so the caller gets the sheet as it is now.
# kwargs: evaluation, user, action (policy.Action), comment
evaluation_transitioned = Signal()
