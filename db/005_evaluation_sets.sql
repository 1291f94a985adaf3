-- 005: predictions on evaluation sets other than the clean test split: corrupted copies
-- of the experiment's test images ('shot_noise:5') or another dataset's test split with
-- the same classes. The clean split stays in `predictions`, untouched, so its analysis
-- reads exactly what it read before.

CREATE TABLE eval_sets (
  id             INTEGER PRIMARY KEY,
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  name           TEXT NOT NULL,           -- 'corruption:severity', or the dataset's name
  kind           TEXT NOT NULL CHECK (kind IN ('corruption', 'dataset')),
  corruption     TEXT,                    -- kind 'corruption' only
  severity       INTEGER,                 -- 1 (mildest) to 5, kind 'corruption' only
  dataset_id     INTEGER REFERENCES datasets(id) ON DELETE RESTRICT,  -- kind 'dataset' only: its test split
  images         INTEGER NOT NULL,
  created_at     TEXT NOT NULL,
  UNIQUE (experiment_id, name)
);

-- One row per model that finished a set, written with its predictions in one
-- transaction: resume skips these pairs.
CREATE TABLE eval_runs (
  eval_set_id    INTEGER NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
  model_id       INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  top1           REAL NOT NULL,
  finished_at    TEXT NOT NULL,
  PRIMARY KEY (eval_set_id, model_id)
) WITHOUT ROWID;

-- As `predictions`, keyed by set first: one set's models are one range.
CREATE TABLE eval_predictions (
  eval_set_id             INTEGER NOT NULL REFERENCES eval_sets(id) ON DELETE CASCADE,
  model_id                INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  image_index             INTEGER NOT NULL,
  predicted_label         INTEGER NOT NULL,
  predicted_probability   REAL NOT NULL,
  true_label_probability  REAL,
  PRIMARY KEY (eval_set_id, model_id, image_index)
) WITHOUT ROWID;

-- The shift metrics of an experiment (JSON), recomputed only when its finished models
-- or evaluation runs change: signature fingerprints both.
CREATE TABLE shift_analysis (
  experiment_id  INTEGER PRIMARY KEY REFERENCES experiments(id) ON DELETE CASCADE,
  signature      TEXT NOT NULL,
  result         TEXT NOT NULL,
  computed_at    TEXT NOT NULL
);
