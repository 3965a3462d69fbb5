"""The one settings object, read from the environment (and an optional `.env`).

Built once at start (`Settings()`) and passed down; nothing else reads `os.environ`.
Variable names follow the platforms' own conventions (`SLACK_BOT_TOKEN`, `MicrosoftAppId`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "claude-sonnet-5-5"


def _default_data_dir() -> Path:
    """`./.advisor` when it already exists, else the user's data dir (XDG)."""
    local = Path.cwd() / ".advisor"
    if local.exists():
        return local
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "fractional-advisor"


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Every knob of the advisor; the README's configuration table documents each one."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # --- storage -----------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        validation_alias=_env("ADVISOR_DATA_DIR"),
        description="Folder for the embedded index, SQLite databases and model cache.",
    )
    database_url: str | None = Field(
        default=None,
        validation_alias=_env("ADVISOR_DATABASE_URL"),
        description="SQLAlchemy URL for state; SQLite in the data dir when unset; "
        "postgresql://… for scale-out.",
    )
    chroma_host: str | None = Field(
        default=None,
        validation_alias=_env("CHROMA_HOST"),
        description="Chroma server host; the index is embedded in the data dir when unset.",
    )
    chroma_port: int = Field(default=8000, validation_alias=_env("CHROMA_PORT"))
    chroma_ssl: bool = Field(default=False, validation_alias=_env("CHROMA_SSL"))
    collection: str = Field(
        default="advisor_chunks",
        validation_alias=_env("ADVISOR_COLLECTION"),
        description="Chroma collection holding every tenant's chunks.",
    )

    # --- retrieval and answers ---------------------------------------------------------
    top_k: int = Field(default=6, ge=1, le=50, validation_alias=_env("ADVISOR_TOP_K"))
    max_question_chars: int = Field(
        default=4000, ge=100, validation_alias=_env("ADVISOR_MAX_QUESTION_CHARS")
    )

    # --- Claude --------------------------------------------------------------------------
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=_env("ANTHROPIC_API_KEY")
    )
    anthropic_base_url: str | None = Field(
        default=None,
        validation_alias=_env("ANTHROPIC_BASE_URL"),
        description="Messages API base URL; tests point it at a loopback server.",
    )
    anthropic_model: str = Field(default=DEFAULT_MODEL, validation_alias=_env("ADVISOR_MODEL"))
    max_tokens: int = Field(default=1024, ge=64, validation_alias=_env("ADVISOR_MAX_TOKENS"))
    answer_deadline_s: float = Field(
        default=20.0, gt=0, validation_alias=_env("ADVISOR_ANSWER_DEADLINE_S")
    )
    llm_max_retries: int = Field(default=2, ge=0, validation_alias=_env("ADVISOR_LLM_MAX_RETRIES"))
    stream_answers: bool = Field(default=False, validation_alias=_env("ADVISOR_STREAM"))
    redact_pii: bool = Field(default=False, validation_alias=_env("ADVISOR_REDACT_PII"))

    # --- Slack ---------------------------------------------------------------------------
    slack_bot_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_BOT_TOKEN")
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_APP_TOKEN")
    )
    slack_client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET")
    )
    slack_redirect_uri: str | None = Field(
        default=None,
        validation_alias=_env("SLACK_REDIRECT_URI"),
        description="Public URL of /slack/oauth_redirect, when the app lists several.",
    )
    slack_install_mapped_only: bool = Field(
        default=False,
        validation_alias=_env("SLACK_INSTALL_MAPPED_ONLY"),
        description="Refuse OAuth installs from workspaces not yet mapped to a client.",
    )
    secret_keys: SecretStr | None = Field(
        default=None,
        validation_alias=_env("ADVISOR_SECRET_KEYS"),
        description="Fernet keys (comma-separated, newest first) sealing Slack tokens at rest.",
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/",
        validation_alias=_env("SLACK_API_URL"),
        description="Slack Web API base URL; tests point it at a loopback server.",
    )
    slack_note_channels: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("ADVISOR_NOTE_CHANNELS"),
        description="Channel ids where `/advisor note add` is allowed (comma-separated).",
    )
    slack_timeout_s: float = Field(
        default=15.0,
        gt=0,
        validation_alias=_env("SLACK_API_TIMEOUT_S"),
        description="Time limit of one Slack Web API call (slack_sdk's own default is 30 s).",
    )
    event_lease_s: float = Field(
        default=30.0,
        gt=0,
        validation_alias=_env("ADVISOR_EVENT_LEASE_S"),
        description="How long a claimed Slack delivery stays claimed without its worker "
        "renewing it; after a crash, Slack's retry is processed once the lease has run out.",
    )

    # --- Microsoft Teams (Bot Framework names) -------------------------------------------
    microsoft_app_id: str = Field(default="", validation_alias=_env("MicrosoftAppId"))
    microsoft_app_password: SecretStr = Field(
        default=SecretStr(""), validation_alias=_env("MicrosoftAppPassword")
    )
    microsoft_app_type: Literal["SingleTenant", "MultiTenant", "UserAssignedMSI"] = Field(
        default="SingleTenant",
        validation_alias=_env("MicrosoftAppType"),
        description="Azure creates new bots as SingleTenant (needs MicrosoftAppTenantId).",
    )
    microsoft_app_tenant_id: str = Field(default="", validation_alias=_env("MicrosoftAppTenantId"))

    # --- governance and operations -------------------------------------------------------
    audit_hash_questions: bool = Field(
        default=False, validation_alias=_env("ADVISOR_AUDIT_HASH_QUESTIONS")
    )
    audit_retention_days: int = Field(
        default=365, ge=1, validation_alias=_env("ADVISOR_AUDIT_RETENTION_DAYS")
    )
    interview_retention_days: int = Field(
        default=30,
        ge=1,
        validation_alias=_env("ADVISOR_INTERVIEW_RETENTION_DAYS"),
        description="Interview threads idle this long are deleted by `advisor audit purge` "
        "(finished results stay in the assessment records).",
    )
    conversation_hours: float = Field(
        default=72.0,
        gt=0,
        validation_alias=_env("ADVISOR_CONVERSATION_HOURS"),
        description="How long a thread's earlier questions and answers are kept for follow-ups.",
    )
    digest_scheduler: bool = Field(
        default=True,
        validation_alias=_env("ADVISOR_DIGEST_SCHEDULER"),
        description="Send due digests from inside `advisor serve`; false when a cron runs "
        "`advisor digest run` instead.",
    )
    log_level: str = Field(default="INFO", validation_alias=_env("ADVISOR_LOG_LEVEL"))
    log_json: bool = Field(default=False, validation_alias=_env("ADVISOR_LOG_JSON"))

    @field_validator("slack_note_channels", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def state_url(self) -> str:
        """The SQLAlchemy URL for state: the configured one, else SQLite in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'advisor.db'}"

    @property
    def uses_postgres(self) -> bool:
        return self.state_url.startswith(("postgresql", "postgres"))

    @property
    def llm_enabled(self) -> bool:
        return self.anthropic_api_key is not None and bool(
            self.anthropic_api_key.get_secret_value()
        )

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir
