package registry

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/exchange"
	"sunshine/internal/idcard"
	"sunshine/internal/tabular"
)

// MembersKind is the "members" spreadsheet: one row per person, naming the household by its
// number (the household must exist: import households first).
func MembersKind() exchange.Kind {
	return exchange.Kind{Name: "members", Label: "家庭成员", Schema: exMemberSchema, Tables: []string{"members", "households"},
		ImportAction: auth.RegistryImport, ExportAction: auth.HouseholdExport,
		Begin: beginMembers, Export: exportMembers}
}

// Column positions of exMember, in schema order.
const (
	mHousehold = iota
	mID
	mName
	mRelation
	mHealth
	mGrade
	mLabour
	mSchool
	mInsured
	mDeceased
	mCols
)

var exMemberSchema = tabular.Schema{Columns: []tabular.Column{
	{Name: "household_no", Aliases: []string{"户编号", "户号"}, Required: true},
	{Name: "id_number", Aliases: []string{"身份证号", "身份证号码", "公民身份号码"}, Required: true},
	{Name: "name", Aliases: []string{"姓名"}, Required: true},
	{Name: "relation", Aliases: []string{"与户主关系"}, Required: true},
	{Name: "health", Aliases: []string{"健康状况"}},
	{Name: "disability_grade", Aliases: []string{"残疾等级"}},
	{Name: "labour", Aliases: []string{"劳动能力", "劳动技能"}},
	{Name: "in_school", Aliases: []string{"在校生", "是否在校生"}},
	{Name: "medical_insurance", Aliases: []string{"参加医保", "是否参加医保", "参加城乡居民基本医疗保险"}},
	{Name: "deceased_on", Aliases: []string{"死亡日期"}},
}}

var exMemberColumns = func() []string {
	out := make([]string, len(exMemberSchema.Columns))
	for i, c := range exMemberSchema.Columns {
		out[i] = c.Name
	}
	return out
}()

// exMember is a member in stored form, like exHousehold.
type exMember [mCols]string

// parseMember reads and validates one row with the console's rules (MemberInput.Validate);
// the ID number is parsed (birth date and sex come from it).
func parseMember(row tabular.Row, now time.Time) (exMember, idcard.ID, error) {
	var m exMember
	for i, c := range exMemberColumns {
		m[i] = exCell(row, c)
		if strings.IndexByte(m[i], 0) >= 0 {
			return m, idcard.ID{}, exCellErr(c, exNULReason)
		}
	}
	in := MemberInput{IDNumber: m[mID], Name: m[mName]}
	var ok bool
	if in.Relation, ok = exCode(m[mRelation], Relations, exRelationLabels); !ok {
		return m, idcard.ID{}, exCellErr("relation", exRelationHint)
	}
	if in.Health, ok = exCode(m[mHealth], Healths, exHealthLabels); !ok {
		return m, idcard.ID{}, exCellErr("health", exHealthHint)
	}
	if in.Labour, ok = exCode(m[mLabour], Labours, exLabourLabels); !ok {
		return m, idcard.ID{}, exCellErr("labour", exLabourHint)
	}
	if in.DisabilityGrade, ok = exGrade(m[mGrade]); !ok {
		return m, idcard.ID{}, exCellErr("disability_grade", "残疾等级应为 0 到 4(或 一级 到 四级)")
	}
	if in.InSchool, ok = exFlag(m[mSchool], false); !ok {
		return m, idcard.ID{}, exCellErr("in_school", exBoolHint)
	}
	// Nearly everyone is insured (参合率), so a blank cell means yes, like the console's default.
	if in.MedicalInsured, ok = exFlag(m[mInsured], true); !ok {
		return m, idcard.ID{}, exCellErr("medical_insurance", exBoolHint)
	}
	d, err := exDate(m[mDeceased])
	if err != nil {
		return m, idcard.ID{}, exCellErr("deceased_on", err.Error())
	}
	in.DeceasedOn = d
	in.Normalize()
	id, err := in.Validate(now)
	if err != nil {
		return m, id, exFirstFieldErr(err, exMemberColumns, nil)
	}
	m = exMember{m[mHousehold], id.Number, in.Name, in.Relation, in.Health, strconv.Itoa(in.DisabilityGrade), in.Labour,
		exB(in.InSchool), exB(in.MedicalInsured), in.DeceasedOn}
	return m, id, nil
}

func exB(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

const exMemberSelect = `m.id, m.household_id, h.household_no, m.id_number, m.name, m.relation, m.health, m.disability_grade,
	m.labour, m.in_school, m.medical_insurance, COALESCE(m.deceased_on, '')`

func scanExMember(s exScanner) (id, household int64, m exMember, err error) {
	var grade, school, insured int
	err = s.Scan(&id, &household, &m[mHousehold], &m[mID], &m[mName], &m[mRelation], &m[mHealth], &grade, &m[mLabour],
		&school, &insured, &m[mDeceased])
	m[mGrade], m[mSchool], m[mInsured] = strconv.Itoa(grade), strconv.Itoa(school), strconv.Itoa(insured)
	return id, household, m, err
}

// exportMembers writes the active members in the principal's scope in index order, so a
// million rows stream from the database to the file without being sorted or held.
func exportMembers(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.HouseholdExport); err != nil {
		return err
	}
	lo, hi := exScopeRange(p)
	rows, err := q.QueryContext(ctx, `SELECT `+exMemberSelect+` FROM members m JOIN households h ON h.id = m.household_id
		WHERE m.region_code BETWEEN ? AND ? AND m.active = 1 ORDER BY m.region_code, m.id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		_, _, m, err := scanExMember(rows)
		if err != nil {
			return err
		}
		if err := w.Write(m[:]); err != nil {
			return err
		}
	}
	return rows.Err()
}
