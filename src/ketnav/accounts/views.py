"""Account pages: sign up, sign in and out, password change and reset, the account page, deletion."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from ketnav.accounts.forms import DeleteAccountForm, EmailAuthenticationForm, NewPasswordForm, SignupForm
from ketnav.accounts.services import create_user, delete_account, roles_of
from ketnav.errors import InvalidInput


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # guaranteed by login_required
    return request.user


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.KETNAV_SIGNUP:
        return render(request, "accounts/signup_closed.html", {"title": "Sign-up is closed"}, status=403)
    if request.user.is_authenticated:
        return redirect("journal:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = create_user(form.cleaned_data["email"], form.cleaned_data["password1"])
        except InvalidInput:
            form.add_error(
                "email",
                "This address cannot be used for a new account. If it is yours, sign in or reset your password.",
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Your account is ready. This is your journal.")
            return redirect("journal:home")
    status = 422 if form.errors else 200
    return render(request, "accounts/signup.html", {"title": "Create an account", "form": form}, status=status)


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True
    extra_context = {"title": "Sign in"}  # noqa: RUF012 (Django copies it per request)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["failures"] = settings.AXES_FAILURE_LIMIT
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["signup_open"] = settings.KETNAV_SIGNUP
        return context

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        response.status_code = 401 if form.non_field_errors() else 422
        return response


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the emailed link also ends a lockout of that account."""

    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"title": "Choose a new password"}  # noqa: RUF012

    def form_valid(self, form: Any) -> HttpResponse:
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.get_username())
        return response


@login_required
def account_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {"title": "Your account", "account": user, "roles": roles_of(user)}
    return render(request, "accounts/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_account_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = DeleteAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if user.check_password(form.cleaned_data["password"]):
            logout(request)
            delete_account(user)
            return render(request, "accounts/deleted.html", {"title": "Account deleted"})
        form.add_error("password", "That is not your password; nothing was deleted.")
    status = 422 if form.errors else 200
    return render(request, "accounts/delete.html", {"title": "Delete your account", "form": form}, status=status)
