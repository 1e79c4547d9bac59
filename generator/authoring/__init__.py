"""Authoring without SQL: `biogen init`, `import`, `export`, the `profile` and `domain` commands.

Owns a new site folder (`init` and its `site_template/`), reading and checking the
current site's documents and biogen's own export (`documents`), comparing them with
the stored profiles and writing them in one transaction (`importer`), and the
profile commands' answers (`profiles`), and the hostnames of profiles (`domains`). May import `data`, `images` and `build`.
"""
