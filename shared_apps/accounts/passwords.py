"""Password policy: long, uncommon, unlike the account, hard to guess.

Every refusal says why and what would pass. Character-class rules and
forced rotation are deliberately absent (NIST SP 800-63B rev. 4).
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from shared_apps.tenants.activation import current_tenant

ADVICE = "A few unrelated words, like a short odd sentence, pass easily."


def explain(messages: list[str]) -> str:
    """Return a refusal's reasons, each once, then what would pass."""
    return " ".join([*dict.fromkeys(messages), ADVICE])


# zxcvbn's scores run 0..4; 3 means "safely unguessable" for online attacks
# and resists offline cracking of a slow hash.
MIN_STRENGTH = 3


class LengthValidator:
    """Between OPSYN_PASSWORD_MIN_LENGTH and OPSYN_PASSWORD_MAX_LENGTH."""

    def validate(self, password: str, user: Any = None) -> None:
        low = settings.OPSYN_PASSWORD_MIN_LENGTH
        high = settings.OPSYN_PASSWORD_MAX_LENGTH
        if len(password) < low:
            raise ValidationError(
                f"This password is too short: it has {len(password)} characters "
                f"and needs at least {low}.",
                code="password_too_short",
            )
        if len(password) > high:
            raise ValidationError(
                f"This password is too long: at most {high} characters.",
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return (
            f"Use {settings.OPSYN_PASSWORD_MIN_LENGTH} to "
            f"{settings.OPSYN_PASSWORD_MAX_LENGTH} characters; any characters."
        )


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    """Django's list of 20,000 common passwords, with a useful message."""

    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                "This password is on a list of common passwords that attackers "
                "try first.",
                code="password_too_common",
            ) from None

    def get_help_text(self) -> str:
        return "Not a commonly used password."


class SimilarityValidator:
    """Unlike the account's email and name and the organisation's name."""

    max_similarity = 0.7

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        for label, value in _personal_words(user):
            for part in {value, *_word_parts(value)}:
                if len(part) < 3:
                    continue
                if part in lowered and len(_remainder(lowered, part)) < 6:
                    self._refuse(label)
                ratio = SequenceMatcher(a=lowered, b=part).quick_ratio()
                if ratio >= self.max_similarity:
                    self._refuse(label)

    @staticmethod
    def _refuse(label: str) -> None:
        raise ValidationError(
            f"This password is too similar to your {label}. "
            "Choose words that have nothing to do with it.",
            code="password_too_similar",
        )

    def get_help_text(self) -> str:
        return "Not like your email, your name or your organisation's name."


class StrengthValidator:
    """zxcvbn's estimate of how many guesses the password would take."""

    def validate(self, password: str, user: Any = None) -> None:
        # zxcvbn refuses more than 72 characters; the first 72 decide.
        sample = password[:72]
        words = [value for _, value in _personal_words(user)]
        result = zxcvbn(sample, user_inputs=words)
        if result["score"] >= MIN_STRENGTH:
            return
        feedback = result.get("feedback") or {}
        reasons = " ".join(
            part
            for part in [
                feedback.get("warning") or "",
                *feedback.get("suggestions", []),
            ]
            if part
        )
        raise ValidationError(
            "This password would be easy to guess"
            + (f": {reasons}" if reasons else "."),
            code="password_too_weak",
        )

    def get_help_text(self) -> str:
        return "Hard to guess: not a pattern, a keyboard walk or a date."


def _personal_words(user: Any) -> list[tuple[str, str]]:
    words: list[tuple[str, str]] = []
    email = str(getattr(user, "email", "") or "").lower()
    if email:
        words.append(("email address", email))
    name = str(getattr(user, "full_name", "") or "").lower()
    if name:
        words.append(("name", name))
    tenant = current_tenant()
    if tenant is not None:
        words.append(("organisation's name", str(tenant.name).lower()))
    return words


def _remainder(password: str, word: str) -> str:
    """Return what is left of a password without the word, digits and symbols."""
    rest = password.replace(word, "")
    return "".join(ch for ch in rest if ch.isalpha())


def _word_parts(value: str) -> list[str]:
    for separator in "@.-_+":
        value = value.replace(separator, " ")
    return [part for part in value.split() if part]
