"""The docker/ deploy stack, checked without a Docker engine (none runs on these machines).

- compose.yaml, the Grafana provisioning files and the dashboard parse, and fit together
  (mount paths, datasource uid, service names, Redis persistence);
- every REPRISE_* variable compose passes is a real override (Sources/Config/Schema/
  ConfigSchema.swift), and the config file it mounts passes `reprise --check-config` with them;
- `promtool check config` accepts prometheus.yml and its rules, and `promtool check rules`
  accepts every dashboard query (Grafana's $__ macros replaced by durations);
- every metric name in the dashboard, prometheus config and rules is in the catalogue
  (`reprise --describe-metrics`), with _bucket/_sum/_count only on histograms;
- the Dockerfile's runtime packages cover exactly the C libraries the release binary needs,
  and its HEALTHCHECK command really gets 200 from a running reprise's /healthz.

promtool comes from Debian's `prometheus` package (scripts/install-deps.sh test).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from e2e_support import servers

REPO = servers.REPO_ROOT
DOCKER = REPO / "docker"
METRIC_NAME = re.compile(r"\breprise_[a-z0-9_]+\b")
# Recording-rule names (reprise:…) and label values are not metric names.
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def load_yaml(path: Path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def compose():
    return load_yaml(DOCKER / "compose.yaml")


@pytest.fixture(scope="module")
def dashboard():
    with open(DOCKER / "grafana" / "dashboards" / "reprise.json", encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def catalogue(binaries):
    """name → kind, from the binary's own table."""
    completed = subprocess.run([str(binaries["reprise"]), "--describe-metrics"], capture_output=True, text=True,
                               timeout=30, env=servers.clean_env(), stdin=subprocess.DEVNULL)
    assert completed.returncode == 0, completed.stderr
    table = {}
    for line in completed.stdout.splitlines():
        name, kind = line.split("\t")[:2]
        table[name] = kind
    assert "reprise_cache_lookups_total" in table
    return table


def promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        pytest.fail("promtool not found: install Debian's prometheus package (scripts/install-deps.sh test)", pytrace=False)
    return path


def dashboard_exprs(dashboard) -> list:
    exprs = []

    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                exprs.append(target["expr"])
            walk(panel.get("panels", []))

    walk(dashboard["panels"])
    return exprs


def resolve_compose_value(value: str) -> str:
    """${VAR:-default} → default (what compose uses when VAR is unset)."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", str(value))


def unknown_metric_names(text: str, catalogue: dict) -> set:
    unknown = set()
    for name in METRIC_NAME.findall(text):
        if name in catalogue:
            continue
        base = next((name[: -len(s)] for s in HISTOGRAM_SUFFIXES if name.endswith(s)), None)
        if base is None or catalogue.get(base) != "histogram":
            unknown.add(name)
    return unknown


# MARK: - compose.yaml


def test_compose_runs_reprise_redis_prometheus_and_grafana(compose):
    services = compose["services"]
    assert set(services) == {"reprise", "redis", "prometheus", "grafana"}
    assert services["reprise"]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}
    assert (DOCKER / ".." / services["reprise"]["build"]["dockerfile"]).resolve() == DOCKER / "Dockerfile"
    # Redis persists: append-only file on a named volume mounted at its data directory.
    redis = services["redis"]
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.split(":")[0] in compose["volumes"] and v.split(":")[1] == "/data" for v in redis["volumes"])
    assert services["reprise"]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_compose_passes_only_real_overrides_and_a_config_that_checks(compose, binaries):
    schema = (REPO / "Sources" / "Config" / "Schema" / "ConfigSchema.swift").read_text(encoding="utf-8")
    overrides = set(re.findall(r'env: "(REPRISE_[A-Z_]+)"', schema))
    assert overrides == {"REPRISE_LISTEN", "REPRISE_PUBLIC_URL", "REPRISE_UPSTREAM_URL", "REPRISE_REDIS_URL"}
    env = {k: resolve_compose_value(v) for k, v in compose["services"]["reprise"]["environment"].items()}
    passed = {k for k in env if k.startswith("REPRISE_")}
    assert passed == overrides, f"not config overrides: {passed - overrides}; not passed: {overrides - passed}"
    assert env["REPRISE_REDIS_URL"].startswith("redis://redis:")

    mounts = {v.split(":")[1]: v.split(":")[0] for v in compose["services"]["reprise"]["volumes"]}
    config = (DOCKER / mounts["/etc/reprise/reprise.yaml"]).resolve()
    dockerfile = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY docker/reprise.yaml /etc/reprise/reprise.yaml" in dockerfile
    assert 'CMD ["--config", "/etc/reprise/reprise.yaml"]' in dockerfile
    for environment in (env, {}):  # with compose's overrides, and the image's file alone
        completed = subprocess.run([str(binaries["reprise"]), "--check-config", str(config)], capture_output=True,
                                   text=True, timeout=30, env=servers.clean_env(environment), stdin=subprocess.DEVNULL)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_grafana_provisioning_matches_the_mounts(compose):
    grafana = compose["services"]["grafana"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in grafana["volumes"]}
    assert (DOCKER / mounts["/etc/grafana/provisioning"]).resolve() == DOCKER / "grafana" / "provisioning"
    providers = load_yaml(DOCKER / "grafana" / "provisioning" / "dashboards" / "reprise.yml")["providers"]
    dashboards_dir = providers[0]["options"]["path"]
    assert (DOCKER / mounts[dashboards_dir]).resolve() == DOCKER / "grafana" / "dashboards"
    assert grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"] == dashboards_dir + "/reprise.json"
    datasources = load_yaml(DOCKER / "grafana" / "provisioning" / "datasources" / "prometheus.yml")["datasources"]
    assert [(d["uid"], d["type"], d["url"]) for d in datasources] == [("prometheus", "prometheus", "http://prometheus:9090")]


# MARK: - Prometheus


def test_promtool_accepts_the_prometheus_config_and_rules(compose):
    completed = subprocess.run([promtool(), "check", "config", str(DOCKER / "prometheus" / "prometheus.yml")],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 rule files found" in completed.stdout + completed.stderr
    config = load_yaml(DOCKER / "prometheus" / "prometheus.yml")
    [job] = config["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["static_configs"][0]["targets"] == ["reprise:8080"]
    assert compose["services"]["reprise"]["environment"]["REPRISE_LISTEN"].endswith(":8080")


def test_every_dashboard_query_is_valid_promql(dashboard, tmp_path):
    exprs = dashboard_exprs(dashboard)
    rules = {"groups": [{"name": "dashboard", "rules": []}]}
    for i, expr in enumerate(exprs):
        concrete = expr.replace("$__rate_interval", "1m").replace("$__interval", "1m").replace("$__range", "1h")
        assert "$" not in concrete, f"unhandled Grafana variable in {expr!r}"
        rules["groups"][0]["rules"].append({"record": f"dashboard:query{i}", "expr": concrete})
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump(rules))
    completed = subprocess.run([promtool(), "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stdout + completed.stderr


# MARK: - Dashboard


def test_dashboard_has_the_panels_operators_need(dashboard):
    assert dashboard["uid"] == "reprise"
    titles = {p["title"] for p in dashboard["panels"] if p["type"] != "row"}
    for wanted in ("Hit ratio", "Lookups by result", "Dollars saved over time", "Request latency (all routes)",
                   "Upstream latency", "Redis errors", "Active streams and in-flight requests"):
        assert wanted in titles
    exprs = "\n".join(dashboard_exprs(dashboard))
    for metric in ("reprise_http_request_duration_seconds_bucket", "reprise_upstream_request_duration_seconds_bucket"):
        assert f"histogram_quantile(0.95, sum by (le) (rate({metric}" in exprs
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"] == {"type": "prometheus", "uid": "prometheus"}, panel["title"]


def test_every_metric_name_used_exists_in_the_catalogue(dashboard, catalogue):
    used = {
        "dashboard": "\n".join(dashboard_exprs(dashboard)),
        "prometheus.yml": (DOCKER / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"),
        "rules.yml": (DOCKER / "prometheus" / "rules.yml").read_text(encoding="utf-8"),
    }
    for where, text in used.items():
        assert not unknown_metric_names(text, catalogue), f"{where}: {unknown_metric_names(text, catalogue)}"
    assert METRIC_NAME.findall(used["dashboard"]), "the dashboard queries no reprise metric"
    # The check itself catches a misspelling and a suffix on a non-histogram.
    assert unknown_metric_names("rate(reprise_cache_lookup_total[1m]) reprise_redis_errors_total_count", catalogue) == {
        "reprise_cache_lookup_total", "reprise_redis_errors_total_count"}


# MARK: - Dockerfile


def dockerfile_stages():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    return re.split(r"^FROM ", text, flags=re.M)[1:]


def test_runtime_packages_are_exactly_what_the_binary_links(binaries):
    build, runtime = dockerfile_stages()
    assert build.startswith("${SWIFT_IMAGE} AS build")
    assert "swift build -c release --static-swift-stdlib --product reprise" in build
    assert runtime.startswith("${RUNTIME_IMAGE}")
    installed = set(re.search(r"--no-install-recommends\s+([^&]+)&&", runtime).group(1).split())
    # Direct dependencies of the release binary (DT_NEEDED), mapped to Debian packages.
    dynamic = subprocess.run(["readelf", "-d", str(binaries["reprise"])], capture_output=True, text=True, timeout=30)
    assert dynamic.returncode == 0, dynamic.stderr
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic.stdout)
    assert needed
    # The Swift runtime is linked statically in the image; libc, libm, libstdc++ and libgcc_s
    # are part of debian:bookworm-slim (apt itself needs them).
    base = {"libc6", "libstdc++6", "libgcc-s1"}
    wanted = set()
    for lib in needed:
        if lib.startswith("libswift") or lib in ("libdispatch.so", "libBlocksRuntime.so", "libFoundation.so"):
            continue
        owner = subprocess.run(["dpkg", "-S", lib], capture_output=True, text=True, timeout=30)
        assert owner.returncode == 0, f"no Debian package ships {lib}: {owner.stderr}"
        # "libyaml-0-2:amd64: /usr/lib/x86_64-linux-gnu/libyaml-0.so.2": the line whose path is the library.
        owners = [line.split(":")[0] for line in owner.stdout.splitlines() if line.endswith("/" + lib)]
        assert owners, f"no Debian package ships {lib}: {owner.stdout}"
        package = owners[0]
        if package not in base:
            wanted.add(package)
    assert installed == wanted | {"ca-certificates"}


def test_image_runs_unprivileged_with_a_healthcheck_that_works(stack):
    _, runtime = dockerfile_stages()
    user = re.search(r"^USER (\S+)", runtime, flags=re.M).group(1)
    assert not user.startswith("0") and user != "root"
    check = json.loads(re.search(r"HEALTHCHECK .*?CMD (\[.*\])", runtime).group(1))
    assert check[0] == "bash"
    ok = subprocess.run(check, env={"PATH": os.environ["PATH"], "REPRISE_LISTEN": f"0.0.0.0:{stack.reprise.port}"},
                        capture_output=True, text=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    # Nothing listening there: unhealthy.
    closed = subprocess.run(check, env={"PATH": os.environ["PATH"], "REPRISE_LISTEN": "0.0.0.0:9"},
                            capture_output=True, text=True, timeout=30)
    assert closed.returncode != 0
