"""Cloudflare: D1 and Pages, always through wrangler.

Owns the one helper that runs wrangler (`wrangler`), the SQL D1 accepts (`d1sql`),
reading and comparing D1's rows (`d1`), sending only what differs (`d1push`),
checking that D1 and the build agree (`verify`) and the whole publish (`publish`).
May import `data`, `images`, `build` (publish builds first) and `authoring` (pull
reads D1's rows with import's rules).
"""
