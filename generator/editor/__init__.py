"""`biogen edit`: a local editor in the browser, beside the page it edits.

Owns the editor's web app under `/_edit/` (`app`: profiles listed, created, renamed,
deleted, and one profile's own fields edited; `settings_pages`: a profile's settings
and an item's details and schedule, written by `settings_actions`), images uploaded
through its forms (`uploads`: checked as the build checks them, stored under
content/uploads/ by a digest of their bytes; `file_forms`: such a form read from a
request, and its route), the pure logic of
its forms (`forms`: a form's values as a would-be Profile, the build's rules per field,
what changed under an open form; `settings_forms`: the settings and details forms), a
profile's lists (`items`: the pages and routes of its social links, links, products
and tools; `item_actions`: each change's transaction; `item_forms`: their fields,
rules per field, order and icon picker, pure), what changed in a profile since a
refused form was opened (`changes`: a pure comparison, and the profiles the pages
showed, kept in memory), live checks of one field (`live`), the
guard every request passes (`security`: the per-run secret and its cookie, the Host,
Origin and CSRF checks, the editor's headers), and the server that runs it with the
preview on uvicorn (`server`). Its Jinja templates (`templates/`) and
stylesheet (`static/`) are its own, apart from the site's, served from the package.
Every other path is the built site answered as Cloudflare Pages answers it, through
generator.preview.routing. May import every layer below it: `data`, `images`,
`build`, `authoring`, `cloudflare` and `preview`; nothing below imports it, so no
editor code can reach a build's output.
"""
