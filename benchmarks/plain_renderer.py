"""The reference point: a plain Python renderer of the same pages (peers.md).

Five whole-table queries, Jinja2 with autoescape, two processes, one HTML file per
profile; no validation, no JSON documents, no manifest, no atomic output.
    python benchmarks/plain_renderer.py content/bio.db OUT
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import sys
from collections import defaultdict

import jinja2

TEMPLATE = jinja2.Environment(autoescape=True).from_string("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ p[2] }}</title>
<meta name="description" content="{{ p[3] }}"><link rel="stylesheet" href="/style.css"></head>
<body><main><h1>{{ p[2] }}</h1><p>{{ p[3] }}</p>
<ul>{% for s in social %}<li><a href="{{ s[3] }}" rel="me">{{ s[2] }}</a></li>{% endfor %}</ul>
<ul>{% for b in links %}<li><a href="{{ b[3] }}"><b>{{ b[2] }}</b><span>{{ b[4] }}</span></a></li>{% endfor %}</ul>
<ul>{% for r in products %}<li><a href="{{ r[5] }}">{{ r[2] }} {{ r[4] }}</a></li>{% endfor %}</ul>
<ul>{% for c in tools %}<li><a href="{{ c[4] }}">{{ c[2] }}</a></li>{% endfor %}</ul>
</main></body></html>""")


def load(database: str, part: int, parts: int):
    conn = sqlite3.connect(database)
    profiles = conn.execute("SELECT * FROM profiles WHERE rowid % ? = ?", (parts, part)).fetchall()
    children = []
    for table in ("social_links", "bio_links", "products", "carousel_items"):
        grouped = defaultdict(list)
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY order_index"):
            grouped[row[1]].append(row)
        children.append(grouped)
    return profiles, children


def render(args) -> None:
    database, out, part, parts = args
    profiles, (social, links, products, tools) = load(database, part, parts)
    for p in profiles:
        html = TEMPLATE.render(p=p, social=social[p[0]], links=links[p[0]], products=products[p[0]], tools=tools[p[0]])
        with open(os.path.join(out, f"{p[1]}.html"), "w") as file:
            file.write(html)


if __name__ == "__main__":
    database, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with multiprocessing.Pool(2) as pool:
        pool.map(render, [(database, out, i, 2) for i in range(2)])
