"""A build killed at any moment leaves the old site or the new one, never a mix."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from sitekit import build_site, execute, make_site, snapshot

PROFILES = 600


def _add_profiles(site, count: int, label: str) -> None:
    rows = ";".join(
        f"INSERT INTO profiles (id, username, display_name, tagline, updated_at) VALUES "
        f"('x{n:04d}', 'user-{n:04d}', 'User {n}', '{label}', '2026-11-01');"
        f"INSERT INTO bio_links (id, profile_id, name, url, order_index) VALUES "
        f"('x{n:04d}-l', 'x{n:04d}', 'Link {n}', 'https://example.com/{n}', 0)"
        for n in range(count))
    execute(site, rows)


@pytest.mark.slow
def test_killed_builds_leave_old_or_new_site_and_recover(tmp_path):
    site = make_site(tmp_path / "site")
    _add_profiles(site, PROFILES, "first")
    build_site(site)
    build_site(site, full=True)
    previous = snapshot(site / "dist")
    for round_number, delay in enumerate([0.05, 0.15, 0.3, 0.45, 0.7, 1.0]):
        execute(site, f"UPDATE profiles SET tagline = 'round {round_number}' WHERE id LIKE 'x%'")
        expected_dir = tmp_path / f"expected-{round_number}"
        shutil.copytree(site, expected_dir, ignore=shutil.ignore_patterns("dist", ".dist.trees"))
        build_site(expected_dir)
        expected = snapshot(expected_dir / "dist")
        process = subprocess.Popen([sys.executable, "-m", "generator", "build", "-q"], cwd=site,
                                   start_new_session=True, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        now = snapshot(site / "dist")
        assert now in (previous, expected), f"round {round_number}: a mix of two builds"
        build_site(site)  # recovers whatever state the kill left
        assert snapshot(site / "dist") == expected
        previous = expected
