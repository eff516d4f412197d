from .services import unread_count


def inbox(request):
    """The unread count for the menu badge (one query per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": unread_count(user)}
