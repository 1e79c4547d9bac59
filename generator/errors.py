"""The errors biogen raises; the CLI turns each into a message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass


class BiogenError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code = 1


class ConfigError(BiogenError):
    """biogen.toml or wrangler.toml is missing something or holds a bad value."""


class DatabaseError(BiogenError):
    """The database is missing, locked, corrupt or not migrated."""


class MigrationError(BiogenError):
    """A migration file failed; the database was rolled back to before it."""


class BuildError(BiogenError):
    """The build could not finish; the previous output is untouched."""


class TemplateError(BiogenError):
    """A template does not compile or fails while rendering; names the file and line."""


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located precisely enough to fix it."""

    profile: str
    table: str
    row_id: str
    column: str
    message: str

    def __str__(self) -> str:
        return f"profile {self.profile!r}: {self.table} row {self.row_id!r}, column {self.column}: {self.message}"


class ValidationError(BiogenError):
    """The data breaks the rules; every problem is listed at once."""

    def __init__(self, problems: list[Problem], heading: str = "the database has problems"):
        self.problems = sorted(problems)
        lines = [f"{heading} ({len(self.problems)}); nothing was written:"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


# Problems listed one per line; beyond this many, the rest are counted, not listed.
MAX_LISTED_PROBLEMS = 200


class DocumentError(BiogenError):
    """A file to import is unreadable or breaks the rules; each problem has its JSON path."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = [f"{source} cannot be imported ({len(problems)} problem{'s' if len(problems) != 1 else ''}); "
                 "nothing was written:"]
        lines += [f"  - {path}: {message}" if path else f"  - {message}"
                  for path, message in problems[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"  ... and {len(problems) - MAX_LISTED_PROBLEMS} more")
        super().__init__("\n".join(lines))
