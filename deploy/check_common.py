"""What the deploy checks share: the settings and files they know, the report they fill,
and small readers. See check.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent
BOT_IMAGE = "fractional-advisor"  # the image name the compose file and manifests use
GRACE_SECONDS = 60  # SIGTERM → SIGKILL, the same on every platform
MIN_GRACE_SECONDS = 30  # the default answer deadline (20 s) plus delivery

K8S_FILES = (
    "k8s/deployment.yaml",
    "k8s/service.yaml",
    "k8s/pdb.yaml",
    "k8s/migrate-job.yaml",
    "k8s/chroma.yaml",
    "k8s/digest-cronjob/cronjob.yaml",
)
REQUIRED_FILES = (
    "Dockerfile",
    "docker-compose.yml",
    ".env.example",
    "Caddyfile",
    "fly.toml",
    "fly.chroma.toml",
    "constraints.txt",
    "README.md",
    "k8s/kustomization.yaml",
    "k8s/config.env",
    "k8s/digest-cronjob/kustomization.yaml",
    *K8S_FILES,
)

# Read by docker-compose.yml (interpolation) or the Caddy proxy, never by the app.
DEPLOY_VARIABLES = {
    "POSTGRES_PASSWORD": "PostgreSQL password for the compose setup",
    "ADVISOR_SITE_ADDRESS": "public address Caddy serves",
    "HTTP_PORT": "host port for HTTP",
    "HTTPS_PORT": "host port for HTTPS",
    "ADVISOR_IMAGE": "image tag compose builds and runs",
    "ADVISOR_NOTES_DIR": "host folder of notes mounted into `ops`",
}
# Settings the deploy files rely on that README.md does not document yet: warned, not failed.
# Drop an entry once README.md's configuration table lists it (the check then says so).
PENDING_SETTINGS: dict[str, str] = {}
# Never a literal value in a deploy file; only placeholders, interpolation or secret refs.
SECRET_SETTINGS = {
    "ANTHROPIC_API_KEY",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_SECRET",
    "MicrosoftAppPassword",
    "ADVISOR_DATABASE_URL",  # carries the database password
    "POSTGRES_PASSWORD",
}
SECRET_SHAPES = re.compile(
    r"(xox[abposr]-[A-Za-z0-9-]{8,}|xapp-[A-Za-z0-9-]{8,}|sk-ant-[A-Za-z0-9_-]{8,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{20,})"
)
# user:password@ in a URL; the password may only be an interpolation or a placeholder.
URL_PASSWORD = re.compile(r"://[^:/@\s]+:(\$\{[^}]*\}|[^@\s]+)@")
PASSWORD_PLACEHOLDERS = {"CHANGE-ME", "PASSWORD", "…"}
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)")

# fly.toml keys flyctl knows (superfly/flyctl internal/appconfig), to catch typos.
FLY_TOP_LEVEL = {
    "app", "primary_region", "kill_signal", "kill_timeout", "swap_size_mb", "console_command",
    "experimental", "build", "deploy", "env", "processes", "mounts", "http_service",
    "services", "checks", "files", "host_dedication_id", "machine_config", "container",
    "machine_checks", "restart", "vm", "statics", "metrics",
}  # fmt: skip
FLY_HTTP_SERVICE = {
    "internal_port", "force_https", "auto_stop_machines", "auto_start_machines",
    "min_machines_running", "processes", "concurrency", "tls_options", "http_options",
    "checks", "machine_checks",
}  # fmt: skip
FLY_CHECK = {
    "port", "type", "interval", "timeout", "grace_period", "method", "path", "protocol",
    "tls_skip_verify", "tls_server_name", "headers", "processes",
}  # fmt: skip
FLY_DEPLOY = {
    "strategy", "max_unavailable", "wait_timeout", "release_command",
    "release_command_timeout", "release_command_vm", "seed_command",
}  # fmt: skip


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def warn(self, where: str, message: str) -> None:
        self.warnings.append(f"{where}: {message}")


def read_env_file(path: Path, *, commented: bool) -> dict[str, str]:
    """KEY=VALUE lines; with `commented`, also `# KEY=VALUE` lines (documented defaults)."""
    values = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if commented and line.startswith("#"):
            line = line.lstrip("#").strip()
        elif line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and ENV_NAME.match(name) and " " not in name:
            values.setdefault(name, value)
    return values


def is_interpolated_secret(value: str) -> bool:
    if value.startswith("${"):
        return True
    match = URL_PASSWORD.search(value)
    return bool(match) and match.group(1).startswith("${")


def check_image_tag(report: Report, where: str, image: str) -> None:
    """`name:1.2.3` or a digest; `${VAR:-name:1.2.3}` is judged by its default."""
    if not image or "@sha256:" in image:
        return
    image = re.sub(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:-(.*)\}$", r"\1", image)
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    if not tag or tag == "latest":
        report.fail(where, f"image {image} is not pinned to a version tag")


def check_chroma_tag(report: Report, where: str, image: str, chroma_tag: str | None) -> None:
    """The Chroma server and the chromadb client pinned in constraints.txt move together."""
    if (
        image.startswith("chromadb/chroma")
        and chroma_tag
        and image.rsplit(":", 1)[-1] != chroma_tag
    ):
        report.fail(where, f"{image} differs from chromadb=={chroma_tag} (constraints.txt)")


def seconds(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(\d+)\s*s", str(value or "").strip())
    return int(match.group(1)) if match else None


def load_yaml(report: Report, path: Path) -> dict[str, Any] | None:
    docs = load_yaml_all(report, path)
    return docs[0] if docs else None


def load_yaml_all(report: Report, path: Path) -> list[dict[str, Any]]:
    try:
        docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
    except yaml.YAMLError as exc:
        report.fail(str(path.name), f"does not parse: {exc}")
        return []
    for doc in docs:
        if not isinstance(doc, dict):
            report.fail(str(path.name), "a document is not a mapping")
            return []
    return docs
