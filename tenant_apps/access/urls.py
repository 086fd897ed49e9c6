from django.urls import path

from . import views

app_name = "access"
urlpatterns = [
    path("members/", views.members, name="members"),
    path("members/invite/", views.invite, name="invite"),
    path(
        "members/invitations/<int:invitation_id>/resend/",
        views.resend_invitation,
        name="resend-invitation",
    ),
    path(
        "members/invitations/<int:invitation_id>/revoke/",
        views.revoke_invitation,
        name="revoke-invitation",
    ),
    path("members/<int:membership_id>/role/", views.change_role, name="change-role"),
    path(
        "members/<int:membership_id>/module/",
        views.member_module,
        name="member-module",
    ),
    path("members/<int:membership_id>/suspend/", views.suspend, name="suspend"),
    path("members/<int:membership_id>/resume/", views.resume, name="resume"),
    path("members/<int:membership_id>/remove/", views.remove, name="remove"),
    path("members/modules/", views.organisation_module, name="organisation-module"),
    path("members/support/", views.grant_support, name="grant-support"),
    path(
        "members/support/<int:access_id>/revoke/",
        views.revoke_support,
        name="revoke-support",
    ),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_create, name="role-create"),
    path("roles/<slug:key>/edit/", views.role_edit, name="role-edit"),
    path("roles/<slug:key>/delete/", views.role_delete, name="role-delete"),
]
