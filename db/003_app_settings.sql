-- 003: application settings (key/value), e.g. the annotator name used for free-audit
-- labels when none is given. Values are JSON text.

CREATE TABLE app_settings (
  key           TEXT PRIMARY KEY,
  value         TEXT NOT NULL
) WITHOUT ROWID;
