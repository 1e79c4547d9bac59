"""biogen publish (Cloudflare's servers replaced through the wrangler helper) and biogen types --ts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli
from generator.config import load_config
from generator.cloudflare.publish import PublishError, publish
from generator.cloudflare.wrangler import Result, Wrangler, _subprocess_runner
from sitekit import build_site
from wranglerkit import ROOT, WRANGLER, needs_wrangler, wrangler_site

TOKEN = "tok-9f8e7d6c5b4a"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOUDFLARE_API_TOKEN", TOKEN)
    monkeypatch.setenv("CLOUDFLARE_ACCOUNT_ID", "acc-123")
    return wrangler_site(tmp_path / "site")


def test_dry_run_prints_every_command_and_runs_none(site):
    result = CliRunner().invoke(cli, ["publish", "--dry-run", "--site", str(site)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "biogen build"
    assert "npx wrangler d1 migrations apply DB --remote" in lines
    assert any(line.startswith("npx wrangler d1 execute DB --remote --file") for line in lines)
    assert "npx wrangler pages deploy dist --project-name bio-test --branch main" in lines
    assert lines[-1] == "biogen verify --remote"
    assert TOKEN not in result.output
    assert not (site / "dist").exists()


def test_publish_without_credentials_says_which_variables_to_set(site, monkeypatch):
    monkeypatch.delenv("CLOUDFLARE_API_TOKEN")
    result = CliRunner().invoke(cli, ["publish", "--site", str(site)])
    assert result.exit_code == 1 and "CLOUDFLARE_API_TOKEN must be set in the environment" in result.output


def _failing_on(word: str, calls: list):
    def runner(argv, env, cwd):
        calls.append(argv[1:])
        if word in argv:
            return Result(argv[1:], 1, "", f"\x1b[31mX [ERROR]\x1b[0m Authentication error {TOKEN}")
        return Result(argv[1:], 0, "", "")
    return runner


def test_a_failed_step_stops_the_later_ones_and_says_what_each_side_holds(site):
    calls = []
    tool = Wrangler(site, runner=_failing_on("migrations", calls), executable=Path("wrangler"), echo=lambda l: None)
    with pytest.raises(PublishError) as raised:
        publish(load_config(site), wrangler=tool, echo=lambda line: None)
    message = str(raised.value)
    assert message.startswith("migrate D1 failed") and "Done before it: build" in message
    assert "Pages is unchanged" in message and TOKEN not in message and "***" in message
    assert not any(call[:2] == ["pages", "deploy"] for call in calls)
    assert (site / "dist" / "api" / "version.json").exists()  # the build ran


def test_a_preview_branch_without_an_environment_leaves_d1_alone(site):
    calls = []
    tool = Wrangler(site, runner=_failing_on("never", calls), executable=Path("wrangler"))
    publish(load_config(site), branch="feature-x", wrangler=tool, echo=lambda line: None)
    assert calls == [["pages", "deploy", "dist", "--project-name", "bio-test", "--branch", "feature-x"]]


def fake_cloudflare(site: Path, deployed: list):
    """The real local wrangler, with `--remote` D1/KV kept in their own folder and deploys recorded."""
    def runner(argv, env, cwd):
        args = argv[1:]
        assert env["CLOUDFLARE_API_TOKEN"] == TOKEN
        if args[:2] == ["pages", "deploy"]:
            deployed.append(args)
            return Result(args, 0, "Deployment complete", "")
        if "--remote" in args:
            i = args.index("--remote")
            args = [*args[:i], "--local", "--persist-to", str(site / ".cloudflare"), *args[i + 1:]]
        return _subprocess_runner([str(WRANGLER), *args], env, cwd)
    return runner


@needs_wrangler
@pytest.mark.slow
def test_publish_builds_migrates_pushes_deploys_and_verifies(site):
    deployed = []
    lines = []
    tool = Wrangler(site, runner=fake_cloudflare(site, deployed), executable=WRANGLER)
    publish(load_config(site), wrangler=tool, echo=lines.append)
    assert deployed == [["pages", "deploy", "dist", "--project-name", "bio-test", "--branch", "main"]]
    assert any("matches the deployed site" in line for line in lines), lines
    assert (site / ".cloudflare" / "v3" / "d1").is_dir()  # the "remote" database, read through wrangler --json
    assert not any(TOKEN in line for line in lines)


def test_types_are_generated_from_the_migrations(site):
    result = CliRunner().invoke(cli, ["types", "--ts", "--site", str(site)])
    assert result.exit_code == 0
    for name in ("ProfileRow", "SocialLinkRow", "BioLinkRow", "ProductRow", "CarouselItemRow"):
        assert f"export interface {name} {{" in result.output
    assert "  tagline: string | null;\n" in result.output and "  order_index: number | null;\n" in result.output
    (site / "migrations" / "0105_add_theme.sql").write_text("ALTER TABLE profiles ADD COLUMN theme TEXT NOT NULL DEFAULT 'auto';")
    after = CliRunner().invoke(cli, ["types", "--ts", "--site", str(site)]).output
    assert "  theme: string;\n" in after


def test_the_workers_row_types_are_up_to_date():
    result = CliRunner().invoke(cli, ["types", "--ts", "--site", str(ROOT)])
    assert result.output == (ROOT / "worker" / "src" / "rows.d.ts").read_text(), "run biogen types --ts -o worker/src/rows.d.ts"


@pytest.mark.parametrize("source", ["repository", "init"])
def test_the_github_workflow_publishes_main_and_previews_with_the_secrets(source, tmp_path):
    yaml = pytest.importorskip("yaml")
    if source == "init":
        assert CliRunner().invoke(cli, ["init", str(tmp_path / "site")]).exit_code == 0
        folder = tmp_path / "site"
        assert json.loads((folder / "package.json").read_text())["devDependencies"] == {"wrangler": "4.86.0"}
    else:
        folder = ROOT
    workflow = yaml.safe_load((folder / ".github" / "workflows" / "publish.yml").read_text())
    job = workflow["jobs"]["publish"]
    assert job["env"] == {"CLOUDFLARE_API_TOKEN": "${{ secrets.CLOUDFLARE_API_TOKEN }}",
                          "CLOUDFLARE_ACCOUNT_ID": "${{ secrets.CLOUDFLARE_ACCOUNT_ID }}"}
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "npm ci" in runs and "biogen build" in runs and "pip install" in runs
    steps = {step.get("name"): step for step in job["steps"]}
    assert steps["Publish to production"]["if"] == "github.ref == 'refs/heads/main' && github.event_name != 'schedule'"
    assert steps["Publish to production"]["run"] == "biogen publish --branch main"
    assert "biogen publish --branch" in steps["Publish a preview"]["run"]
    assert workflow[True]["push"]["branches"] == ["**"]  # YAML reads the key `on` as true
    # Scheduled items: every 15 minutes, publish main only when the published site is behind.
    assert workflow[True]["schedule"] == [{"cron": "*/15 * * * *"}]
    assert steps["Publish if due"] == {"name": "Publish if due", "if": "github.event_name == 'schedule'",
                                       "run": "biogen publish --if-due --branch main"}
