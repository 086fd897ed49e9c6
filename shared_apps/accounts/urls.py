"""Identity pages; included on tenant hosts and on the platform host."""

from django.urls import path

from . import views

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/second-factor/", views.second_factor, name="second-factor"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("verify-email/resend/", views.resend_verification, name="resend-verification"),
    path("verify-email/<str:token>/", views.verify_email, name="verify-email"),
    path("password/forgotten/", views.forgot_password, name="forgot-password"),
    path("password/reset/<str:token>/", views.reset_password, name="reset-password"),
    path("account/password/", views.change_password, name="change-password"),
    path("account/sessions/", views.my_sessions, name="my-sessions"),
    path("account/two-factor/", views.two_factor_status, name="two-factor"),
    path("account/two-factor/enrol/", views.enrol, name="two-factor-enrol"),
    path(
        "account/two-factor/recovery-codes/",
        views.recovery_codes,
        name="recovery-codes",
    ),
]
