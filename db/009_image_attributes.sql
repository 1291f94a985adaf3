-- 009: per-image attributes for subgroup analysis (`datasets attributes`): categorical
-- values such as a background or a source, one row per image and attribute. Importing
-- a dataset's attribute file again replaces all of that dataset's attributes.

CREATE TABLE image_attributes (
  image_id   INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
  attribute  TEXT NOT NULL CHECK (attribute <> ''),
  value      TEXT NOT NULL,
  PRIMARY KEY (image_id, attribute)
) WITHOUT ROWID;
