"""The production recipe of docs/deploy.md, as far as one machine allows: PostgreSQL for both
stores, two app workers behind nginx terminating HTTPS (self-signed), a job worker, probes,
Prometheus metrics, JSON logs, and a backup taken while it all runs restored elsewhere."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import need
from tests.ops import procs
from tests.ops.conftest import bank_accounts

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 64; }}
http {{
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fcgi; uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  client_max_body_size 200m;
  upstream cxpulse {{ server 127.0.0.1:{app}; }}
  server {{
    listen 127.0.0.1:{https} ssl;
    ssl_certificate {tmp}/cert.pem; ssl_certificate_key {tmp}/key.pem;
    location /metrics {{ allow 127.0.0.1; deny all; proxy_pass http://cxpulse; }}
    location / {{
      proxy_pass http://cxpulse;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }}
  }}
}}
"""


@pytest.mark.slow
@pytest.mark.postgres
def test_production_recipe_behind_https_proxy(
    tmp_path: Path, pg_server_url: str, shared_data: Path
) -> None:
    import psycopg

    need(Path(NGINX).exists(), "nginx is not installed (make test installs nginx-light)")
    base, _, _ = pg_server_url.rpartition("/")
    names = [f"t_dep_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        for n in names:
            conn.execute(f'CREATE DATABASE "{n}"')
    project = tmp_path / "proj"
    prom = tmp_path / "prom"
    prom.mkdir()
    environ = procs.env(
        CXPULSE_WORKSPACE_URL=f"{base}/{names[0]}",
        CXPULSE_DATABASE_URL=f"{base}/{names[1]}".replace("postgresql://", "postgresql+psycopg://"),
        CXPULSE_SECRET_KEY="a-long-random-secret-for-the-test",
        CXPULSE_HTTPS_ONLY="1",
        CXPULSE_LOG_FORMAT="json",
        PROMETHEUS_MULTIPROC_DIR=str(prom),
    )
    running: list[subprocess.Popen[bytes]] = []
    try:
        procs.cli("init", str(project), "--language", "en", environ=environ)
        toml = project / "cxpulse.toml"
        # production: the jobs run in the worker process, not in the app workers
        toml.write_text(toml.read_text().replace("\n[jobs]\n", "\n[jobs]\nin_app = false\n")
                        + '\n[jobs.deliver]\nevery = "2s"\n')  # fmt: skip
        accounts = bank_accounts(shared_data, 50)
        accounts.to_csv(tmp_path / "accounts.csv", index=False)
        procs.cli("load", "accounts", str(tmp_path / "accounts.csv"), "-p", str(project),
                  environ=environ)  # fmt: skip
        procs.api_token(project, environ)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-keyout", str(tmp_path / "key.pem"),
             "-out", str(tmp_path / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        app_port, https_port = procs.free_port(), procs.free_port()
        (tmp_path / "nginx.conf").write_text(
            NGINX_CONF.format(tmp=tmp_path, app=app_port, https=https_port)
        )
        running.append(
            procs.serve(
                project,
                app_port,
                environ,
                "--workers",
                "2",
                "--https",
                "--trusted-proxy",
                "127.0.0.1",
            )
        )
        running.append(
            procs.start(
                [
                    NGINX,
                    "-p",
                    str(tmp_path),
                    "-c",
                    str(tmp_path / "nginx.conf"),
                    "-g",
                    "daemon off;",
                ],
                environ,
                tmp_path / "nginx.out",
            )
        )
        running.append(procs.start([*procs.CXPULSE, "worker", "-p", str(project)], environ,
                                   tmp_path / "worker.log"))  # fmt: skip
        site = f"https://127.0.0.1:{https_port}"
        client = httpx.Client(base_url=site, verify=str(tmp_path / "cert.pem"), timeout=30)
        deadline = time.monotonic() + 60
        while True:
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "nginx-error.log").read_text()
            time.sleep(0.5)
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        # behind the proxy the app knows it is served over HTTPS: secure cookie
        page = client.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf, page.text[:500]
        login = client.post(
            "/login",
            data={"email": "ops@example.com", "password": "ops-pass-1234", "next": "/",
                  "csrf_token": csrf.group(1)},
            follow_redirects=False,
        )  # fmt: skip
        assert login.status_code == 303, login.text
        cookies = " ".join(login.headers.get_list("set-cookie")).lower()
        assert "secure" in cookies and "httponly" in cookies, cookies
        assert login.headers["location"] in ("/", f"{site}/")
        # the job worker runs deliver every 2 s; its runs show in the app's /metrics
        deadline = time.monotonic() + 90
        text = ""
        while time.monotonic() < deadline:
            text = client.get("/metrics").text
            if 'cxpulse_job_runs_total{job="deliver",outcome="ok"}' in text:
                break
            time.sleep(1)
        assert 'cxpulse_job_runs_total{job="deliver",outcome="ok"}' in text
        assert "cxpulse_http_request_duration_seconds_bucket" in text
        assert 'route="/healthz"' in text
        worker_lines = [json.loads(x) for x in (tmp_path / "worker.log").read_text().splitlines()
                        if x.startswith("{")]  # fmt: skip
        assert any(x["logger"] == "cxpulse.jobs" and x["level"] == "INFO" for x in worker_lines)
        app_log = (project / f"serve-{app_port}.log").read_text().splitlines()
        assert any(json.loads(x).get("logger") == "cxpulse.web" for x in app_log
                   if x.startswith("{")), app_log[-5:]  # fmt: skip

        # a backup taken while everything runs restores into the embedded default
        archive = tmp_path / "backup.tar.gz"
        procs.cli("backup", str(archive), "-p", str(project), environ=environ)
        plain = procs.env()
        out = procs.cli("restore", str(archive), "-p", str(tmp_path / "restored"), environ=plain)
        assert "counts match the backup" in out, out
        code = ("import sys; from cxpulse import Workspace;"
                "print(Workspace.open(sys.argv[1]).count('accounts'))")  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path / "restored")],
            env=plain, capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert int(done.stdout.strip()) == accounts["account_id"].nunique()
    finally:
        for proc in reversed(running):
            procs.stop(proc)
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            for n in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')
