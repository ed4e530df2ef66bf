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
)

// ---- loading payments ----

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
