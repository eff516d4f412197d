"""gunicorn's logger with ID numbers masked in the access log and the error log.

Selected by `logger_class` in deploy/gunicorn.conf.py and `--logger-class` in the Makefile.
"""

from __future__ import annotations

from gunicorn.glogging import Logger, SafeAtoms

from config.logmask import MaskIdNumbersFilter, mask_ids


class MaskedAtoms(SafeAtoms):
    """Every atom of the access-log line (request line, path, query string, headers) masked."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return mask_ids(value) if isinstance(value, str) else value


class MaskingLogger(Logger):
    atoms_wrapper_class = MaskedAtoms

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(MaskIdNumbersFilter())
