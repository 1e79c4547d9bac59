"""check_database(): the build's rules over every profile, writing nothing."""

from __future__ import annotations

from generator.config import Config
from generator.errors import ValidationError
from generator.migrate import open_migrated
from generator.model import load_profiles, tie_warnings
from generator.validate import profile_problems


def check_database(config: Config) -> tuple[int, list[str]]:
    """(profiles checked, warnings); raises ValidationError listing every problem."""
    conn = open_migrated(config.database, config.migrations_dir)
    problems, warnings, count = [], [], 0
    try:
        for profile in load_profiles(conn):
            count += 1
            problems += profile_problems(profile, config.content_dir)
            warnings += [f"profile {profile.username!r}: {w}" for w in tie_warnings(profile)]
    finally:
        conn.close()
    if problems:
        raise ValidationError(problems)
    return count, warnings
