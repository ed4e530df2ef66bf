-- Donation platform (社会扶贫·爱心捐赠): donors, needs (微心愿) published by villages for
-- households, pledges (认捐), money and goods donations with their receipts (捐赠收据), money
-- disbursed to household passbooks through the ledger (each money donation is a fund of its
-- own, category donation, source social) and goods deliveries with signed receipts.

-- Counters behind receipt numbers (JZ<year>-<n>) and need codes (XY-<village>-<n>): one row per
-- year or village, bumped with an upsert so two writers never draw the same number.
CREATE TABLE giving_counters (
	name TEXT PRIMARY KEY,
	n INTEGER NOT NULL
);

-- A donor: a person (anonymous or named), an enterprise or an organisation. region_code is the
-- office that registered the donor (scope). Persons have no credit code.
CREATE TABLE giving_donors (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('person', 'enterprise', 'organisation')),
	name TEXT NOT NULL,
	anonymous INTEGER NOT NULL DEFAULT 0,
	phone TEXT NOT NULL DEFAULT '',
	credit_code TEXT NOT NULL DEFAULT '',
	region_code TEXT NOT NULL REFERENCES regions (code),
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX giving_donors_region ON giving_donors (region_code, id);

-- A need (微心愿) of a village, usually for one registered household. status: open → pledged →
-- fulfilled, or closed by hand with a reason.
CREATE TABLE giving_needs (
	id INTEGER PRIMARY KEY,
	code TEXT NOT NULL UNIQUE,
	region_code TEXT NOT NULL REFERENCES regions (code),
	household_id INTEGER REFERENCES households (id),
	title TEXT NOT NULL,
	content TEXT NOT NULL DEFAULT '',
	kind TEXT NOT NULL CHECK (kind IN ('money', 'goods', 'service')),
	target_fen INTEGER NOT NULL DEFAULT 0 CHECK (target_fen >= 0),
	goods TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('open', 'pledged', 'fulfilled', 'closed')),
	published_on TEXT NOT NULL,
	deadline TEXT NOT NULL,
	fulfilled_on TEXT,
	close_reason TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX giving_needs_region ON giving_needs (region_code, id);
CREATE INDEX giving_needs_status ON giving_needs (status, region_code, id);

-- A pledge (认捐) of a donor, for a need or general; channel portal when the public made it.
CREATE TABLE giving_pledges (
	id INTEGER PRIMARY KEY,
	donor_id INTEGER NOT NULL REFERENCES giving_donors (id),
	need_id INTEGER REFERENCES giving_needs (id),
	region_code TEXT NOT NULL REFERENCES regions (code),
	kind TEXT NOT NULL CHECK (kind IN ('money', 'goods')),
	amount_fen INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	goods TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL CHECK (status IN ('pledged', 'fulfilled', 'cancelled')),
	pledged_on TEXT NOT NULL,
	due_on TEXT NOT NULL DEFAULT '',
	donation_id INTEGER,
	channel TEXT NOT NULL CHECK (channel IN ('console', 'portal')),
	cancel_reason TEXT NOT NULL DEFAULT '',
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX giving_pledges_region ON giving_pledges (region_code, id);
CREATE INDEX giving_pledges_need ON giving_pledges (need_id) WHERE need_id IS NOT NULL;

-- A donation received, with its receipt number. Money: fund_id is its ledger fund (JZ-<receipt>)
-- allocated to account_id; item_id its one item JZ. key_hash is the keyed hash of the donor's
-- 查询码 (the code itself is shown once, on the receipt).
CREATE TABLE giving_donations (
	id INTEGER PRIMARY KEY,
	receipt_no TEXT NOT NULL UNIQUE,
	donor_id INTEGER NOT NULL REFERENCES giving_donors (id),
	kind TEXT NOT NULL CHECK (kind IN ('money', 'goods')),
	region_code TEXT NOT NULL REFERENCES regions (code),
	need_id INTEGER REFERENCES giving_needs (id),
	pledge_id INTEGER REFERENCES giving_pledges (id),
	amount_fen INTEGER NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
	goods TEXT NOT NULL DEFAULT '',
	quantity INTEGER NOT NULL DEFAULT 0 CHECK (quantity >= 0),
	value_fen INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
	received_on TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT '',
	fund_id INTEGER REFERENCES funds (id),
	account_id INTEGER REFERENCES ledger_accounts (id),
	item_id INTEGER REFERENCES fund_items (id),
	key_hash TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);
CREATE INDEX giving_donations_region ON giving_donations (region_code, id);
CREATE INDEX giving_donations_donor ON giving_donations (donor_id, id);
CREATE INDEX giving_donations_need ON giving_donations (need_id) WHERE need_id IS NOT NULL;

-- Money of a donation paid to a household's passbook: transfer_id is the ledger payment.
CREATE TABLE giving_disbursements (
	id INTEGER PRIMARY KEY,
	donation_id INTEGER NOT NULL REFERENCES giving_donations (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
	on_date TEXT NOT NULL,
	transfer_id INTEGER NOT NULL REFERENCES ledger_transfers (id),
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX giving_disbursements_donation ON giving_disbursements (donation_id, id);
CREATE INDEX giving_disbursements_household ON giving_disbursements (household_id);

-- Goods of a donation handed to a household, with the signed receipt (签收单) when uploaded.
CREATE TABLE giving_deliveries (
	id INTEGER PRIMARY KEY,
	donation_id INTEGER NOT NULL REFERENCES giving_donations (id),
	household_id INTEGER NOT NULL REFERENCES households (id),
	region_code TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity > 0),
	delivered_on TEXT NOT NULL,
	signed_by TEXT NOT NULL,
	attachment_id INTEGER REFERENCES attachments (id),
	receipt_sha256 TEXT NOT NULL DEFAULT '',
	created_by INTEGER NOT NULL,
	created_at TEXT NOT NULL
);
CREATE INDEX giving_deliveries_donation ON giving_deliveries (donation_id, id);
CREATE INDEX giving_deliveries_household ON giving_deliveries (household_id);
