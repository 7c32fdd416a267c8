"""Admin building blocks every app may use."""


class ReadOnlyAdminMixin:
    """Nobody adds, changes or deletes these records in admin; services write them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
