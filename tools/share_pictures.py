"""The demo profile's share kit for the README (docs/share/):

    python tools/share_pictures.py                 # writes docs/share/
    python tools/share_pictures.py --out /tmp/share

Builds a copy of the demo site (the repository's content/ is left alone) and copies
what `biogen build` made for the profile `ana`: its QR code (qr/ana.svg, 1.5 KB, and
the PNG for print), its contact card (ana.vcf, whose text the README shows too) and,
once the build makes one, its social card (og/ana.png or .jpg). Run it again after
changing the share kit or ana's rows.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.build.build import build  # noqa: E402
from generator.config import load_config  # noqa: E402
from demo_copy import copy_demo  # noqa: E402  (tools/, this script's folder)

PROFILE = "ana"
FILES = (f"qr/{PROFILE}.svg", f"qr/{PROFILE}.png", f"{PROFILE}.vcf", f"og/{PROFILE}.png", f"og/{PROFILE}.jpg")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "share")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        site = Path(temporary) / "site"
        copy_demo(site)
        config = load_config(site)
        build(config)
        for relative in FILES:
            made = config.output / relative
            if made.exists():
                target = args.out / relative.replace("/", "-")
                shutil.copyfile(made, target)
                print(f"{target} ({made.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
