"""biogen domain status | attach against a stand-in of Cloudflare's Pages custom-domain API,
served over HTTP on 127.0.0.1 (the real API is unreachable here), reached through
CLOUDFLARE_API_BASE_URL as wrangler would be."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from generator.cli import cli
from sitekit import execute, make_site

TOKEN = "test-token-0123456789"
ACCOUNT = "acc123"
PROJECT = "bio-test"


class StandIn(BaseHTTPRequestHandler):
    """GET and POST /accounts/:account/pages/projects/:project/domains, as Cloudflare's v4 API
    answers them: {"success", "errors", "messages", "result"}."""

    domains: dict[str, dict] = {}
    seen: list[tuple[str, str, dict]] = []

    def _reply(self, status: int, success: bool, result=None, errors=()):
        body = json.dumps({"success": success, "errors": list(errors), "messages": [], "result": result}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self, method: str):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else {}
        self.seen.append((method, self.path, body))
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._reply(403, False, errors=[{"code": 10000, "message": "Authentication error"}])
        if self.path != f"/client/v4/accounts/{ACCOUNT}/pages/projects/{PROJECT}/domains":
            return self._reply(404, False, errors=[{"code": 8000007, "message": "Project not found"}])
        if method == "GET":
            return self._reply(200, True, list(self.domains.values()))
        name = body.get("name")
        if name in self.domains:
            return self._reply(409, False, errors=[{"code": 8000018, "message": "domain already exists"}])
        record = {"id": f"d-{len(self.domains)}", "name": name, "status": "pending",
                  "validation_data": {"status": "pending", "method": "http"}, "verification_data": {"status": "pending"}}
        self.domains[name] = record
        return self._reply(200, True, record)

    def do_GET(self):  # noqa: N802
        self._route("GET")

    def do_POST(self):  # noqa: N802
        self._route("POST")

    def log_message(self, *args):
        pass


@pytest.fixture
def api(monkeypatch):
    StandIn.domains = {"ana.example.com": {"id": "d-a", "name": "ana.example.com", "status": "active"}}
    StandIn.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("CLOUDFLARE_API_BASE_URL", f"http://127.0.0.1:{server.server_address[1]}/client/v4")
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", ACCOUNT)
    yield StandIn
    server.shutdown()
    server.server_close()


@pytest.fixture
def site(tmp_path):
    folder = make_site(tmp_path / "site")
    (folder / "wrangler.toml").write_text(f'name = "{PROJECT}"\npages_build_output_dir = "dist"\n')
    execute(folder, "INSERT INTO domains (hostname, profile_id, kind) VALUES ('ana.example.com', 'p-ana', 'main'), "
                    "('www.ana.example.com', 'p-ana', 'redirect')")
    return folder


def run(site, *args):
    return CliRunner().invoke(cli, [*args, "--site", str(site)])


def test_status_says_what_each_hostname_still_needs(api, site):
    result = run(site, "domain", "status")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ana.example.com      ready",
        "linh.example.com     not a custom domain of the project: `biogen domain attach HOST`, then a CNAME to "
        "bio-test.pages.dev",
        "www.ana.example.com  not a custom domain of the project: `biogen domain attach HOST`, then a CNAME to "
        "bio-test.pages.dev",
        "www.ana.example.com: answers 301 only on the paths _routes.json sends to _worker.js (/, /api/config, "
        "/sitemap.xml, /robots.txt and the profile's own files at the root); for every other path add a Bulk "
        "Redirect in Cloudflare's dashboard (www.ana.example.com to https://ana.example.com, path and query kept), "
        "or set `route_all = true` under [domains] in biogen.toml (every page view then runs the Worker: a Functions "
        "request, 100,000 a day on the free plan)"]
    assert TOKEN not in result.output


def test_status_gives_no_redirect_advice_when_every_path_runs_the_worker(api, site):
    with open(site / "biogen.toml", "a") as toml:
        toml.write("\n[domains]\nroute_all = true\n")
    result = run(site, "domain", "status")
    assert result.exit_code == 0 and "Bulk Redirect" not in result.output
    assert result.output.count("\n") == 3  # one line per hostname


def test_attach_adds_the_custom_domain_once(api, site):
    added = run(site, "domain", "attach", "WWW.ana.example.com")
    assert added.exit_code == 0, added.output
    assert added.output == ("www.ana.example.com: added to bio-test: pending (validation pending, verification "
                            "pending): its DNS name must point at the project (a CNAME to bio-test.pages.dev)\n")
    assert ("POST", f"/client/v4/accounts/{ACCOUNT}/pages/projects/{PROJECT}/domains",
            {"name": "www.ana.example.com"}) in api.seen
    again = run(site, "domain", "attach", "www.ana.example.com")
    assert again.exit_code == 0 and "already a custom domain of bio-test" in again.output
    assert [method for method, _, _ in api.seen].count("POST") == 1
    assert "pending (validation pending" in run(site, "domain", "status").output


def test_attach_refuses_a_hostname_the_site_does_not_serve(api, site):
    refused = run(site, "domain", "attach", "shop.example.org")
    assert refused.exit_code == 1 and "not a hostname of this site" in refused.output
    assert api.seen == []


def test_api_errors_and_missing_credentials_are_named_without_the_token(api, site, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "wrong-token-zzz")
    denied = run(site, "domain", "status")
    assert denied.exit_code == 1 and "10000: Authentication error" in denied.output
    assert "wrong-token-zzz" not in denied.output
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    missing = run(site, "domain", "attach", "ana.example.com")
    assert missing.exit_code == 1 and "set CLOUDFLARE_API_TOKEN" in missing.output
    calls = len(api.seen)
    offline = run(site, "domain", "status")
    assert offline.exit_code == 0 and len(api.seen) == calls
    assert offline.output.splitlines()[0] == ("ana.example.com      a custom domain of bio-test and a CNAME to "
                                              "bio-test.pages.dev (set CLOUDFLARE_API_TOKEN and "
                                              "CLOUDFLARE_ACCOUNT_ID to see which it has)")
