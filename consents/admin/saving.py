"""For admin classes whose objects are created by a service rather than by ``form.save()``."""


def instance_is_saved_row(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row the service created.

    Admin goes on with the instance its form built (the log entry, the
    redirect to the new object), so it must carry the new row's id and state.
    """
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False
