package duty

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// HelpersKind is the "helpers" spreadsheet (FORMATS.md): helpers registered by the
// importer's office. Helpers are a few per village, so rows are applied one query at a time.
func HelpersKind() exchange.Kind {
	return exchange.Kind{Name: "helpers", Label: "帮扶责任人", ImportAction: auth.RegistryImport, ExportAction: auth.HouseholdExport,
		Schema: tabular.Schema{Columns: []tabular.Column{
			{Name: "id_number", Aliases: []string{"帮扶人身份证号", "身份证号", "身份证号码"}, Required: true},
			{Name: "name", Aliases: []string{"帮扶人姓名", "姓名"}, Required: true},
			{Name: "phone", Aliases: []string{"联系电话", "电话"}},
			{Name: "employer", Aliases: []string{"单位", "工作单位"}},
			{Name: "position", Aliases: []string{"职务"}},
			{Name: "party_member", Aliases: []string{"党员", "是否党员"}},
		}},
		Begin: func(ctx context.Context, tx *db.Tx, p *auth.Principal, _ exchange.Meta) (exchange.Batch, error) {
			return &helperBatch{ctx: ctx, tx: tx, p: p, seen: map[uint64]int{}}, nil
		},
		Export: exportHelpers,
	}
}

// AssignmentsKind is the "assignments" spreadsheet: which helper answers for which household
// since when. A new helper for a household closes the current assignment on that date.
func AssignmentsKind() exchange.Kind {
	return exchange.Kind{Name: "assignments", Label: "帮扶关系", ImportAction: auth.RegistryImport, ExportAction: auth.HouseholdExport,
		Schema: tabular.Schema{Columns: []tabular.Column{
			{Name: "household_no", Aliases: []string{"户编号", "户号"}, Required: true},
			{Name: "helper_id_number", Aliases: []string{"帮扶人身份证号", "帮扶责任人身份证号"}, Required: true},
			{Name: "from_date", Aliases: []string{"起始日期", "帮扶起始日期"}, Required: true},
		}},
		Begin: func(ctx context.Context, tx *db.Tx, p *auth.Principal, _ exchange.Meta) (exchange.Batch, error) {
			return &assignBatch{ctx: ctx, tx: tx, p: p, seen: map[string]int{}}, nil
		},
		Export: exportAssignments,
	}
}

func cellErr(column, reason string) *tabular.RowError {
	return &tabular.RowError{Column: column, Code: "invalid", Reason: reason}
}

// cell is a column's value without the apostrophe our exports put before formula-like text
// (tabular.Neutralize), so exports import back unchanged; a NUL byte (which PostgreSQL
// cannot store, and no real cell holds) is refused.
func cell(row tabular.Row, column string) (string, error) {
	v := row.Get(column)
	if strings.IndexByte(v, 0) >= 0 {
		return "", cellErr(column, "含有不可见的控制字符(NUL),请检查文件")
	}
	if len(v) > 1 && v[0] == '\'' && strings.IndexByte("=+-@\t\r", v[1]) >= 0 {
		return v[1:], nil
	}
	return v, nil
}

func flag(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "", "0", "否", "n", "no", "false":
		return false, true
	case "1", "是", "y", "yes", "true":
		return true, true
	}
	return false, false
}

func b2s(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

type helperBatch struct {
	ctx    context.Context
	tx     *db.Tx
	p      *auth.Principal
	office string
	seen   map[uint64]int // packed ID number → file line
}

// Apply inserts a new helper or corrects one the importer's office registered; a helper of
// another office may appear unchanged (lists overlap) but not be changed from here.
func (b *helperBatch) Apply(row tabular.Row) (exchange.Outcome, error) {
	var v [5]string
	for i, c := range []string{"id_number", "name", "phone", "employer", "position"} {
		var err error
		if v[i], err = cell(row, c); err != nil {
			return 0, err
		}
	}
	in := HelperInput{IDNumber: v[0], Name: v[1], Phone: v[2], Employer: v[3], Position: v[4]}
	var ok bool
	if in.PartyMember, ok = flag(row.Get("party_member")); !ok {
		return 0, cellErr("party_member", "应为 1/0 或 是/否")
	}
	in.Normalize()
	id, err := in.Validate(b.tx.Now)
	if err != nil {
		return 0, fieldErr(err, []string{"id_number", "name", "phone", "employer", "position"})
	}
	key, _ := idcard.Pack(id.Number)
	if line, dup := b.seen[key]; dup {
		return 0, cellErr("id_number", "身份证号与第 "+strconv.Itoa(line)+" 行重复")
	}
	b.seen[key] = row.Line
	var old HelperInput
	var hid, party int64
	var region string
	err = b.tx.QueryRowContext(b.ctx, `SELECT id, name, phone, employer, position, party_member, region_code FROM helpers
		WHERE id_number = ?`, id.Number).Scan(&hid, &old.Name, &old.Phone, &old.Employer, &old.Position, &party, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return b.insert(in, id.Number)
	}
	if err != nil {
		return 0, err
	}
	old.IDNumber, old.PartyMember = id.Number, party == 1
	before, after := diff(old, in)
	if len(after) == 0 {
		return exchange.Unchanged, nil
	}
	if !b.p.InScope(region) {
		return 0, cellErr("id_number", "该帮扶人由 "+region+" 登记,不在您的管辖范围内,不能在此修改")
	}
	if _, err := b.tx.ExecContext(b.ctx, `UPDATE helpers SET name = ?, phone = ?, employer = ?, position = ?, party_member = ?,
		updated_at = ? WHERE id = ?`, in.Name, in.Phone, in.Employer, in.Position, b2i(in.PartyMember), db.Time(b.tx.Now), hid); err != nil {
		return 0, err
	}
	return exchange.Updated, audit.Record(b.ctx, b.tx, audit.ActorOf(b.p), audit.Change{Action: "helper.import_update",
		EntityType: "helper", EntityID: strconv.FormatInt(hid, 10), RegionCode: region, Before: before, After: after})
}

func (b *helperBatch) insert(in HelperInput, number string) (exchange.Outcome, error) {
	office, err := b.officeRegion()
	if err != nil {
		return 0, err
	}
	now := db.Time(b.tx.Now)
	_, err = b.tx.ExecContext(b.ctx, `INSERT INTO helpers (id_number, name, phone, employer, position, party_member, region_code,
		active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		number, in.Name, in.Phone, in.Employer, in.Position, b2i(in.PartyMember), office, now, now)
	if errs.CodeOf(err) == errs.Conflict {
		return 0, errs.E(errs.Conflict, "写入时帮扶人身份证号与已有记录冲突(可能有人同时录入),未导入任何数据,请重试")
	}
	return exchange.Inserted, err
}

// officeRegion is the region a new helper is registered under: the importer's scope, or
// for the command line (which has none) the city.
func (b *helperBatch) officeRegion() (string, error) {
	if b.office != "" {
		return b.office, nil
	}
	b.office = b.p.Scope
	if b.p.Root || b.office == "" {
		err := b.tx.QueryRowContext(b.ctx, `SELECT COALESCE(MIN(code), '') FROM regions WHERE level = 'city'`).Scan(&b.office)
		if err != nil {
			return "", err
		}
		if b.office == "" {
			return "", errs.E(errs.Invalid, "尚未导入行政区划,无法登记帮扶人")
		}
	}
	return b.office, nil
}

func (b *helperBatch) Flush() error { return nil }

func diff(old, in HelperInput) (before, after map[string]any) {
	before, after = map[string]any{}, map[string]any{}
	pairs := [][3]string{{"name", old.Name, in.Name}, {"phone", old.Phone, in.Phone}, {"employer", old.Employer, in.Employer},
		{"position", old.Position, in.Position}, {"party_member", b2s(old.PartyMember), b2s(in.PartyMember)}}
	for _, p := range pairs {
		if p[1] != p[2] {
			before[p[0]], after[p[0]] = p[1], p[2]
		}
	}
	return before, after
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fieldErr names the first column (in columns order) a validation error mentions.
func fieldErr(err error, columns []string) error {
	e, ok := errs.As(err)
	if !ok {
		return err
	}
	for _, c := range columns {
		if r, ok := e.Fields[c]; ok {
			return cellErr(c, r)
		}
	}
	return err
}

// scopeRange is the principal's region range; the command line's root sees all.
func scopeRange(p *auth.Principal) (lo, hi string) {
	if p.Root {
		return "000000000000", "999999999999"
	}
	return regioncode.Range(p.Scope)
}

func exportHelpers(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.HouseholdExport); err != nil {
		return err
	}
	lo, hi := scopeRange(p)
	rows, err := q.QueryContext(ctx, `SELECT id_number, name, phone, employer, position, party_member FROM helpers
		WHERE region_code BETWEEN ? AND ? AND active = 1 ORDER BY region_code, id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var v [5]string
		var party int
		if err := rows.Scan(&v[0], &v[1], &v[2], &v[3], &v[4], &party); err != nil {
			return err
		}
		if err := w.Write([]string{v[0], v[1], v[2], v[3], v[4], strconv.Itoa(party)}); err != nil {
			return err
		}
	}
	return rows.Err()
}
