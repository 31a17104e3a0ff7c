"""Serving settings (env prefix DENIALRISK_), separate from the training Settings.

Read when the service starts (never at import), so tests and `denialrisk serve` set the
environment first. The API key is a SecretStr so it never shows in a repr or a log line.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from denialrisk.settings import PROJECT_ROOT, SHARED_DIR

SERVICE_NAME = "denialrisk"


class ServingSettings(BaseSettings):
    """What the API needs: auth, request limits, where models and CMS tables live."""

    model_config = SettingsConfigDict(env_prefix="DENIALRISK_", extra="ignore",
                                      populate_by_name=True)

    api_key: SecretStr | None = Field(
        None, description="Bearer token every non-health endpoint requires.")
    insecure_dev: bool = Field(
        False, description="Allow starting without an API key (local development only).")
    port: int = Field(3000, ge=1, le=65535, description="HTTP port of `denialrisk serve`.")
    max_batch_claims: int = Field(1000, ge=1, description="Claims per /predict_batch call.")
    max_lines_per_claim: int = Field(50, ge=1, le=50, description="Lines per claim.")
    max_body_mb: float = Field(64.0, gt=0, description="Largest request body accepted.")
    max_fixes: int = Field(5, ge=0, description="Fixes returned per claim.")
    max_factors: int = Field(5, ge=1, description="Explanation factors returned per claim.")
    bentoml_home: Path = Field(
        PROJECT_ROOT / "work" / "bentoml",
        validation_alias=AliasChoices("DENIALRISK_BENTOML_HOME", "BENTOML_HOME"),
        description="BentoML home holding the champion model store.")
    cms_dir: Path = Field(SHARED_DIR / "cms", description="Folder of the CMS extracts.")

    def has_api_key(self) -> bool:
        """True when a non-empty API key is configured."""
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())


class AuthNotConfiguredError(RuntimeError):
    """The service would start without authentication and --insecure-dev was not given."""


def check_auth_configured(settings: ServingSettings) -> None:
    """Refuse to run an unauthenticated API unless insecure development mode is explicit."""
    if not settings.has_api_key() and not settings.insecure_dev:
        raise AuthNotConfiguredError(
            "DENIALRISK_API_KEY is not set: refusing to serve claims without authentication "
            "(set the key, or pass --insecure-dev / DENIALRISK_INSECURE_DEV=1 for local use)")


def get_serving_settings(**overrides: object) -> ServingSettings:
    """Settings from the environment with explicit overrides (None values ignored)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return ServingSettings(**given)
