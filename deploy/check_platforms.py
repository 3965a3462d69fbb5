"""Deploy checks for the platforms: fly.io (fly.toml) and Kubernetes (k8s/). See check.py."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from check_common import (
    BOT_IMAGE,
    FLY_CHECK,
    FLY_DEPLOY,
    FLY_HTTP_SERVICE,
    FLY_TOP_LEVEL,
    GRACE_SECONDS,
    K8S_FILES,
    SECRET_SETTINGS,
    Report,
    check_chroma_tag,
    check_image_tag,
    load_yaml,
    load_yaml_all,
    read_env_file,
    seconds,
)


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
            check_image_tag(report, name, image)
            check_chroma_tag(report, name, image, chroma_tag)

    config = tomllib.loads((deploy / "fly.toml").read_text(encoding="utf-8"))
    where = "fly.toml"
    app_vars[where] = set(config.get("env") or {})
    if seconds(config.get("kill_timeout")) != GRACE_SECONDS:
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


def check_kubernetes(
    deploy: Path, report: Report, chroma_tag: str | None, app_vars: dict[str, set[str]]
) -> None:
    k8s = deploy / "k8s"
    kustomization = load_yaml(report, k8s / "kustomization.yaml")
    component = load_yaml(report, k8s / "digest-cronjob/kustomization.yaml")
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
        for doc in load_yaml_all(report, deploy / name):
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
            check_image_tag(report, where, image)
        check_chroma_tag(report, where, image, chroma_tag)
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
