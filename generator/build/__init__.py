"""The build: the database to an output folder of static files, atomically.

`build.build()` reads like a table of contents: plan which profiles changed (`plan`),
prepare their images, render them (`pages`, `render`, `render_context`, `markdown`,
`detail` for items' detail pages, `icons`, and `translations` and `page_words` for their words), write the site-wide files (`sitefiles`), the Worker that answers profiles on their own
hostnames (`hosts`, with `pages_worker.js`) and the pages of the directory of
profiles that changed (`directory`), and commit the output tree (`output`). `check`
applies the build's rules without building. May import `data`, `images`, `config` and
`errors`.
"""
