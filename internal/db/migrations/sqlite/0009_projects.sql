-- Projects (精准安排扶贫项目): projects of three kinds with the nine-stage lifecycle, each
-- stage's documents and sign-off; beneficiaries (direct-to-household applications reviewed
-- level by level); village plans filed upward (备案); risks and fault tolerance (容错); and the
-- poverty-alleviation assets (扶贫资产) accepted projects form, with their yearly income and
-- its distribution to passbooks through the ledger.

-- Asset income enters the ledger as a fund of its own (category income, source village), so
-- a distribution traces back to the asset like any other payment. SQLite cannot change a
-- CHECK in place: the table is rebuilt, with foreign keys checked at commit.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE funds_v9 (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	source_level TEXT NOT NULL CHECK (source_level IN ('central', 'province', 'city', 'county', 'town', 'village', 'social')),
	category TEXT NOT NULL CHECK (category IN ('fiscal', 'subsidy', 'donation', 'income')),
	year INTEGER NOT NULL,
	doc_no TEXT NOT NULL DEFAULT '',
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	purpose TEXT NOT NULL DEFAULT '',
	-- the region that receives the fund (city or county; the village for asset income)
	region_code TEXT NOT NULL,
	via_city INTEGER NOT NULL DEFAULT 1,
	received_on TEXT NOT NULL,
	-- the date by which the fund should have reached its payees (schedule of 绩效评价)
	deadline TEXT NOT NULL,
	filed_on TEXT,
	filed_doc TEXT NOT NULL DEFAULT '',
	filed_by INTEGER,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
INSERT INTO funds_v9 SELECT * FROM funds;
DROP TABLE funds;
ALTER TABLE funds_v9 RENAME TO funds;
CREATE INDEX funds_region ON funds (region_code, year, id);

-- A project. stage is the current stage (0 调研 … 8 收益分配; 9 once all nine are signed).
-- kind: household 直接到户 | carrier 载体带动 | village 村级增收; subkind for village projects:
-- land_share (省补200万 土地股份合作社试点) | resource | service | property | mixed; for carriers:
-- enterprise | cooperative. account_id is the project's ledger account: what paid it is the
-- ledger's transfers into that account.
CREATE TABLE projects (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('household', 'carrier', 'village')),
	subkind TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL REFERENCES regions (code),
	year INTEGER NOT NULL,
	budget_fen INTEGER NOT NULL CHECK (budget_fen > 0),
	implementer TEXT NOT NULL,
	carrier_name TEXT NOT NULL DEFAULT '',
	scale TEXT NOT NULL DEFAULT '',
	benefit_mechanism TEXT NOT NULL DEFAULT '',
	targets TEXT NOT NULL DEFAULT '',
	stage INTEGER NOT NULL DEFAULT 0 CHECK (stage BETWEEN 0 AND 9),
	-- when the current stage began (board: days in stage; overdue: against its planned end)
	stage_since TEXT NOT NULL,
	-- planned end of the current stage, denormalised for the overdue list and the board
	stage_due TEXT,
	status TEXT NOT NULL CHECK (status IN ('active', 'completed', 'failed')),
	plan_id INTEGER,
	account_id INTEGER NOT NULL REFERENCES ledger_accounts (id),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX projects_region ON projects (region_code, id);
CREATE INDEX projects_stage ON projects (stage, region_code, id);
CREATE INDEX projects_due ON projects (status, stage_due);
CREATE INDEX projects_plan ON projects (plan_id) WHERE plan_id IS NOT NULL;
-- the board: its per-column counts and budgets and each column's first cards read this index
-- only (status and stage first, the region range, then the card order)
CREATE INDEX projects_board ON projects (status, stage, region_code, stage_due, stage_since, id, budget_fen);

-- The nine stages of each project: planned and actual dates and the sign-off.
CREATE TABLE project_stages (
	project_id INTEGER NOT NULL REFERENCES projects (id),
	stage INTEGER NOT NULL CHECK (stage BETWEEN 0 AND 8),
	planned_start TEXT,
	planned_end TEXT,
	actual_start TEXT,
	actual_end TEXT,
	signed_by INTEGER,
	signed_by_name TEXT NOT NULL DEFAULT '',
	signed_role TEXT NOT NULL DEFAULT '',
	signed_scope TEXT NOT NULL DEFAULT '',
	opinion TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (project_id, stage)
);

-- Documents of a stage; the file itself is an attachment (stored with its SHA-256).
CREATE TABLE project_documents (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	stage INTEGER NOT NULL CHECK (stage BETWEEN 0 AND 8),
	doc_type TEXT NOT NULL,
	title TEXT NOT NULL DEFAULT '',
	attachment_id INTEGER NOT NULL REFERENCES attachments (id),
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX project_documents_project ON project_documents (project_id, stage, id);

-- Beneficiaries with their benefit link and expected yearly income. Direct-to-household
-- applications go applied → village → town → approved (or rejected); other kinds are added
-- approved by the office.
CREATE TABLE project_beneficiaries (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	link TEXT NOT NULL,
	expected_income_fen INTEGER NOT NULL DEFAULT 0 CHECK (expected_income_fen >= 0),
	status TEXT NOT NULL CHECK (status IN ('applied', 'village', 'town', 'approved', 'rejected')),
	note TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX project_beneficiaries_household ON project_beneficiaries (project_id, household_id);
CREATE INDEX project_beneficiaries_by_household ON project_beneficiaries (household_id);

-- Each level's review of an application (村 → 镇 → 县).
CREATE TABLE beneficiary_reviews (
	id INTEGER PRIMARY KEY,
	beneficiary_id INTEGER NOT NULL REFERENCES project_beneficiaries (id),
	level TEXT NOT NULL,
	decision TEXT NOT NULL CHECK (decision IN ('pass', 'reject')),
	opinion TEXT NOT NULL DEFAULT '',
	reviewed_by INTEGER NOT NULL,
	reviewed_by_name TEXT NOT NULL,
	reviewed_at TEXT NOT NULL
);
CREATE INDEX beneficiary_reviews_beneficiary ON beneficiary_reviews (beneficiary_id, id);

-- A village's yearly project plan, filed (备案) upward and received or returned there.
CREATE TABLE village_plans (
	id INTEGER PRIMARY KEY,
	region_code TEXT NOT NULL REFERENCES regions (code),
	year INTEGER NOT NULL,
	title TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('draft', 'filed', 'received', 'returned')),
	attachment_id INTEGER REFERENCES attachments (id),
	filed_to TEXT,
	filed_by INTEGER,
	filed_at TEXT,
	receipt_no TEXT NOT NULL DEFAULT '',
	decided_by INTEGER,
	decided_at TEXT,
	opinion TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX village_plans_region ON village_plans (region_code, year, id);

CREATE TABLE project_risks (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	title TEXT NOT NULL,
	likelihood TEXT NOT NULL CHECK (likelihood IN ('low', 'medium', 'high')),
	impact TEXT NOT NULL CHECK (impact IN ('low', 'medium', 'high')),
	mitigation TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	closed_note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	closed_at TEXT
);
CREATE INDEX project_risks_project ON project_risks (project_id, id);

-- 容错: a failure declared non-subjective through an approval; people_json names those it
-- exempts from accountability once approved.
CREATE TABLE project_tolerances (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	reason TEXT NOT NULL,
	people_json TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('requested', 'approved', 'rejected')),
	requested_by INTEGER NOT NULL,
	requested_at TEXT NOT NULL,
	decided_by INTEGER,
	decided_by_name TEXT NOT NULL DEFAULT '',
	decided_at TEXT,
	opinion TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX project_tolerances_project ON project_tolerances (project_id, id);

-- A poverty-alleviation asset formed by an accepted project.
CREATE TABLE assets (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	kind TEXT NOT NULL CHECK (kind IN ('operating', 'public_welfare', 'household')),
	value_fen INTEGER NOT NULL CHECK (value_fen > 0),
	ownership TEXT NOT NULL,
	region_code TEXT NOT NULL REFERENCES regions (code),
	property_reg_no TEXT NOT NULL,
	custodian TEXT NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	lat REAL,
	lng REAL,
	status TEXT NOT NULL CHECK (status IN ('in_use', 'idle', 'lost', 'disposed')),
	formed_on TEXT NOT NULL,
	-- the village collective's ledger account that receives the asset's income
	account_id INTEGER REFERENCES ledger_accounts (id),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX assets_region ON assets (region_code, id);
CREATE INDEX assets_status ON assets (status, region_code, id);
CREATE INDEX assets_kind ON assets (kind, region_code, id);
CREATE INDEX assets_project ON assets (project_id);

-- The register's running totals by place, kind and status, written in the same transaction
-- as every asset write (+1 on create; -old +new on update): the count, the value, the sums of
-- the positions of those placed and how many are placed (the map point is the average). Rows
-- whose count falls to 0 stay, with zeros. Without rowid: the key is the table's order, so a
-- region range reads the rows themselves.
CREATE TABLE asset_tallies (
	region_code TEXT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	n INTEGER NOT NULL DEFAULT 0,
	value_fen INTEGER NOT NULL DEFAULT 0,
	lat_sum REAL NOT NULL DEFAULT 0,
	lng_sum REAL NOT NULL DEFAULT 0,
	placed INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (region_code, kind, status)
) WITHOUT ROWID;

-- Households entitled to an asset's income, with their share (weights).
CREATE TABLE asset_beneficiaries (
	asset_id INTEGER NOT NULL REFERENCES assets (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	share INTEGER NOT NULL DEFAULT 1 CHECK (share > 0),
	created_at TEXT NOT NULL,
	PRIMARY KEY (asset_id, household_id)
);

-- An asset's income of one year: its own fund in the ledger, allocated to the asset's
-- account, then distributed in full to the entitled households' passbooks.
CREATE TABLE asset_incomes (
	id INTEGER PRIMARY KEY,
	asset_id INTEGER NOT NULL REFERENCES assets (id),
	year INTEGER NOT NULL,
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	received_on TEXT NOT NULL,
	fund_id INTEGER NOT NULL REFERENCES funds (id),
	status TEXT NOT NULL CHECK (status IN ('recorded', 'distributed')),
	distributed_on TEXT,
	region_code TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX asset_incomes_year ON asset_incomes (asset_id, year);
CREATE INDEX asset_incomes_status ON asset_incomes (status, received_on);

-- One household's part of a distribution and the ledger payment that carried it.
CREATE TABLE asset_distributions (
	id INTEGER PRIMARY KEY,
	income_id INTEGER NOT NULL REFERENCES asset_incomes (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	payee_id_number TEXT NOT NULL,
	payee_name TEXT NOT NULL,
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	transfer_id INTEGER REFERENCES ledger_transfers (id),
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX asset_distributions_household ON asset_distributions (income_id, household_id);
