-- 008: compression-identified exemplars. Per image and non-dense variant, the taxicab
-- distance between the variant's and the dense population's label-vote shares (0..2).
-- Whether an image is a CIE depends on the quantile asked for, so only the distance is
-- stored. Analyses stored before this migration have no distances; the analysis sees
-- that and recomputes them on the next report (stored results are kept until then).

CREATE TABLE analysis_cie_distances (
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  variant        TEXT NOT NULL,
  image_index    INTEGER NOT NULL,
  distance       REAL NOT NULL,
  PRIMARY KEY (experiment_id, variant, image_index)
) WITHOUT ROWID;
CREATE INDEX analysis_cie_by_distance ON analysis_cie_distances(experiment_id, variant, distance);
