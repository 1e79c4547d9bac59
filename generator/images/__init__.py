"""Images: from a reference in the database to the files a page loads.

Owns where each image sits and the sizes it gets there (`sizes`, pure), placeholder
colours (`palette`), the SVG safety check (`svg`), decoding and encoding with Pillow
(`codec`), the cache's file names and stat index (`cache`), one image set rendered in
a worker (`sets`), the pipeline the build calls (`pipeline`), downloading remote
images (`fetch`) and finding every image of the profiles a build renders (`media`).
May import `data`, `errors` and `config`; never the build above it.
"""
