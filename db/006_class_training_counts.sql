-- 006: what each trained experiment trained on. Every class's training image count
-- (shown beside class impact, and correlated with it for long-tail runs), and for a
-- long-tail run the training images it kept, so resume trains on the same ones.

CREATE TABLE experiment_class_counts (
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  class          INTEGER NOT NULL,
  train_count    INTEGER NOT NULL,
  PRIMARY KEY (experiment_id, class)
) WITHOUT ROWID;

CREATE TABLE experiment_train_images (
  experiment_id  INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  image_id       INTEGER NOT NULL REFERENCES images(id),
  PRIMARY KEY (experiment_id, image_id)
) WITHOUT ROWID;
