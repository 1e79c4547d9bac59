// The reference Worker: the current site's GET /api/config, plus GET /api/profiles/:username,
// each answered from D1 with exactly the bytes `biogen build` writes to api/profiles/<username>.json.
// Documents are cached in KV (binding CONFIG_CACHE, key profile:<username>, one hour) as the
// current Worker does; `biogen d1 push` deletes the keys of the profiles it changed.

const CACHE_SECONDS = 3600;
const CHILD_TABLES = ["social_links", "bio_links", "products", "carousel_items"];

function text(value) {
  // A column as the current Worker returns it: NULL as "", anything else as String().
  return value === null || value === undefined ? "" : String(value);
}

async function loadProfile(db, username) {
  const profile = await db.prepare("SELECT * FROM profiles WHERE username = ?1").bind(username).first();
  if (!profile) return null;
  // ORDER BY order_index puts NULL first; rowid keeps insertion order among ties, as biogen does.
  const queries = CHILD_TABLES.map((table) =>
    db.prepare(`SELECT * FROM ${table} WHERE profile_id = ?1 ORDER BY order_index, rowid`).bind(profile.id));
  const results = await db.batch(queries);
  const [social, links, products, tools] = results.map((r) => r.results);
  return { profile, social, links, products, tools };
}

function bioData({ profile, social, links, products, tools }) {
  // Keys in the current Worker's order; JSON.stringify escapes exactly what biogen's build does.
  return JSON.stringify({
    profile: {
      name: text(profile.display_name),
      tagline: text(profile.tagline),
      avatar: text(profile.avatar_url),
      coverImage: text(profile.cover_url),
      socialLinks: social.map((s) => ({ name: text(s.platform), url: text(s.url), icon: text(s.icon) })),
    },
    links: links.map((b, i) => ({
      id: i + 1, name: text(b.name), url: text(b.url), description: text(b.description),
      backgroundImage: text(b.background_image),
    })),
    products: products.map((p, i) => ({
      id: i + 1, name: text(p.name), image: text(p.image_url), price: text(p.price), url: text(p.url),
    })),
    aiTools: tools.map((c, i) => ({ id: i + 1, name: text(c.name), logo: text(c.logo_url), url: text(c.url) })),
  });
}

async function contentVersion(db, profile) {
  // The profile's content hash, computed as biogen's generator/d1.py Content does: every column
  // of the profile row and of its children (by table, sorted by id), SHA-256, 32 hex digits.
  const row = Object.values(profile);
  const parts = [row];
  const results = await db.batch(CHILD_TABLES.map((table) =>
    db.prepare(`SELECT * FROM ${table} WHERE profile_id = ?1`).bind(profile.id)));
  results.forEach((result, index) => {
    const rows = result.results.map((r) => Object.values(r));
    if (rows.length) {
      rows.sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0));
      parts.push([CHILD_TABLES[index], rows]);
    }
  });
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
}

function json(body, status, extra = {}) {
  return new Response(body, {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", "access-control-allow-origin": "*", ...extra },
  });
}

async function answer(env, username) {
  const key = `profile:${username}`;
  if (env.CONFIG_CACHE) {
    const cached = await env.CONFIG_CACHE.getWithMetadata(key);
    if (cached.value !== null) {
      return json(cached.value, 200, { "x-content-version": cached.metadata?.version ?? "", "x-cache": "hit" });
    }
  }
  const found = await loadProfile(env.DB, username);
  if (!found) return json(JSON.stringify({ error: `no profile named ${username}` }), 404);
  const body = bioData(found);
  const version = await contentVersion(env.DB, found.profile);
  if (env.CONFIG_CACHE) {
    await env.CONFIG_CACHE.put(key, body, { expirationTtl: CACHE_SECONDS, metadata: { version } });
  }
  return json(body, 200, { "x-content-version": version, "x-cache": "miss" });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json(JSON.stringify({ error: "method not allowed" }), 405, { allow: "GET, HEAD" });
    }
    if (url.pathname === "/api/config") return answer(env, env.DOMAIN || "default");
    const match = url.pathname.match(/^\/api\/profiles\/([^/]+)$/);
    if (match) {
      let username;
      try {
        username = decodeURIComponent(match[1]);
      } catch {
        return json(JSON.stringify({ error: "bad username" }), 400);
      }
      return answer(env, username);
    }
    return json(JSON.stringify({ error: "not found" }), 404);
  },
};
