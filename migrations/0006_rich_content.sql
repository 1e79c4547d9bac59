-- Richer items, as the current site's newer versions have them: a bio link or a product
-- may have detail content (a page of its own at /<username>/<slug>: subtitle, a Markdown
-- body, a call to action), a product a description, a badge and a group, and either one
-- a time it goes live (starts_at) and a time it ends (ends_at), in UTC.
--
-- One row per item that uses any of it, keyed by the item's id (bio_links.id or
-- products.id, which are UUIDs and never shared), rather than new columns on bio_links
-- and products: the current site's Worker and admin panel read and write those tables
-- with their own column lists, and the content hash covers every column of a profile's
-- rows. Here a profile that uses none of it keeps exactly its rows, its hash and its
-- BioData document. One table rather than one per feature: an item with detail content
-- is often also scheduled, and one table is one more query per build, not three.
--
-- profile_id is the owner (ON DELETE CASCADE, like every child table) and what the change
-- journal and `biogen d1` group rows by. item_id cannot be a foreign key (it names a row
-- of one of two tables): a row whose item is gone is shown by nobody and reported by
-- `biogen check`. slug is unique within the profile by biogen's rules (checked before
-- anything is written) rather than by an index, so `biogen d1 push` may move a slug from
-- one item to another in any order.
-- Numbered 0006: 0005 is biogen's domains table; the current site's D1 holds its own 0003.
CREATE TABLE item_details (
  item_id TEXT PRIMARY KEY,
  profile_id TEXT NOT NULL,
  slug TEXT,
  subtitle TEXT,
  content TEXT,
  cta_text TEXT,
  cta_url TEXT,
  description TEXT,
  badge TEXT,
  group_name TEXT,
  starts_at TEXT,
  ends_at TEXT,
  FOREIGN KEY (profile_id) REFERENCES profiles(id) ON DELETE CASCADE
);
CREATE INDEX idx_item_details_profile ON item_details(profile_id);
