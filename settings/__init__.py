"""One settings class for every CLI option default (env prefix DENIALRISK_).

Reading settings does no work on import: call `get_settings()` where a value is needed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = PROJECT_ROOT.parent / "shared"


class Settings(BaseSettings):
    """Defaults for every `denialrisk` command; override with DENIALRISK_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="DENIALRISK_", extra="ignore",
                                      populate_by_name=True)

    # reference material (read at run time, never committed)
    cms_dir: Path = Field(SHARED_DIR / "cms", description="Folder of the CMS NCCI/MPFS extracts.")
    carc_dir: Path = Field(SHARED_DIR / "carc", description="Folder of the X12 CARC/RARC lists.")
    contract_dir: Path = Field(SHARED_DIR / "contract", description="Claim contract + examples.")
    payer_map: Path | None = Field(
        None, description="CSV mapping the practice's payer ids (837P NM1*PR, 835 N1*PR, FHIR "
        "insurer) to the payer ids models train on; header source_payer_id,payer_id,note "
        "(note optional); an id not in the map is kept as it is. None = the packaged "
        "interop/x12/payer_map.csv.")
    history_store: Path | None = Field(
        None, description="The practice's history store (`denialrisk ingest --out X` writes "
        "it to X/history): a claim sent without history is looked up there by hashed "
        "member id, and each provider's credentialing standing with each payer is read "
        "from its remits. None = <work_dir>/history/history when it exists.")

    # generator
    work_dir: Path = Field(
        PROJECT_ROOT / "work",
        description="Root of the stores every command finds by default: claims/ (data "
                    "set), models/, mlflow/, bentoml/ (the demo writes them).")
    claims: int = Field(300_000, ge=1, description="Number of claims to generate.")
    seed: int = Field(20260101, description="Random seed; same seed gives an identical file.")
    start: date = Field(date(2025, 1, 1), description="First date of service.")
    end: date = Field(date(2026, 6, 30), description="Last date of service.")
    drift: bool = Field(True, description="Apply the dated payer rule change (COA modifier 25).")
    drift_date: date = Field(date(2026, 4, 1), description="Date the COA rule change starts.")
    error_scale: float = Field(
        1.0, ge=0.0, le=5.0, description="Multiplier on all coder/front-desk error rates."
    )
    chunk_size: int = Field(250_000, ge=1000, description="Claims generated per chunk.")

    # training and evaluation
    min_payer_claims: int | None = Field(
        None, ge=0,
        description="Training claims a payer needs for its own model (none = auto: 1% of "
                    "the training claims, at least 1,000); others are scored by the pooled "
                    "model.")
    min_payer_denials: int = Field(
        50, ge=0, description="Denied training claims a payer needs for its own model.")
    test_months: int = Field(
        3, ge=1, description="Newest months of data held out as test (fewer on a short "
                             "history: at least as many months train as test).")
    val_months: int = Field(
        1, ge=1, description="Months before the test window for early stopping/calibration.")
    engine: Literal["local", "dask"] = Field(
        "local", description="Engine of `train` (dask: features per partition + "
                             "lightgbm.dask) and of Parquet `score` (dask: chunks scored on "
                             "the cluster): local | dask.")
    scheduler: str | None = Field(
        None, description="Dask scheduler address (engine dask; none = start a LocalCluster).")
    max_rounds: int = Field(2000, ge=1, description="Maximum LightGBM boosting rounds.")
    early_stopping_rounds: int = Field(100, ge=1, description="Early-stopping patience.")
    learning_rate: float = Field(0.1, gt=0.0, le=1.0, description="LightGBM learning rate.")
    num_leaves: int = Field(31, ge=2, description="LightGBM leaves per tree.")
    min_data_in_leaf: int = Field(
        20, ge=1, description="LightGBM minimum claims per leaf of a payer's denial model and "
                              "of the reason models: small enough that a payer's rare but "
                              "certain rule (an HMO's 66 training claims without a "
                              "referral) gets its own leaf.")
    pooled_min_data_in_leaf: int = Field(
        20, ge=1, description="LightGBM minimum claims per leaf of the pooled denial model "
                              "(payer habits are interactions with the payer column there; "
                              "its per-payer coding-check lifts back them up).")
    max_depth: int = Field(
        6, ge=-1, description="LightGBM tree depth limit (-1 = none). Shallow trees keep "
        "TreeSHAP explanations cheap (cost grows with depth squared) at equal AUC.")
    num_threads: int = Field(2, ge=1, description="LightGBM threads per model.")
    block_precision: float = Field(
        0.9, gt=0.0, le=1.0, description="Precision on validation data at the block threshold.")
    warn_precision: float = Field(
        0.6, gt=0.0, le=1.0, description="Precision on validation data at the warn threshold.")
    gate_max_auc_drop: float = Field(
        0.005, ge=0.0, description="Largest test-AUC drop a new model may have vs the model it "
                                   "replaces (the payer's champion, else the pooled model) "
                                   "on the same test claims; against the pooled model, a "
                                   "drop beyond two standard errors of the paired "
                                   "difference also holds it back.")
    gate_max_ece: float = Field(
        0.03, ge=0.0, le=1.0,
        description="Largest test ECE a model may have to replace a champion (unless the "
                    "champion's is larger); a payer with no model yet always gets one, "
                    "with a warning when its ECE is above this.")
    refit_for_serving: bool = Field(
        True, description="Serve a promoted model refit on the whole history (validation = "
                          "the newest month) instead of the tested one, which ends "
                          "val + test months earlier: a payer's rule change in the last "
                          "months is then learned; the tested bundle is kept beside it for "
                          "evaluate --champions and monitor.")
    recency_half_life_days: float | None = Field(
        None, gt=0.0,
        description="Weight training claims by 0.5 ** (age / half-life) (days before the "
                    "newest training claim; none = all claims weigh the same).")
    models_dir: Path = Field(default_factory=lambda data: data["work_dir"] / "models",
                             description="Folder of the latest trained model bundles.")
    tracking_uri: str | None = Field(
        None, validation_alias=AliasChoices("DENIALRISK_TRACKING_URI", "MLFLOW_TRACKING_URI"),
        description="MLflow tracking URI (also MLFLOW_TRACKING_URI; none = sqlite in mlflow_dir).")
    mlflow_dir: Path = Field(default_factory=lambda data: data["work_dir"] / "mlflow",
                             description="Embedded MLflow folder: mlflow.db + artifacts/.")
    experiment: str = Field("denialrisk", description="MLflow experiment name.")
    bentoml_home: Path = Field(
        default_factory=lambda data: data["work_dir"] / "bentoml",
        validation_alias=AliasChoices("DENIALRISK_BENTOML_HOME", "BENTOML_HOME"),
        description="BentoML home (model store) for champion bundles (also BENTOML_HOME).")

    # payer-drift monitoring (`denialrisk monitor`, training/monitor.py)
    monitor_threshold: float = Field(
        2.0, description="CUSUM alarm level above ln(number of payer x reason x segment "
                         "streams); higher = fewer false alarms, later detection.")
    monitor_rate_ratio: float = Field(
        8.0, gt=1.0, description="Rise of a segment's denial rate the CUSUM is tuned to detect.")
    monitor_baseline_quantile: float = Field(
        0.85, gt=0.0, lt=1.0,
        description="Upper credible quantile of a segment's own denial rate vs the model used "
                    "as its baseline (a short or sparse history is not trusted to be low).")
    monitor_burn_in_weeks: int = Field(
        8, ge=0, description="First weeks of the data that only build the baseline (no alarm).")
    monitor_min_weeks: int = Field(
        2, ge=1, description="Weeks with excess denials an alarm needs (one freak week is not "
                             "a rule change).")

    # serving and the demo
    port: int = Field(3000, ge=1, le=65535, description="HTTP port of `denialrisk serve`.")
    workers: int = Field(
        1, ge=1, le=64, description="Server worker processes of `denialrisk serve` (each "
                                    "loads every model: ~0.5 GB, and gets cores/workers "
                                    "LightGBM threads; on 2 cores 1 is best, README).")
    api_key: SecretStr | None = Field(
        None, description="Bearer token every non-health endpoint requires (never logged).")
    insecure_dev: bool = Field(
        False, description="Allow starting without an API key (local development only).")
    max_batch_claims: int = Field(1000, ge=1, description="Claims per /predict_batch call.")
    max_lines_per_claim: int = Field(50, ge=1, le=50, description="Lines per claim.")
    micro_batch_claims: int = Field(
        64, ge=1, description="Most claims of concurrent requests scored together in one "
                              "call (serving/batcher.py; 1 scores each request alone).")
    max_body_mb: float = Field(64.0, gt=0, description="Largest request body accepted (MB).")
    max_fixes: int = Field(5, ge=0, description="Fixes returned per claim.")
    max_factors: int = Field(5, ge=1, description="Explanation factors returned per claim.")
    demo_claims: int = Field(
        60_000, ge=2000, description="Claims the demo generates and trains on (2 cores: minutes).")

    def has_api_key(self) -> bool:
        """True when a non-empty API key is configured."""
        return self.api_key is not None and bool(self.api_key.get_secret_value().strip())

    def data_path(self) -> Path:
        """Default location of the generated data set."""
        return self.work_dir / "claims"

    def history_path(self) -> Path:
        """The history store serving looks claims up in (see history_store)."""
        return self.history_store or self.work_dir / "history" / "history"


def get_settings() -> Settings:
    """Build settings from the environment (no caching: tests set env vars freely)."""
    return Settings()


def settings_with(**overrides: object) -> Settings:
    """Settings from the environment with the given non-None values applied (CLI flags).

    Built anew, not copied, so the values are validated (pydantic ValidationError, a
    ValueError) and the stores under work_dir follow a work_dir given here."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)
