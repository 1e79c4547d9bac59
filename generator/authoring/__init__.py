"""Authoring without SQL: `biogen init`, `import`, `export` and the `profile` commands.

Owns a new site folder (`init` and its `site_template/`), reading the current
site's documents into the database with their rules (`importer`), and the profile
commands' answers (`profiles`). May import `data`, `images` and `build`.
"""
