-- The hostnames a profile is served on by one deployment (biogen build's _worker.js, and
-- biogen serve, route requests by their Host header with this table).
--
-- One row per hostname, the hostname its primary key: a hostname leads to exactly one
-- profile, and a profile may have several (its own domain, aliases, a www. form). Stored
-- as a browser sends it in Host: lower-case ASCII, an internationalised name in its IDNA
-- form (xn--...), no port, no trailing dot; biogen domain add writes that form and the
-- build refuses any other (generator/data/domains.py).
--
-- kind says what a request for the hostname gets:
--   main      the profile's page at /, and the page names https://<hostname>/ as its
--             canonical URL (og:url, JSON-LD url); at most one per profile;
--   alias     the same page at /, whose canonical URL stays the main hostname's;
--   redirect  a 301 to the main hostname, same path and query (a www. form).
-- A column rather than a boolean redirect_to_main: main and alias differ too (which
-- hostname the page calls canonical), and three values in one column cannot contradict
-- each other as two flags could.
--
-- A table of its own, as profile_settings (0004) is: a profile without hostnames keeps
-- exactly its rows, content hash and BioData document, and the current site's Worker and
-- admin panel never meet it. The hostnames go with their profile (ON DELETE CASCADE).
CREATE TABLE domains (
  hostname TEXT PRIMARY KEY,
  profile_id TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'main',
  FOREIGN KEY (profile_id) REFERENCES profiles(id) ON DELETE CASCADE
);
CREATE INDEX idx_domains_profile ON domains(profile_id);
