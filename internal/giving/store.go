package giving

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
)

// scanner is a row or rows.
type scanner interface{ Scan(...any) error }

func ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// ---- donors ----

const donorSelect = `SELECT d.id, d.kind, d.name, d.anonymous, d.phone, d.credit_code, d.region_code, COALESCE(r.name, ''),
	COALESCE((SELECT SUM(CASE WHEN g.kind = 'money' THEN g.amount_fen ELSE g.value_fen END) FROM giving_donations g WHERE g.donor_id = d.id), 0),
	(SELECT COUNT(*) FROM giving_donations g WHERE g.donor_id = d.id), d.version, d.created_at
	FROM giving_donors d LEFT JOIN regions r ON r.code = d.region_code`

func scanDonor(sc scanner) (Donor, error) {
	var d Donor
	err := sc.Scan(&d.ID, &d.Kind, &d.Name, &d.Anonymous, &d.Phone, &d.CreditCode, &d.RegionCode, &d.RegionName,
		&d.DonatedFen, &d.Donations, &d.Version, &d.CreatedAt)
	d.PublicName = publicName(d.Kind, d.Name, d.Anonymous)
	return d, err
}

// getDonor reads a donor; outside the principal's scope it does not exist.
func getDonor(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Donor, error) {
	d, err := scanDonor(q.QueryRowContext(ctx, donorSelect+` WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && p != nil && !p.InScope(d.RegionCode) {
		return Donor{}, errNoDonor
	}
	return d, err
}

// ---- needs ----

// needDonated is what reached a need's household: money disbursed (net of reversals) and the
// value of goods delivered, in proportion to the quantity.
const needDonated = `COALESCE((SELECT SUM(x.amount_fen) FROM giving_disbursements x JOIN giving_donations g ON g.id = x.donation_id
		WHERE g.need_id = n.id AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.reverses_id = x.transfer_id)), 0)
	+ COALESCE((SELECT SUM(g.value_fen * y.quantity / g.quantity) FROM giving_deliveries y JOIN giving_donations g ON g.id = y.donation_id
		WHERE g.need_id = n.id AND g.quantity > 0), 0)`

const needSelect = `SELECT n.id, n.code, n.region_code, COALESCE(r.name, ''), n.household_id, COALESCE(h.head_name, ''), n.title, n.content,
	n.kind, n.target_fen, n.goods, n.status,
	COALESCE((SELECT SUM(p.amount_fen) FROM giving_pledges p WHERE p.need_id = n.id AND p.status <> 'cancelled'), 0), ` + needDonated + `,
	n.published_on, n.deadline, n.fulfilled_on, n.close_reason, n.version
	FROM giving_needs n LEFT JOIN regions r ON r.code = n.region_code LEFT JOIN households h ON h.id = n.household_id`

func scanNeed(sc scanner) (Need, error) {
	var n Need
	var hh sql.NullInt64
	var fulfilled sql.NullString
	err := sc.Scan(&n.ID, &n.Code, &n.RegionCode, &n.RegionName, &hh, &n.HeadName, &n.Title, &n.Content, &n.Kind, &n.TargetFen, &n.Goods,
		&n.Status, &n.PledgedFen, &n.DonatedFen, &n.PublishedOn, &n.Deadline, &fulfilled, &n.CloseReason, &n.Version)
	n.HouseholdID = ptr(hh)
	if fulfilled.Valid {
		n.FulfilledOn = &fulfilled.String
	}
	return n, err
}

func getNeed(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Need, error) {
	n, err := scanNeed(q.QueryRowContext(ctx, needSelect+` WHERE n.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && p != nil && !p.InScope(n.RegionCode) {
		return Need{}, errNoNeed
	}
	return n, err
}

// ---- pledges ----

const pledgeSelect = `SELECT p.id, p.donor_id, d.name, d.kind, d.anonymous, p.need_id, COALESCE(n.title, ''), p.region_code, p.kind,
	p.amount_fen, p.goods, p.status, p.pledged_on, p.due_on, p.donation_id, p.channel, p.cancel_reason, p.version
	FROM giving_pledges p JOIN giving_donors d ON d.id = p.donor_id LEFT JOIN giving_needs n ON n.id = p.need_id`

func scanPledge(sc scanner) (Pledge, error) {
	var p Pledge
	var need, donation sql.NullInt64
	var kind string
	var anon bool
	err := sc.Scan(&p.ID, &p.DonorID, &p.DonorName, &kind, &anon, &need, &p.NeedTitle, &p.RegionCode, &p.Kind, &p.AmountFen, &p.Goods,
		&p.Status, &p.PledgedOn, &p.DueOn, &donation, &p.Channel, &p.CancelReason, &p.Version)
	p.NeedID, p.DonationID = ptr(need), ptr(donation)
	return p, err
}

func getPledge(ctx context.Context, q db.Queryer, pr *auth.Principal, id int64) (Pledge, error) {
	p, err := scanPledge(q.QueryRowContext(ctx, pledgeSelect+` WHERE p.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && pr != nil && !pr.InScope(p.RegionCode) {
		return Pledge{}, errNoPledge
	}
	return p, err
}

// ---- donations ----

// donationDisbursed is a donation's money on household passbooks, net of reversals.
const donationDisbursed = `COALESCE((SELECT SUM(x.amount_fen) FROM giving_disbursements x WHERE x.donation_id = g.id
		AND NOT EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.reverses_id = x.transfer_id)), 0)`

const donationSelect = `SELECT g.id, g.receipt_no, g.donor_id, d.name, d.kind, d.anonymous, g.kind, g.region_code, COALESCE(r.name, ''),
	g.need_id, g.pledge_id, g.amount_fen, g.goods, g.quantity, g.value_fen, g.received_on, g.purpose, g.fund_id, COALESCE(f.code, ''),
	g.account_id, ` + donationDisbursed + `,
	COALESCE((SELECT SUM(y.quantity) FROM giving_deliveries y WHERE y.donation_id = g.id), 0),
	(SELECT COUNT(DISTINCT x.household_id) FROM giving_disbursements x WHERE x.donation_id = g.id)
		+ (SELECT COUNT(DISTINCT y.household_id) FROM giving_deliveries y WHERE y.donation_id = g.id),
	g.version, g.created_at
	FROM giving_donations g JOIN giving_donors d ON d.id = g.donor_id LEFT JOIN regions r ON r.code = g.region_code
	LEFT JOIN funds f ON f.id = g.fund_id`

// donationRow is a donation with what the public routes need of its donor.
type donationRow struct {
	Donation
	donorKind string
	anonymous bool
}

func (d donationRow) public() Donation {
	out := d.Donation
	out.DonorName = publicName(d.donorKind, d.DonorName, d.anonymous)
	out.AccountID, out.QueryKey = nil, ""
	if d.anonymous { // nothing ties an anonymous donor's gifts together in public
		out.DonorID = 0
	}
	return out
}

func scanDonation(sc scanner) (donationRow, error) {
	var d donationRow
	var need, pledge, fund, acct sql.NullInt64
	err := sc.Scan(&d.ID, &d.ReceiptNo, &d.DonorID, &d.DonorName, &d.donorKind, &d.anonymous, &d.Kind, &d.RegionCode, &d.RegionName,
		&need, &pledge, &d.AmountFen, &d.Goods, &d.Quantity, &d.ValueFen, &d.ReceivedOn, &d.Purpose, &fund, &d.FundCode, &acct,
		&d.DisbursedFen, &d.DeliveredQty, &d.Households, &d.Version, &d.CreatedAt)
	d.NeedID, d.PledgeID, d.FundID, d.AccountID = ptr(need), ptr(pledge), ptr(fund), ptr(acct)
	return d, err
}

func getDonation(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (donationRow, error) {
	d, err := scanDonation(q.QueryRowContext(ctx, donationSelect+` WHERE g.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) || err == nil && p != nil && !p.InScope(d.RegionCode) {
		return donationRow{}, errNoDonation
	}
	return d, err
}

// trace reads the households a donation reached: its disbursements (with their ledger
// payments) and its deliveries, in order.
func trace(ctx context.Context, q db.Queryer, id int64) ([]Reach, []Delivery, error) {
	reached, deliveries := []Reach{}, []Delivery{}
	rows, err := q.QueryContext(ctx, `SELECT x.region_code, COALESCE(r.name, ''), h.head_name, x.household_id, x.amount_fen, x.on_date, x.transfer_id,
		EXISTS (SELECT 1 FROM ledger_transfers t WHERE t.reverses_id = x.transfer_id)
		FROM giving_disbursements x JOIN households h ON h.id = x.household_id LEFT JOIN regions r ON r.code = x.region_code
		WHERE x.donation_id = ? ORDER BY x.id`, id)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var r Reach
		if err := rows.Scan(&r.VillageCode, &r.VillageName, &r.HeadName, &r.HouseholdID, &r.AmountFen, &r.OnDate, &r.TransferID, &r.Reversed); err != nil {
			rows.Close()
			return nil, nil, err
		}
		reached = append(reached, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows, err = q.QueryContext(ctx, `SELECT y.id, y.donation_id, y.household_id, h.head_name, COALESCE(r.name, ''), y.region_code, y.quantity,
		y.delivered_on, y.signed_by, y.receipt_sha256
		FROM giving_deliveries y JOIN households h ON h.id = y.household_id LEFT JOIN regions r ON r.code = y.region_code
		WHERE y.donation_id = ? ORDER BY y.id`, id)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d Delivery
		var village string
		if err := rows.Scan(&d.ID, &d.DonationID, &d.HouseholdID, &d.HeadName, &d.VillageName, &village, &d.Quantity, &d.DeliveredOn,
			&d.SignedBy, &d.ReceiptSHA256); err != nil {
			return nil, nil, err
		}
		deliveries = append(deliveries, d)
		reached = append(reached, Reach{VillageCode: village, VillageName: d.VillageName, HeadName: d.HeadName, HouseholdID: d.HouseholdID,
			Quantity: d.Quantity, OnDate: d.DeliveredOn})
	}
	return reached, deliveries, rows.Err()
}

// where joins conditions with AND.
func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// listOf runs a list query and scans every row.
func listOf[T any](ctx context.Context, q db.Queryer, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
