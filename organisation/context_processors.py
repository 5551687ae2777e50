from .selectors import user_roles


def staff(request):
    """The signed-in user's roles, for menus that show only what a user may use."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"user_roles": set()}
    if not hasattr(request, "_motcua_roles"):
        request._motcua_roles = user_roles(user)
    return {"user_roles": request._motcua_roles}
