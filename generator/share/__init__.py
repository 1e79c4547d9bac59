"""Sharing a profile: what other sites and devices read from it.

Owns the schema.org structured data a page carries (`structured_data`, with the
prices it can read: `prices`, pure), the contact card (`vcard`, RFC 6350), the QR
code of the page's address (`qr`) and the social card image (`card`). Each is a pure
function of the profile's values, so the build can write the files and skip those
whose bytes did not change. May import `data`, `images` (the cache and the codec),
`errors` and `config`; never the build above it, which calls these.
"""
