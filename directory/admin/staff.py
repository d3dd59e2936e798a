"""Django's own admins for logins and groups, with the directory's query-string guard."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from ..querystrings import InRange

# Django's own admins for logins and groups, with the same guard on their lists' query strings
# (?groups=<a number too large for an id> failed with a server error).
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class StaffUserAdmin(InRange, UserAdmin):
    pass


@admin.register(Group)
class StaffGroupAdmin(InRange, GroupAdmin):
    pass
