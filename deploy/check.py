#!/usr/bin/env python3
"""Checks the deploy files without Docker, fly or a cluster: they parse, pin their images,
probe and drain the bot the same way everywhere, keep secrets out, and name only settings
that README.md documents.

    python3 deploy/check.py          # one line per problem, exit 1 if any; warnings don't fail

Standard library and PyYAML only, so CI can run it anywhere (tests/test_deploy_files.py
does). When the `kubernetes` client library is importable (chromadb installs it), every
Kubernetes field name is also checked against the API models, so a typo such as
`readinesProbe` cannot pass.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
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


def run(deploy: Path = DEPLOY) -> Report:
    """Every check, on the deploy folder `deploy` (its parent is the repository root)."""
    report = Report()
    missing = [name for name in REQUIRED_FILES if not (deploy / name).is_file()]
    for name in missing:
        report.fail(name, "missing")
    if missing:
        return report

    documented = readme_settings(deploy.parent / "README.md")
    if not documented:
        report.fail("README.md", "no configuration table found (| `VARIABLE` | … |)")
    known = documented | set(PENDING_SETTINGS)
    for name in sorted(set(PENDING_SETTINGS) & documented):
        report.warn("check.py", f"{name} is documented now: drop it from PENDING_SETTINGS")

    constraints = pinned_versions(deploy / "constraints.txt")
    chroma_tag = constraints.get("chromadb")
    if not chroma_tag:
        report.fail("constraints.txt", "chromadb is not pinned")

    app_vars: dict[str, set[str]] = {}  # file → settings handed to advisor containers
    check_dockerfile(deploy, report, app_vars)
    check_dockerignore(deploy, report)
    check_env_example(deploy, report, documented, app_vars)
    check_compose(deploy, report, known, chroma_tag, app_vars)
    check_fly(deploy, report, chroma_tag, app_vars)
    check_kubernetes(deploy, report, chroma_tag, app_vars)
    check_caddyfile(deploy, report)
    check_secret_shapes(deploy, report)

    for where, names in sorted(app_vars.items()):
        for name in sorted(names - known):
            report.fail(where, f"{name} is not in README.md's configuration table")
        for name in sorted(names & set(PENDING_SETTINGS)):
            report.warn(where, f"{name} is used but README.md does not document it yet")
    return report


# --- sources of truth ----------------------------------------------------------------------


def readme_settings(readme: Path) -> set[str]:
    """Variable names in the first column of README.md's configuration table."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[-1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("|") and "`" in line:
            first_cell = line.split("|")[1]
            names.update(n for n in re.findall(r"`([^`]+)`", first_cell) if ENV_NAME.match(n))
    return names


def pinned_versions(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower()] = version.strip()
    return pins


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


# --- the image -----------------------------------------------------------------------------


def check_dockerfile(deploy: Path, report: Report, app_vars: dict[str, set[str]]) -> None:
    where = "Dockerfile"
    text = (deploy / "Dockerfile").read_text(encoding="utf-8")
    lines = _dockerfile_instructions(text)
    stages = [i for i, (op, _) in enumerate(lines) if op == "FROM"]
    if len(stages) < 2:
        report.fail(where, "not multi-stage (one FROM)")
    final = lines[stages[-1] :] if stages else lines
    ops = {op for op, _ in final}
    for needed in ("USER", "HEALTHCHECK", "ENTRYPOINT", "CMD", "VOLUME", "STOPSIGNAL"):
        if needed not in ops:
            report.fail(where, f"runtime stage has no {needed}")
    for op, arg in final:
        if op == "USER" and arg.split(":")[0].strip() in {"0", "root"}:
            report.fail(where, "runtime stage runs as root")
        if op == "HEALTHCHECK" and "/healthz" not in arg:
            report.fail(where, "HEALTHCHECK does not probe /healthz")
        if op == "HEALTHCHECK" and re.search(r"\b(curl|wget)\b", arg):
            report.fail(where, "HEALTHCHECK uses curl/wget, which slim images lack")
        if op == "ENTRYPOINT" and arg.replace(" ", "") != '["advisor"]':
            report.fail(where, f'ENTRYPOINT should be ["advisor"], is {arg}')
        if op == "STOPSIGNAL" and arg.strip() != "SIGTERM":
            report.fail(where, "STOPSIGNAL should be SIGTERM")
        if op == "ENV":
            app_vars.setdefault(where, set()).update(
                n for n in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", arg) if n.startswith("ADVISOR_")
            )
    env = " ".join(arg for op, arg in final if op == "ENV")
    if "ADVISOR_DATA_DIR=/data" not in env:
        report.fail(where, "runtime stage does not set ADVISOR_DATA_DIR=/data")
    if not any(op == "VOLUME" and "/data" in arg for op, arg in final):
        report.fail(where, "no VOLUME /data")
    installs = " ".join(arg for op, arg in lines if op == "RUN" and "pip install" in arg)
    if re.search(r"\[[^\]]*dev[^\]]*\]", installs):
        report.fail(where, "installs the dev extra")
    if re.search(r"pip install[^&;|]*\btorch\b", installs):
        report.fail(where, "installs torch")
    if ".[postgres]" not in installs:
        report.fail(where, 'does not install ".[postgres]"')


def _dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, arg = line.partition(" ")
            out.append((op.upper(), arg.strip()))
    return out


def check_dockerignore(deploy: Path, report: Report) -> None:
    where = ".dockerignore"
    path = deploy.parent / ".dockerignore"
    if not path.is_file():
        report.fail(where, "missing at the repository root")
        return
    rules = [
        line.strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    if not rules or rules[0] != "*":
        report.fail(where, "should start with `*` (allow-list: only what the image needs)")
    allowed = {r[1:].rstrip("/") for r in rules if r.startswith("!")}
    if any(a == ".env" or a.endswith("/.env") for a in allowed):
        report.fail(where, "lets a .env file into the build context")
    text = (deploy / "Dockerfile").read_text(encoding="utf-8")
    for op, arg in _dockerfile_instructions(text):
        if op == "COPY" and "--from=" not in arg:
            for source in arg.split()[:-1]:
                if not source.startswith("--") and source.rstrip("/") not in allowed:
                    report.fail(where, f"Dockerfile copies {source}, which is not allowed in")


# --- environment files -----------------------------------------------------------------------


def check_env_example(
    deploy: Path,
    report: Report,
    documented: set[str],
    app_vars: dict[str, set[str]],
) -> None:
    where = ".env.example"
    values = read_env_file(deploy / ".env.example", commented=True)
    active = read_env_file(deploy / ".env.example", commented=False)
    for name in sorted(documented - set(values)):
        report.fail(where, f"{name} (README.md) is not listed")
    for name in sorted(set(DEPLOY_VARIABLES) - set(values)):
        report.fail(where, f"{name} (used by docker-compose.yml) is not listed")
    for name, value in sorted(active.items()):
        if name in SECRET_SETTINGS and value:
            report.fail(where, f"{name} has a value; leave secrets empty in the example")
    app_vars[where] = set(values) - set(DEPLOY_VARIABLES)


# --- docker compose ------------------------------------------------------------------------


def check_compose(
    deploy: Path,
    report: Report,
    known: set[str],
    chroma_tag: str | None,
    app_vars: dict[str, set[str]],
) -> None:
    where = "docker-compose.yml"
    text = (deploy / "docker-compose.yml").read_text(encoding="utf-8")
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        report.fail(where, f"does not parse: {exc}")
        return
    services: dict[str, Any] = doc.get("services") or {}
    for name in sorted(set(INTERPOLATION.findall(text)) - known - set(DEPLOY_VARIABLES)):
        report.fail(where, f"interpolates ${{{name}}}, documented nowhere")
    for service_name, service in services.items():
        image = str(service.get("image", ""))
        _check_image_tag(report, f"{where} {service_name}", image)
        _check_chroma_tag(report, where, image, chroma_tag)
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.partition("=")[::2] for item in env)
        for key, value in env.items():
            if key in SECRET_SETTINGS and value and not _is_interpolated_secret(str(value)):
                report.fail(where, f"{service_name}: {key} is inlined; use ${{…}} from .env")
        if BOT_IMAGE in image:
            app_vars.setdefault(where, set()).update(env)
        else:
            continue
        command = service.get("command") or []
        if service_name == "migrate" and command != ["db", "upgrade"]:
            report.fail(where, "migrate should run `db upgrade`")
    bot = services.get("bot")
    if not bot:
        report.fail(where, "no `bot` service")
        return
    if (bot.get("deploy") or {}).get("replicas", 1) < 2:
        report.fail(where, "bot runs fewer than 2 replicas")
    if _seconds(bot.get("stop_grace_period")) != GRACE_SECONDS:
        report.fail(where, f"bot stop_grace_period should be {GRACE_SECONDS}s")
    if (bot.get("depends_on") or {}).get("migrate", {}).get(
        "condition"
    ) != "service_completed_successfully":
        report.fail(where, "bot does not wait for migrate to complete")
    bot_env = bot.get("environment") or {}
    if not str(bot_env.get("ADVISOR_DATABASE_URL", "")).startswith("postgresql://"):
        report.fail(where, "bot replicas need ADVISOR_DATABASE_URL=postgresql://…")
    if not bot_env.get("CHROMA_HOST"):
        report.fail(where, "bot replicas need CHROMA_HOST (a Chroma server)")
    for dependency in ("postgres", "chroma"):
        if not (services.get(dependency) or {}).get("healthcheck"):
            report.fail(where, f"{dependency} has no healthcheck")
    for service_name, service in services.items():
        for volume in service.get("volumes") or []:
            if BOT_IMAGE in str(service.get("image", "")) and str(volume).split(":")[-1] in {
                "/data",
                "/data:rw",
            }:
                report.fail(where, f"{service_name} mounts a volume at /data; keep it per replica")


def _is_interpolated_secret(value: str) -> bool:
    if value.startswith("${"):
        return True
    match = URL_PASSWORD.search(value)
    return bool(match) and match.group(1).startswith("${")


# --- fly.io ---------------------------------------------------------------------------------


def check_fly(
    deploy: Path, report: Report, chroma_tag: str | None, app_vars: dict[str, set[str]]
) -> None:
    for name in ("fly.toml", "fly.chroma.toml"):
        try:
            config = tomllib.loads((deploy / name).read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            report.fail(name, f"does not parse: {exc}")
            continue
        for key in sorted(set(config) - FLY_TOP_LEVEL):
            report.fail(name, f"unknown key `{key}`")
        for check_name, check in (config.get("checks") or {}).items():
            for key in sorted(set(check) - FLY_CHECK):
                report.fail(name, f"checks.{check_name}: unknown key `{key}`")
        if config.get("kill_signal") != "SIGTERM":
            report.fail(name, "kill_signal should be SIGTERM (fly's default is SIGINT)")
        for key in config.get("env") or {}:
            if key in SECRET_SETTINGS:
                report.fail(name, f"[env] {key} is a secret: use `fly secrets set`")
        image = (config.get("build") or {}).get("image", "")
        if image:
            _check_image_tag(report, name, image)
            _check_chroma_tag(report, name, image, chroma_tag)

    config = tomllib.loads((deploy / "fly.toml").read_text(encoding="utf-8"))
    where = "fly.toml"
    app_vars[where] = set(config.get("env") or {})
    if _seconds(config.get("kill_timeout")) != GRACE_SECONDS:
        report.fail(where, f"kill_timeout should be {GRACE_SECONDS}s")
    deploy_section = config.get("deploy") or {}
    for key in sorted(set(deploy_section) - FLY_DEPLOY):
        report.fail(where, f"[deploy] unknown key `{key}`")
    if deploy_section.get("release_command") != "db upgrade":
        report.fail(where, "release_command should be `db upgrade` (after ENTRYPOINT advisor)")
    service = config.get("http_service") or {}
    for key in sorted(set(service) - FLY_HTTP_SERVICE):
        report.fail(where, f"[http_service] unknown key `{key}`")
    if service.get("internal_port") != 3000:
        report.fail(where, "http_service.internal_port should be 3000")
    if (service.get("min_machines_running") or 0) < 2:
        report.fail(where, "min_machines_running should be at least 2")
    paths = {c.get("path") for c in service.get("checks") or []}
    paths |= {c.get("path") for c in (config.get("checks") or {}).values()}
    for needed in ("/readyz", "/healthz"):
        if needed not in paths:
            report.fail(where, f"no check on {needed}")
    for check in service.get("checks") or []:
        for key in sorted(set(check) - FLY_CHECK):
            report.fail(where, f"http_service.checks: unknown key `{key}`")
    if "CHROMA_HOST" not in (config.get("env") or {}):
        report.fail(where, "bot Machines need CHROMA_HOST (a Chroma server)")


# --- Kubernetes -------------------------------------------------------------------------------


def check_kubernetes(
    deploy: Path, report: Report, chroma_tag: str | None, app_vars: dict[str, set[str]]
) -> None:
    k8s = deploy / "k8s"
    kustomization = _load_yaml(report, k8s / "kustomization.yaml")
    component = _load_yaml(report, k8s / "digest-cronjob/kustomization.yaml")
    if not kustomization or not component:
        return
    listed = set(kustomization.get("resources") or []) | {
        f"digest-cronjob/{r}" for r in component.get("resources") or []
    }
    for name in K8S_FILES:
        if name.removeprefix("k8s/") not in listed:
            report.fail(name, "not listed in a kustomization")
    if kustomization.get("namespace"):
        report.fail("k8s/kustomization.yaml", "sets a namespace; keep the manifests agnostic")
    images = {i.get("name"): i for i in kustomization.get("images") or []}
    bot_image = images.get(BOT_IMAGE)
    if not bot_image or str(bot_image.get("newTag", "latest")) in {"", "latest"}:
        report.fail("k8s/kustomization.yaml", f"images: pin a newTag for {BOT_IMAGE}")

    config_env = read_env_file(k8s / "config.env", commented=False)
    app_vars["k8s/config.env"] = set(config_env)
    for key in sorted(set(config_env) & SECRET_SETTINGS):
        report.fail("k8s/config.env", f"{key} is a secret: it belongs in the Secret")

    kinds: dict[str, list[dict[str, Any]]] = {}
    for name in K8S_FILES:
        for doc in _load_yaml_all(report, deploy / name):
            where = f"{name} {doc.get('kind')}/{(doc.get('metadata') or {}).get('name')}"
            for needed in ("apiVersion", "kind", "metadata"):
                if needed not in doc:
                    report.fail(where, f"no {needed}")
            if (doc.get("metadata") or {}).get("namespace"):
                report.fail(where, "sets a namespace; keep the manifests agnostic")
            if doc.get("kind") == "Secret":
                report.fail(where, "a Secret in the repository; create it with kubectl instead")
            kinds.setdefault(str(doc.get("kind")), []).append(doc)
            for problem in k8s_model_problems(doc):
                report.fail(where, problem)
            for pod in _pod_specs(doc):
                _check_pod(report, where, pod, chroma_tag, app_vars)

    deployments = [d for d in kinds.get("Deployment", []) if d["metadata"]["name"] == BOT_IMAGE]
    if not deployments:
        report.fail("k8s", f"no Deployment {BOT_IMAGE}")
    for deployment in deployments:
        where = "k8s/deployment.yaml"
        spec = deployment["spec"]
        if spec.get("replicas", 1) < 2:
            report.fail(where, "fewer than 2 replicas")
        pod = spec["template"]["spec"]
        if pod.get("terminationGracePeriodSeconds") != GRACE_SECONDS:
            report.fail(where, f"terminationGracePeriodSeconds should be {GRACE_SECONDS}")
        container = next(
            (c for c in pod.get("containers") or [] if c.get("name") == "advisor"), None
        )
        if container is None:
            report.fail(where, "no container named `advisor`")
            continue
        for probe, path in (
            ("readinessProbe", "/readyz"),
            ("livenessProbe", "/healthz"),
            ("startupProbe", "/healthz"),
        ):
            got = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
            if got != path:
                report.fail(where, f"{probe} should GET {path} (has {got})")
        if not container.get("resources", {}).get("limits", {}).get("memory"):
            report.fail(where, "no memory limit")
        mounts = {m.get("mountPath"): m.get("name") for m in container.get("volumeMounts") or []}
        volumes = {v.get("name"): v for v in pod.get("volumes") or []}
        if "emptyDir" not in volumes.get(mounts.get("/data", ""), {}):
            report.fail(where, "/data should be an emptyDir (a per-pod cache)")
    for job in kinds.get("Job", []):
        args = job["spec"]["template"]["spec"]["containers"][0].get("args")
        if args != ["db", "upgrade"]:
            report.fail("k8s/migrate-job.yaml", f"should run `db upgrade`, runs {args}")
    cronjobs = kinds.get("CronJob", [])
    if not cronjobs:
        report.fail("k8s", "no CronJob for `advisor digest run`")
    for cronjob in cronjobs:
        spec = cronjob["spec"]
        args = spec["jobTemplate"]["spec"]["template"]["spec"]["containers"][0].get("args")
        if args != ["digest", "run"]:
            report.fail("k8s/digest-cronjob", f"should run `digest run`, runs {args}")
        if spec.get("concurrencyPolicy") != "Forbid":
            report.fail("k8s/digest-cronjob", "concurrencyPolicy should be Forbid")
    literals = [
        lit for gen in component.get("configMapGenerator") or [] for lit in gen.get("literals", [])
    ]
    if "ADVISOR_DIGEST_SCHEDULER=false" not in literals:
        report.fail("k8s/digest-cronjob", "must turn the in-process digest scheduler off")


def _pod_specs(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = doc.get("spec") or {}
    if doc.get("kind") == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    template = spec.get("template")
    if template:
        yield template.get("spec") or {}


def _check_pod(
    report: Report,
    where: str,
    pod: dict[str, Any],
    chroma_tag: str | None,
    app_vars: dict[str, set[str]],
) -> None:
    containers = [*(pod.get("initContainers") or []), *(pod.get("containers") or [])]
    is_advisor = any(c.get("image") == BOT_IMAGE for c in containers)
    if pod.get("automountServiceAccountToken") is not False:
        report.fail(where, "automountServiceAccountToken should be false")
    if is_advisor:
        if pod.get("enableServiceLinks") is not False:
            report.fail(where, "enableServiceLinks should be false (CHROMA_PORT collisions)")
        security = pod.get("securityContext") or {}
        if not security.get("runAsNonRoot"):
            report.fail(where, "pod securityContext.runAsNonRoot should be true")
    for container in containers:
        image = str(container.get("image", ""))
        if image != BOT_IMAGE:  # the placeholder kustomization.yaml pins
            _check_image_tag(report, where, image)
        _check_chroma_tag(report, where, image, chroma_tag)
        if image != BOT_IMAGE:
            continue
        security = container.get("securityContext") or {}
        if security.get("readOnlyRootFilesystem") is not True:
            report.fail(where, f"{container.get('name')}: readOnlyRootFilesystem should be true")
        if security.get("allowPrivilegeEscalation") is not False:
            report.fail(where, f"{container.get('name')}: allowPrivilegeEscalation should be false")
        for env in container.get("env") or []:
            name = str(env.get("name"))
            app_vars.setdefault(where, set()).add(name)
            if name in SECRET_SETTINGS and (
                "value" in env or "secretKeyRef" not in (env.get("valueFrom") or {})
            ):
                report.fail(where, f"{name} must come from a secretKeyRef")


def k8s_model_problems(doc: dict[str, Any]) -> list[str]:
    """Unknown field names, missing required fields and wrong types, judged by the Kubernetes
    API models; [] when the `kubernetes` library is not installed."""
    try:
        import kubernetes.client as models
    except ImportError:
        return []
    version = str(doc.get("apiVersion", "")).split("/")[-1].capitalize()
    model = getattr(models, f"{version}{doc.get('kind')}", None)
    if model is None:
        return [f"no {doc.get('apiVersion')} {doc.get('kind')} in the Kubernetes API models"]
    problems: list[str] = []
    _walk_model(models, model.__name__, doc, "", problems)
    if not problems:  # the models' own validation: required fields, value types
        try:
            models.ApiClient()._ApiClient__deserialize(doc, model.__name__)
        except (ValueError, TypeError) as exc:
            problems.append(" ".join(str(exc).split())[:300])
    return problems


def _walk_model(models: Any, type_name: str, value: Any, path: str, out: list[str]) -> None:
    if type_name.lower().startswith("list["):  # `list[V1Container]` or `List[V1Container]`
        for i, item in enumerate(value if isinstance(value, list) else []):
            _walk_model(models, type_name[5:-1], item, f"{path}[{i}]", out)
        return
    if type_name.lower().startswith(("dict(", "dict[")):
        return
    if type_name in {"str", "int", "bool", "float", "datetime", "date"}:
        expected = {"str": str, "int": int, "bool": bool, "float": (int, float)}.get(type_name)
        if expected and not isinstance(value, expected):
            out.append(f"{path.lstrip('.')}: expected {type_name}, got {value!r}")
        return
    model = getattr(models, type_name, None)
    if model is None or not isinstance(value, dict):
        return
    by_json = {json: attr for attr, json in model.attribute_map.items()}
    for key, item in value.items():
        if key not in by_json:
            out.append(f"{path.lstrip('.')}: unknown field `{key}` for {type_name}")
            continue
        _walk_model(models, model.openapi_types[by_json[key]], item, f"{path}.{key}", out)


# --- the rest ----------------------------------------------------------------------------------


def check_caddyfile(deploy: Path, report: Report) -> None:
    text = (deploy / "Caddyfile").read_text(encoding="utf-8")
    for path in ("/slack/events", "/api/messages"):
        if path not in text:
            report.fail("Caddyfile", f"does not route {path}")
    if "/metrics" in text.split("@public", 1)[-1].split("\n", 1)[0]:
        report.fail("Caddyfile", "exposes /metrics publicly")


def check_secret_shapes(deploy: Path, report: Report) -> None:
    files = [p for p in deploy.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    files.append(deploy.parent / ".dockerignore")
    for path in files:
        if path.name in {".env", "check.py"} or path.suffix in {".pyc", ".png", ".zip"}:
            continue  # .env is the operator's own file, git-ignored
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        where = str(path.relative_to(deploy.parent))
        for match in SECRET_SHAPES.finditer(text):
            report.fail(where, f"secret-shaped string {match.group(0)[:12]}…")
        for match in URL_PASSWORD.finditer(text):
            password = match.group(1)
            if not password.startswith("${") and password not in PASSWORD_PLACEHOLDERS:
                report.fail(where, "a URL with a literal password")


def _check_image_tag(report: Report, where: str, image: str) -> None:
    """`name:1.2.3` or a digest; `${VAR:-name:1.2.3}` is judged by its default."""
    if not image or "@sha256:" in image:
        return
    image = re.sub(r"^\$\{[A-Za-z_][A-Za-z0-9_]*:-(.*)\}$", r"\1", image)
    tag = image.rsplit("/", 1)[-1].partition(":")[2]
    if not tag or tag == "latest":
        report.fail(where, f"image {image} is not pinned to a version tag")


def _check_chroma_tag(report: Report, where: str, image: str, chroma_tag: str | None) -> None:
    """The Chroma server and the chromadb client pinned in constraints.txt move together."""
    if (
        image.startswith("chromadb/chroma")
        and chroma_tag
        and image.rsplit(":", 1)[-1] != chroma_tag
    ):
        report.fail(where, f"{image} differs from chromadb=={chroma_tag} (constraints.txt)")


def _seconds(value: Any) -> int | None:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(\d+)\s*s", str(value or "").strip())
    return int(match.group(1)) if match else None


def _load_yaml(report: Report, path: Path) -> dict[str, Any] | None:
    docs = _load_yaml_all(report, path)
    return docs[0] if docs else None


def _load_yaml_all(report: Report, path: Path) -> list[dict[str, Any]]:
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


def main() -> int:
    report = run()
    for warning in report.warnings:
        print(f"warning: {warning}")
    for problem in report.problems:
        print(f"problem: {problem}")
    print(f"deploy/check.py: {len(report.problems)} problems, {len(report.warnings)} warnings")
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
