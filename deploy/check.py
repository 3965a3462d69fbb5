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
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script or loaded by path

from check_common import (
    BOT_IMAGE,
    DEPLOY,
    DEPLOY_VARIABLES,
    ENV_NAME,
    GRACE_SECONDS,
    INTERPOLATION,
    PASSWORD_PLACEHOLDERS,
    PENDING_SETTINGS,
    REQUIRED_FILES,
    SECRET_SETTINGS,
    SECRET_SHAPES,
    URL_PASSWORD,
    Report,
    check_chroma_tag,
    check_image_tag,
    is_interpolated_secret,
    read_env_file,
    seconds,
)
from check_platforms import check_fly, check_kubernetes

CHECKER_FILES = {"check.py", "check_common.py", "check_platforms.py"}  # they name secret shapes


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
        check_image_tag(report, f"{where} {service_name}", image)
        check_chroma_tag(report, where, image, chroma_tag)
        env = service.get("environment") or {}
        if isinstance(env, list):
            env = dict(item.partition("=")[::2] for item in env)
        for key, value in env.items():
            if key in SECRET_SETTINGS and value and not is_interpolated_secret(str(value)):
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
    if seconds(bot.get("stop_grace_period")) != GRACE_SECONDS:
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
        if path.name in {".env", *CHECKER_FILES} or path.suffix in {".pyc", ".png", ".zip"}:
            continue  # .env is the operator's own file, git-ignored; the checker names shapes
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
