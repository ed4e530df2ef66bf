-- Funds (精准管理扶贫资金): funds with their eligible items and filings, a double-entry ledger
-- of accounts, per-fund balances and immutable transfers, distribution plans with their lines,
-- and the bank batches that pay them (资金直达).

-- A fiscal special fund, policy subsidy or social donation. via_city = 0 marks higher-level
-- money that does not pass city finance: the county must file it (报备, filed_on set).
CREATE TABLE funds (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	source_level TEXT NOT NULL CHECK (source_level IN ('central', 'province', 'city', 'county', 'town', 'social')),
	category TEXT NOT NULL CHECK (category IN ('fiscal', 'subsidy', 'donation')),
	year INTEGER NOT NULL,
	doc_no TEXT NOT NULL DEFAULT '',
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	purpose TEXT NOT NULL DEFAULT '',
	-- the region that receives the fund (city or county): scope of who may see and move it
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
CREATE INDEX funds_region ON funds (region_code, year, id);

-- 补贴项目: what a fund may pay for, with the standard amount per household or per person.
CREATE TABLE fund_items (
	id INTEGER PRIMARY KEY,
	fund_id INTEGER NOT NULL REFERENCES funds (id),
	code TEXT NOT NULL,
	name TEXT NOT NULL,
	basis TEXT NOT NULL CHECK (basis IN ('household', 'person')),
	standard_fen INTEGER NOT NULL CHECK (standard_fen >= 0)
);
CREATE UNIQUE INDEX fund_items_code ON fund_items (fund_id, code);

-- Ledger accounts. source: where one fund enters (its balance is minus what it has issued);
-- finance: 财政 of a city, county or town; department, project, village (村集体), enterprise;
-- passbook: a payee's 一折通, keyed by the payee's ID number, with the household when the
-- payee is a registered member.
CREATE TABLE ledger_accounts (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('source', 'finance', 'department', 'project', 'village', 'enterprise', 'passbook')),
	name TEXT NOT NULL,
	region_code TEXT NOT NULL,
	fund_id INTEGER REFERENCES funds (id),
	household_id INTEGER REFERENCES households (id),
	id_number TEXT,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_accounts_named ON ledger_accounts (kind, region_code, name) WHERE kind NOT IN ('source', 'passbook');
CREATE UNIQUE INDEX ledger_accounts_source ON ledger_accounts (fund_id) WHERE kind = 'source';
CREATE UNIQUE INDEX ledger_accounts_payee ON ledger_accounts (id_number) WHERE kind = 'passbook';
CREATE INDEX ledger_accounts_household ON ledger_accounts (household_id) WHERE household_id IS NOT NULL;
CREATE INDEX ledger_accounts_region ON ledger_accounts (region_code, kind, id);

-- Balance of an account within a fund, kept by the same transaction as each transfer. Never
-- negative except for a fund's source account, which never goes below minus the fund amount.
CREATE TABLE ledger_balances (
	account_id INTEGER NOT NULL REFERENCES ledger_accounts (id),
	fund_id INTEGER NOT NULL REFERENCES funds (id),
	balance_fen INTEGER NOT NULL,
	first_in_on TEXT NOT NULL,
	last_in_on TEXT NOT NULL,
	last_out_on TEXT,
	PRIMARY KEY (account_id, fund_id)
);
CREATE INDEX ledger_balances_fund ON ledger_balances (fund_id, account_id);

-- A movement of money within one fund. Never updated or deleted: a mistake is undone by a
-- reversal (kind 'reversal', reverses_id) that moves the amount back.
CREATE TABLE ledger_transfers (
	id INTEGER PRIMARY KEY,
	fund_id INTEGER NOT NULL REFERENCES funds (id),
	from_account INTEGER NOT NULL REFERENCES ledger_accounts (id),
	to_account INTEGER NOT NULL REFERENCES ledger_accounts (id),
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	on_date TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('allocate', 'transfer', 'payment', 'reversal')),
	doc_no TEXT NOT NULL DEFAULT '',
	purpose TEXT NOT NULL DEFAULT '',
	item_id INTEGER REFERENCES fund_items (id),
	period TEXT NOT NULL DEFAULT '',
	-- for payments: the bank account paid into and its holder, as the payment carried them
	account_no TEXT NOT NULL DEFAULT '',
	account_holder TEXT NOT NULL DEFAULT '',
	-- payment_ref of an imported payment, or line:<plan line id> of a reconciled batch line: the same
	-- reference is never booked twice
	ref TEXT,
	reverses_id INTEGER REFERENCES ledger_transfers (id),
	-- region of the receiving account, for scope
	region_code TEXT NOT NULL,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
-- the fund trace, progress and evaluation read a fund's transfers by kind from this index alone (a fund with
-- a million payments groups by payer and village without touching the table)
CREATE INDEX ledger_transfers_trace ON ledger_transfers (fund_id, kind, from_account, region_code, to_account, amount_fen, on_date);
CREATE INDEX ledger_transfers_to ON ledger_transfers (to_account, id);
CREATE INDEX ledger_transfers_from ON ledger_transfers (from_account, id);
CREATE INDEX ledger_transfers_region ON ledger_transfers (region_code, id);
CREATE UNIQUE INDEX ledger_transfers_ref ON ledger_transfers (ref) WHERE ref IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfers_reverses ON ledger_transfers (reverses_id) WHERE reverses_id IS NOT NULL;

-- 发放计划: drafted by the poverty office, approved by finance, paid through bank batches.
CREATE TABLE distribution_plans (
	id INTEGER PRIMARY KEY,
	fund_id INTEGER NOT NULL REFERENCES funds (id),
	item_id INTEGER NOT NULL REFERENCES fund_items (id),
	period TEXT NOT NULL,
	region_code TEXT NOT NULL,
	title TEXT NOT NULL,
	payer_account INTEGER NOT NULL REFERENCES ledger_accounts (id),
	-- how the lines were made: the rule as JSON, or import:<sha-256 prefix>
	source TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'paying', 'done')),
	lines INTEGER NOT NULL DEFAULT 0,
	total_fen INTEGER NOT NULL DEFAULT 0,
	note TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	submitted_by INTEGER,
	submitted_at TEXT,
	approved_by INTEGER,
	approved_at TEXT,
	updated_at TEXT NOT NULL
);
CREATE INDEX distribution_plans_region ON distribution_plans (region_code, id);
CREATE INDEX distribution_plans_fund ON distribution_plans (fund_id, id);

CREATE TABLE plan_lines (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES distribution_plans (id),
	household_id INTEGER REFERENCES households (id),
	region_code TEXT NOT NULL,
	payee_id_number TEXT NOT NULL,
	payee_name TEXT NOT NULL,
	bank TEXT NOT NULL DEFAULT '',
	account_no TEXT NOT NULL,
	account_holder TEXT NOT NULL,
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	-- pending: not yet in a batch; sent: in batch_id; paid: transfer_id booked; failed: the
	-- bank refused it (fail_reason), waiting in the re-issue queue; reissue: corrected and
	-- waiting for the next batch; cancelled: dropped with a reason
	status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'paid', 'failed', 'reissue', 'cancelled')),
	batch_id INTEGER,
	fail_reason TEXT NOT NULL DEFAULT '',
	transfer_id INTEGER REFERENCES ledger_transfers (id),
	attempts INTEGER NOT NULL DEFAULT 0,
	updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX plan_lines_payee ON plan_lines (plan_id, payee_id_number);
CREATE INDEX plan_lines_status ON plan_lines (status, region_code, id);
CREATE INDEX plan_lines_household ON plan_lines (household_id);
CREATE INDEX plan_lines_batch ON plan_lines (batch_id, id);

-- 银行批量代发文件 and its return. Each line's position in the file is kept on the line.
CREATE TABLE payment_batches (
	id INTEGER PRIMARY KEY,
	plan_id INTEGER NOT NULL REFERENCES distribution_plans (id),
	batch_ref TEXT NOT NULL UNIQUE,
	region_code TEXT NOT NULL,
	lines INTEGER NOT NULL,
	total_fen INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('sent', 'reconciled')),
	paid_lines INTEGER NOT NULL DEFAULT 0,
	paid_fen INTEGER NOT NULL DEFAULT 0,
	failed_lines INTEGER NOT NULL DEFAULT 0,
	return_sha256 TEXT NOT NULL DEFAULT '',
	paid_on TEXT,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	reconciled_by INTEGER,
	reconciled_at TEXT
);
CREATE INDEX payment_batches_plan ON payment_batches (plan_id, id);

CREATE TABLE payment_batch_lines (
	batch_id INTEGER NOT NULL REFERENCES payment_batches (id),
	line_no INTEGER NOT NULL,
	plan_line_id INTEGER NOT NULL REFERENCES plan_lines (id),
	account_no TEXT NOT NULL,
	account_holder TEXT NOT NULL,
	amount_fen INTEGER NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('sent', 'paid', 'failed')),
	reason TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (batch_id, line_no)
);
