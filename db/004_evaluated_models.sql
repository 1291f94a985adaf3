-- 004: populations of the user's own model files (pie-audit models import). An
-- experiment's origin may be 'evaluated' (models run here on the dataset's test split),
-- and a model's method may be 'other' (a compression PIE Audit does not name, e.g.
-- structured pruning or distillation). SQLite cannot alter a CHECK constraint, so both
-- tables are rebuilt (the migration runner turns foreign keys off around migrations and
-- checks them before committing).

CREATE TABLE experiments_new (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  dataset_id    INTEGER REFERENCES datasets(id) ON DELETE RESTRICT,
  origin        TEXT NOT NULL CHECK (origin IN ('trained', 'imported', 'evaluated')),
  config        TEXT NOT NULL DEFAULT '{}',   -- JSON: preset, schedule, batch size; evaluated: the manifest
  created_at    TEXT NOT NULL
);
INSERT INTO experiments_new (id, name, dataset_id, origin, config, created_at)
  SELECT id, name, dataset_id, origin, config, created_at FROM experiments;
DROP TABLE experiments;
ALTER TABLE experiments_new RENAME TO experiments;

CREATE TABLE models_new (
  id                 INTEGER PRIMARY KEY,
  experiment_id      INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant            TEXT NOT NULL,          -- 'dense', 'magnitude-0.9', 'fp16', 'int8', or a name of the user's
  method             TEXT NOT NULL CHECK (method IN ('dense', 'magnitude', 'fp16', 'int8', 'other')),
  target_sparsity    REAL NOT NULL DEFAULT 0,
  measured_sparsity  REAL,
  seed               INTEGER NOT NULL,
  arch               TEXT NOT NULL,
  backend            TEXT,
  epochs             INTEGER,
  top1               REAL,
  status             TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'failed')),
  weights_path       TEXT,
  source             TEXT,                   -- imported: file or checkpoint name; evaluated: the model file
  started_at         TEXT,
  finished_at        TEXT,
  UNIQUE (experiment_id, variant, seed)
);
INSERT INTO models_new SELECT id, experiment_id, variant, method, target_sparsity, measured_sparsity, seed, arch,
  backend, epochs, top1, status, weights_path, source, started_at, finished_at FROM models;
DROP TABLE models;
ALTER TABLE models_new RENAME TO models;
CREATE INDEX models_by_experiment ON models(experiment_id, variant);
