"""The one helper that runs wrangler: argument lists, a quiet environment, errors as messages.

Every wrangler call biogen makes goes through `Wrangler.run()` (or `start()` for
`wrangler dev` / `pages dev`), so tests replace one object to stand in for
Cloudflare's servers (`--remote`, `pages deploy`), and `--dry-run` prints the
same argument lists instead of running them.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import BiogenError

log = logging.getLogger(__name__)

# wrangler 4.87 and newer need Node >= 22.12; these machines have Node 20.
WRANGLER_VERSION = "4.86.0"
INSTALL_HINT = (f"install it with `npm ci` in the folder holding package.json (it pins wrangler@{WRANGLER_VERSION}), "
                f"or `npm install --save-exact wrangler@{WRANGLER_VERSION}` in the site folder")

# No prompts, no telemetry, no banner, no network lookups for local commands
# (cloudflare.md: "Environment for subprocess use").
QUIET_ENV = {
    "CI": "true",
    "WRANGLER_SEND_METRICS": "false",
    "WRANGLER_HIDE_BANNER": "true",
    "CLOUDFLARE_CF_FETCH_ENABLED": "false",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
}
SECRET_VARIABLES = ("CLOUDFLARE_API_TOKEN", "CF_API_TOKEN", "CLOUDFLARE_API_KEY")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class WranglerError(BiogenError):
    """wrangler is missing, or a wrangler command failed."""


def strip_ansi(text: str) -> str:
    """`text` without the colour codes wrangler writes even when not on a terminal."""
    return _ANSI.sub("", text)


def redact(text: str) -> str:
    """`text` with any API token from the environment replaced by ***."""
    for name in SECRET_VARIABLES:
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


@dataclass
class Result:
    """What one wrangler command did."""

    args: list[str]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    def json(self) -> object:
        """stdout as JSON (wrangler's --json output)."""
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError:
            raise WranglerError(f"`wrangler {shlex.join(self.args)}` did not answer with JSON: "
                                f"{self.stdout[:300]!r}") from None

    def error_text(self) -> str:
        """The error wrangler reported, colour codes and tokens removed."""
        try:
            document = json.loads(self.stdout)
            if isinstance(document, dict) and "error" in document:
                return redact(str(document["error"].get("text", document["error"])))
        except (json.JSONDecodeError, AttributeError):
            pass
        lines = [line for line in strip_ansi(self.stderr + "\n" + self.stdout).splitlines() if line.strip()]
        errors = [line for line in lines if "ERROR" in line or "✘" in line]
        return redact("\n".join((errors or lines)[-12:]))


Runner = Callable[[list[str], dict, Path], Result]


def find_wrangler(site_dir: Path) -> Path | None:
    """node_modules/.bin/wrangler of the site folder, a folder above it, or biogen's own checkout."""
    override = os.environ.get("BIOGEN_WRANGLER")
    if override:
        return Path(override)
    repository = Path(__file__).resolve().parents[2]
    for folder in [site_dir.resolve(), *site_dir.resolve().parents, repository]:
        candidate = folder / "node_modules" / ".bin" / "wrangler"
        if candidate.is_file():
            return candidate
    return None


def _subprocess_runner(argv: list[str], env: dict, cwd: Path) -> Result:
    completed = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               encoding="utf-8", errors="replace")
    return Result(argv[1:], completed.returncode, completed.stdout, completed.stderr)


@dataclass
class Wrangler:
    """Runs wrangler in the site folder (where wrangler.toml and .wrangler/ live)."""

    site_dir: Path
    env_name: str | None = None           # wrangler.toml's [env.NAME], passed as --env
    dry_run: bool = False                  # print each command instead of running it
    echo: Callable[[str], None] = print
    runner: Runner | None = None           # tests replace the process call here
    executable: Path | None = None
    history: list[list[str]] = field(default_factory=list)

    def program(self) -> Path:
        """The wrangler executable; WranglerError saying how to install it when missing."""
        found = self.executable or find_wrangler(self.site_dir)
        if found is None and self.runner is None and not self.dry_run:
            raise WranglerError(f"wrangler is not installed (no node_modules/.bin/wrangler in {self.site_dir} "
                                f"or a folder above it): {INSTALL_HINT}")
        return found or Path("wrangler")

    def environment(self) -> dict:
        """The process environment with QUIET_ENV (the API token, if any, is inherited, never written)."""
        return {**os.environ, **QUIET_ENV}

    def with_env(self, args: Sequence[str]) -> list[str]:
        """`args` with --env NAME appended when an environment is chosen."""
        args = list(args)
        if self.env_name and "--env" not in args:
            args += ["--env", self.env_name]
        return args

    def describe(self, args: Sequence[str]) -> str:
        """The command as a person would type it."""
        return "npx wrangler " + shlex.join(args)

    def run(self, args: Sequence[str], *, check: bool = True, changes: bool = True) -> Result:
        """Run `wrangler ARGS`; WranglerError with wrangler's message when it fails.

        With dry_run, a command that `changes` something is printed, not run.
        """
        args = self.with_env(args)
        self.history.append(args)
        if self.dry_run and changes:
            self.echo(self.describe(args))
            return Result(args, 0, "", "")
        log.info("running %s", self.describe(args))
        runner = self.runner or _subprocess_runner
        result = runner([str(self.program()), *args], self.environment(), self.site_dir)
        result.args = args
        if check and result.returncode != 0:
            raise WranglerError(f"`{self.describe(args)}` failed (exit {result.returncode}):\n{result.error_text()}")
        return result

    def run_json(self, args: Sequence[str], *, changes: bool = False) -> object:
        """Run a wrangler command with --json and return its parsed output."""
        return self.run([*args, "--json"], changes=changes).json()

    def start(self, args: Sequence[str], *, port: int, timeout: float = 60.0) -> "Server":
        """Start `wrangler dev` or `pages dev` in its own process group; wait until `port` answers."""
        args = self.with_env(args)
        log_path = self.site_dir / ".wrangler" / f"biogen-{port}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        output = log_path.open("wb")
        # Its own process group: stopping only the node wrapper would leave workerd listening.
        process = subprocess.Popen([str(self.program()), *args], cwd=self.site_dir, env=self.environment(),
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        output.close()
        server = Server(process, port, log_path)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                server.stop()
                raise WranglerError(f"`{self.describe(args)}` exited (code {process.returncode}):\n"
                                    f"{strip_ansi(log_path.read_text(errors='replace'))[-2000:]}")
            if _listening(port) and "Ready on" in strip_ansi(log_path.read_text(errors="replace")):
                return server
            time.sleep(0.2)
        server.stop()
        raise WranglerError(f"`{self.describe(args)}` did not start within {timeout:.0f} s:\n"
                            f"{strip_ansi(log_path.read_text(errors='replace'))[-2000:]}")


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running `wrangler dev` / `pages dev`; stop() ends its whole process group."""

    process: subprocess.Popen
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        """Where it answers."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """SIGTERM to the process group, SIGKILL after 5 s."""
        try:
            pgid = os.getpgid(self.process.pid)
        except ProcessLookupError:
            return
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # workerd may outlive its parent briefly; make sure the group is gone.
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
