"""The deploy files (deploy/) hold up without Docker, fly or a cluster: deploy/check.py passes,
the example environments are valid configuration, and the checker catches what it claims to."""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from knowledge.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"


def _load_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deploy_check", DEPLOY / "check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["deploy_check"] = module
    spec.loader.exec_module(module)
    return module


check = _load_check()


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    """A copy of deploy/ with the root files it reads, to break one thing at a time."""
    shutil.copytree(
        DEPLOY,
        tmp_path / "deploy",
        ignore=shutil.ignore_patterns(".env", "__pycache__", "slack", "teams"),
    )
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    shutil.copy(ROOT / ".dockerignore", tmp_path / ".dockerignore")
    return tmp_path / "deploy"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _settings_from(env_file: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in check.readme_settings(ROOT / "README.md") | set(check.PENDING_SETTINGS):
        monkeypatch.delenv(name, raising=False)
    return Settings(_env_file=env_file)  # type: ignore[call-arg]


def test_deploy_files_pass_their_checks() -> None:
    report = check.run()
    assert report.problems == []


def test_env_example_is_a_valid_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings_from(DEPLOY / ".env.example", monkeypatch)
    assert not settings.llm_enabled  # secrets are empty placeholders
    assert settings.microsoft_app_type == "SingleTenant"


def test_k8s_config_is_a_valid_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings_from(DEPLOY / "k8s" / "config.env", monkeypatch)
    assert settings.chroma_host == "fractional-advisor-chroma"
    assert settings.chroma_port == 8000


def test_chroma_server_image_matches_the_pinned_client() -> None:
    version = check.pinned_versions(DEPLOY / "constraints.txt")["chromadb"]
    for name in ("docker-compose.yml", "fly.chroma.toml", "k8s/chroma.yaml"):
        tags = re.findall(r"chromadb/chroma:([\w.\-]+)", (DEPLOY / name).read_text())
        assert tags == [version], name


def test_an_inlined_secret_is_caught(deploy_copy: Path) -> None:
    _edit(
        deploy_copy / ".env.example",
        "SLACK_BOT_TOKEN=\n",
        "SLACK_BOT_TOKEN=xoxb-1234-5678-abcdefgh\n",
    )
    problems = check.run(deploy_copy).problems
    assert any("SLACK_BOT_TOKEN has a value" in p for p in problems)
    assert any("secret-shaped string" in p for p in problems)


def test_a_literal_database_password_is_caught(deploy_copy: Path) -> None:
    _edit(
        deploy_copy / "docker-compose.yml",
        "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in deploy/.env}@",
        "hunter2@",
    )
    assert any("ADVISOR_DATABASE_URL is inlined" in p for p in check.run(deploy_copy).problems)


def test_a_secret_in_the_configmap_is_caught(deploy_copy: Path) -> None:
    with (deploy_copy / "k8s" / "config.env").open("a", encoding="utf-8") as f:
        f.write("ANTHROPIC_API_KEY=\n")
    assert any("belongs in the Secret" in p for p in check.run(deploy_copy).problems)


def test_an_unpinned_image_is_caught(deploy_copy: Path) -> None:
    _edit(deploy_copy / "docker-compose.yml", "image: postgres:16", "image: postgres:latest")
    assert any("postgres:latest is not pinned" in p for p in check.run(deploy_copy).problems)


def test_a_missing_readiness_probe_is_caught(deploy_copy: Path) -> None:
    _edit(deploy_copy / "k8s" / "deployment.yaml", "path: /readyz", "path: /healthz")
    assert any("readinessProbe should GET /readyz" in p for p in check.run(deploy_copy).problems)


def test_an_undocumented_setting_is_caught(deploy_copy: Path) -> None:
    with (deploy_copy / "k8s" / "config.env").open("a", encoding="utf-8") as f:
        f.write("ADVISOR_NOT_A_SETTING=1\n")
    problems = check.run(deploy_copy).problems
    assert any("ADVISOR_NOT_A_SETTING is not in README.md" in p for p in problems)


def test_disagreeing_grace_periods_are_caught(deploy_copy: Path) -> None:
    _edit(deploy_copy / "fly.toml", "kill_timeout = 60", "kill_timeout = 5")
    assert any("kill_timeout should be 60s" in p for p in check.run(deploy_copy).problems)


def test_a_misspelt_kubernetes_field_is_caught(deploy_copy: Path) -> None:
    pytest.importorskip("kubernetes.client")
    _edit(deploy_copy / "k8s" / "deployment.yaml", "livenessProbe:", "livenesProbe:")
    problems = check.run(deploy_copy).problems
    assert any("unknown field `livenesProbe`" in p for p in problems)


def test_a_dev_install_in_the_image_is_caught(deploy_copy: Path) -> None:
    _edit(deploy_copy / "Dockerfile", '".[postgres]"', '".[postgres,dev]"')
    assert any("installs the dev extra" in p for p in check.run(deploy_copy).problems)


def test_a_missing_required_kubernetes_field_is_caught(deploy_copy: Path) -> None:
    pytest.importorskip("kubernetes.client")
    _edit(
        deploy_copy / "k8s" / "pdb.yaml",
        "  minAvailable: 1\n  selector:",
        "  minAvailable: 1\n  selectr:",
    )
    _edit(
        deploy_copy / "k8s" / "migrate-job.yaml",
        "        - name: migrate\n          image: fractional-advisor\n",
        "        - image: fractional-advisor\n",
    )
    problems = check.run(deploy_copy).problems
    assert any("unknown field `selectr`" in p for p in problems)
    assert any("migrate-job.yaml" in p and "name" in p for p in problems)


def test_a_secret_from_a_plain_value_is_caught(deploy_copy: Path) -> None:
    _edit(
        deploy_copy / "k8s" / "deployment.yaml",
        "            - name: SLACK_BOT_TOKEN\n              valueFrom:",
        "            - name: SLACK_BOT_TOKEN\n              value: ''\n              valueFrom:",
    )
    problems = check.run(deploy_copy).problems
    assert any("SLACK_BOT_TOKEN must come from a secretKeyRef" in p for p in problems)
