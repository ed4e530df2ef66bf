package registry

import (
	"context"
	"database/sql"
	"strconv"
	"sync"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// exMHEntry is a household of a members import: where a member's household is.
type exMHEntry struct {
	id     int64
	region uint64
	out    bool
}

// exPerson is an active member, keyed by the packed ID number: the whole city's active
// members fit in a few dozen MB this way, and one map lookup answers "is this person
// already in a household, which one, and is the row any different".
type exPerson struct {
	id        int64 // 0 while the insert is buffered
	household int64
	fp        uint64
	line      int32 // file line that named them, 0 before
}

// memberWork is one batch for the writer: member rows to insert, then the households whose
// member count or head changed, as (id, members_count, head_name or nil to keep).
type memberWork struct {
	members    [][]any
	households [][]any
}

// memberBatch reads rows on the import's goroutine and writes on a second one: while one
// batch is being inserted the next is parsed, so the import takes about as long as the
// slower of the two rather than their sum. The mutex keeps the two from using the
// transaction at the same time (an update of an existing member, the writer's batch).
type memberBatch struct {
	ctx     context.Context
	tx      *db.Tx
	p       *auth.Principal
	meta    exchange.Meta
	present []bool
	print   *exPrint
	hh      map[string]exMHEntry
	people  map[uint64]exPerson
	counts  map[int64]int32 // active members per household, kept current as rows are applied
	regions map[uint64]string
	now     string // the transaction's time, as stored

	mu       sync.Mutex // held while the transaction is in use
	cur      memberWork
	touched  map[int64]bool   // households of cur
	heads    map[int64]string // head's name by household, when a head row is in cur
	inflight chan error       // the writer's answer for the batch it is writing
	spare    memberWork       // the buffers of the last batch written, for reuse
}

var exMemberInsert = []string{"household_id", "region_code", "id_number", "name", "relation", "sex", "birth_date", "health",
	"disability_grade", "labour", "in_school", "medical_insurance", "deceased_on", "active", "source", "created_at", "updated_at"}

func beginMembers(ctx context.Context, tx *db.Tx, p *auth.Principal, meta exchange.Meta) (exchange.Batch, error) {
	b := &memberBatch{ctx: ctx, tx: tx, p: p, meta: meta, hh: map[string]exMHEntry{}, people: map[uint64]exPerson{},
		counts: map[int64]int32{}, touched: map[int64]bool{}, heads: map[int64]string{}, regions: map[uint64]string{},
		now: db.Time(tx.Now)}
	b.present = make([]bool, mCols)
	for i, c := range exMemberColumns {
		b.present[i] = meta.Has(c)
	}
	b.print = newExPrint(b.present, mHousehold, mID)
	// Every household, in scope or not: a number outside the scope gets its own reason.
	rows, err := tx.QueryContext(ctx, `SELECT id, household_no, region_code FROM households`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e exMHEntry
		var no, region string
		if err := rows.Scan(&e.id, &no, &region); err != nil {
			return nil, err
		}
		e.region, e.out = exPack(region), !p.InScope(region)
		b.hh[no] = e
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b, b.preload()
}

// preload reads every active member, in scope or not: one person may be active in one
// household only, wherever it is.
func (b *memberBatch) preload() error {
	rows, err := b.tx.QueryContext(b.ctx, `SELECT id, household_id, id_number, name, relation, health, disability_grade,
		labour, in_school, medical_insurance, COALESCE(deceased_on, '') FROM members WHERE active = 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Scanned in place (RawBytes): a million rows allocate nothing per row.
	var idNumber sql.RawBytes
	cells := make([]sql.RawBytes, mCols)
	var e exPerson
	for rows.Next() {
		if err := rows.Scan(&e.id, &e.household, &idNumber, &cells[mName], &cells[mRelation], &cells[mHealth],
			&cells[mGrade], &cells[mLabour], &cells[mSchool], &cells[mInsured], &cells[mDeceased]); err != nil {
			return err
		}
		b.counts[e.household]++
		key, ok := idcard.Pack(string(idNumber))
		if !ok {
			continue // not a well-formed number: nothing a valid row could collide with
		}
		e.fp = b.print.ofBytes(cells)
		b.people[key] = e
	}
	return rows.Err()
}

func (b *memberBatch) Apply(row tabular.Row) (exchange.Outcome, error) {
	m, id, err := parseMember(row, b.tx.Now)
	if err != nil {
		return 0, err
	}
	h, ok := b.hh[m[mHousehold]]
	switch {
	case !ok:
		return 0, exCellErr("household_no", "户编号 "+m[mHousehold]+" 不存在(请先导入农户)")
	case h.out:
		return 0, exCellErr("household_no", "户编号 "+m[mHousehold]+" 不在您的管辖范围内")
	}
	key, _ := idcard.Pack(id.Number)
	line := int32(row.Line)
	e, ok := b.people[key]
	switch {
	case ok && e.line > 0 && e.household == h.id:
		return 0, exCellErr("id_number", "身份证号与第 "+strconv.Itoa(int(e.line))+" 行重复")
	case ok && e.line > 0:
		return 0, exCellErr("id_number", "该身份证号已在第 "+strconv.Itoa(int(e.line))+" 行作为农户 "+b.householdNo(e.household)+" 的成员,一人只能在一个在册户中")
	case ok && e.household != h.id:
		return 0, exCellErr("id_number", "该身份证号已是农户 "+b.householdNo(e.household)+" 的在册成员,一人只能在一个在册户中")
	case ok:
		e.line = line
		b.people[key] = e
		if b.print.of(m[:]) == e.fp {
			return exchange.Unchanged, nil
		}
		return b.update(e.id, h, m)
	}
	b.people[key] = exPerson{household: h.id, line: line}
	b.counts[h.id]++
	b.touch(h.id, m)
	b.cur.members = append(b.cur.members, []any{h.id, b.regionOf(h.region), id.Number, m[mName], m[mRelation], SexOf(id),
		id.Birth.Format(db.DateLayout), m[mHealth], exAtoi(m[mGrade]), m[mLabour], exAtoi(m[mSchool]),
		exAtoi(m[mInsured]), exNull(m[mDeceased]), 1, b.meta.Source, b.now, b.now})
	if len(b.cur.members) >= exBatchRows {
		return exchange.Inserted, b.send()
	}
	return exchange.Inserted, nil
}

// regionOf is the village code as text, made once per village rather than once per row.
func (b *memberBatch) regionOf(packed uint64) string {
	s, ok := b.regions[packed]
	if !ok {
		s = exUnpack(packed)
		b.regions[packed] = s
	}
	return s
}

// touch notes a household whose members changed in the current batch; a head row gives the
// household's head's name (as the console does: the head member's name is the household's).
func (b *memberBatch) touch(household int64, m exMember) {
	b.touched[household] = true
	if m[mRelation] == "head" {
		b.heads[household] = m[mName]
	}
}

// householdNo names another household in a reason (only ever on the error path).
func (b *memberBatch) householdNo(id int64) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var no string
	if err := b.tx.QueryRowContext(b.ctx, `SELECT household_no FROM households WHERE id = ?`, id).Scan(&no); err != nil {
		return "(编号未知)"
	}
	return no
}

func (b *memberBatch) update(memberID int64, h exMHEntry, m exMember) (exchange.Outcome, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, _, old, err := scanExMember(b.tx.QueryRowContext(b.ctx, `SELECT `+exMemberSelect+`
		FROM members m JOIN households h ON h.id = m.household_id WHERE m.id = ?`, memberID))
	if err != nil {
		return 0, err
	}
	before := map[string]any{"member_id": memberID, "id_number": old[mID]}
	after := map[string]any{"member_id": memberID, "id_number": old[mID]}
	changed := false
	for i := range m {
		if !b.present[i] {
			m[i] = old[i]
			continue
		}
		if m[i] != old[i] {
			before[exMemberColumns[i]], after[exMemberColumns[i]] = old[i], m[i]
			changed = true
		}
	}
	if !changed {
		return exchange.Unchanged, nil
	}
	if _, err := b.tx.ExecContext(b.ctx, `UPDATE members SET name = ?, relation = ?, health = ?, disability_grade = ?,
		labour = ?, in_school = ?, medical_insurance = ?, deceased_on = ?, updated_at = ? WHERE id = ?`,
		m[mName], m[mRelation], m[mHealth], exAtoi(m[mGrade]), m[mLabour], exAtoi(m[mSchool]), exAtoi(m[mInsured]),
		exNull(m[mDeceased]), db.Time(b.tx.Now), memberID); err != nil {
		return 0, err
	}
	b.touch(h.id, m)
	return exchange.Updated, exRecordUpdate(b.ctx, b.tx, b.p, "member.import_update", h.id, exUnpack(h.region), before, after)
}

// send hands the current batch to the writer, once the writer is done with the previous one.
func (b *memberBatch) send() error {
	if err := b.wait(); err != nil {
		return err
	}
	w := b.cur
	for id := range b.touched {
		var head any
		if name, ok := b.heads[id]; ok {
			head = name
		}
		w.households = append(w.households, []any{id, int64(b.counts[id]), head})
	}
	clear(b.touched)
	clear(b.heads)
	b.cur = memberWork{members: b.spare.members[:0], households: b.spare.households[:0]}
	done := make(chan error, 1)
	b.inflight = done
	go func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		done <- b.write(w)
	}()
	b.spare = w
	return nil
}

// wait returns the result of the batch being written, if any. The buffers of b.spare may
// be reused after it.
func (b *memberBatch) wait() error {
	if b.inflight == nil {
		return nil
	}
	err := <-b.inflight
	b.inflight = nil
	return err
}

func (b *memberBatch) write(w memberWork) error {
	if err := exLoad(b.ctx, b.tx, "members", exMemberInsert, w.members, "身份证号"); err != nil {
		return err
	}
	if len(w.households) == 0 {
		return nil
	}
	if b.tx.Dialect() == db.Postgres {
		return b.countsPG(w.households)
	}
	// SQLite: one prepared single-row UPDATE per household, which measured faster than a
	// multi-row UPDATE … FROM (VALUES …) (that one needs a statement journal). The counts
	// come from memory instead of counting members again.
	st, err := b.tx.PrepareContext(b.ctx, `UPDATE households SET members_count = ?, head_name = COALESCE(?, head_name),
		updated_at = ? WHERE id = ?`)
	if err != nil {
		return err
	}
	defer st.Close()
	now := db.Time(b.tx.Now)
	for _, h := range w.households {
		if _, err := st.ExecContext(b.ctx, h[1], h[2], now, h[0]); err != nil {
			return err
		}
	}
	return nil
}

// countsPG updates the batch's households in one statement: on PostgreSQL every statement
// is a round trip, and ten thousand of them cost more than the COPY they follow.
func (b *memberBatch) countsPG(households [][]any) error {
	ids, counts, heads := make([]int64, len(households)), make([]int64, len(households)), make([]string, len(households))
	for i, h := range households {
		ids[i], counts[i] = h[0].(int64), h[1].(int64)
		if name, ok := h[2].(string); ok {
			heads[i] = name // "" keeps the stored name: a member's name is never empty
		}
	}
	// "h.id = ANY" makes the planner find the rows by primary key; joined to the unnest alone
	// it hashes the whole table for every batch.
	_, err := b.tx.ExecContext(b.ctx, `UPDATE households h SET members_count = v.n, head_name = COALESCE(NULLIF(v.head, ''), h.head_name),
		updated_at = ? FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS v(id, n, head) WHERE h.id = v.id AND h.id = ANY(?::bigint[])`,
		b.now, ids, counts, heads, ids)
	return err
}

// Flush writes the last batch and waits for the writer.
func (b *memberBatch) Flush() error {
	if err := b.send(); err != nil {
		return err
	}
	return b.wait()
}
