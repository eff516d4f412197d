from __future__ import annotations

from ..schemas import Error

# Every endpoint documents the common error shape for each 4xx it may answer.
ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 413: Error, 422: Error}

# Writes to a sheet also answer 428 when the client sent no revision.
WRITE_ERRORS = {**ERRORS, 428: Error}

MAX_ID = 2**62
