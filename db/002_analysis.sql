-- 002: stored analysis results (modal labels, PIEs, per-image scores, class impact,
-- the headline table). Recomputed only when the experiment's finished models change:
-- analysis_runs.signature fingerprints the models that were analysed.

CREATE TABLE analysis_runs (
  experiment_id INTEGER PRIMARY KEY REFERENCES experiments(id) ON DELETE CASCADE,
  signature     TEXT NOT NULL,
  num_classes   INTEGER NOT NULL,
  computed_at   TEXT NOT NULL,
  seconds       REAL NOT NULL
);

-- One row per image and variant (dense included, with is_pie NULL).
CREATE TABLE analysis_images (
  experiment_id          INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant                TEXT NOT NULL,
  image_index            INTEGER NOT NULL,
  modal_label            INTEGER NOT NULL,
  modal_votes            INTEGER NOT NULL,
  number_observ          INTEGER NOT NULL,  -- models of the variant that predicted the image
  agreement              REAL NOT NULL,     -- modal_votes / number_observ
  tie                    INTEGER NOT NULL,  -- several labels had the modal count
  is_pie                 INTEGER,           -- modal label differs from dense's; NULL for dense
  mean_true_probability  REAL,              -- NULL when no model carried it
  self_confidence        REAL NOT NULL,     -- share of votes for the true label
  normalized_margin      REAL NOT NULL,     -- that share minus the largest other label's share
  PRIMARY KEY (experiment_id, variant, image_index)
) WITHOUT ROWID;

CREATE TABLE analysis_classes (
  experiment_id          INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant                TEXT NOT NULL,
  class                  INTEGER NOT NULL,
  baseline_mean_recall   REAL NOT NULL,
  variant_mean_recall    REAL NOT NULL,
  statistic              REAL,              -- Welch t of dense minus variant normalised recall; NULL if undefined
  pvalue                 REAL,
  qvalue                 REAL,              -- Benjamini-Hochberg over the variant's classes
  significant            INTEGER NOT NULL,  -- qvalue <= 0.05
  PRIMARY KEY (experiment_id, variant, class)
) WITHOUT ROWID;

CREATE TABLE analysis_variants (
  experiment_id              INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant                    TEXT NOT NULL,
  method                     TEXT NOT NULL,
  target_sparsity            REAL NOT NULL,
  models                     INTEGER NOT NULL,
  top1_mean                  REAL NOT NULL,
  top1_std                   REAL NOT NULL,     -- sample standard deviation (n - 1)
  pies                       INTEGER,
  pie_share                  REAL,
  dense_top1_on_pies         REAL,
  variant_top1_on_pies       REAL,
  dense_top1_on_non_pies     REAL,
  variant_top1_on_non_pies   REAL,
  classes_p05                INTEGER,
  classes_q05                INTEGER,
  most_hurt                  TEXT,              -- JSON array of class labels, most hurt first
  position                   INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, variant)
) WITHOUT ROWID;
