"""`biogen serve`: the site as Cloudflare Pages will serve it, rebuilt as it changes.

Owns the preview server (`server`), the watcher that rebuilds on a change
(`watch`) and the live-reload script and stylesheet injected into served HTML only.
May import `data`, `images` and `build`.
"""
