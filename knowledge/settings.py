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

from knowledge.priority import IngestPriority
from knowledge.sources import DEFAULT_LIMITS, IngestLimits

DEFAULT_MODEL = "claude-sonnet-5-5"


def _default_data_dir() -> Path:
    """`./.advisor` when it already exists, else the user's data dir (XDG)."""
    local = Path.cwd() / ".advisor"
    if local.exists():
        return local
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "fractional-advisor"


def _default_cache_dir() -> Path:
    """The user's cache dir (XDG): data derived from what the package ships, shared by
    every data dir on the machine."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
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
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        validation_alias=_env("ADVISOR_CACHE_DIR"),
        description="Data derived from the shipped models and corpora (the reader's "
        "neighbour bank, ~32 MB), rebuilt when missing; safe to delete.",
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
        description="Base name of the Chroma collections: one per tenant, `<tenant>.<name>`.",
    )

    # --- ingestion limits: what one notes file may cost (hostile or accidental) ---------
    ingest_max_file_bytes: int = Field(
        default=DEFAULT_LIMITS.max_file_bytes,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_FILE_BYTES"),
        description="Larger files are refused before they are read.",
    )
    ingest_max_chars: int = Field(
        default=DEFAULT_LIMITS.max_chars,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_CHARS"),
        description="Characters of text extracted from one file.",
    )
    ingest_max_chunks: int = Field(
        default=DEFAULT_LIMITS.max_chunks,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_CHUNKS"),
        description="Chunks made from one file.",
    )
    ingest_max_expansion_ratio: float = Field(
        default=DEFAULT_LIMITS.max_expansion_ratio,
        gt=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_EXPANSION_RATIO"),
        description="A .docx whose zip unpacks to more than this many times its size is refused.",
    )
    ingest_max_docx_xml_bytes: int = Field(
        default=DEFAULT_LIMITS.max_docx_xml_bytes,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_DOCX_XML_BYTES"),
        description="Unzipped size of each XML part of a .docx that is read.",
    )
    ingest_max_docx_paragraphs: int = Field(
        default=DEFAULT_LIMITS.max_docx_paragraphs,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_DOCX_PARAGRAPHS"),
    )
    ingest_max_zip_entries: int = Field(
        default=DEFAULT_LIMITS.max_zip_entries,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_ZIP_ENTRIES"),
    )
    ingest_max_pdf_pages: int = Field(
        default=DEFAULT_LIMITS.max_pdf_pages,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_PDF_PAGES"),
    )
    ingest_max_pdf_content_bytes: int = Field(
        default=DEFAULT_LIMITS.max_pdf_content_bytes,
        ge=1,
        validation_alias=_env("ADVISOR_INGEST_MAX_PDF_CONTENT_BYTES"),
        description="Decoded page content of one PDF, all pages together (and each stream).",
    )
    ingest_max_pdf_seconds: float = Field(
        default=DEFAULT_LIMITS.max_pdf_seconds,
        gt=0,
        validation_alias=_env("ADVISOR_INGEST_MAX_PDF_SECONDS"),
        description="Time to extract one PDF's text (a tiny PDF can draw one form for hours).",
    )
    ingest_priority: IngestPriority = Field(
        default="low",
        validation_alias=_env("ADVISOR_INGEST_PRIORITY"),
        description="OS priority of ingest work, so answers come first (knowledge/priority.py).",
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

    # --- Slack: streaming and the App Home ----------------------------------------------
    slack_stream_interval_s: float = Field(
        default=1.0,
        ge=0,
        validation_alias=_env("SLACK_STREAM_INTERVAL_S"),
        description="Least time between two chat.appendStream calls of one streamed answer.",
    )
    slack_operators: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("ADVISOR_SLACK_OPERATORS"),
        description="Slack user ids (comma-separated) whose App Home also shows the client's "
        "notes and the last eval result.",
    )
    eval_report: Path | None = Field(
        default=None,
        validation_alias=_env("ADVISOR_EVAL_REPORT"),
        description="The output of `advisor eval --json` that operators' App Home shows; "
        "`eval-latest.json` in the data dir when unset.",
    )

    @field_validator("slack_operators", mode="before")
    @classmethod
    def _split_operators(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def eval_report_path(self) -> Path:
        return self.eval_report or self.data_dir / "eval-latest.json"

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

    # --- Teams: inbound limits, token keys, outbound hosts -------------------------------
    teams_max_body_bytes: int = Field(
        default=262_144,
        ge=1024,
        validation_alias=_env("ADVISOR_TEAMS_MAX_BODY_BYTES"),
        description="Largest activity accepted (413 beyond); the Bot Framework's own limit.",
    )
    teams_max_json_depth: int = Field(
        default=64,
        ge=4,
        le=500,
        validation_alias=_env("ADVISOR_TEAMS_MAX_JSON_DEPTH"),
        description="Deepest JSON nesting accepted in an activity (400 beyond).",
    )
    teams_extra_service_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        validation_alias=_env("ADVISOR_TEAMS_EXTRA_SERVICE_HOSTS"),
        description="serviceUrl origins allowed besides the Bot Framework's (comma-separated "
        "`host[:port]` for https or `http://host:port`), e.g. a loopback connector in tests.",
    )
    teams_openid_metadata_url: str = Field(
        default="https://login.botframework.com/v1/.well-known/openidconfiguration",
        validation_alias=_env("ADVISOR_TEAMS_OPENID_METADATA_URL"),
        description="OpenID metadata for Bot Framework channel tokens; tests point it at a "
        "loopback server.",
    )
    teams_emulator_openid_metadata_url: str = Field(
        default="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        validation_alias=_env("ADVISOR_TEAMS_EMULATOR_OPENID_METADATA_URL"),
        description="OpenID metadata for Emulator-issued (Entra) tokens.",
    )
    teams_auth_timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias=_env("ADVISOR_TEAMS_AUTH_TIMEOUT_S"),
        description="Deadline for checking one token (signing keys fetched): 401 beyond.",
    )
    teams_send_timeout_s: float = Field(
        default=10.0,
        gt=0,
        validation_alias=_env("ADVISOR_TEAMS_SEND_TIMEOUT_S"),
        description="Timeout of each call to the Bot Framework connector.",
    )
    teams_send_retries: int = Field(
        default=1,
        ge=0,
        le=5,
        validation_alias=_env("ADVISOR_TEAMS_SEND_RETRIES"),
        description="Retries of a failed connector call (connection errors; 5xx on updates).",
    )

    @field_validator("teams_extra_service_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    # --- LangGraph Server: the graphs on a deployment (graphs/remote.py) -----------------
    langgraph_url: str | None = Field(
        default=None,
        validation_alias=_env("ADVISOR_LANGGRAPH_URL"),
        description="A LangGraph Server deployment (`langgraph dev`, LangGraph Platform) that "
        "runs the qa and assessment graphs for the faces; in-process when unset.",
    )
    langgraph_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=_env("ADVISOR_LANGGRAPH_API_KEY"),
        description="Sent as `x-api-key` to the deployment (on LangGraph Platform: a LangSmith "
        "API key); none for `langgraph dev`.",
    )
    langgraph_timeout_s: float = Field(
        default=60.0,
        gt=0,
        validation_alias=_env("ADVISOR_LANGGRAPH_TIMEOUT_S"),
        description="Time limit of one read from the deployment (an answer, an interview step).",
    )

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
    def ingest_limits(self) -> IngestLimits:
        """The `ingest_max_*` settings, as the loaders take them."""
        return IngestLimits(
            max_file_bytes=self.ingest_max_file_bytes,
            max_chars=self.ingest_max_chars,
            max_chunks=self.ingest_max_chunks,
            max_expansion_ratio=self.ingest_max_expansion_ratio,
            max_docx_xml_bytes=self.ingest_max_docx_xml_bytes,
            max_docx_paragraphs=self.ingest_max_docx_paragraphs,
            max_zip_entries=self.ingest_max_zip_entries,
            max_pdf_pages=self.ingest_max_pdf_pages,
            max_pdf_content_bytes=self.ingest_max_pdf_content_bytes,
            max_pdf_seconds=self.ingest_max_pdf_seconds,
        )

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
