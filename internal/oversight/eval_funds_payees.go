package oversight

import (
	"context"
	"database/sql"
	"strings"

	"sunshine/internal/db"
)

// Loading the fund checks' items and payees (passbook holders and the people they stand for).

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
