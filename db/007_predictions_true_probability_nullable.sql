-- 007: predictions.true_label_probability may be NULL (an imported file need not carry
-- it). Databases created before 002 declared it NOT NULL (001 was changed in place when
-- imports arrived), so importing such a file into them failed. The table is rebuilt with
-- today's definition; for databases created later this copies the same rows into the
-- same shape. Rows are copied in key order, so the WITHOUT ROWID tree is built in order.

CREATE TABLE predictions_rebuilt (
  model_id                INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  image_index             INTEGER NOT NULL,
  predicted_label         INTEGER NOT NULL,
  predicted_probability   REAL NOT NULL,
  true_label_probability  REAL,            -- NULL when an import does not carry it
  PRIMARY KEY (model_id, image_index)
) WITHOUT ROWID;

INSERT INTO predictions_rebuilt (model_id, image_index, predicted_label, predicted_probability, true_label_probability)
  SELECT model_id, image_index, predicted_label, predicted_probability, true_label_probability
  FROM predictions ORDER BY model_id, image_index;

DROP TABLE predictions;
ALTER TABLE predictions_rebuilt RENAME TO predictions;
