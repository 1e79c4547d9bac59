"""Cloudflare: D1, the Worker's KV cache and Pages, through wrangler (and Cloudflare's API
for what wrangler cannot do: Pages custom domains).

Owns the one helper that runs wrangler (`wrangler`), the SQL D1 accepts (`d1sql`),
where D1 is and reading its rows (`d1`), sending only what differs (`d1push`),
making the local rows equal D1's (`pull`), deleting the Worker's cached documents (`kv`),
checking that D1 and the build agree (`verify`), the whole publish (`publish`) and the
Pages project's custom domains (`pages_domains`).
May import `data`, `images`, `build` (publish builds first) and `authoring`.
"""
