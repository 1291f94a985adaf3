-- 001: the first schema. Every later change is a new numbered file; a file that has
-- shipped is never edited. user_version records the last file applied.

CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  kind          TEXT NOT NULL CHECK (kind IN ('fashion-mnist', 'mnist', 'cifar10', 'idx', 'folder')),
  source        TEXT NOT NULL,          -- where the files came from (folder, URL)
  width         INTEGER NOT NULL,       -- 0 for folder datasets of mixed sizes
  height        INTEGER NOT NULL,
  channels      INTEGER NOT NULL,
  -- sha256 over the imported files, so exports and label files can be matched to
  -- the same data on another machine
  fingerprint   TEXT NOT NULL,
  created_at    TEXT NOT NULL
);

CREATE TABLE classes (
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  label         INTEGER NOT NULL,
  name          TEXT NOT NULL,
  PRIMARY KEY (dataset_id, label)
) WITHOUT ROWID;

-- One row per image. Small images (MNIST-like, CIFAR) keep their raw pixels
-- (row-major, channels last, uint8); folder images keep their path and content hash
-- plus a small thumbnail.
CREATE TABLE images (
  id            INTEGER PRIMARY KEY,
  dataset_id    INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  split         TEXT NOT NULL CHECK (split IN ('train', 'test')),
  idx           INTEGER NOT NULL,        -- position within the split, from 0
  label         INTEGER NOT NULL,
  pixels        BLOB,
  path          TEXT,
  content_hash  TEXT,
  width         INTEGER NOT NULL,
  height        INTEGER NOT NULL,
  thumbnail     BLOB,                    -- PNG, folder datasets only
  UNIQUE (dataset_id, split, idx),
  FOREIGN KEY (dataset_id, label) REFERENCES classes(dataset_id, label)
);

-- An experiment is one population study on one evaluation set: trained here or
-- imported. Its images are numbered 0..n-1 (image_index); when they belong to an
-- imported dataset, image_id links them.
CREATE TABLE experiments (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  dataset_id    INTEGER REFERENCES datasets(id) ON DELETE RESTRICT,
  origin        TEXT NOT NULL CHECK (origin IN ('trained', 'imported')),
  config        TEXT NOT NULL DEFAULT '{}',   -- JSON: preset, schedule, batch size...
  created_at    TEXT NOT NULL
);

CREATE TABLE experiment_images (
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  image_index   INTEGER NOT NULL,
  true_label    INTEGER NOT NULL,
  image_id      INTEGER REFERENCES images(id),
  PRIMARY KEY (experiment_id, image_index)
) WITHOUT ROWID;

CREATE TABLE models (
  id                 INTEGER PRIMARY KEY,
  experiment_id      INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant            TEXT NOT NULL,          -- 'dense', 'magnitude-0.9', 'fp16', 'int8'
  method             TEXT NOT NULL CHECK (method IN ('dense', 'magnitude', 'fp16', 'int8')),
  target_sparsity    REAL NOT NULL DEFAULT 0,
  measured_sparsity  REAL,
  seed               INTEGER NOT NULL,
  arch               TEXT NOT NULL,
  backend            TEXT,
  epochs             INTEGER,
  top1               REAL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  weights_path       TEXT,
  source             TEXT,                   -- imported: file or checkpoint name
  started_at         TEXT,
  finished_at        TEXT,
  UNIQUE (experiment_id, variant, seed)
);
CREATE INDEX models_by_experiment ON models(experiment_id, variant);

-- 30 models x 6 variants x 10,000 images = 1.8 million rows. The key (model_id,
-- image_index) clusters a model's predictions together (per-model scans are one range
-- read) and answers a per-image question with one key lookup per model; no rowid and
-- no second index keeps the table at about 20 bytes a row.
CREATE TABLE predictions (
  model_id                INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  image_index             INTEGER NOT NULL,
  predicted_label         INTEGER NOT NULL,
  predicted_probability   REAL NOT NULL,
  true_label_probability  REAL,            -- NULL when an import does not carry it
  PRIMARY KEY (model_id, image_index)
) WITHOUT ROWID;

CREATE TABLE annotators (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL
);

-- The label schema of the project: categories in display order, each with its key.
CREATE TABLE label_categories (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  description   TEXT NOT NULL DEFAULT '',
  key           TEXT,
  position      INTEGER NOT NULL
);
INSERT INTO label_categories (name, description, key, position) VALUES
  ('atypical', 'An unusual or atypical example of its class', '1', 1),
  ('noisy', 'Corrupted or low-quality image', '2', 2),
  ('mislabeled', 'The ground-truth label is wrong or inadequate', '3', 3),
  ('multiple-objects', 'Shows more than one object', '4', 4),
  ('fine-grained', 'Needs fine-grained knowledge to tell the class', '5', 5),
  ('abstract', 'An abstract depiction (drawing, painting, render)', '6', 6);

CREATE TABLE studies (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE RESTRICT,
  variant       TEXT NOT NULL,
  n_pies        INTEGER NOT NULL,
  n_controls    INTEGER NOT NULL,
  seed          INTEGER NOT NULL,
  design        TEXT NOT NULL DEFAULT '{}',  -- JSON: schema snapshot, strata
  blind         INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL
);

CREATE TABLE study_items (
  study_id      INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  image_index   INTEGER NOT NULL,
  is_pie        INTEGER NOT NULL,
  PRIMARY KEY (study_id, position),
  UNIQUE (study_id, image_index)
) WITHOUT ROWID;

-- A label is one annotator's judgement of one image, in a study or in free audit
-- (study_id NULL). categories: JSON array of category names; [] with is_none = 1
-- means a typical, clean image.
CREATE TABLE labels (
  id            INTEGER PRIMARY KEY,
  study_id      INTEGER REFERENCES studies(id) ON DELETE CASCADE,
  annotator_id  INTEGER NOT NULL REFERENCES annotators(id),
  experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  image_index   INTEGER NOT NULL,
  categories    TEXT NOT NULL DEFAULT '[]',
  note          TEXT NOT NULL DEFAULT '',
  labeled_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX labels_unique ON labels(ifnull(study_id, 0), annotator_id, experiment_id, image_index);
