"""Identity pages, served on tenant hosts and on the platform host.

On a tenant's host only its active members may sign in; on the platform
host only operators. Each refusal reads the same whatever its cause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from opsyn.access import public, signed_in
from opsyn.clients import client_ip
from opsyn.errors import PlatformError
from shared_apps.security import throttle
from shared_apps.security.events import record
from shared_apps.security.throttle import Throttled, ThrottleUnavailable
from shared_apps.sessions import selectors as session_selectors
from shared_apps.sessions import services as session_services

from . import services, tokens, two_factor
from .emails import send_password_reset
from .forms import (
    ChangePasswordForm,
    CodeForm,
    EmailForm,
    RemoveTwoFactorForm,
    ResetPasswordForm,
    SignInForm,
)
from .models import User, normalise_email
from .signin import EmailNotVerified, InvalidCredentials, check_password_sign_in

BACKEND = "shared_apps.accounts.backends.EmailBackend"
PENDING_USER = "_opsyn_pending_user"
PENDING_AT = "_opsyn_pending_at"
PENDING_NEXT = "_opsyn_pending_next"
VERIFIED = "_opsyn_2fa"
FRESH_CODES = "_opsyn_recovery_codes"
# How long a correct password waits for its second factor.
PENDING_SECONDS = 5 * 60


@public
def sign_in(request: HttpRequest) -> HttpResponseBase:
    next_url = _safe_next(request)
    if request.user.is_authenticated and getattr(request, "tenant", None) is None:
        return redirect(next_url)
    if request.method != "POST":
        return _sign_in_page(request, SignInForm(), next_url)
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _sign_in_page(request, form, next_url)
    email = form.cleaned_data["username"]
    try:
        user = check_password_sign_in(
            email=email,
            password=form.cleaned_data["password"],
            ip=client_ip(request),
            allowed=_allowed_here(request),
        )
    except EmailNotVerified as exc:
        return _sign_in_page(request, form, next_url, error=exc.message, resend=email)
    except InvalidCredentials as exc:
        return _sign_in_page(request, form, next_url, error=exc.message)
    except (Throttled, ThrottleUnavailable) as exc:
        return _refusal(request, exc, "signin")

    if two_factor.has_two_factor(user):
        # Not signed in yet: the password alone proves nothing more.
        request.session.cycle_key()
        rotate_token(request)
        request.session[PENDING_USER] = user.pk
        request.session[PENDING_AT] = time.time()
        request.session[PENDING_NEXT] = next_url
        return redirect("second-factor")
    _complete_sign_in(request, user, verified=False)
    return redirect(next_url)


@public
def second_factor(request: HttpRequest) -> HttpResponseBase:
    user = _pending_user(request)
    if user is None and request.user.is_authenticated:
        user = request.user  # signed in before enrolling elsewhere
    if user is None or not two_factor.has_two_factor(user):
        return redirect("sign-in")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            accepted = two_factor.verify(user=user, code=form.cleaned_data["code"])
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "second_factor")
        if accepted:
            next_url = str(request.session.get(PENDING_NEXT) or "/")
            _complete_sign_in(request, user, verified=True)
            return redirect(next_url)
        error = two_factor.WRONG_CODE
    return render(
        request, "accounts/second_factor.html", {"form": form, "error": error}
    )


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        record("signout", request=request)
    logout(request)
    return redirect("sign-in")


@public
def verify_email(request: HttpRequest, token: str) -> HttpResponseBase:
    # A GET only shows a button: mail scanners that open links must not
    # use up the single-use token.
    if request.method != "POST":
        valid = tokens.read(token, tokens.VERIFY) is not None
        return render(request, "accounts/verify_email.html", {"valid": valid})
    try:
        user = services.verify_email(token=token)
    except PlatformError as exc:
        return render(
            request,
            "accounts/verify_email.html",
            {"valid": False, "error": exc.message},
            status=exc.status,
        )
    joined = ""
    if getattr(request, "tenant", None) is not None:
        from tenant_apps.invitations.services import complete_invitation_for

        if complete_invitation_for(user=user) is not None:
            joined = f" You are now a member of {request.tenant.name}."  # type: ignore[attr-defined]
    messages.success(request, f"Your email address is confirmed.{joined} Sign in.")
    return redirect("sign-in")


@public
@require_POST
def resend_verification(request: HttpRequest) -> HttpResponseBase:
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            services.resend_verification(
                email=form.cleaned_data["email"], base_url=_base_url(request)
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "resend")
    messages.info(
        request,
        "If that address has an unconfirmed account, a new link is on its way.",
    )
    return redirect("sign-in")


@public
def forgot_password(request: HttpRequest) -> HttpResponseBase:
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = normalise_email(form.cleaned_data["email"])
        try:
            throttle.hit(
                throttle.Scope("reset", throttle.account_scope(email).key),
                limit=settings.OPSYN_VERIFICATION_RESENDS_PER_HOUR,
                window=60 * 60,
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "forgot_password")
        user = User.objects.filter(email=email, is_active=True).first()
        if user is not None:
            send_password_reset(user=user, base_url=_base_url(request))
            record("password.reset_requested", request=request, user_id=user.pk)
        # The same answer either way: this page must not reveal accounts.
        return render(request, "accounts/forgot_password.html", {"sent": True})
    return render(request, "accounts/forgot_password.html", {"form": form})


@public
def reset_password(request: HttpRequest, token: str) -> HttpResponseBase:
    user = tokens.read(token, tokens.RESET)
    if user is None:
        return render(
            request, "accounts/reset_password.html", {"invalid": True}, status=400
        )
    needs_code = two_factor.has_two_factor(user)
    form = ResetPasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            if needs_code and not two_factor.verify(
                user=user, code=form.cleaned_data["code"] or ""
            ):
                raise PlatformError(two_factor.WRONG_CODE)
            services.set_password(
                user=user,
                password=form.cleaned_data["password1"],
                keep_session_key=None,
                reason="password reset",
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "reset")
        except PlatformError as exc:
            error = exc.message
        else:
            record("password.reset", request=request, user_id=user.pk)
            messages.success(
                request,
                "Your password is changed and every other session ended. Sign in.",
            )
            return redirect("sign-in")
    return render(
        request,
        "accounts/reset_password.html",
        {"form": form, "needs_code": needs_code, "error": error},
        status=400 if error else 200,
    )


@signed_in
def change_password(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    form = ChangePasswordForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if not user.check_password(form.cleaned_data["current"]):
            error = "Your current password is not right."
        else:
            try:
                services.set_password(
                    user=user,
                    password=form.cleaned_data["password1"],
                    keep_session_key=request.session.session_key,
                    reason="password changed",
                )
            except PlatformError as exc:
                error = exc.message
            else:
                update_session_auth_hash(request, user)
                record("password.changed", request=request)
                messages.success(
                    request, "Your password is changed; your other sessions ended."
                )
                return redirect("my-sessions")
    return render(
        request,
        "accounts/change_password.html",
        {"form": form, "error": error},
        status=400 if error else 200,
    )


@signed_in
def my_sessions(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if request.method == "POST":
        try:
            if "end_others" in request.POST:
                count = session_services.end_other_sessions(
                    actor_id=user.pk,
                    user_id=user.pk,
                    keep_key=request.session.session_key,
                    reason="ended by its owner",
                )
                messages.success(request, f"Ended {count} other session(s).")
            else:
                session_services.end_session(
                    actor_id=user.pk,
                    public_id=request.POST.get("session", ""),
                    user_ids=[user.pk],
                    reason="ended by its owner",
                )
                messages.success(request, "The session is ended.")
        except PlatformError as exc:
            messages.error(request, exc.message)
        return redirect("my-sessions")
    current = request.session.session_key
    rows = [
        {
            "public_id": row.public_id,
            "device": session_selectors.describe_device(row.user_agent),
            "fingerprint": row.fingerprint[:8],
            "ip": row.ip,
            "host": row.host,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "current": row.session_key == current,
        }
        for row in session_selectors.live_sessions(user_ids=[user.pk])
    ]
    return render(request, "accounts/my_sessions.html", {"sessions": rows})


@signed_in
def enrol(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    if two_factor.has_two_factor(user):
        return redirect("two-factor")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(
                user=user, code=form.cleaned_data["code"]
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "enrol")
        except PlatformError as exc:
            error = exc.message
        else:
            request.session.cycle_key()
            rotate_token(request)
            request.session[VERIFIED] = True
            request.session[FRESH_CODES] = codes
            return redirect("recovery-codes")
    device = two_factor.pending_device(user)
    if device is None:
        device, secret = two_factor.start_enrolment(user=user)
    else:
        secret = two_factor.device_secret(device)
    from .totp import provisioning_uri

    uri = provisioning_uri(secret, user.email)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "error": error,
            "secret": secret,
            "uri": uri,
            "qr_svg": _qr_svg(uri),
        },
        status=400 if error else 200,
    )


@signed_in
def recovery_codes(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    fresh = request.session.pop(FRESH_CODES, None)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            fresh = two_factor.regenerate_recovery_codes(
                user=user, code=form.cleaned_data["code"]
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "recovery_codes")
        except PlatformError as exc:
            error = exc.message
    return render(
        request,
        "accounts/recovery_codes.html",
        {
            "codes": fresh,
            "form": form,
            "error": error,
            "remaining": two_factor.unused_recovery_codes(user),
        },
    )


@signed_in
def two_factor_status(request: HttpRequest) -> HttpResponseBase:
    user = _user(request)
    form = RemoveTwoFactorForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.remove_two_factor(
                user=user,
                password=form.cleaned_data["password"],
                code=form.cleaned_data["code"],
            )
        except (Throttled, ThrottleUnavailable) as exc:
            return _refusal(request, exc, "two_factor_remove")
        except PlatformError as exc:
            error = exc.message
        else:
            request.session.pop(VERIFIED, None)
            messages.success(request, "Two-factor authentication is removed.")
            return redirect("two-factor")
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enabled": two_factor.has_two_factor(user),
            "form": form,
            "error": error,
        },
    )


def _complete_sign_in(request: HttpRequest, user: User, *, verified: bool) -> None:
    for key in (PENDING_USER, PENDING_AT, PENDING_NEXT):
        request.session.pop(key, None)
    # login() rotates the session key and the CSRF token.
    login(request, user, backend=BACKEND)
    request.session[VERIFIED] = verified
    record("signin.succeeded", request=request, second_factor=verified)
    if getattr(request, "tenant", None) is not None and not _is_member_here(user):
        # Only a support operator with access gets this far on a tenant host.
        record("support.signed_in", request=request, operator_id=user.pk)


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    started = float(request.session.get(PENDING_AT) or 0)
    if user_id is None or time.time() - started > PENDING_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _allowed_here(request: HttpRequest) -> Callable[[User], bool]:
    if getattr(request, "tenant", None) is None:
        return two_factor.is_operator
    from tenant_apps.members.selectors import active_membership, support_access_here

    return lambda user: (
        active_membership(user_id=user.pk) is not None
        or support_access_here(user_id=user.pk) is not None
    )


def _is_member_here(user: User) -> bool:
    from tenant_apps.members.selectors import active_membership

    return active_membership(user_id=user.pk) is not None


def _sign_in_page(
    request: HttpRequest,
    form: SignInForm,
    next_url: str,
    *,
    error: str = "",
    resend: str = "",
) -> HttpResponse:
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": next_url, "error": error, "resend": resend},
    )


def _refusal(request: HttpRequest, exc: PlatformError, where: str) -> HttpResponse:
    kind = "signin.throttled" if isinstance(exc, Throttled) else "signin.unavailable"
    record(kind, request=request, where=where)
    response = render(
        request, "accounts/refused.html", {"message": exc.message}, status=exc.status
    )
    retry_after = getattr(exc, "retry_after", 60)
    response["Retry-After"] = str(retry_after)
    return response


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def _base_url(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _qr_svg(uri: str) -> str:
    import qrcode  # type: ignore[import-untyped]
    import qrcode.image.svg  # type: ignore[import-untyped]

    image: Any = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage)
    return str(image.to_string(encoding="unicode"))
