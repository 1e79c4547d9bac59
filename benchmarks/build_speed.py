"""Build speed: from scratch, no change, and one changed profile, at N profiles.

    python benchmarks/build_speed.py --sizes 1000,10000 --runs 5
    python benchmarks/build_speed.py --sizes 100000 --runs 1     # peak memory
    python benchmarks/build_speed.py --directory --sizes 10000 --runs 5 --workdir /dev/shm/bench
    python benchmarks/build_speed.py --themes --sizes 10000 --runs 5
    python benchmarks/build_speed.py --details --sizes 10000 --runs 3

With --directory, one site is built into two outputs, one with its home profile at
/ and one with `directory = true`, and each figure is taken on both in the same run,
the two commands one after the other (which goes first alternates): one changed
profile (its display name and tagline, so a directory page is written too), one
profile added in the middle of the username order, and the same profile removed.

With --themes, two sites of the same profiles are built from scratch in turn (which
goes first alternates): one without settings, as before themes existed, and one whose
every profile has a settings row spread over the built-in themes, a dozen accents,
the button shapes and the languages (synthetic.py); then one profile's accent is
changed and the themed site rebuilt, which must render that one profile only.

With --details, the same two-site comparison: profiles as before, and the same profiles
with detail content on every link (synthetic.py), so eight detail pages each; the report
gives each build's time and the output's file count.

Each figure is the median of --runs runs of the `biogen build` command, timed as a
whole process (wall seconds; peak resident memory of the largest process from
/usr/bin/time). From-scratch builds write into a new output folder each run;
old output trees are deleted only after all timing, since deleting a large tree
slows the writes that follow it several-fold, and each run starts after a sync.
"In a running process" is one changed profile rebuilt by a Python process that
has already imported biogen and built once, as `biogen serve --watch` rebuilds
after an edit (config read again, then build()). The plain renderer (five queries,
Jinja2, two processes, no validation, no JSON, no manifest) runs in the same
session, so the ratio between the two is comparable across machines.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Writes of a previous run still being flushed slow the next run's writes several-
# fold on these machines (20,000 file creations: 1.5 s settled, up to 9 s not).
SETTLE_SECONDS = 2.0

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import ACCENTS, make_site  # noqa: E402


def settle() -> None:
    """Flush dirty pages left by earlier runs, so each run pays only for its own writes."""
    os.sync()
    time.sleep(SETTLE_SECONDS)


def timed(command: list[str], cwd: Path) -> tuple[float, int, float | None]:
    """(wall seconds, peak RSS in MB, the build's own seconds as its summary says) of one run."""
    settle()
    # As an installed biogen runs: Python may cache its compiled modules (a sandbox
    # that sets PYTHONDONTWRITEBYTECODE recompiles every module on every run, ~60 ms).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True,
                            env=env)
    # Timed here rather than by /usr/bin/time's %e, whose 10 ms steps are a fifth of the
    # 0.05 s within which --directory must stay; this adds starting /usr/bin/time (~1 ms).
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    kilobytes = result.stderr.strip().splitlines()[-1]
    reported = re.search(r"\((\d+\.\d+) s\)", result.stdout)
    return seconds, int(kilobytes) // 1024, float(reported.group(1)) if reported else None


def set_output(site: Path, name: str, directory: bool = False) -> None:
    config = site / "biogen.toml"
    lines = [line for line in config.read_text().splitlines() if not line.startswith(("output =", "directory ="))]
    # Top-level keys go before the first [table] (synthetic.py's [share]).
    at = next((i for i, line in enumerate(lines) if line.startswith("[")), len(lines))
    lines[at:at] = [f'output = "{name}"', f"directory = {str(directory).lower()}"]
    config.write_text("\n".join(lines) + "\n")


# One changed profile rebuilt by a process that is already running, as `biogen serve
# --watch` rebuilds after an edit: the config is read again and build() called, with
# Python started and biogen imported once, before the first run.
IN_PROCESS = """
import os, sqlite3, sys, time
from generator.build.build import build
from generator.config import load_config
target, runs, settle = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
build(load_config("."))
conn = sqlite3.connect(load_config(".").database)
for run in range(runs):
    with conn:
        conn.execute("UPDATE profiles SET tagline = ? WHERE id = ?", (f"Changed in a running process {run}", target))
    os.sync()
    time.sleep(settle)
    started = time.perf_counter()
    summary = build(load_config("."))
    assert summary.rendered == 1, summary
    print(time.perf_counter() - started)
"""


def in_process_rebuilds(site: Path, target: str, runs: int) -> list[float]:
    """Seconds of each one-profile rebuild inside one running process."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    result = subprocess.run([sys.executable, "-c", IN_PROCESS, target, str(runs), str(SETTLE_SECONDS)], cwd=site,
                            capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"the in-process rebuild failed:\n{result.stdout}\n{result.stderr}")
    return [float(line) for line in result.stdout.split()]


def median_of(values: list[float]) -> str:
    return f"{statistics.median(values):.3f}" if values else "-"


def bench(size: int, runs: int, workdir: Path) -> dict[str, list]:
    site = workdir / f"site-{size}"
    if not (site / "content" / "bio.db").exists():
        print(f"making a site of {size:,} profiles ...", flush=True)
        make_site(site, size)
    biogen = [sys.executable, "-m", "generator", "build"]
    figures: dict[str, list] = {"scratch": [], "scratch_mb": [], "nochange": [], "one": [], "plain": [],
                                "nochange_inside": [], "one_inside": [], "python": [], "one_running": []}
    for run in range(runs):
        set_output(site, f"out-{run}-{time.time_ns()}")
        seconds, megabytes, _ = timed(biogen, site)
        figures["scratch"].append(seconds)
        figures["scratch_mb"].append(megabytes)
    # Incremental figures on the last output: warm up once (the first incremental
    # build makes the second tree, a one-time O(site) step), then measure.
    conn = sqlite3.connect(site / "content" / "bio.db")
    target = conn.execute("SELECT id FROM profiles ORDER BY id LIMIT 1 OFFSET ?", (size // 2,)).fetchone()[0]

    def change(n: int) -> None:
        with conn:
            conn.execute("UPDATE profiles SET tagline = ? WHERE id = ?", (f"Changed tagline number {n}", target))

    change(-1)
    timed(biogen, site)
    for run in range(runs):
        seconds, _, inside = timed(biogen, site)
        figures["nochange"].append(seconds)
        figures["nochange_inside"].append(inside)
        change(run)
        seconds, _, inside = timed(biogen, site)
        figures["one"].append(seconds)
        figures["one_inside"].append(inside)
        figures["python"].append(timed([sys.executable, "-c", "pass"], site)[0])
    conn.close()
    figures["one_running"] = in_process_rebuilds(site, target, runs)
    if size <= 20_000:
        plain = Path(__file__).resolve().parent / "plain_renderer.py"
        for run in range(runs):
            out = site / f"plain-{run}-{time.time_ns()}"
            figures["plain"].append(timed([sys.executable, str(plain), str(site / "content" / "bio.db"), str(out)], site)[0])
    return figures


def bench_directory(size: int, runs: int, workdir: Path) -> dict[str, dict[str, list]]:
    """Each figure with the home profile at / and with the directory of profiles there."""
    site = workdir / f"site-{size}"
    if not (site / "content" / "bio.db").exists():
        print(f"making a site of {size:,} profiles ...", flush=True)
        make_site(site, size)
    biogen = [sys.executable, "-m", "generator", "build"]
    variants = {"home": False, "directory": True}
    figures = {variant: {f"{key}{part}": [] for key in ("scratch", "warm-up", "one", "added", "removed")
                         for part in ("", "_inside")} for variant in variants}

    def each_variant(run: int, key: str) -> None:
        for variant in (list(variants) if run % 2 == 0 else list(variants)[::-1]):
            set_output(site, f"out-{variant}", variants[variant])
            seconds, _, inside = timed(biogen, site)
            figures[variant][key].append(seconds)
            figures[variant][f"{key}_inside"].append(inside)

    for variant, directory in variants.items():
        set_output(site, f"out-{variant}", directory)
        figures[variant]["scratch"].append(timed(biogen, site)[0])
    conn = sqlite3.connect(site / "content" / "bio.db")
    target, middle = conn.execute("SELECT id, username FROM profiles ORDER BY username LIMIT 1 OFFSET ?",
                                  (size // 2,)).fetchone()

    def change(n: int) -> None:
        with conn:
            conn.execute("UPDATE profiles SET display_name = ?, tagline = ? WHERE id = ?",
                         (f"Changed name {n}", f"Changed tagline number {n}", target))

    change(-1)
    each_variant(0, "warm-up")  # the first incremental build makes the second tree
    for run in range(runs):
        change(run)
        each_variant(run, "one")
    for run in range(runs):
        with conn:
            conn.execute("INSERT INTO profiles (id, username, display_name) VALUES ('bench-new', ?, 'New')",
                         (middle + "a",))
        each_variant(run, "added")
        with conn:
            conn.execute("DELETE FROM profiles WHERE id = 'bench-new'")
        each_variant(run, "removed")
    conn.close()
    return figures


def plain_and(size: int, workdir: Path, variant: str, **synthetic) -> dict[str, Path]:
    """The plain site of `size` profiles and the same profiles as `variant` (make_site's
    `synthetic` options), each made once and kept in `workdir` for later runs."""
    sites = {"plain": workdir / f"site-{size}", variant: workdir / f"site-{size}-{variant}"}
    for name, site in sites.items():
        if not (site / "content" / "bio.db").exists():
            print(f"making a site of {size:,} profiles ({name}) ...", flush=True)
            make_site(site, size, **(synthetic if name == variant else {}))
    return sites


def bench_themes(size: int, runs: int, workdir: Path) -> dict[str, list]:
    """From-scratch builds of the plain and the themed site in turn, and one changed setting."""
    sites = plain_and(size, workdir, "themed", settings=True)
    biogen = [sys.executable, "-m", "generator", "build"]
    figures: dict[str, list] = {"plain": [], "themed": [], "ratio": [], "setting": [], "setting_inside": []}
    for run in range(runs):
        order = list(sites) if run % 2 == 0 else list(sites)[::-1]
        pair = {}
        for variant in order:
            set_output(sites[variant], f"out-{run}-{time.time_ns()}")
            pair[variant] = timed(biogen, sites[variant])[0]
            figures[variant].append(pair[variant])
        figures["ratio"].append(pair["themed"] / pair["plain"])
    site = sites["themed"]
    conn = sqlite3.connect(site / "content" / "bio.db")
    target = conn.execute("SELECT profile_id FROM profile_settings ORDER BY profile_id LIMIT 1 OFFSET ?",
                          (size // 2,)).fetchone()[0]
    timed(biogen, site)  # the first incremental build makes the second tree
    for run in range(runs):
        with conn:
            conn.execute("UPDATE profile_settings SET accent = ? WHERE profile_id = ?",
                         (ACCENTS[run % len(ACCENTS)], target))
        result = subprocess.run(biogen, cwd=site, capture_output=True, text=True)
        rendered = re.search(r"(\d+) rendered", result.stdout)
        if result.returncode != 0 or not rendered or rendered.group(1) != "1":
            raise SystemExit(f"a changed setting should render one profile:\n{result.stdout}\n{result.stderr}")
        with conn:
            conn.execute("UPDATE profile_settings SET accent = ? WHERE profile_id = ?",
                         (ACCENTS[(run + 1) % len(ACCENTS)], target))
        seconds, _, inside = timed(biogen, site)
        figures["setting"].append(seconds)
        figures["setting_inside"].append(inside)
    conn.close()
    return figures


def bench_details(size: int, runs: int, workdir: Path) -> dict[str, list]:
    """From-scratch builds of the plain site and the one whose every link has a detail page, in turn."""
    sites = plain_and(size, workdir, "details", details=True)
    biogen = [sys.executable, "-m", "generator", "build"]
    figures: dict[str, list] = {"plain": [], "details": [], "plain_files": [], "details_files": []}
    for run in range(runs):
        for variant in (list(sites) if run % 2 == 0 else list(sites)[::-1]):
            set_output(sites[variant], f"out-{run}-{time.time_ns()}")
            settle()
            result = subprocess.run(["/usr/bin/time", "-f", "%e", *biogen], cwd=sites[variant], capture_output=True,
                                    text=True)
            files = re.search(r"holds ([\d,]+) files", result.stdout)
            if result.returncode != 0 or not files:
                raise SystemExit(f"the build failed:\n{result.stdout}\n{result.stderr}")
            figures[variant].append(float(result.stderr.strip().splitlines()[-1]))
            figures[f"{variant}_files"].append(int(files.group(1).replace(",", "")))
    return figures


def report_details(size: int, figures: dict[str, list]) -> None:
    print(f"{size:>7,} profiles from scratch: as before {median_of(figures['plain'])} s, "
          f"{figures['plain_files'][-1]:,} files; every link with a detail page {median_of(figures['details'])} s, "
          f"{figures['details_files'][-1]:,} files", flush=True)
    print("  all runs (seconds): plain " + " ".join(f"{v:.3f}" for v in figures["plain"])
          + "; details " + " ".join(f"{v:.3f}" for v in figures["details"]))


def report_themes(size: int, figures: dict[str, list]) -> None:
    print(f"{size:>7,} profiles from scratch: without settings {median_of(figures['plain'])} s, spread over themes, "
          f"accents, shapes and languages {median_of(figures['themed'])} s; themed/plain of each run's pair: median "
          f"{statistics.median(figures['ratio']):.3f}; one changed accent: {median_of(figures['setting'])} s "
          f"(build itself {median_of(figures['setting_inside'])} s, one profile rendered)", flush=True)
    print("  all runs (seconds): plain " + " ".join(f"{v:.3f}" for v in figures["plain"])
          + "; themed " + " ".join(f"{v:.3f}" for v in figures["themed"])
          + "; ratios " + " ".join(f"{v:.3f}" for v in figures["ratio"]))


def report_directory(size: int, figures: dict[str, dict[str, list]]) -> None:
    home, listing = figures["home"], figures["directory"]
    pages = -(-size // 100)
    print(f"{size:>7,} profiles, {pages:,} directory pages: from scratch {median_of(home['scratch'])} s with the home "
          f"profile, {median_of(listing['scratch'])} s with the directory", flush=True)
    for key, what in (("one", "one changed profile"), ("added", "one profile added in the middle"),
                      ("removed", "that profile removed")):
        differences = [b - a for a, b in zip(home[key], listing[key])]
        inside = [b - a for a, b in zip(home[f"{key}_inside"], listing[f"{key}_inside"])]
        print(f"  {what}: home {median_of(home[key])} s, directory {median_of(listing[key])} s, "
              f"difference of each run's pair: median {median_of(differences)} s; build itself "
              f"{median_of(home[key + '_inside'])} s and {median_of(listing[key + '_inside'])} s "
              f"(difference {median_of(inside)} s)", flush=True)
    print("  all runs (seconds; the build itself in brackets):")
    for variant in ("home", "directory"):
        for key in ("one", "added", "removed"):
            print(f"    {variant:<9} {key:<8} " + " ".join(
                f"{v:.3f} ({w:.3f})" for v, w in zip(figures[variant][key], figures[variant][f"{key}_inside"])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated profile counts")
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (the median is shown)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "biogen-bench")
    parser.add_argument("--keep", action="store_true", help="keep the output trees afterwards")
    parser.add_argument("--directory", action="store_true",
                        help="compare builds with the directory of profiles at / against the home profile")
    parser.add_argument("--themes", action="store_true",
                        help="compare builds of profiles spread over themes and accents against profiles without settings")
    parser.add_argument("--details", action="store_true",
                        help="compare builds where every link has a detail page against profiles without details")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.details:
        for size in [int(s) for s in args.sizes.split(",")]:
            report_details(size, bench_details(size, args.runs, args.workdir))
    if args.themes:
        for size in [int(s) for s in args.sizes.split(",")]:
            report_themes(size, bench_themes(size, args.runs, args.workdir))
    if args.directory or args.themes or args.details:
        if args.directory:
            for size in [int(s) for s in args.sizes.split(",")]:
                report_directory(size, bench_directory(size, args.runs, args.workdir))
        if not args.keep:
            for site in args.workdir.glob("site-*"):
                for tree in [*site.glob("out-*"), *site.glob(".out-*.trees")]:
                    shutil.rmtree(tree, ignore_errors=True) if tree.is_dir() and not tree.is_symlink() else tree.unlink()
        return
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        figures = bench(size, args.runs, args.workdir)
        rows.append((size, figures))
        scratch = statistics.median(figures["scratch"])
        print(f"{size:>7,} profiles: from scratch {median_of(figures['scratch'])} s "
              f"({size / scratch:,.0f} pages/s, peak {max(figures['scratch_mb'])} MB), "
              f"no change {median_of(figures['nochange'])} s (build itself {median_of(figures['nochange_inside'])} s), "
              f"one changed {median_of(figures['one'])} s (build itself {median_of(figures['one_inside'])} s; "
              f"in a running process {median_of(figures['one_running'])} s), "
              f"python start-up alone {median_of(figures['python'])} s"
              + (f", plain renderer {median_of(figures['plain'])} s "
                 f"(biogen/plain {scratch / statistics.median(figures['plain']):.2f})" if figures["plain"] else ""),
              flush=True)
    print("\nall runs (seconds):")
    for size, figures in rows:
        for key in ("scratch", "nochange", "nochange_inside", "one", "one_inside", "one_running", "python", "plain"):
            if figures[key]:
                print(f"  {size:>7,} {key:<15} " + " ".join(f"{v:.3f}" for v in figures[key]))
    if not args.keep:
        for site in args.workdir.glob("site-*"):
            for tree in [*site.glob("out-*"), *site.glob(".out-*.trees"), *site.glob("plain-*")]:
                shutil.rmtree(tree, ignore_errors=True) if tree.is_dir() and not tree.is_symlink() else tree.unlink()


if __name__ == "__main__":
    main()
