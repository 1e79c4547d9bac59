-- Per-profile settings: the theme, accent colour and button shape, which sections show
-- and their headings, the page's language, and the SEO title and description.
-- At most one row per profile; no row, or NULL in a column, means the default, which
-- keeps the page as biogen made it before this table existed.
--
-- A table of its own rather than new columns on `profiles`: the current site's Worker
-- and admin panel read and write `profiles` with their own column lists, and the content
-- hash covers every column of a profile's rows. Here, a profile without settings keeps
-- exactly its rows, its hash and its BioData document, and the settings go with their
-- profile (ON DELETE CASCADE). Numbered 0004: the current site's D1 already holds its own
-- 0003_admin_users.sql, which biogen neither ships nor needs.
CREATE TABLE profile_settings (
  profile_id TEXT PRIMARY KEY,
  theme TEXT,
  accent TEXT,
  button_shape TEXT,
  language TEXT,
  show_links INTEGER,
  show_products INTEGER,
  show_tools INTEGER,
  links_heading TEXT,
  products_heading TEXT,
  tools_heading TEXT,
  seo_title TEXT,
  seo_title_template TEXT,
  seo_description TEXT,
  FOREIGN KEY (profile_id) REFERENCES profiles(id) ON DELETE CASCADE
);
