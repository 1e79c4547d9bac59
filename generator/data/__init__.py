"""The data: one SQLite database and the rules its rows must keep.

Owns the connection (`db`: foreign keys, WAL, busy timeout, the change journal), the
numbered migrations and wrangler's `d1_migrations` table (`migrate`), the profiles as
frozen dataclasses (`model`), the rules every profile must pass (`validate`), the
names and rules of a profile's settings (`profile_settings`), the form and rules of the
hostnames profiles are served on and their map (`domains`), the details of links and
products (detail pages, badges, groups, schedules) and their rules (`item_details`), the BioData document
the Worker serves (`biodata`), the content hash of a profile
(`content_hash`) and the rows of the profile tables grouped by profile with their hashes
(`content`), reading and writing whole profiles in one transaction (`store`), the
TypeScript row types (`types`) and a stored URL as a page writes it and a download
requests it (`urls`). Everything else in biogen stands on this layer; it
imports nothing of biogen but `errors` and `config`.
"""
