"""Serving's view of the one Settings class (env prefix DENIALRISK_), plus the auth check.

Read when the service starts (never at import), so tests and `denialrisk serve` set the
environment first. The API key is a SecretStr so it never shows in a repr or a log line.
"""

from __future__ import annotations

from settings import Settings

SERVICE_NAME = "denialrisk"
ServingSettings = Settings  # one settings class for the whole project


class AuthNotConfiguredError(RuntimeError):
    """The service would start without authentication and --insecure-dev was not given."""


def check_auth_configured(settings: Settings) -> None:
    """Refuse to run an unauthenticated API unless insecure development mode is explicit."""
    if not settings.has_api_key() and not settings.insecure_dev:
        raise AuthNotConfiguredError(
            "DENIALRISK_API_KEY is not set: refusing to serve claims without authentication "
            "(set the key, or pass --insecure-dev / DENIALRISK_INSECURE_DEV=1 for local use)")


def get_serving_settings(**overrides: object) -> Settings:
    """Settings from the environment with explicit overrides (None values ignored)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)
