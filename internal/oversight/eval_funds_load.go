package oversight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
)

// ---- loading ----

func (d *fundsData) loadItems(ctx context.Context, q db.Queryer) error {
	rows, err := q.QueryContext(ctx, `SELECT id, fund_id, code, name, basis, standard_fen FROM fund_items`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var it fitem
		if err := rows.Scan(&id, &it.fund, &it.code, &it.name, &it.basis, &it.standard); err != nil {
			return err
		}
		d.items[id] = it
	}
	return rows.Err()
}

// payeeQuery resolves passbooks to their active member (one index probe each).
const payeeQuery = `SELECT a.id, COALESCE(a.id_number, ''), a.name, a.region_code, COALESCE(a.household_id, 0),
	COALESCE(m.household_id, 0), COALESCE(m.name, ''), COALESCE(m.deceased_on, '')
	FROM ledger_accounts a LEFT JOIN members m ON m.id_number = a.id_number AND m.active = 1
	WHERE a.kind = 'passbook'`

// loadPayees resolves the passbooks with the ids given (nil: every passbook) and the
// households they belong to.
func (d *fundsData) loadPayees(ctx context.Context, q db.Queryer, ids []int64) error {
	if err := d.queryPayees(ctx, q, ids); err != nil {
		return err
	}
	if err := d.fallbackMembers(ctx, q); err != nil {
		return err
	}
	// households
	var hhs []int64
	for i := range d.payees {
		if d.payees[i].household != 0 {
			hhs = append(hhs, d.payees[i].household)
		}
		d.payees[i].norm = normName(d.payees[i].name)
	}
	hmap := map[int64]*fhousehold{}
	read := func(rows *sql.Rows) error {
		var id int64
		h := &fhousehold{}
		var ex, un, rm string
		if err := rows.Scan(&id, &h.hhNo, &h.head, &h.status, &h.size, &ex, &un, &rm); err != nil {
			return err
		}
		h.exitedOn, h.policyUntil, h.removedOn = ymdNum(ex), ymdNum(un), ymdNum(rm)
		h.status, h.size = d.intern(h.status), max(h.size, 1)
		hmap[id] = h
		return nil
	}
	const hq = `SELECT id, household_no, head_name, status, members_count, COALESCE(exited_on, ''), COALESCE(policy_until, ''),
		COALESCE(removed_on, '') FROM households`
	var err error
	if ids == nil { // every household: one scan beats a probe per passbook
		err = forRows(ctx, q, hq, nil, read)
	} else {
		err = inChunks(ctx, q, hq+` WHERE id IN (%s)`, uniq(hhs), read)
	}
	if err != nil {
		return err
	}
	for i := range d.payees {
		p := &d.payees[i]
		if p.household == 0 {
			continue
		}
		h, ok := hmap[p.household]
		if !ok {
			p.household = 0
			continue
		}
		p.fhousehold = h
	}
	return nil
}

// fallbackMembers resolves the payees with no active member of their ID number but a
// household: the latest member row of that household with the ID (a removed household's
// members are inactive).
func (d *fundsData) fallbackMembers(ctx context.Context, q db.Queryer) error {
	type pending struct {
		idx       int32
		household int64
	}
	var fallback []pending // no active member: the passbook's own household, if any
	for i := range d.payees {
		if p := &d.payees[i]; !p.member && p.household != 0 {
			fallback = append(fallback, pending{int32(i), p.household})
		}
	}
	// households without an active member of that ID: the latest member row of the
	// passbook's household with the ID (a removed household's members are inactive)
	if len(fallback) > 0 {
		hhs := make([]int64, 0, len(fallback))
		for _, f := range fallback {
			hhs = append(hhs, f.household)
		}
		type hk struct {
			household int64
			id        string
		}
		found := map[hk][2]string{}
		err := inChunks(ctx, q, `SELECT household_id, id_number, name, COALESCE(deceased_on, '') FROM members WHERE household_id IN (%s) ORDER BY id`,
			uniq(hhs), func(rows *sql.Rows) error {
				var h int64
				var idn, name, dec string
				if err := rows.Scan(&h, &idn, &name, &dec); err != nil {
					return err
				}
				found[hk{h, strings.TrimSpace(idn)}] = [2]string{name, dec} // id order: the latest wins
				return nil
			})
		if err != nil {
			return err
		}
		for _, f := range fallback {
			p := &d.payees[f.idx]
			if m, ok := found[hk{f.household, p.idNo()}]; ok {
				p.member, p.name, p.deceased = true, m[0], ymdNum(m[1])
			}
		}
	}
	return nil
}

// queryPayees runs payeeQuery for ids (nil = all passbooks).
func (d *fundsData) queryPayees(ctx context.Context, q db.Queryer, ids []int64) error {
	run := func(query string, args []any) error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		return d.scanPayeeRows(rows)
	}
	if ids == nil {
		return run(payeeQuery, nil)
	}
	ids = uniq(ids)
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := run(payeeQuery+` AND a.id IN (`+qmarks(len(part))+`)`, args); err != nil {
			return err
		}
	}
	return nil
}

// scanPayeeRows reads payeeQuery rows, keeping the member's name when there is one.
func (d *fundsData) scanPayeeRows(rows *sql.Rows) error {
	defer rows.Close()
	for rows.Next() {
		p := fpayee{fhousehold: noHousehold}
		var pbHousehold, mHousehold int64
		var idn, mName, deceased string
		var region sql.RawBytes
		if err := rows.Scan(&p.id, &idn, &p.name, &region, &pbHousehold, &mHousehold, &mName, &deceased); err != nil {
			return err
		}
		if _, dup := d.byID[p.id]; dup {
			continue
		}
		p.region = d.internBytes(region)
		p.setID(idn)
		p.name = strings.TrimSuffix(p.name, "一折通")
		if mHousehold != 0 {
			p.member, p.household, p.deceased = true, mHousehold, ymdNum(deceased)
			if mName != "" {
				p.name = mName
			}
		} else {
			p.household = pbHousehold // resolved (or dropped) by the fallback
		}
		d.byID[p.id] = int32(len(d.payees))
		d.payees = append(d.payees, p)
	}
	return rows.Err()
}

// intern answers the one copy of s kept for this run (region codes, statuses: few values).
func (d *fundsData) intern(s string) string {
	if v, ok := d.strs[s]; ok {
		return v
	}
	d.strs[s] = s
	return s
}

func (d *fundsData) internBytes(b []byte) string {
	if v, ok := d.strs[string(b)]; ok {
		return v
	}
	s := string(b)
	d.strs[s] = s
	return s
}

// payeeIdx is the index into payees of passbook id.
func (d *fundsData) payeeIdx(id int64) (int32, bool) {
	if d.dense != nil {
		if i := id - d.denseLo; i >= 0 && i < int64(len(d.dense)) && d.dense[i] >= 0 {
			return d.dense[i], true
		}
		return 0, false
	}
	i, ok := d.byID[id]
	return i, ok
}

// densify replaces byID by a slice indexed by passbook id when the ids are dense enough
// (they usually are: passbooks are opened in bulk), smaller and faster than the map.
func (d *fundsData) densify() {
	if len(d.payees) == 0 {
		return
	}
	lo, hi := d.payees[0].id, d.payees[0].id
	for i := range d.payees {
		lo, hi = min(lo, d.payees[i].id), max(hi, d.payees[i].id)
	}
	if hi-lo+1 > 4*int64(len(d.payees))+1024 {
		return
	}
	d.dense = make([]int32, hi-lo+1)
	for i := range d.dense {
		d.dense[i] = -1
	}
	for i := range d.payees {
		d.dense[d.payees[i].id-lo] = int32(i)
	}
	d.denseLo, d.byID = lo, nil
}

// forRows runs a query and calls fn for each row.
func forRows(ctx context.Context, q db.Queryer, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inChunks runs query (with one %s for the placeholders) over ids in chunks of 500.
func inChunks(ctx context.Context, q db.Queryer, query string, ids []int64, fn func(*sql.Rows) error) error {
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		if err := forRows(ctx, q, fmt.Sprintf(query, qmarks(len(part))), args, fn); err != nil {
			return err
		}
	}
	return nil
}

func uniq(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// paymentCols are the columns the payment checks read.
const paymentCols = `t.id, t.to_account, t.amount_fen, t.on_date, COALESCE(t.item_id, 0), t.period, t.account_no, t.account_holder, t.fund_id`

// paymentScanSQL is the full pass: every payment received in the region. On SQLite the region
// test is kept off the region index (+): over most of the table a plain scan in storage order
// is several times faster than following the index to every row.
func paymentScanSQL(dialect db.Dialect) string {
	col := "t.region_code"
	if dialect == db.SQLite {
		col = "+t.region_code"
	}
	return `SELECT ` + paymentCols + ` FROM ledger_transfers t WHERE t.kind = 'payment' AND ` + col + ` BETWEEN ? AND ?`
}

// reversedIDs are the transfers undone by a reversal.
func reversedIDs(ctx context.Context, q db.Queryer) (map[int64]struct{}, error) {
	out := map[int64]struct{}{}
	err := forRows(ctx, q, `SELECT reverses_id FROM ledger_transfers WHERE reverses_id IS NOT NULL`, nil, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out[id] = struct{}{}
		return nil
	})
	return out, err
}

// parallelScanMin is the id range above which SQLite reads payments in parallel ranges.
var parallelScanMin int64 = 200_000

// streamPayments is the one pass over the region's payments.
func (d *fundsData) streamPayments(ctx context.Context, in *evalInput) error {
	rev, err := reversedIDs(ctx, in.Q)
	if err != nil {
		return err
	}
	// Storage order in id ranges read side by side on SQLite, whose driver spends most of
	// the time per row in its own code (as crosscheck.LoadSnapshot does); one query on
	// PostgreSQL. The records go into one slice sized by the id range (an upper bound on the
	// payments), each range into its own window, closed up afterwards: no regrowth, no copy.
	var lo, hi sql.NullInt64
	if err := in.Q.QueryRowContext(ctx, `SELECT (SELECT MIN(id) FROM ledger_transfers), (SELECT MAX(id) FROM ledger_transfers)`).Scan(&lo, &hi); err != nil {
		return err
	}
	if !hi.Valid {
		return nil
	}
	span := hi.Int64 - lo.Int64 + 1
	parts := 1
	if in.Q.Dialect() == db.SQLite && span > parallelScanMin {
		parts = max(1, runtime.GOMAXPROCS(0))
	}
	all := make([]payRec, 0, span)
	subs := make([]*fundsData, parts)
	g, gctx := errgroup.WithContext(ctx)
	for p := range parts {
		from := lo.Int64 + span*int64(p)/int64(parts)
		to := lo.Int64 + span*int64(p+1)/int64(parts)
		sub := &fundsData{byID: d.byID, dense: d.dense, denseLo: d.denseLo, payees: d.payees, acctNos: []string{""}, acctIdx: map[string]uint32{}, holders: map[int64]string{},
			paid: map[int64]int64{}, big: map[int64]int64{}, recs: all[from-lo.Int64 : from-lo.Int64 : to-lo.Int64]}
		subs[p] = sub
		g.Go(func() error {
			rows, err := in.Q.QueryContext(gctx, paymentScanSQL(in.Q.Dialect())+` AND t.id >= ? AND t.id < ?`, in.Lo, in.Hi, from, to)
			if err != nil {
				return err
			}
			return sub.readPayments(rows, rev)
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	n := 0
	for k, sub := range subs {
		if k == 0 && len(d.acctNos) == 1 { // the first range's numbers as they are: no remap, no copy
			d.acctNos, d.acctIdx = sub.acctNos, sub.acctIdx
			n = len(sub.recs)
			maps.Copy(d.holders, sub.holders)
			maps.Copy(d.big, sub.big)
			for f, v := range sub.paid {
				d.paid[f] += v
			}
			sub.recs = nil
			continue
		}
		remap := make([]uint32, len(sub.acctNos))
		for i, a := range sub.acctNos[1:] {
			x, ok := d.acctIdx[a]
			if !ok {
				x = uint32(len(d.acctNos))
				d.acctNos = append(d.acctNos, a)
				d.acctIdx[a] = x
			}
			remap[i+1] = x
		}
		for i := range sub.recs {
			r := &sub.recs[i]
			r.acct = remap[r.account()] | r.acct&oddBit
		}
		sub.acctNos, sub.acctIdx = nil, nil
		n += copy(all[n:cap(all)], sub.recs) // moves down over the window's unused tail
		maps.Copy(d.holders, sub.holders)
		maps.Copy(d.big, sub.big)
		for f, v := range sub.paid {
			d.paid[f] += v
		}
		sub.recs = nil
	}
	d.recs = all[:n]
	return nil
}

// readPayments appends the rows of a paymentCols query (reversed ones left out).
func (d *fundsData) readPayments(rows *sql.Rows, rev map[int64]struct{}) error {
	defer rows.Close()
	var id, to, amount, item, fund int64
	var onDate, period, acct, holder sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &to, &amount, &onDate, &item, &period, &acct, &holder, &fund); err != nil {
			return err
		}
		if _, ok := rev[id]; ok {
			continue
		}
		d.addPayment(id, to, amount, onDate, item, period, acct, holder, fund)
	}
	return rows.Err()
}

// addPayment adds one payment row (to a passbook: the ledger never pays elsewhere).
func (d *fundsData) addPayment(id, to, amount int64, onDate []byte, item int64, period, acct, holder []byte, fund int64) {
	pi, ok := d.payeeIdx(to)
	if !ok {
		return
	}
	r := payRec{id: id, amount: int32(amount), payee: pi, item: int32(item), date: ymdBytes(onDate), period: periodCode(period)}
	if amount != int64(r.amount) || r.amount == bigAmount {
		r.amount = bigAmount
		d.big[id] = amount
	}
	if a := bytes.TrimSpace(acct); len(a) > 0 {
		n, ok := d.acctIdx[string(a)]
		if !ok {
			n = uint32(len(d.acctNos))
			s := string(a)
			d.acctNos = append(d.acctNos, s)
			d.acctIdx[s] = n
		}
		r.acct = n
	}
	if p := &d.payees[pi]; p.norm != "" && !sameName(holder, p.norm) {
		r.acct |= oddBit
		d.holders[id] = string(holder)
	}
	d.paid[fund] += amount
	d.recs = append(d.recs, r)
}

// sortRecs orders the records by payee, item, period, date and id.
func (d *fundsData) sortRecs() {
	slices.SortFunc(d.recs, func(a, b payRec) int {
		switch {
		case a.payee != b.payee:
			return cmpInt(int64(a.payee), int64(b.payee))
		case a.item != b.item:
			return cmpInt(int64(a.item), int64(b.item))
		case a.period != b.period:
			return cmpInt(int64(a.period), int64(b.period))
		case a.date != b.date:
			return cmpInt(int64(a.date), int64(b.date))
		}
		return cmpInt(a.id, b.id)
	})
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ---- names, periods, accounts ----

// normName drops every space (ASCII, full-width, no-break) from a name.
func normName(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' {
			return -1
		}
		return r
	}, s)
}

// sameName compares a holder name (as stored) with a normalised name, spaces ignored; an
// empty holder is not a mismatch.
func sameName(holder []byte, norm string) bool {
	j, seen := 0, false
	for i := 0; i < len(holder); {
		r, n := utf8.DecodeRune(holder[i:])
		i += n
		if unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' {
			continue
		}
		seen = true
		if j >= len(norm) {
			return false
		}
		r2, n2 := utf8.DecodeRuneInString(norm[j:])
		if r != r2 {
			return false
		}
		j += n2
	}
	return !seen || j == len(norm)
}

// periodCode packs a period (YYYY or YYYY-MM) as (year-1900)*13 + month (0 for a year).
func periodCode(b []byte) uint16 {
	if len(b) < 4 {
		return 0
	}
	y := 0
	for _, c := range b[:4] {
		if c < '0' || c > '9' {
			return 0
		}
		y = y*10 + int(c-'0')
	}
	if y < 1900 || y > 6000 {
		return 0
	}
	m := 0
	if len(b) == 7 && b[4] == '-' && b[5] >= '0' && b[5] <= '1' && b[6] >= '0' && b[6] <= '9' {
		m = int(b[5]-'0')*10 + int(b[6]-'0')
		if m > 12 {
			m = 0
		}
	}
	return uint16((y-1900)*13 + m)
}

// periodText unpacks periodCode.
func periodText(c uint16) string {
	if c == 0 {
		return ""
	}
	y, m := int(c)/13+1900, int(c)%13
	if m == 0 {
		return strconv.Itoa(y)
	}
	return fmt.Sprintf("%04d-%02d", y, m)
}

// ymdBytes is ymdNum of a raw column.
func ymdBytes(b []byte) int32 {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0
	}
	var v int32
	for i := 0; i < 10; i++ {
		if i == 4 || i == 7 {
			continue
		}
		c := b[i]
		if c < '0' || c > '9' {
			return 0
		}
		v = v*10 + int32(c-'0')
	}
	return v
}

// accountHash names an account number in keys: the first 16 hex digits of its SHA-256.
func accountHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}

// ---- evidence ----

// evPay is one payment in an alert's evidence.
type evPay struct {
	TransferID int64  `json:"transfer_id"`
	OnDate     string `json:"on_date"`
	AmountFen  int64  `json:"amount_fen"`
	ItemID     int64  `json:"item_id"`
	Period     string `json:"period"`
	AccountNo  string `json:"account_no,omitempty"` // masked
}

// evPayee is who a payment-check alert is about.
type evPayee struct {
	PassbookID      int64  `json:"passbook_id"`
	IDNumber        string `json:"id_number"` // masked
	Name            string `json:"name"`
	Registered      bool   `json:"registered_member"`
	HouseholdID     int64  `json:"household_id,omitempty"`
	HouseholdNo     string `json:"household_no,omitempty"`
	HouseholdStatus string `json:"household_status,omitempty"`
}

// fundsEvidence is the evidence of a payment check; each check fills its own fields.
type fundsEvidence struct {
	Check        string         `json:"check"`
	Payee        *evPayee       `json:"payee,omitempty"`
	Payees       []evPayee      `json:"payees,omitempty"` // account_shared
	Households   int            `json:"households,omitempty"`
	AccountNo    string         `json:"account_no,omitempty"` // masked
	Holder       string         `json:"account_holder,omitempty"`
	ItemID       int64          `json:"item_id,omitempty"`
	Item         string         `json:"item,omitempty"`
	Period       string         `json:"period,omitempty"`
	StandardFen  int64          `json:"standard_fen,omitempty"`
	Basis        string         `json:"basis,omitempty"`
	Persons      int64          `json:"persons,omitempty"`
	AllowedFen   int64          `json:"allowed_fen,omitempty"`
	DeathDate    string         `json:"death_date,omitempty"`
	DeathSource  string         `json:"death_source,omitempty"` // registry | dataset
	Dataset      int64          `json:"dataset_id,omitempty"`
	DatasetLine  int64          `json:"dataset_line,omitempty"`
	ExitedOn     string         `json:"exited_on,omitempty"`
	PolicyUntil  string         `json:"policy_until,omitempty"`
	RemovedOn    string         `json:"removed_on,omitempty"`
	Employment   []evEmployment `json:"employment,omitempty"`
	Cadre        []evCadre      `json:"cadre,omitempty"`
	Payments     []evPay        `json:"payments"`
	PaymentCount int            `json:"payment_count"`
	TotalFen     int64          `json:"total_fen"`
}

// evEmployment is a public-employee dataset row in an alert's evidence.
type evEmployment struct {
	Employer    string `json:"employer"`
	Position    string `json:"position,omitempty"`
	From        string `json:"from,omitempty"`
	To          string `json:"to,omitempty"`
	DatasetID   int64  `json:"dataset_id"`
	DatasetLine int64  `json:"dataset_line"`
}

// evCadre is a cadre-relative dataset row in an alert's evidence.
type evCadre struct {
	Relation      string `json:"relation"`
	CadreName     string `json:"cadre_name"`
	CadrePosition string `json:"cadre_position,omitempty"`
	DatasetID     int64  `json:"dataset_id"`
	DatasetLine   int64  `json:"dataset_line"`
}

func (d *fundsData) payeeEv(p *fpayee) *evPayee {
	return &evPayee{PassbookID: p.id, IDNumber: idcard.Mask(p.idNo()), Name: p.name, Registered: p.member, HouseholdID: p.household,
		HouseholdNo: p.hhNo, HouseholdStatus: p.status}
}

// payments fills the evidence's payments (the first maxEvidencePayments), count and total.
func (d *fundsData) payments(ev *fundsEvidence, recs []payRec) {
	ev.Payments = make([]evPay, 0, min(len(recs), maxEvidencePayments))
	ev.PaymentCount, ev.TotalFen = len(recs), 0
	for i, r := range recs {
		a := d.amt(r)
		ev.TotalFen += a
		if i < maxEvidencePayments {
			ev.Payments = append(ev.Payments, evPay{TransferID: r.id, OnDate: ymdText(r.date), AmountFen: a, ItemID: int64(r.item),
				Period: periodText(r.period), AccountNo: funds.MaskAccount(d.acctNos[r.account()])})
		}
	}
}

func (d *fundsData) itemName(id int32) string {
	if it, ok := d.items[int64(id)]; ok {
		return it.name
	}
	return "项目" + strconv.Itoa(int(id))
}

func yuan(fen int64) string { return money.FormatYuan(fen) + " 元" }
