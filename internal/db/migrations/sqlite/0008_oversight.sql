-- Oversight (精准监督): early-warning rules as versioned data, their runs and the alerts (预警)
-- they raise with handling (dispatch, verification, closing with findings); complaints
-- (举报/投诉) with tracking codes; random spot checks (双随机) with a committed seed; and
-- accountability cases (问责).

-- Alert rule sets: every change is a new version of the region's set (city or county); a run
-- uses the newest version of the most specific set covering its region.
CREATE TABLE alert_rulesets (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL,
	version INTEGER NOT NULL,
	rules_json TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_by_name TEXT NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX alert_rulesets_version ON alert_rulesets (region_code, version);

-- One evaluation: full (schedule, manual, CLI) or incremental (new payments since a watermark).
CREATE TABLE alert_runs (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL,
	mode TEXT NOT NULL CHECK (mode IN ('full', 'incremental')),
	status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
	ruleset_version INTEGER NOT NULL,
	alerts_found INTEGER NOT NULL DEFAULT 0,
	alerts_new INTEGER NOT NULL DEFAULT 0,
	alerts_updated INTEGER NOT NULL DEFAULT 0,
	alerts_suppressed INTEGER NOT NULL DEFAULT 0,
	-- {rule_key: findings} of this run
	by_rule_json TEXT NOT NULL DEFAULT '{}',
	error TEXT NOT NULL DEFAULT '',
	started_by INTEGER NOT NULL,
	started_by_name TEXT NOT NULL,
	started_at TEXT NOT NULL,
	finished_at TEXT,
	duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX alert_runs_region ON alert_runs (region_code, id);

-- Where incremental evaluation has got to (e.g. 'payments' → the last ledger transfer id seen).
CREATE TABLE alert_watermarks (
	name TEXT PRIMARY KEY,
	last_id INTEGER NOT NULL,
	updated_at TEXT NOT NULL
);

-- 预警. alert_key is stable (rule + entity + period): the latest alert of a key decides whether a
-- run raises it again — not while it is pending, not once closed with the same evidence_hash.
-- department is the role that handles it (poverty_office, finance, civil_affairs, ...).
CREATE TABLE alerts (
	id INTEGER PRIMARY KEY,
	alert_key TEXT NOT NULL,
	rule_key TEXT NOT NULL,
	rule_label TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('registry', 'visits', 'crosscheck', 'funds', 'projects')),
	severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
	department TEXT NOT NULL,
	region_code TEXT NOT NULL,
	entity_type TEXT NOT NULL,
	entity_id INTEGER NOT NULL,
	household_id INTEGER REFERENCES households (id),
	amount_fen INTEGER NOT NULL DEFAULT 0,
	explanation TEXT NOT NULL,
	evidence_json TEXT NOT NULL,
	evidence_hash TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'verifying', 'closed')),
	outcome TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'substantiated', 'unfounded')),
	deadline TEXT NOT NULL,
	assignee_id INTEGER REFERENCES users (id),
	assigned_by INTEGER,
	assigned_at TEXT,
	assign_note TEXT NOT NULL DEFAULT '',
	verifying_at TEXT,
	findings TEXT NOT NULL DEFAULT '',
	closed_by INTEGER,
	closed_at TEXT,
	first_run_id INTEGER NOT NULL REFERENCES alert_runs (id),
	last_run_id INTEGER NOT NULL REFERENCES alert_runs (id),
	prev_alert_id INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX alerts_latest ON alerts (alert_key, id);
-- at most one pending alert per key, whatever processes run the engine at once
CREATE UNIQUE INDEX alerts_pending ON alerts (alert_key) WHERE status <> 'closed';
CREATE INDEX alerts_region ON alerts (region_code, id);
CREATE INDEX alerts_status_region ON alerts (status, region_code, id);
CREATE INDEX alerts_rule_region ON alerts (rule_key, region_code, id);
CREATE INDEX alerts_department ON alerts (department, region_code, id);
CREATE INDEX alerts_household ON alerts (household_id) WHERE household_id IS NOT NULL;

CREATE TABLE alert_attachments (
	alert_id INTEGER NOT NULL REFERENCES alerts (id),
	attachment_id INTEGER NOT NULL REFERENCES attachments (id),
	added_by INTEGER NOT NULL,
	added_at TEXT NOT NULL,
	PRIMARY KEY (alert_id, attachment_id)
);

-- 一卡多人 and the incremental checks look payments up by the account paid into.
CREATE INDEX ledger_transfers_account_no ON ledger_transfers (account_no) WHERE account_no <> '';

-- 举报/投诉. tracking_code is what the complainant keeps; matter_key groups complaints on the
-- same matter (repeat_no 1, 2, 3 …). Anonymous complaints keep no name or phone.
CREATE TABLE complaints (
	id INTEGER PRIMARY KEY,
	tracking_code TEXT NOT NULL UNIQUE,
	channel TEXT NOT NULL CHECK (channel IN ('portal', 'field', 'kiosk', 'hotline', 'staff')),
	anonymous INTEGER NOT NULL DEFAULT 0,
	complainant_name TEXT NOT NULL DEFAULT '',
	complainant_phone TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL,
	entity_type TEXT NOT NULL DEFAULT '',
	entity_ref TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL,
	subject TEXT NOT NULL,
	content TEXT NOT NULL,
	matter_key TEXT NOT NULL,
	repeat_no INTEGER NOT NULL DEFAULT 1,
	status TEXT NOT NULL CHECK (status IN ('received', 'assigned', 'replied', 'closed')),
	department TEXT NOT NULL DEFAULT '',
	assignee_id INTEGER REFERENCES users (id),
	assigned_by INTEGER,
	assigned_at TEXT,
	deadline TEXT,
	reply TEXT NOT NULL DEFAULT '',
	replied_by INTEGER,
	replied_at TEXT,
	satisfaction TEXT NOT NULL DEFAULT '' CHECK (satisfaction IN ('', 'satisfied', 'basic', 'unsatisfied')),
	misconduct INTEGER NOT NULL DEFAULT 0,
	forwarded_at TEXT,
	forwarded_by INTEGER,
	alert_id INTEGER REFERENCES alerts (id),
	closed_at TEXT,
	client_hash TEXT NOT NULL DEFAULT '',
	created_by INTEGER,
	version INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX complaints_region ON complaints (region_code, id);
CREATE INDEX complaints_status_region ON complaints (status, region_code, id);
CREATE INDEX complaints_matter ON complaints (matter_key, id);
CREATE INDEX complaints_client ON complaints (client_hash, created_at);

-- 双随机 spot checks. The seed is drawn and its SHA-256 (seed_hash) published when the plan is
-- made, with the population (target ids, fixed then) and its hash; the draw reveals the seed so
-- anyone can repeat it.
CREATE TABLE spot_plans (
	id INTEGER PRIMARY KEY,
	title TEXT NOT NULL,
	region_code TEXT NOT NULL,
	target_kind TEXT NOT NULL CHECK (target_kind IN ('household', 'payment', 'project')),
	filter_json TEXT NOT NULL,
	sample_size INTEGER NOT NULL CHECK (sample_size > 0),
	inspectors_per_target INTEGER NOT NULL DEFAULT 1,
	-- [{user_id, name}] the inspectors are drawn from
	inspector_pool_json TEXT NOT NULL,
	-- sorted target ids the sample is drawn from, and its SHA-256
	population_json TEXT NOT NULL,
	population_hash TEXT NOT NULL,
	seed_hash TEXT NOT NULL,
	-- hex; secret (never answered) until status is drawn
	seed TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('committed', 'drawn', 'closed')),
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	drawn_by INTEGER,
	drawn_at TEXT,
	closed_at TEXT,
	updated_at TEXT NOT NULL
);
CREATE INDEX spot_plans_region ON spot_plans (region_code, id);

CREATE TABLE spot_targets (
	plan_id INTEGER NOT NULL REFERENCES spot_plans (id),
	pos INTEGER NOT NULL,
	target_id INTEGER NOT NULL,
	label TEXT NOT NULL,
	region_code TEXT NOT NULL,
	-- [{user_id, name}]
	inspectors_json TEXT NOT NULL,
	result TEXT NOT NULL DEFAULT '' CHECK (result IN ('', 'ok', 'problem')),
	finding TEXT NOT NULL DEFAULT '',
	recorded_by INTEGER,
	recorded_at TEXT,
	PRIMARY KEY (plan_id, pos)
);

-- 问责: who, what, how it was handled, linked to the alert or complaint it came from.
CREATE TABLE accountability_cases (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL,
	person_name TEXT NOT NULL,
	person_position TEXT NOT NULL DEFAULT '',
	person_unit TEXT NOT NULL DEFAULT '',
	violation TEXT NOT NULL,
	handling TEXT NOT NULL,
	decided_on TEXT NOT NULL,
	alert_id INTEGER REFERENCES alerts (id),
	complaint_id INTEGER REFERENCES complaints (id),
	note TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX accountability_cases_region ON accountability_cases (region_code, id);
CREATE INDEX accountability_cases_alert ON accountability_cases (alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX accountability_cases_complaint ON accountability_cases (complaint_id) WHERE complaint_id IS NOT NULL;
