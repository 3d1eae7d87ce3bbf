from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from ketnav.accounts import forms, views

app_name = "accounts"
urlpatterns = [
    path("", views.account_page, name="account"),
    path("signup/", views.signup, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("delete/", views.delete_account_page, name="delete"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            form_class=forms.ChangePasswordForm,
            success_url=reverse_lazy("accounts:password_change_done"),
            extra_context={"title": "Change your password"},
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/message.html",
            extra_context={"title": "Password changed", "message": "Your password has been changed."},
        ),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=forms.ResetPasswordForm,
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
            extra_context={"title": "Reset your password"},
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="accounts/message.html",
            extra_context={
                "title": "Check your email",
                "message": "If an account uses that address, we have sent it a link to choose a new password. "
                "The link works once, for three days.",
            },
        ),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.ResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/message.html",
            extra_context={"title": "Password changed", "message": "Your new password is set. You can sign in now."},
        ),
        name="password_reset_complete",
    ),
]
