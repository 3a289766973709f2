"""The deployment files agree with what `make serve` runs: one HAProxy config for both, the same
app command in the Dockerfile, every replica named alike in the balancer and in compose.yaml, and
every environment variable the code reads documented in the README."""

import json
import os
import re
import subprocess

import yaml

from playground.web.replicas import HAPROXY_CONFIG, ROOT, app_command, backend, haproxy_binary

COMPOSE = yaml.safe_load((ROOT / "compose.yaml").read_text())
SERVERS = re.findall(
    r"^\s+server (\S+) (\S+):(\d+) cookie (\S+)$", (ROOT / "deploy" / "compose-servers.cfg").read_text(), re.M
)


def test_haproxy_accepts_the_config_with_the_local_and_the_compose_replicas(tmp_path):
    assert haproxy_binary(), "HAProxy is needed: sudo apt-get install haproxy (make test installs it as root)"
    local = tmp_path / "servers.cfg"
    local.write_text(backend([8601, 8602]))
    for servers in (local, ROOT / "deploy" / "compose-servers.cfg"):
        result = subprocess.run(
            [haproxy_binary(), "-c", "-f", str(HAPROXY_CONFIG), "-f", str(servers)],
            capture_output=True,
            text=True,
            env={**os.environ, "PLAYGROUND_BIND": "127.0.0.1:8599"},
            timeout=60,
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_the_same_balancer_config_and_names_every_replica():
    balancer = COMPOSE["services"]["balancer"]
    assert "./deploy:/etc/playground:ro" in balancer["volumes"]
    assert balancer["command"][-4:] == [
        "-f",
        "/etc/playground/haproxy.cfg",
        "-f",
        "/etc/playground/compose-servers.cfg",
    ]
    assert SERVERS, "deploy/compose-servers.cfg names no replica"
    for name, host, port, cookie in SERVERS:
        service = COMPOSE["services"][host]
        assert name == cookie == host and service["environment"]["PLAYGROUND_REPLICA"] == name
        assert service["environment"]["PLAYGROUND_DATABASE_URL"].startswith("postgresql://") and port == "8501"
        assert service["build"] == "."
    assert {"app1", "app2", "balancer", "db"} <= set(COMPOSE["services"])


def test_the_image_starts_the_app_as_the_local_replicas_do():
    command = re.search(r"^CMD (\[.*\])$", (ROOT / "Dockerfile").read_text(), re.M)
    assert command and json.loads(command.group(1)) == ["python", "-m", *app_command(8501, "0.0.0.0")]


def test_every_environment_variable_the_code_reads_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    names = set()
    for path in (ROOT / "playground").rglob("*.py"):
        names |= set(re.findall(r"\bPLAYGROUND_[A-Z_]+\b", path.read_text()))
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert not missing, f"README's environment table lacks {missing}"
