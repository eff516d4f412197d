"""Services of the register app: awards (the star register), appeals, the expert panel, period rules.

`evaluations.services.workflow` imports `awards.record_award`; the modules here import the workflow, so
this package imports nothing itself (no cycle)."""
