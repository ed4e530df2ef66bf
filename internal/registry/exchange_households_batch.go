package registry

import (
	"context"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/exchange"
	"sunshine/internal/tabular"
)

// exHHEntry is a preloaded household: what a row is compared against.
type exHHEntry struct {
	id     int64
	fp     uint64
	region uint64 // packed village code
	line   int32  // file line that named it, 0 before
	status uint8  // index in exStatusCodes
	out    bool   // outside the importer's scope: its number is taken, nothing else is shown
}

type hhBatch struct {
	ctx      context.Context
	tx       *db.Tx
	p        *auth.Principal
	meta     exchange.Meta
	present  []bool
	print    *exPrint
	villages map[string]bool
	hh       map[string]exHHEntry
	pending  [][]any
}

var exHouseholdInsert = []string{"household_no", "region_code", "group_name", "head_name", "head_id_number", "address",
	"phone", "household_type", "causes", "bank", "account_no", "income_per_capita_fen", "income_year", "income_wage_fen",
	"income_production_fen", "income_property_fen", "income_transfer_fen", "g_food", "g_education", "g_medical",
	"g_housing", "g_water", "status", "registered_on", "exited_on", "policy_until", "source", "created_at", "updated_at"}

func beginHouseholds(ctx context.Context, tx *db.Tx, p *auth.Principal, meta exchange.Meta) (exchange.Batch, error) {
	b := &hhBatch{ctx: ctx, tx: tx, p: p, meta: meta, villages: map[string]bool{}, hh: map[string]exHHEntry{}}
	b.present = make([]bool, hCols)
	for i, c := range exHouseholdColumns {
		b.present[i] = meta.Has(c)
	}
	// Number, village and status are checked one by one, not fingerprinted: they cannot
	// change through an import and get their own reasons.
	b.print = newExPrint(b.present, hNo, hVillage, hStatus)
	lo, hi := exScopeRange(p)
	rows, err := tx.QueryContext(ctx, `SELECT code FROM regions WHERE level = 'village' AND code BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		b.villages[c] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b, b.preload(lo, hi)
}

func (b *hhBatch) preload(lo, hi string) error {
	rows, err := b.tx.QueryContext(b.ctx, `SELECT `+exHouseholdSelect+` FROM households WHERE region_code BETWEEN ? AND ?`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		id, h, err := scanExHousehold(rows)
		if err != nil {
			return err
		}
		b.hh[h[hNo]] = exHHEntry{id: id, fp: b.print.of(h[:]), region: exPack(h[hVillage]), status: exStatusIndex(h[hStatus])}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// Numbers are unique across the city: those outside the scope must be known to be taken.
	out, err := b.tx.QueryContext(b.ctx, `SELECT household_no FROM households WHERE region_code < ? OR region_code > ?`, lo, hi)
	if err != nil {
		return err
	}
	defer out.Close()
	for out.Next() {
		var no string
		if err := out.Scan(&no); err != nil {
			return err
		}
		b.hh[no] = exHHEntry{out: true}
	}
	return out.Err()
}

func exStatusIndex(s string) uint8 {
	for i, c := range exStatusCodes {
		if c == s {
			return uint8(i)
		}
	}
	return 0
}

func (b *hhBatch) Apply(row tabular.Row) (exchange.Outcome, error) {
	h, err := parseHousehold(row, b.tx.Now)
	if err != nil {
		return 0, err
	}
	v := h[hVillage]
	if !b.p.InScope(v) {
		return 0, exCellErr("village_code", "村代码 "+v+" 不在您的管辖范围内")
	}
	if !b.villages[v] {
		return 0, exCellErr("village_code", "村代码 "+v+" 不是已登记的行政村")
	}
	no := h[hNo]
	e, ok := b.hh[no]
	switch {
	case ok && e.line > 0:
		return 0, exCellErr("household_no", "户编号 "+no+" 与第 "+strconv.Itoa(int(e.line))+" 行重复")
	case ok && e.out:
		return 0, exCellErr("household_no", "户编号 "+no+" 已被您管辖范围以外的农户使用")
	case ok:
		e.line = int32(row.Line)
		b.hh[strings.Clone(no)] = e // assigning stores the key too: keep it from pinning the row
		return b.existing(e, h)
	}
	st := h[hStatus]
	switch st {
	case "":
		st = string(Registered)
	case string(Applying):
		return 0, exCellErr("status", "申请纳入的农户须在系统中登记并走纳入程序;导入只接受在档、脱贫、核销的农户")
	}
	h[hStatus] = st
	if err := h.checkExit(st, true); err != nil {
		return 0, err
	}
	b.hh[strings.Clone(no)] = exHHEntry{line: int32(row.Line)}
	now := db.Time(b.tx.Now)
	policy := ""
	if st == string(Exited) {
		policy = exPolicyUntil(h[hExited])
	}
	b.pending = append(b.pending, []any{no, v, h[hGroup], h[hHeadName], h[hHeadID], h[hAddress], h[hPhone], h[hType],
		h[hCauses], h[hBank], h[hAccount], exAtoi(h[hIncome]), exAtoi(h[hYear]), exAtoi(h[hWage]), exAtoi(h[hProduction]),
		exAtoi(h[hProperty]), exAtoi(h[hTransfer]), h[hFood], h[hEducation], h[hMedical], h[hHousing], h[hWater], st,
		exNull(h[hRegistered]), exNull(h[hExited]), exNull(policy), b.meta.Source, now, now})
	if len(b.pending) >= exBatchRows {
		return exchange.Inserted, b.write()
	}
	return exchange.Inserted, nil
}

// existing compares a row with a household already registered in scope. Its village and
// status are the procedures' business: an import may correct the record, not move it.
func (b *hhBatch) existing(e exHHEntry, h exHousehold) (exchange.Outcome, error) {
	if exPack(h[hVillage]) != e.region {
		return 0, exCellErr("village_code", "该户已登记在 "+exUnpack(e.region)+",导入不能迁移农户")
	}
	old := exStatusCodes[e.status]
	if h[hStatus] == "" {
		h[hStatus] = old
	}
	if h[hStatus] != old {
		return 0, exCellErr("status", "状态不能通过导入修改(系统中为 "+old+");纳入、脱贫、核销、返贫须走程序")
	}
	if err := h.checkExit(old, b.present[hExited]); err != nil {
		return 0, err
	}
	if b.print.of(h[:]) == e.fp {
		return exchange.Unchanged, nil
	}
	return b.update(e.id, h)
}

func (b *hhBatch) update(id int64, h exHousehold) (exchange.Outcome, error) {
	_, old, err := scanExHousehold(b.tx.QueryRowContext(b.ctx, `SELECT `+exHouseholdSelect+` FROM households WHERE id = ?`, id))
	if err != nil {
		return 0, err
	}
	before, after := map[string]any{}, map[string]any{}
	oc, nc := old.cells(), h.cells()
	for i := range h {
		if !b.present[i] {
			h[i] = old[i]
			continue
		}
		if h[i] != old[i] {
			before[exHouseholdColumns[i]], after[exHouseholdColumns[i]] = oc[i], nc[i]
		}
	}
	if len(after) == 0 {
		return exchange.Unchanged, nil
	}
	policy := "policy_until"
	args := []any{h[hGroup], h[hHeadName], h[hHeadID], h[hAddress], h[hPhone], h[hType], h[hCauses], h[hBank], h[hAccount],
		exAtoi(h[hIncome]), exAtoi(h[hYear]), exAtoi(h[hWage]), exAtoi(h[hProduction]), exAtoi(h[hProperty]),
		exAtoi(h[hTransfer]), h[hFood], h[hEducation], h[hMedical], h[hHousing], h[hWater], exNull(h[hRegistered]),
		exNull(h[hExited])}
	if _, changed := after["exited_on"]; changed && h[hStatus] == string(Exited) {
		policy = "?"
		args = append(args, exNull(exPolicyUntil(h[hExited])))
	}
	args = append(args, db.Time(b.tx.Now), id)
	if _, err := b.tx.ExecContext(b.ctx, `UPDATE households SET group_name = ?, head_name = ?, head_id_number = ?,
		address = ?, phone = ?, household_type = ?, causes = ?, bank = ?, account_no = ?, income_per_capita_fen = ?,
		income_year = ?, income_wage_fen = ?, income_production_fen = ?, income_property_fen = ?, income_transfer_fen = ?,
		g_food = ?, g_education = ?, g_medical = ?, g_housing = ?, g_water = ?, registered_on = ?, exited_on = ?,
		policy_until = `+policy+`, version = version + 1, updated_at = ? WHERE id = ?`, args...); err != nil {
		return 0, err
	}
	return exchange.Updated, exRecordUpdate(b.ctx, b.tx, b.p, "household.import_update", id, h[hVillage], before, after)
}

func (b *hhBatch) write() error {
	err := exLoad(b.ctx, b.tx, "households", exHouseholdInsert, b.pending, "户编号")
	b.pending = b.pending[:0]
	return err
}

func (b *hhBatch) Flush() error { return b.write() }
