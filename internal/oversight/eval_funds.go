package oversight

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"sunshine/internal/db"
	"sunshine/internal/funds"
	"sunshine/internal/idcard"
	"sunshine/internal/money"
)

// The funds checks (资金预警) read the ledger: the fund-level ones (idle balances, disbursement
// behind schedule, unfiled higher-level money) with a few SQL queries, the payment-level ones
// in ONE streaming pass over the payments into compact records (32 bytes each), sorted by
// payee, item and period, so that every payee's payments are next to each other and each
// check is a walk over one payee's records. A payment undone by a reversal does not count.
//
// Periods matter: a payment is to a deceased person only if dated after the death, to an
// exited household only after policy_until, to a removed household only after removed_on; a
// duplicate is the same payee, item and period paid more than once.

// paymentChecks are the checks that look at payments (the ones a new payment can change).
var paymentChecks = []string{CheckPayeeUnregistered, CheckPayeeRemoved, CheckPayeeDeceased, CheckPayeeExited, CheckPaymentDuplicate,
	CheckAccountShared, CheckAboveStandard, CheckPayeePublicEmployee, CheckPayeeCadre, CheckHolderMismatch}

// maxEvidencePayments bounds the payments an alert's evidence lists (the count and total
// cover all of them).
const maxEvidencePayments = 50

// fpayee is a passbook account (一折通) resolved to the person and household it pays: the
// active member with the passbook's ID number, else the member with that ID number in the
// household the passbook was opened for, else nobody (unregistered).
type fpayee struct {
	id          int64  // ledger account
	key         uint64 // idcard.Pack of the ID number
	rawID       string // the ID number when key does not give it back exactly (see idNo)
	name        string // the member's name, or the passbook's without 一折通
	norm        string // name without spaces, for the holder comparison
	region      string // of the passbook account
	household   int64
	*fhousehold       // shared by the household's payees; noHousehold when none
	deceased    int32 // members.deceased_on
	member      bool  // a member row was found
}

// fhousehold is what the checks read of a payee's household.
type fhousehold struct {
	hhNo, head  string
	status      string // applying | registered | exited | removed | "" (none)
	size        int64  // at least 1 for a household
	exitedOn    int32
	policyUntil int32
	removedOn   int32
}

// noHousehold is the household of a payee in none.
var noHousehold = &fhousehold{}

// idNo is the payee's ID number as stored (trimmed).
func (p *fpayee) idNo() string {
	if p.rawID != "" || p.key == 0 {
		return p.rawID
	}
	return idcard.Unpack(p.key)
}

// setID keeps the ID number packed (as a string only when packing would change it).
func (p *fpayee) setID(idn string) {
	idn = strings.TrimSpace(idn)
	var ok bool
	if p.key, ok = idcard.Pack(idn); !ok || idn[len(idn)-1] == 'x' { // Unpack gives an upper-case X
		p.rawID = idn
	}
}

// fitem is a fund item (补贴项目) with its standard.
type fitem struct {
	fund     int64
	code     string
	name     string
	basis    string
	standard int64
}

// payRec is one un-reversed payment, compact: 32 bytes.
type payRec struct {
	id     int64
	amount int32  // fen; bigAmount: the amount is in fundsData.big
	payee  int32  // index into fundsData.payees
	item   int32  // fund item id
	date   int32  // yyyymmdd
	acct   uint32 // index into fundsData.acctNos (0 = no account number), | oddBit
	period uint16 // periodCode
}

const (
	// oddBit in payRec.acct: the account holder differs from the payee's name.
	oddBit = uint32(1) << 31
	// bigAmount in payRec.amount: the amount does not fit 32 bits (fundsData.big has it).
	bigAmount = math.MinInt32
)

// account is the record's index into acctNos.
func (r payRec) account() uint32 { return r.acct &^ oddBit }

// odd reports that the account holder differs from the payee's name.
func (r payRec) odd() bool { return r.acct&oddBit != 0 }

// amt is the record's amount in fen.
func (d *fundsData) amt(r payRec) int64 {
	if r.amount == bigAmount {
		return d.big[r.id]
	}
	return int64(r.amount)
}

// fundsData is what the payment checks read.
type fundsData struct {
	payees  []fpayee
	byID    map[int64]int32 // passbook → index into payees (nil once dense is built)
	dense   []int32         // passbook id - denseLo → index into payees, -1 = none (the full pass)
	denseLo int64
	strs    map[string]string // interned region codes and statuses
	items   map[int64]fitem
	acctNos []string // index 0 = ""
	acctIdx map[string]uint32
	recs    []payRec
	big     map[int64]int64  // transfer → amount, for the amounts payRec.amount cannot hold
	holders map[int64]string // transfer → account holder, for the payments whose holder differs
	facts   *personFacts
	paid    map[int64]int64 // fund → un-reversed payments, for fund_behind
}

func newFundsData(facts *personFacts) *fundsData {
	return &fundsData{strs: map[string]string{}, byID: map[int64]int32{}, items: map[int64]fitem{}, acctNos: []string{""}, acctIdx: map[string]uint32{},
		facts: facts, paid: map[int64]int64{}, holders: map[int64]string{}, big: map[int64]int64{}}
}

// evalFunds runs the funds checks over the payments and balances in the run's region.
func evalFunds(ctx context.Context, in *evalInput, emit func(Finding)) error {
	if err := evalFundLevel(ctx, in, emit); err != nil {
		return err
	}
	needPass := in.rule(CheckFundBehind) != nil
	for _, c := range paymentChecks {
		needPass = needPass || in.rule(c) != nil
	}
	if !needPass {
		return nil
	}
	if in.Facts == nil { // a run that loaded no facts: the datasets' (cached)
		facts, err := datasetFacts(ctx, in.Cache, in.Q, in.Dir, in.Lo)
		if err != nil {
			return err
		}
		in.Facts = facts
	}
	d := newFundsData(in.Facts)
	if err := d.loadItems(ctx, in.Q); err != nil {
		return err
	}
	// The pass keeps ~32 bytes a payment and ~100 a payee; the driver's garbage per row is
	// collected sooner than the default (which lets the heap grow to twice the live records).
	defer lowerGC()()
	if err := d.loadPayees(ctx, in.Q, nil); err != nil {
		return err
	}
	d.densify()
	d.strs = nil
	if err := d.streamPayments(ctx, in); err != nil {
		return err
	}
	d.acctIdx = nil // the checks over all accounts need only the numbers
	if r := in.rule(CheckFundBehind); r != nil {
		if err := evalFundBehind(ctx, in, r, d.paid, emit); err != nil {
			return err
		}
	}
	d.sortRecs()
	d.checkPayees(in, nil, emit)
	d.checkShared(in, nil, emit)
	return nil
}

// passGCPercent is the GC target during the full pass: the pass builds ten million short-lived
// rows, and the default target let the heap's garbage double the peak memory.
const passGCPercent = 50

// The GC target belongs to the process, not to a Service, so the count of passes that lowered
// it is process-wide too: the last pass to end puts it back.
var (
	gcMu    sync.Mutex
	gcPass  int // full passes running
	gcSaved int // the GC target before the first of them
)

// lowerGC sets the GC target to passGCPercent (unless it is lower already) while at least one
// full pass runs, and answers the function that ends this pass's part in it.
func lowerGC() func() {
	gcMu.Lock()
	defer gcMu.Unlock()
	if gcPass == 0 {
		gcSaved = debug.SetGCPercent(passGCPercent)
		if gcSaved >= 0 && gcSaved < passGCPercent {
			debug.SetGCPercent(gcSaved)
		}
	}
	gcPass++
	return func() {
		gcMu.Lock()
		defer gcMu.Unlock()
		if gcPass--; gcPass == 0 {
			debug.SetGCPercent(gcSaved)
		}
	}
}

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

// ---- payment checks ----

// checkPayees walks each payee's records (only the payees in only, when not nil).
func (d *fundsData) checkPayees(in *evalInput, only map[int32]bool, emit func(Finding)) {
	for start := 0; start < len(d.recs); {
		end := start + 1
		for end < len(d.recs) && d.recs[end].payee == d.recs[start].payee {
			end++
		}
		pi := d.recs[start].payee
		if only == nil || only[pi] {
			d.checkPayee(in, &d.payees[pi], d.recs[start:end], emit)
		}
		start = end
	}
}

// checkPayee runs every payee check over one payee's records (sorted by item, period, date).
func (d *fundsData) checkPayee(in *evalInput, p *fpayee, recs []payRec, emit func(Finding)) {
	who := p.name
	if who == "" {
		who = idcard.Mask(p.idNo())
	}
	base := func(r *Rule, suffix string, amount int64, explanation string, ev *fundsEvidence) {
		ev.Check = r.Check
		if ev.Payee == nil {
			ev.Payee = d.payeeEv(p)
		}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":payee=" + strconv.FormatInt(p.id, 10) + suffix, RegionCode: p.region,
			EntityType: "account", EntityID: p.id, HouseholdID: p.household, AmountFen: amount, Explanation: explanation,
			Evidence: evidence(ev)})
	}
	after := func(day int32) []payRec { // the payments dated after day
		var out []payRec
		for _, r := range recs {
			if r.date > day {
				out = append(out, r)
			}
		}
		sortByDate(out)
		return out
	}
	// payee_unregistered: in no household, or in one still applying
	if r := in.rule(CheckPayeeUnregistered); r != nil && (p.household == 0 || p.status == "applying") {
		ev := &fundsEvidence{}
		all := slices.Clone(recs)
		sortByDate(all)
		d.payments(ev, all)
		why := "不在任何在档户中"
		if p.household != 0 {
			why = "所在户 " + p.hhNo + " 尚未识别纳入"
		}
		base(r, "", ev.TotalFen, fmt.Sprintf("%s(%s)%s,仍向其发放 %d 笔共 %s", who, idcard.Mask(p.idNo()), why, ev.PaymentCount, yuan(ev.TotalFen)), ev)
	}
	// payee_removed: paid after the household was removed
	if r := in.rule(CheckPayeeRemoved); r != nil && p.status == "removed" && p.removedOn != 0 {
		if hit := after(p.removedOn); len(hit) > 0 {
			ev := &fundsEvidence{RemovedOn: ymdText(p.removedOn)}
			d.payments(ev, hit)
			base(r, "", ev.TotalFen, fmt.Sprintf("农户 %s(户主 %s)已于 %s 核销,其后仍向 %s 发放 %d 笔共 %s", p.hhNo, p.head, ev.RemovedOn, who,
				ev.PaymentCount, yuan(ev.TotalFen)), ev)
		}
	}
	// payee_exited: paid after the policy period of an exited household
	if r := in.rule(CheckPayeeExited); r != nil && p.status == "exited" {
		until := p.policyUntil
		if until == 0 {
			until = p.exitedOn
		}
		if until != 0 {
			if hit := after(until); len(hit) > 0 {
				ev := &fundsEvidence{ExitedOn: ymdText(p.exitedOn), PolicyUntil: ymdText(p.policyUntil)}
				d.payments(ev, hit)
				base(r, "", ev.TotalFen, fmt.Sprintf("农户 %s(户主 %s)已脱贫,政策期至 %s,其后仍向 %s 发放 %d 笔共 %s", p.hhNo, p.head, ymdText(until), who,
					ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_deceased: paid after the death (registry or death dataset, the earlier)
	if r := in.rule(CheckPayeeDeceased); r != nil {
		day, source := p.deceased, "registry"
		var ds, line int64
		if f, ok := d.facts.Death(p.key); ok && p.key != 0 && (day == 0 || f.Day < day) {
			day, source, ds, line = f.Day, "dataset", f.Dataset, f.Line
		}
		if day != 0 {
			if hit := after(day); len(hit) > 0 {
				ev := &fundsEvidence{DeathDate: ymdText(day), DeathSource: source, Dataset: ds, DatasetLine: line}
				d.payments(ev, hit)
				src := "户籍成员信息"
				if source == "dataset" {
					src = fmt.Sprintf("死亡人员数据集 %d 第 %d 行", ds, line)
				}
				base(r, "", ev.TotalFen, fmt.Sprintf("%s 已于 %s 死亡(%s),其后仍发放 %d 笔共 %s", who, ev.DeathDate, src, ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_public_employee: paid while employed (财政供养)
	if r := in.rule(CheckPayeePublicEmployee); r != nil && p.key != 0 {
		if jobs := d.facts.Employments(p.key); len(jobs) > 0 {
			var hit []payRec
			used := map[int]bool{}
			for _, rec := range recs {
				for j, e := range jobs {
					if (e.From == 0 || rec.date >= e.From) && (e.To == 0 || rec.date <= e.To) {
						hit = append(hit, rec)
						used[j] = true
						break
					}
				}
			}
			if len(hit) > 0 {
				sortByDate(hit)
				ev := &fundsEvidence{}
				var first employment
				for j, e := range jobs {
					if used[j] {
						if len(ev.Employment) == 0 {
							first = e
						}
						ev.Employment = append(ev.Employment, evEmployment{Employer: e.Employer, Position: e.Position, From: ymdText(e.From),
							To: ymdText(e.To), DatasetID: e.Dataset, DatasetLine: e.Line})
					}
				}
				d.payments(ev, hit)
				e := first
				span := ymdText(e.From) + " 至 " + ymdText(e.To)
				if e.To == 0 {
					span = ymdText(e.From) + " 至今"
				}
				base(r, "", ev.TotalFen, fmt.Sprintf("%s 为财政供养人员(%s,%s),任职期间领取 %d 笔共 %s", who, e.Employer, strings.TrimSpace(span),
					ev.PaymentCount, yuan(ev.TotalFen)), ev)
			}
		}
	}
	// payee_cadre: a cadre or a cadre's close relative (relations filter)
	if r := in.rule(CheckPayeeCadre); r != nil && p.key != 0 {
		var rels []cadreRel
		for _, c := range d.facts.Cadre(p.key) {
			if len(r.Params.Relations) == 0 || slices.Contains(r.Params.Relations, c.Relation) {
				rels = append(rels, c)
			}
		}
		if len(rels) > 0 {
			all := slices.Clone(recs)
			sortByDate(all)
			ev := &fundsEvidence{}
			for _, c := range rels {
				ev.Cadre = append(ev.Cadre, evCadre{Relation: c.Relation, CadreName: c.CadreName, CadrePosition: c.CadrePosition,
					DatasetID: c.Dataset, DatasetLine: c.Line})
			}
			d.payments(ev, all)
			c := rels[0]
			rel := relationLabel(c.Relation)
			what := fmt.Sprintf("干部 %s(%s)的%s", c.CadreName, c.CadrePosition, rel)
			if c.Relation == "self" {
				what = fmt.Sprintf("干部本人(%s)", c.CadrePosition)
			}
			base(r, "", ev.TotalFen, fmt.Sprintf("%s 为%s,领取 %d 笔共 %s", who, what, ev.PaymentCount, yuan(ev.TotalFen)), ev)
		}
	}
	// per item and period: payment_duplicate, above_standard
	dup, above := in.rule(CheckPaymentDuplicate), in.rule(CheckAboveStandard)
	if dup != nil || above != nil {
		for s := 0; s < len(recs); {
			e := s + 1
			for e < len(recs) && recs[e].item == recs[s].item && recs[e].period == recs[s].period {
				e++
			}
			group := recs[s:e]
			s = e
			it := d.items[int64(group[0].item)]
			suffix := ":item=" + strconv.Itoa(int(group[0].item)) + ":period=" + periodText(group[0].period)
			var sum int64
			for _, g := range group {
				sum += d.amt(g)
			}
			if dup != nil && len(group) > 1 {
				ev := &fundsEvidence{ItemID: int64(group[0].item), Item: it.name, Period: periodText(group[0].period)}
				d.payments(ev, group)
				extra := sum - d.amt(group[0])
				base(dup, suffix, extra, fmt.Sprintf("%s 的“%s”%s 期发放 %d 笔(应为 1 笔),共 %s,多发 %s", who, d.itemName(group[0].item), ev.Period,
					len(group), yuan(sum), yuan(extra)), ev)
			}
			if above != nil && it.name != "" {
				persons := int64(1)
				if it.basis == "person" {
					persons = max(p.size, 1)
				}
				allowed := it.standard * persons
				if sum > allowed+above.Params.ToleranceFen {
					ev := &fundsEvidence{ItemID: int64(group[0].item), Item: it.name, Period: periodText(group[0].period), StandardFen: it.standard,
						Basis: it.basis, Persons: persons, AllowedFen: allowed}
					d.payments(ev, group)
					std := "每户 " + yuan(it.standard)
					if it.basis == "person" {
						std = fmt.Sprintf("每人 %s × %d 人", yuan(it.standard), persons)
					}
					base(above, suffix, sum-allowed, fmt.Sprintf("%s 的“%s”%s 期发放 %s,超过标准 %s(%s),超出 %s", who, it.name, ev.Period,
						yuan(sum), yuan(allowed), std, yuan(sum-allowed)), ev)
				}
			}
		}
	}
	// holder_mismatch: per account number the payee was paid into under another name
	if r := in.rule(CheckHolderMismatch); r != nil {
		byAcct := map[uint32][]payRec{}
		for _, rec := range recs {
			if rec.odd() {
				byAcct[rec.account()] = append(byAcct[rec.account()], rec)
			}
		}
		accts := make([]uint32, 0, len(byAcct))
		for a := range byAcct {
			accts = append(accts, a)
		}
		slices.SortFunc(accts, func(a, b uint32) int { return strings.Compare(d.acctNos[a], d.acctNos[b]) })
		for _, a := range accts {
			hit := byAcct[a]
			sortByDate(hit)
			no := d.acctNos[a]
			ev := &fundsEvidence{AccountNo: funds.MaskAccount(no), Holder: d.holderOf(hit)}
			d.payments(ev, hit)
			base(r, ":account="+accountHash(no), ev.TotalFen, fmt.Sprintf("发放给 %s 的 %d 笔共 %s 打入账户 %s,户名为“%s”,与领取人不符", who,
				ev.PaymentCount, yuan(ev.TotalFen), ev.AccountNo, ev.Holder), ev)
		}
	}
}

// holderOf is the account holder name of the first of the mismatched payments.
func (d *fundsData) holderOf(recs []payRec) string { return d.holders[recs[0].id] }

func sortByDate(recs []payRec) {
	slices.SortFunc(recs, func(a, b payRec) int {
		if a.date != b.date {
			return cmpInt(int64(a.date), int64(b.date))
		}
		return cmpInt(a.id, b.id)
	})
}

func relationLabel(r string) string {
	switch r {
	case "self":
		return "本人"
	case "spouse":
		return "配偶"
	case "parent":
		return "父母"
	case "child":
		return "子女"
	case "sibling":
		return "兄弟姐妹"
	case "in_law":
		return "姻亲"
	}
	return "亲属"
}

// unitOf is what account_shared counts: the payee's household, or the payee alone.
func (p *fpayee) unit() int64 {
	if p.household != 0 {
		return p.household
	}
	return -p.id
}

// checkShared finds account numbers paid to payees of two or more households (一卡多人),
// only the numbers in only when not nil.
func (d *fundsData) checkShared(in *evalInput, only map[uint32]bool, emit func(Finding)) {
	r := in.rule(CheckAccountShared)
	if r == nil {
		return
	}
	first := make(map[uint32]int64)
	multi := map[uint32]bool{}
	for _, rec := range d.recs {
		a := rec.account()
		if a == 0 || only != nil && !only[a] {
			continue
		}
		u := d.payees[rec.payee].unit()
		if f, ok := first[a]; !ok {
			first[a] = u
		} else if f != u {
			multi[a] = true
		}
	}
	if len(multi) == 0 {
		return
	}
	byAcct := map[uint32][]payRec{}
	for _, rec := range d.recs {
		if multi[rec.account()] {
			byAcct[rec.account()] = append(byAcct[rec.account()], rec)
		}
	}
	accts := make([]uint32, 0, len(byAcct))
	for a := range byAcct {
		accts = append(accts, a)
	}
	slices.SortFunc(accts, func(a, b uint32) int { return strings.Compare(d.acctNos[a], d.acctNos[b]) })
	for _, a := range accts {
		recs := byAcct[a]
		sortByDate(recs)
		no := d.acctNos[a]
		ev := &fundsEvidence{Check: r.Check, AccountNo: funds.MaskAccount(no)}
		var payees []int32
		units := map[int64]bool{}
		region := ""
		for _, rec := range recs {
			if !slices.Contains(payees, rec.payee) {
				payees = append(payees, rec.payee)
			}
		}
		slices.SortFunc(payees, func(a, b int32) int { return cmpInt(d.payees[a].id, d.payees[b].id) })
		var names []string
		for i, pi := range payees {
			p := &d.payees[pi]
			ev.Payees = append(ev.Payees, *d.payeeEv(p))
			units[p.unit()] = true
			names = append(names, p.name)
			if i == 0 {
				region = p.region
			} else {
				region = commonRegion(region, p.region)
			}
		}
		ev.Households = len(units)
		d.payments(ev, recs)
		p0 := &d.payees[payees[0]]
		if len(names) > 5 {
			names = append(names[:5], "…")
		}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":account=" + accountHash(no), RegionCode: region, EntityType: "account", EntityID: p0.id,
			AmountFen: ev.TotalFen, Explanation: fmt.Sprintf("同一账户 %s 为 %d 户 %d 人(%s)收款 %d 笔共 %s", ev.AccountNo, ev.Households, len(payees),
				strings.Join(names, "、"), ev.PaymentCount, yuan(ev.TotalFen)), Evidence: evidence(ev)})
	}
}

// commonRegion is the most specific region containing both codes (12-digit codes, padded).
func commonRegion(a, b string) string {
	if a == b {
		return a
	}
	for _, n := range []int{9, 6, 4, 2} {
		if len(a) >= n && len(b) >= n && a[:n] == b[:n] {
			return a[:n] + strings.Repeat("0", 12-n)
		}
	}
	return a
}

// ---- fund-level checks ----

// evalFundLevel runs fund_idle and fund_unfiled (fund_behind needs the payments: evalFunds
// runs it after the pass).
func evalFundLevel(ctx context.Context, in *evalInput, emit func(Finding)) error {
	today := in.today()
	if r := in.rule(CheckFundIdle); r != nil {
		if err := evalFundIdle(ctx, in, r, today, emit); err != nil {
			return err
		}
	}
	if r := in.rule(CheckFundUnfiled); r != nil {
		cutoff := addDays(today, -r.Params.Days)
		err := forRows(ctx, in.Q, `SELECT id, code, name, region_code, amount_fen, received_on, source_level FROM funds
			WHERE via_city = 0 AND filed_on IS NULL AND received_on < ? AND region_code BETWEEN ? AND ? ORDER BY id`,
			[]any{cutoff, in.Lo, in.Hi}, func(rows *sql.Rows) error {
				var id, amount int64
				var code, name, region, received, level string
				if err := rows.Scan(&id, &code, &name, &region, &amount, &received, &level); err != nil {
					return err
				}
				ev := struct {
					Check      string `json:"check"`
					FundID     int64  `json:"fund_id"`
					Code       string `json:"fund_code"`
					Level      string `json:"source_level"`
					AmountFen  int64  `json:"amount_fen"`
					ReceivedOn string `json:"received_on"`
				}{r.Check, id, code, level, amount, received}
				emit(Finding{RuleKey: r.Key, Key: r.Key + ":fund=" + strconv.FormatInt(id, 10), RegionCode: region, EntityType: "fund", EntityID: id,
					AmountFen: amount, Explanation: fmt.Sprintf("资金 %s(%s)%s 元未经市级财政下达,%s 到账后超过 %d 天仍未报备", code, name,
						money.FormatYuan(amount), received, r.Params.Days), Evidence: evidence(ev)})
				return nil
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// evalFundIdle: money resting at an intermediate account (not a source, not a passbook) above
// min_fen, not moved for more than days (the funds package's idle list, as a rule).
func evalFundIdle(ctx context.Context, in *evalInput, r *Rule, today string, emit func(Finding)) error {
	cutoff := addDays(today, -r.Params.Days)
	const since = `CASE WHEN b.last_out_on IS NOT NULL AND b.last_out_on > b.last_in_on THEN b.last_out_on ELSE b.last_in_on END`
	return forRows(ctx, in.Q, `SELECT a.id, a.name, a.kind, a.region_code, b.fund_id, f.code, f.name, b.balance_fen, `+since+`
		FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id JOIN funds f ON f.id = b.fund_id
		WHERE a.kind NOT IN ('source', 'passbook') AND a.region_code BETWEEN ? AND ? AND b.balance_fen > ? AND `+since+` < ?
		ORDER BY a.id, b.fund_id`, []any{in.Lo, in.Hi, r.Params.MinFen, cutoff}, func(rows *sql.Rows) error {
		var acct, fund, bal int64
		var name, kind, region, code, fname, last string
		if err := rows.Scan(&acct, &name, &kind, &region, &fund, &code, &fname, &bal, &last); err != nil {
			return err
		}
		ev := struct {
			Check      string `json:"check"`
			AccountID  int64  `json:"account_id"`
			Account    string `json:"account"`
			Kind       string `json:"kind"`
			FundID     int64  `json:"fund_id"`
			FundCode   string `json:"fund_code"`
			BalanceFen int64  `json:"balance_fen"`
			Since      string `json:"since"`
		}{r.Check, acct, name, kind, fund, code, bal, last}
		days := daysBetween(last, today)
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":account=" + strconv.FormatInt(acct, 10) + ":fund=" + strconv.FormatInt(fund, 10),
			RegionCode: region, EntityType: "account", EntityID: acct, AmountFen: bal,
			Explanation: fmt.Sprintf("资金 %s(%s)在“%s”滞留 %s,自 %s 起 %d 天未动", code, fname, name, yuan(bal), last, days), Evidence: evidence(ev)})
		return nil
	})
}

// evalFundBehind: a fund whose payments to passbooks (reversals excluded) trail the linear
// schedule from received_on to deadline by more than margin_pct of its amount.
func evalFundBehind(ctx context.Context, in *evalInput, r *Rule, paid map[int64]int64, emit func(Finding)) error {
	today := in.today()
	return forRows(ctx, in.Q, `SELECT id, code, name, region_code, amount_fen, received_on, deadline FROM funds
		WHERE region_code BETWEEN ? AND ? AND received_on <= ? ORDER BY id`, []any{in.Lo, in.Hi, today}, func(rows *sql.Rows) error {
		var id, amount int64
		var code, name, region, received, deadline string
		if err := rows.Scan(&id, &code, &name, &region, &amount, &received, &deadline); err != nil {
			return err
		}
		if amount <= 0 {
			return nil
		}
		got := paid[id]
		share := float64(got) / float64(amount)
		sched := scheduleShare(received, deadline, today)
		if share >= sched-float64(r.Params.MarginPct)/100 {
			return nil
		}
		expected := int64(float64(amount)*sched + 0.5)
		ev := struct {
			Check      string `json:"check"`
			FundID     int64  `json:"fund_id"`
			Code       string `json:"fund_code"`
			AmountFen  int64  `json:"amount_fen"`
			PaidFen    int64  `json:"paid_fen"`
			ReceivedOn string `json:"received_on"`
			Deadline   string `json:"deadline"`
			MarginPct  int    `json:"margin_pct"`
		}{r.Check, id, code, amount, got, received, deadline, r.Params.MarginPct}
		emit(Finding{RuleKey: r.Key, Key: r.Key + ":fund=" + strconv.FormatInt(id, 10), RegionCode: region, EntityType: "fund", EntityID: id,
			AmountFen: max(expected-got, 0), Explanation: fmt.Sprintf("资金 %s(%s)已发放到户 %s,占 %.1f%%;按 %s 至 %s 的序时进度应达 %.1f%%,滞后超过 %d 个百分点",
				code, name, yuan(got), share*100, received, deadline, sched*100, r.Params.MarginPct), Evidence: evidence(ev)})
		return nil
	})
}

// scheduleShare is the share of the way from received to deadline that date has gone, 0..1.
func scheduleShare(received, deadline, date string) float64 {
	r, err1 := time.Parse(db.DateLayout, received)
	d, err2 := time.Parse(db.DateLayout, deadline)
	t, err3 := time.Parse(db.DateLayout, date)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0
	}
	switch {
	case !t.Before(d):
		return 1
	case !t.After(r):
		return 0
	}
	return t.Sub(r).Hours() / d.Sub(r).Hours()
}

// daysBetween is the number of days from a to b (dates).
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(db.DateLayout, a)
	tb, err2 := time.Parse(db.DateLayout, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}
