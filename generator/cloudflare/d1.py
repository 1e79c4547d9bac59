"""The site database in D1: where it is, reading it, export, and what push (d1push) and pull build on.

D1's current state is always read back from D1 itself (the local D1's SQLite file,
read in place, or `wrangler d1 execute --remote --json`), never from a memory of
the last push. What biogen does remember, per profile, is the content hash it
last pushed to each D1 database (table `biogen_d1_pushed`, local-only like the
change journal): a profile whose hash in D1 differs both from that and from the
local one was edited by someone else (the admin panel), and push refuses.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.cloudflare import d1sql
from generator.config import Config, D1Binding
from generator.data.content import Content, local_content
from generator.data.db import PROFILE_TABLES
from generator.errors import BiogenError, ConfigError
from generator.cloudflare.wrangler import Wrangler

log = logging.getLogger(__name__)

# Rows read per query from remote D1: one `wrangler d1 execute` answer stays a few MB.
REMOTE_PAGE_ROWS = 20_000
# The local D1 file: miniflare names it by the Durable Object id of the database id.
LOCAL_D1_FOLDER = Path(".wrangler/state/v3/d1/miniflare-D1DatabaseObject")
PUSHED_TABLE_SQL = ("CREATE TABLE IF NOT EXISTS biogen_d1_pushed (target TEXT NOT NULL, profile_id TEXT NOT NULL, "
                    "hash TEXT NOT NULL, PRIMARY KEY (target, profile_id))")


class D1Error(BiogenError):
    """D1 cannot be read or written as asked."""


class D1ConflictError(D1Error):
    """D1 holds edits made by someone else since biogen last pushed."""


# ---- where D1 is ---------------------------------------------------------------------

def durable_object_id(unique_key: str, name: str) -> str:
    """workerd's idFromName(): the hex id miniflare names a Durable Object's SQLite file by."""
    import hmac
    key = hashlib.sha256(unique_key.encode()).digest()
    first = hmac.new(key, name.encode(), hashlib.sha256).digest()[:16]
    return (first + hmac.new(key, first, hashlib.sha256).digest()[:16]).hex()


def local_d1_file(site_dir: Path, binding: D1Binding) -> Path:
    """The SQLite file wrangler's local mode keeps this D1 database in."""
    name = durable_object_id("miniflare-D1DatabaseObject", binding.database_id or binding.database_name)
    return site_dir / LOCAL_D1_FOLDER / f"{name}.sqlite"


def require_binding(config: Config) -> D1Binding:
    """The D1 binding of wrangler.toml; ConfigError when there is none or --env is needed."""
    if config.d1 is None:
        raise ConfigError(f"{config.site_dir / 'wrangler.toml'} declares no D1 database for "
                          f"{'[env.' + config.wrangler_env + ']' if config.wrangler_env else 'the top level'}: add "
                          "[[d1_databases]] with binding, database_name, database_id and migrations_dir")
    if config.wrangler_env is None and not _top_level_d1(config.site_dir):
        raise ConfigError("wrangler.toml declares D1 only per environment ([env.NAME]); choose one with "
                          "--env (for example --env production)")
    return config.d1


def _top_level_d1(site_dir: Path) -> bool:
    import tomllib
    path = site_dir / "wrangler.toml"
    return path.is_file() and bool(tomllib.loads(path.read_text(encoding="utf-8")).get("d1_databases"))


@dataclass
class D1:
    """One D1 database, local (read from its file) or remote (read through wrangler)."""

    config: Config
    wrangler: Wrangler
    remote: bool

    @property
    def binding(self) -> D1Binding:
        return require_binding(self.config)

    @property
    def mode(self) -> str:
        return "--remote" if self.remote else "--local"

    @property
    def target(self) -> str:
        """The key this database's pushed hashes are recorded under."""
        return f"{'remote' if self.remote else 'local'}:{self.binding.database_id or self.binding.database_name}"

    def describe(self) -> str:
        return f"{'remote' if self.remote else 'local'} D1 {self.binding.database_name!r}"

    def query(self, sql: str) -> list[dict]:
        """Rows of one read-only SELECT, as dicts."""
        if not self.remote:
            return self._query_file(sql)
        answer = self.wrangler.run_json(["d1", "execute", self.binding.binding, "--remote", "--command", sql])
        if not isinstance(answer, list) or not answer or not answer[-1].get("success", False):
            raise D1Error(f"{self.describe()} did not answer {sql[:80]!r}: {answer!r:.300}")
        return answer[-1]["results"]

    def _query_file(self, sql: str) -> list[dict]:
        path = local_d1_file(self.config.site_dir, self.binding)
        if not path.exists():
            raise D1Error(f"{self.describe()} does not exist yet ({path}): run `biogen d1 push --local`, which "
                          "creates it with the migrations")
        # Read in place (the file is in WAL mode: a copy of the main file alone may be stale).
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=10)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(row) for row in conn.execute(sql)]
        except sqlite3.Error as error:
            raise D1Error(f"{self.describe()}: {error} (in {sql[:80]!r})") from None
        finally:
            conn.close()

    def execute_file(self, path: Path) -> None:
        """Run a .sql file in D1 (all or nothing, by wrangler)."""
        self.wrangler.run(["d1", "execute", self.binding.binding, self.mode, "--file", str(path), "--yes"])

    def migrate(self) -> None:
        """`wrangler d1 migrations apply` on this database: the same files and table as biogen's.

        Skipped when D1's d1_migrations already names every file: starting wrangler
        costs ~2.5 s, a quarter of a one-profile push at 10,000 profiles."""
        if not self.remote and not self.wrangler.dry_run and not self.pending_migrations():
            log.info("%s has no pending migrations", self.describe())
            return
        self.wrangler.run(["d1", "migrations", "apply", self.binding.binding, self.mode])

    def pending_migrations(self) -> list[str]:
        """Migration files D1 has not applied (every file when D1 cannot be read yet)."""
        from generator.data.migrate import discover
        files = [m.name for m in discover(self.config.migrations_dir)]
        try:
            if "d1_migrations" not in self.table_names():
                return files
            applied = {row["name"] for row in self.query("SELECT name FROM d1_migrations")}
        except D1Error:
            return files
        return [name for name in files if name not in applied]

    def table_names(self) -> set[str]:
        return {row["name"] for row in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def read_rows(self, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
        """Every row of the profile tables (`columns` of each), in rowid order."""
        missing = [t for t in PROFILE_TABLES if t not in self.table_names()]
        if missing:
            raise D1Error(f"{self.describe()} has no table {', '.join(missing)}: apply the migrations first "
                          f"(`npx wrangler d1 migrations apply {self.binding.binding} {self.mode}`)")
        rows: dict[str, list[tuple]] = {}
        for table in PROFILE_TABLES:
            names = ", ".join(columns[table])
            found: list[tuple] = []
            last = -1 << 63
            while True:
                page = self.query(f"SELECT rowid AS _rowid, {names} FROM {table} WHERE rowid > {last} "
                                  f"ORDER BY rowid LIMIT {REMOTE_PAGE_ROWS}")
                found += [tuple(row[c] for c in columns[table]) for row in page]
                if len(page) < REMOTE_PAGE_ROWS:
                    break
                last = page[-1]["_rowid"]
            rows[table] = found
        return rows


def open_d1(config: Config, *, remote: bool, wrangler: Wrangler | None = None, dry_run: bool = False,
            echo: Callable[[str], None] = print) -> D1:
    """The D1 database of `config` (binding from wrangler.toml, environment from --env)."""
    require_binding(config)
    wrangler = wrangler or Wrangler(config.site_dir, env_name=config.wrangler_env, dry_run=dry_run, echo=echo)
    return D1(config, wrangler, remote)


# ---- export -----------------------------------------------------------------------------

def export_sql(conn: sqlite3.Connection) -> str:
    """The whole content as D1 SQL that brings any D1 state (same schema) to exactly these rows."""
    content = local_content(conn)
    return d1sql.script(d1sql.full_statements(content.columns, content.rows))


# ---- push -------------------------------------------------------------------------------

@dataclass
class Diff:
    """What must change in D1 to make it hold the local content."""

    upserts: dict[str, list[tuple]]
    deletes: dict[str, list[str]]
    changed_profiles: list[str]     # usernames (old and new) whose documents change
    full: bool = False

    @property
    def rows(self) -> int:
        """Rows written plus rows deleted."""
        return sum(map(len, self.upserts.values())) + sum(map(len, self.deletes.values()))

    @property
    def empty(self) -> bool:
        return not self.full and self.rows == 0


def full_diff(local: Content) -> Diff:
    """Every row, with everything else deleted: the fallback when D1's rows cannot be read."""
    return Diff({t: list(local.rows[t]) for t in PROFILE_TABLES}, {}, sorted(local.usernames.values()), full=True)


def pushed_hashes(conn: sqlite3.Connection, target: str) -> dict[str, str] | None:
    """The hashes recorded at the last push to `target`, or None if never pushed there."""
    conn.execute(PUSHED_TABLE_SQL)
    rows = conn.execute("SELECT profile_id, hash FROM biogen_d1_pushed WHERE target = ?", (target,)).fetchall()
    known = conn.execute("SELECT 1 FROM biogen_meta WHERE key = ?", (f"d1_pushed:{target}",)).fetchone()
    return dict(rows) if rows or known else None


def record_hashes(conn: sqlite3.Connection, target: str, hashes: dict[str, str]) -> None:
    """Remember `hashes` as what `target` holds (after a push), in a transaction of its own."""
    from generator.data.store import transaction
    with transaction(conn):
        write_hashes(conn, target, hashes)


def write_hashes(conn: sqlite3.Connection, target: str, hashes: dict[str, str]) -> None:
    """Remember `hashes` as what `target` holds, inside the caller's transaction (a pull's)."""
    conn.execute(PUSHED_TABLE_SQL)
    conn.execute("DELETE FROM biogen_d1_pushed WHERE target = ?", (target,))
    conn.executemany("INSERT INTO biogen_d1_pushed (target, profile_id, hash) VALUES (?, ?, ?)",
                     [(target, k, v) for k, v in sorted(hashes.items())])
    conn.execute("INSERT INTO biogen_meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO NOTHING",
                 (f"d1_pushed:{target}",))


def seeded_hashes(migrations_dir: Path) -> set[str]:
    """Content hashes (without timestamps) of the profiles the migrations themselves insert."""
    from generator.data.migrate import discover
    scratch = sqlite3.connect(":memory:")
    try:
        for migration in discover(migrations_dir):
            scratch.executescript(migration.path.read_text(encoding="utf-8"))
        return set(local_content(scratch).loose_hashes.values())
    except sqlite3.Error:
        return set()
    finally:
        scratch.close()


def conflicts(local: Content, remote: Content, pushed: dict[str, str] | None,
              seeded: set[str] = frozenset()) -> list[str]:
    """Usernames of profiles someone else changed in D1 since biogen's last push (and that differ locally)."""
    found = set()
    for profile_id in set(remote.hashes) | set(pushed or {}):
        theirs = remote.hashes.get(profile_id)
        if theirs == local.hashes.get(profile_id):
            continue
        if pushed is None:
            # Never pushed here: rows the migrations seeded (the default profile) are
            # not edits, nor are rows that differ from the local ones only in timestamps.
            loose = remote.loose_hashes.get(profile_id)
            if theirs is not None and loose not in seeded and loose != local.loose_hashes.get(profile_id):
                found.add(remote.usernames[profile_id])
        elif theirs != pushed.get(profile_id):
            found.add(remote.usernames.get(profile_id) or local.usernames.get(profile_id) or profile_id)
    return sorted(found)


@dataclass
class PushResult:
    """What a push did."""

    diff: Diff
    statements: int
    bytes: int
    version: str
    purged: list[str]


def _execute_script(d1: D1, text: str) -> None:
    """Run `text` in D1 from a file under .biogen/ (kept on a dry run, which prints the command)."""
    folder = d1.config.site_dir / ".biogen"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".sql", prefix="d1-push-", dir=folder,
                                     delete=False) as file:
        file.write(text)
    path = Path(file.name)
    try:
        d1.execute_file(path)
    finally:
        if not d1.wrangler.dry_run:
            path.unlink(missing_ok=True)


