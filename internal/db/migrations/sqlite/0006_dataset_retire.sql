-- Retired datasets (停用): a registered dataset is never deleted (runs name it and its file
-- stays on disk), but it can be retired with a reason: it is then not offered or picked for
-- new runs. retired_at NULL = in use.
ALTER TABLE datasets ADD COLUMN retired_at TEXT;
ALTER TABLE datasets ADD COLUMN retired_by INTEGER;
ALTER TABLE datasets ADD COLUMN retired_reason TEXT NOT NULL DEFAULT '';
