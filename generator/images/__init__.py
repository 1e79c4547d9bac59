"""Images: from a reference in the database to the files a page loads.

Owns downloading remote images with their cache (`fetch`), the pipeline that
decodes, sanitises and encodes each image once ever (`pipeline`), and the step the
build calls to find and prepare every image of the profiles it renders (`media`).
May import `data`, `errors` and `config`; never the build above it.
"""
