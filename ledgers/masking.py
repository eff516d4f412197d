"""Server-side masking of personal data, and the record of every unmasking."""

from __future__ import annotations

from orgs.models import AccessLog, log_access
from orgs.scoping import can

from .identity import mask_id, mask_phone
from .models import GROUPS


def show_person(person, user, unmask: bool = False):
    """Attach display values to a person: masked unless unmasked by a role allowed to (and logged)."""
    full = unmask and can(user, "unmask")
    person.id_shown = person.id_number if full else mask_id(person.id_number)
    person.phone_shown = person.phone if full else mask_phone(person.phone)
    person.unmasked = full
    sensitive = can(user, "view_sensitive")
    person.group_labels = [label for field, label, s in GROUPS if getattr(person, field) and (sensitive or not s)]
    return person


def log_unmask(user, person) -> None:
    log_access(user, AccessLog.Kind.UNMASK, f"person:{person.pk}", name=person.name, community=person.community_id)


def household_code_shown(code: str, user, unmask: bool = False) -> str:
    """A household code as shown: codes made from an ID number (R-<ID>) are masked like the ID."""
    if code.startswith("R-") and len(code) > 10 and not (unmask and can(user, "unmask")):
        return "R-" + mask_id(code[2:])
    return code
