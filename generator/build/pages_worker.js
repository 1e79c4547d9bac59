// Cloudflare Pages advanced mode: answers the paths that depend on the Host header
// (_routes.json sends "/", "/api/config", "/sitemap.xml", "/robots.txt", the ROOT_FILES and
// "/<slug>" of each detail page of a mapped profile here, or "/*" but the static prefixes past
// Pages' 100 rules or with route_all; every other request stays a static asset, with no
// invocation). biogen build writes HOSTS, OWN_HEADERS, SLUG_PATH and ROOT_FILES above this line
// (generator/build/hosts.py); biogen serve answers the same way (generator/preview/routing.py),
// tests/test_wrangler_domains.py holds both.
//
// HOSTS: hostname -> {username, canonical, lastmod} (the profile's page) or {redirect} (a 301),
// for the hostnames of the domains table. A hostname that is not a key but is a username
// (linh.example.com, as the current site names profiles) is found by its document,
// api/profiles/<host>.json, once IMPLICIT_HOST has accepted it: so a site whose 100,000
// usernames are domains needs no map entry for them. Any other hostname (SITE_HOST, the
// *.pages.dev address, an unknown one) gets exactly what the site answers without this file, and
// so does a mapped hostname on a path it has no file for. The path of a file comes from HOSTS (or
// a Host IMPLICIT_HOST accepted) and a request path matched whole by SLUG_PATH or named in
// ROOT_FILES: no "/", "." or "%" of the request reaches it. A Host value is written into an
// answer (robots.txt, the sitemap) only when it names a profile: a key of HOSTS, which the
// build's rules checked (generator/data/domains.py), or a username's document found.

function hostOf(request) {
  // As a browser sends it: lower-case; a port or the trailing dot of a fully qualified name dropped.
  return (request.headers.get("host") || "").toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

function own(status, extra, body, method) {
  // An answer the Worker makes itself: Pages applies _headers only to static assets, so the
  // site-wide headers (CSP, nosniff, ...) come from OWN_HEADERS, written from the same rules.
  const headers = new Headers(OWN_HEADERS);
  for (const [name, value] of extra) headers.set(name, value);
  return new Response(method === "HEAD" ? null : body, { status, headers });
}

async function asset(env, request, path) {
  // The static file at `path` (a profile's page or document), answered on this hostname.
  const url = new URL(request.url);
  const found = await env.ASSETS.fetch(new Request(new URL(path, url.origin), { method: request.method, headers: request.headers }));
  const headers = new Headers(found.headers);
  headers.set("Vary", "Host");
  return new Response(found.body, { status: found.status, headers });
}

function profileFile(pathname, username) {
  // generator.build.hosts.profile_file: the vCard or QR code at the root, or a detail page.
  if (Object.hasOwn(ROOT_FILES, pathname)) return `${ROOT_FILES[pathname][0]}${username}${ROOT_FILES[pathname][1]}`;
  return SLUG_PATH.test(pathname) ? `/${username}${pathname}` : undefined;
}

function sitemap(host, entry) {
  // generator/build/sitefiles.sitemap_files for this hostname: its page, when it is the canonical one.
  const head = '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n';
  const url = entry.canonical === host
    ? `<url><loc>https://${host}/</loc>` + (entry.lastmod ? `<lastmod>${entry.lastmod}</lastmod>` : "") + "</url>"
    : "";
  return `${head}${url}\n</urlset>\n`;
}

async function implicit(env, request, host) {
  // A username that is this hostname: its document exists. The name passed IMPLICIT_HOST (no
  // "/", no ".."), so the path stays in api/profiles/. One more asset fetch, on these paths only.
  if (host === SITE_HOST || !IMPLICIT_HOST.test(host)) return undefined;
  const url = new URL(request.url);
  const found = await env.ASSETS.fetch(new Request(new URL(`/api/profiles/${host}.json`, url.origin), { method: "HEAD" }));
  // Its page names this hostname as canonical (generator.data.domains.canonical_hostname); the
  // date is left out of its sitemap, which a sitemap allows, rather than read per request.
  return found.status === 200 ? { username: host, canonical: host, lastmod: "" } : undefined;
}

export default {
  async fetch(request, env) {
    if (request.method !== "GET" && request.method !== "HEAD") return env.ASSETS.fetch(request);
    const host = hostOf(request);
    const entry = Object.hasOwn(HOSTS, host) ? HOSTS[host] : await implicit(env, request, host);
    if (entry === undefined) return env.ASSETS.fetch(request);
    const url = new URL(request.url);
    if (entry.redirect !== undefined) {
      return own(301, [["Location", `https://${entry.redirect}${url.pathname}${url.search}`], ["Vary", "Host"]],
        null, request.method);
    }
    switch (url.pathname) {
      case "/":
        return asset(env, request, `/${entry.username}`);
      case "/api/config":
        return asset(env, request, `/api/profiles/${entry.username}.json`);
      case "/sitemap.xml":
        return own(200, [["Content-Type", "application/xml"], ["Vary", "Host"]],
          sitemap(host, entry), request.method);
      case "/robots.txt":
        return own(200, [["Content-Type", "text/plain; charset=utf-8"], ["Vary", "Host"]],
          `User-agent: *\nAllow: /\n\nSitemap: https://${host}/sitemap.xml\n`, request.method);
      default: {
        // The profile's own file at the root; when it has none, the request as it came (one more
        // asset fetch, on these paths only), so only the profile's files change on its hostname.
        const file = profileFile(url.pathname, entry.username);
        if (file !== undefined) {
          const found = await asset(env, request, file);
          if (found.status !== 404) return found;
        }
        return env.ASSETS.fetch(request);
      }
    }
  },
};
