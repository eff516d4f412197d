from .services import unread_count


def inbox(request):
    """The unread count for the menu badge (one query per page that shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Counted only when a template shows it (full pages; htmx fragments do not), once per request.
    counted: list[int] = []

    def unread() -> int:
        if not counted:
            counted.append(unread_count(user))
        return counted[0]

    return {"inbox_unread": unread}
