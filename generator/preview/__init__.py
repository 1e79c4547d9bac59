"""`biogen serve`: the site as Cloudflare Pages will serve it, rebuilt as it changes.

Owns Pages' rules for answering a request from the output folder (`routing`), the
preview server with its live reload and error banner (`server`, with
`livereload.js` and `livereload.css`, injected into served HTML only), the watcher
that rebuilds on a change (`watch`) and the command that runs them together
(`serve`). May import every layer below it: `data`, `images`, `build`,
`authoring` and `cloudflare`.
"""
