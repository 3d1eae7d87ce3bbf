"""Forms for the account pages (Django's own auth forms, with the email address as the username)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm

from ketnav.accounts.emails import lookup_key, normalize_email
from ketnav.accounts.services import check_password_strength
from ketnav.errors import InvalidInput


class NoColon:
    """Labels without Django's trailing colon (the label is the question)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ChangePasswordForm(NoColon, PasswordChangeForm):
    pass


class NewPasswordForm(NoColon, SetPasswordForm):  # type: ignore[type-arg]
    pass


class ResetPasswordForm(NoColon, PasswordResetForm):
    pass


class EmailAuthenticationForm(NoColon, AuthenticationForm):
    """Django's sign-in form, labelled and normalised for an email address."""

    username = forms.CharField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {  # noqa: RUF012 (Django reads it per instance)
        "invalid_login": "That email address and password do not match an account. "
        "After %(failures)s wrong passwords in a row the account is locked for a while.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args: Any, failures: int = 10, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.failures = failures

    def clean_username(self) -> str:
        return lookup_key(self.cleaned_data["username"])

    def get_invalid_login_error(self) -> forms.ValidationError:
        return forms.ValidationError(
            self.error_messages["invalid_login"], code="invalid_login", params={"failures": self.failures}
        )


class SignupForm(NoColon, forms.Form):
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password and not only digits.",
    )
    password2 = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    understood = forms.BooleanField(
        label="I understand that my journal is stored in this site's database, and that anyone who runs "
        "this server can read it.",
    )

    def clean_email(self) -> str:
        try:
            return normalize_email(self.cleaned_data["email"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message.split(": ", 1)[-1]) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords are not the same.")
        elif p1 and data.get("email"):
            try:
                check_password_strength(p1, email=data["email"])
            except InvalidInput as exc:
                for detail in exc.details:
                    self.add_error("password1", detail.message)
        return data


class DeleteAccountForm(NoColon, forms.Form):
    password = forms.CharField(
        label="Your password, to confirm",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
