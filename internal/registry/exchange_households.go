package registry

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/exchange"
	"sunshine/internal/money"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// HouseholdsKind is the "households" spreadsheet (FORMATS.md Registry): the FORMATS columns,
// then the household's other parts (head's name, income parts, guarantees), which exports
// write so that an export imports back unchanged.
func HouseholdsKind() exchange.Kind {
	return exchange.Kind{Name: "households", Label: "低收入农户", Schema: exHouseholdSchema, Tables: []string{"households"},
		ImportAction: auth.RegistryImport, ExportAction: auth.HouseholdExport,
		Begin: beginHouseholds, Export: exportHouseholds}
}

// Column positions of exHousehold, in schema order.
const (
	hNo = iota
	hVillage
	hGroup
	hHeadID
	hAddress
	hPhone
	hType
	hCauses
	hBank
	hAccount
	hIncome
	hYear
	hRegistered
	hStatus
	hExited
	hHeadName
	hWage
	hProduction
	hProperty
	hTransfer
	hFood // the five guarantees follow in GuaranteeNames order
	hEducation
	hMedical
	hHousing
	hWater
	hCols
)

var exHouseholdSchema = tabular.Schema{Columns: []tabular.Column{
	{Name: "household_no", Aliases: []string{"户编号", "户号"}, Required: true},
	{Name: "village_code", Aliases: []string{"村代码", "行政村代码"}, Required: true},
	{Name: "group_name", Aliases: []string{"组", "村民小组"}},
	{Name: "head_id_number", Aliases: []string{"户主身份证号", "户主身份证号码"}, Required: true},
	{Name: "address", Aliases: []string{"地址", "家庭住址"}},
	{Name: "phone", Aliases: []string{"电话", "联系电话"}},
	{Name: "household_type", Aliases: []string{"户类型", "农户类型"}, Required: true},
	{Name: "causes", Aliases: []string{"致贫原因", "主要致贫原因"}},
	{Name: "bank", Aliases: []string{"开户银行"}},
	{Name: "account_no", Aliases: []string{"账号", "一折通账号"}},
	{Name: "income_per_capita_yuan", Aliases: []string{"人均纯收入(元)", "人均纯收入"}},
	{Name: "income_year", Aliases: []string{"收入年度"}},
	{Name: "registered_on", Aliases: []string{"纳入日期"}},
	{Name: "status", Aliases: []string{"状态", "农户状态"}},
	{Name: "exited_on", Aliases: []string{"脱贫日期"}},
	{Name: "head_name", Aliases: []string{"户主姓名"}},
	{Name: "income_wage_yuan", Aliases: []string{"工资性收入(元)"}},
	{Name: "income_production_yuan", Aliases: []string{"生产经营性收入(元)"}},
	{Name: "income_property_yuan", Aliases: []string{"财产性收入(元)"}},
	{Name: "income_transfer_yuan", Aliases: []string{"转移性收入(元)"}},
	{Name: "g_food", Aliases: []string{"不愁吃穿"}},
	{Name: "g_education", Aliases: []string{"义务教育保障"}},
	{Name: "g_medical", Aliases: []string{"基本医疗保障"}},
	{Name: "g_housing", Aliases: []string{"住房安全保障"}},
	{Name: "g_water", Aliases: []string{"饮水安全保障"}},
}}

var exHouseholdColumns = func() []string {
	out := make([]string, len(exHouseholdSchema.Columns))
	for i, c := range exHouseholdSchema.Columns {
		out[i] = c.Name
	}
	return out
}()

// exHouseholdField maps HouseholdInput.Validate's field names to the file's columns.
var exHouseholdField = map[string]string{"region_code": "village_code", "income.year": "income_year",
	"income": "income_per_capita_yuan", "guarantees.food": "g_food", "guarantees.education": "g_education",
	"guarantees.medical": "g_medical", "guarantees.housing": "g_housing", "guarantees.water": "g_water"}

// exHousehold is a household as an import reads, compares and writes it: each column in its
// stored form (amounts in fen, dates YYYY-MM-DD, "" for none), so a file row and a database
// row compare cell by cell.
type exHousehold [hCols]string

// parseHousehold reads and validates one row with the same rules as the console
// (HouseholdInput.Validate). Status may come back "" (not given).
func parseHousehold(row tabular.Row, now time.Time) (exHousehold, error) {
	var h exHousehold
	for i, c := range exHouseholdColumns {
		h[i] = exCell(row, c)
		if strings.IndexByte(h[i], 0) >= 0 {
			return h, exCellErr(c, exNULReason)
		}
	}
	in := HouseholdInput{HouseholdNo: h[hNo], RegionCode: h[hVillage], GroupName: h[hGroup], HeadName: h[hHeadName],
		HeadIDNumber: h[hHeadID], Address: h[hAddress], Phone: h[hPhone], Bank: h[hBank], AccountNo: h[hAccount]}
	t, ok := exCode(h[hType], exTypeCodes, exTypeLabels)
	if !ok || t == "" {
		return h, exCellErr("household_type", exTypeHint)
	}
	in.HouseholdType = Type(t)
	if in.Causes, ok = exSplitCauseCell(h[hCauses]); !ok {
		return h, exCellErr("causes", exCauseHint)
	}
	amounts := []struct {
		col int
		dst *int64
	}{{hIncome, &in.Income.PerCapitaFen}, {hWage, &in.Income.WageFen}, {hProduction, &in.Income.ProductionFen},
		{hProperty, &in.Income.PropertyFen}, {hTransfer, &in.Income.TransferFen}}
	for _, a := range amounts {
		v, err := exYuan(h[a.col])
		if err != nil {
			return h, exCellErr(exHouseholdColumns[a.col], err.Error())
		}
		*a.dst = v
	}
	if in.Income.Year, ok = exYearOf(h[hYear]); !ok {
		return h, exCellErr("income_year", "收入年度应为四位年份,如 2025")
	}
	g := []*string{&in.Guarantees.Food, &in.Guarantees.Education, &in.Guarantees.Medical, &in.Guarantees.Housing, &in.Guarantees.Water}
	for i, dst := range g {
		if *dst, ok = exCode(h[hFood+i], exGuaranteeCodes, exGuaranteeLabels); !ok {
			return h, exCellErr(exHouseholdColumns[hFood+i], exGuaranteeHint)
		}
	}
	for _, c := range []int{hRegistered, hExited} {
		d, err := exDate(h[c])
		if err != nil {
			return h, exCellErr(exHouseholdColumns[c], err.Error())
		}
		h[c] = d
	}
	st, ok := exCode(h[hStatus], exStatusCodes, exStatusLabels)
	if !ok {
		return h, exCellErr("status", exStatusHint)
	}
	in.Normalize()
	if err := in.Validate(now); err != nil {
		return h, exFirstFieldErr(err, exHouseholdColumns, exHouseholdField)
	}
	h = exHousehold{in.HouseholdNo, in.RegionCode, in.GroupName, in.HeadIDNumber, in.Address, in.Phone,
		string(in.HouseholdType), strings.Join(in.Causes, ";"), in.Bank, in.AccountNo, exI64(in.Income.PerCapitaFen),
		strconv.Itoa(in.Income.Year), h[hRegistered], st, h[hExited], in.HeadName, exI64(in.Income.WageFen),
		exI64(in.Income.ProductionFen), exI64(in.Income.PropertyFen), exI64(in.Income.TransferFen),
		in.Guarantees.Food, in.Guarantees.Education, in.Guarantees.Medical, in.Guarantees.Housing, in.Guarantees.Water}
	return h, nil
}

// checkExit keeps status and exit date consistent (status: the row's, or the stored one).
func (h *exHousehold) checkExit(status string, exitedGiven bool) error {
	switch {
	case status == string(Exited) && exitedGiven && h[hExited] == "":
		return exCellErr("exited_on", "脱贫户须填写脱贫日期")
	case (status == string(Registered) || status == string(Applying)) && h[hExited] != "":
		return exCellErr("exited_on", "未脱贫的农户不应填写脱贫日期")
	}
	return nil
}

const exHouseholdSelect = `id, household_no, region_code, group_name, head_id_number, address, phone, household_type, causes,
	bank, account_no, income_per_capita_fen, income_year, COALESCE(registered_on, ''), status, COALESCE(exited_on, ''),
	head_name, income_wage_fen, income_production_fen, income_property_fen, income_transfer_fen,
	g_food, g_education, g_medical, g_housing, g_water`

func scanExHousehold(s exScanner) (int64, exHousehold, error) {
	var id int64
	var h exHousehold
	var n [7]int64
	err := s.Scan(&id, &h[hNo], &h[hVillage], &h[hGroup], &h[hHeadID], &h[hAddress], &h[hPhone], &h[hType], &h[hCauses],
		&h[hBank], &h[hAccount], &n[0], &n[1], &h[hRegistered], &h[hStatus], &h[hExited],
		&h[hHeadName], &n[2], &n[3], &n[4], &n[5], &h[hFood], &h[hEducation], &h[hMedical], &h[hHousing], &h[hWater])
	h[hIncome], h[hYear] = exI64(n[0]), exI64(n[1])
	h[hWage], h[hProduction], h[hProperty], h[hTransfer] = exI64(n[2]), exI64(n[3]), exI64(n[4]), exI64(n[5])
	return id, h, err
}

// exportHouseholds writes every household in the principal's scope, full ID numbers
// included (the export permission says the holder may have them).
func exportHouseholds(ctx context.Context, q db.Queryer, p *auth.Principal, w *tabular.Writer) error {
	if err := p.Require(auth.HouseholdExport); err != nil {
		return err
	}
	lo, hi := exScopeRange(p)
	rows, err := q.QueryContext(ctx, `SELECT `+exHouseholdSelect+` FROM households WHERE region_code BETWEEN ? AND ?
		ORDER BY region_code, id`, lo, hi)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		_, h, err := scanExHousehold(rows)
		if err != nil {
			return err
		}
		if err := w.Write(h.cells()); err != nil {
			return err
		}
	}
	return rows.Err()
}

// cells is the row as a file carries it: yuan for fen, "" for a zero year.
func (h *exHousehold) cells() []string {
	out := h[:]
	out = append([]string(nil), out...)
	for _, c := range []int{hIncome, hWage, hProduction, hProperty, hTransfer} {
		n, _ := strconv.ParseInt(h[c], 10, 64)
		out[c] = money.FormatPlain(n)
	}
	if out[hYear] == "0" {
		out[hYear] = ""
	}
	return out
}

// exScopeRange is the principal's region range; the command line's root sees all.
func exScopeRange(p *auth.Principal) (lo, hi string) {
	if p.Root {
		return "000000000000", "999999999999"
	}
	return regioncode.Range(p.Scope)
}

// exRecordUpdate is the audit event of a row an import changed: the changed columns only.
func exRecordUpdate(ctx context.Context, tx *db.Tx, p *auth.Principal, action string, householdID int64, region string, before, after map[string]any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "household",
		EntityID: strconv.FormatInt(householdID, 10), RegionCode: region, Before: before, After: after})
}

type exScanner interface{ Scan(...any) error }

func exI64(n int64) string { return strconv.FormatInt(n, 10) }
