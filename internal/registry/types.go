// Package registry is the register of low-income households (低收入农户) and their members:
// the record itself, its lifecycle run through sign-off procedures (程序), publicity and
// objections, the yearly dynamic adjustment, and the household/member imports.
package registry

import (
	"slices"
	"strings"
	"time"

	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/phone"
	"sunshine/internal/regioncode"
)

// Status is where a household is in its lifecycle.
type Status string

const (
	Applying   Status = "applying"   // 申请纳入
	Registered Status = "registered" // 在档
	Exited     Status = "exited"     // 脱贫销号
	Removed    Status = "removed"    // 核销
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Applying, Registered, Exited, Removed:
		return true
	}
	return false
}

// Type is the household's assistance category.
type Type string

const (
	Dibao   Type = "dibao"   // 低保户
	Tekun   Type = "tekun"   // 特困供养(五保)
	General Type = "general" // 一般低收入户
)

// Valid reports whether t is a known type.
func (t Type) Valid() bool { return t == Dibao || t == Tekun || t == General }

// Causes are the canonical poverty causes (FORMATS.md), in display order.
var Causes = []string{"illness", "disability", "schooling", "disaster", "labour", "skills", "capital", "motivation", "other"}

// Guarantee values of 两不愁三保障 and drinking water.
const (
	GuaranteeOK  = "ok"
	GuaranteeGap = "gap"
	GuaranteeNA  = "na"
)

// GuaranteeNames are the five guarantees, as JSON keys and filter values.
var GuaranteeNames = []string{"food", "education", "medical", "housing", "water"}

// Guarantees is the state of 两不愁三保障 + safe drinking water.
type Guarantees struct {
	Food      string `json:"food"`      // 不愁吃、不愁穿
	Education string `json:"education"` // 义务教育有保障
	Medical   string `json:"medical"`   // 基本医疗有保障
	Housing   string `json:"housing"`   // 住房安全有保障
	Water     string `json:"water"`     // 饮水安全有保障
}

// Values lists the guarantees in GuaranteeNames order.
func (g Guarantees) Values() []string {
	return []string{g.Food, g.Education, g.Medical, g.Housing, g.Water}
}

// Gaps lists the names of guarantees not met.
func (g Guarantees) Gaps() []string {
	out := []string{}
	for i, v := range g.Values() {
		if v == GuaranteeGap {
			out = append(out, GuaranteeNames[i])
		}
	}
	return out
}

// Income is the yearly per-capita net income and its parts, in fen.
type Income struct {
	Year          int   `json:"year"`
	PerCapitaFen  int64 `json:"per_capita_fen"`
	WageFen       int64 `json:"wage_fen"`
	ProductionFen int64 `json:"production_fen"`
	PropertyFen   int64 `json:"property_fen"`
	TransferFen   int64 `json:"transfer_fen"`
}

// Household is the full record, as the household file shows it to office users in scope.
type Household struct {
	ID            int64      `json:"id"`
	HouseholdNo   string     `json:"household_no"`
	RegionCode    string     `json:"region_code"`
	RegionName    string     `json:"region_name"`
	GroupName     string     `json:"group_name"`
	HeadName      string     `json:"head_name"`
	HeadIDNumber  string     `json:"head_id_number"`
	Address       string     `json:"address"`
	Phone         string     `json:"phone"`
	HouseholdType Type       `json:"household_type"`
	Causes        []string   `json:"causes"`
	Bank          string     `json:"bank"`
	AccountNo     string     `json:"account_no"`
	Income        Income     `json:"income"`
	Guarantees    Guarantees `json:"guarantees"`
	Status        Status     `json:"status"`
	RegisteredOn  string     `json:"registered_on"`
	ExitedOn      string     `json:"exited_on"`
	PolicyUntil   string     `json:"policy_until"`
	RemovedOn     string     `json:"removed_on"`
	Returns       int        `json:"returns"`
	MembersCount  int        `json:"members_count"`
	Version       int64      `json:"version"`
	Source        string     `json:"source"`
	CreatedAt     string     `json:"created_at"`
	UpdatedAt     string     `json:"updated_at"`
}

// Member is one person of a household.
type Member struct {
	ID              int64  `json:"id"`
	HouseholdID     int64  `json:"household_id"`
	IDNumber        string `json:"id_number"`
	Name            string `json:"name"`
	Relation        string `json:"relation"`
	Sex             string `json:"sex"` // male | female, from the ID number
	BirthDate       string `json:"birth_date"`
	Health          string `json:"health"`
	DisabilityGrade int    `json:"disability_grade"`
	Labour          string `json:"labour"`
	InSchool        bool   `json:"in_school"`
	MedicalInsured  bool   `json:"medical_insurance"`
	DeceasedOn      string `json:"deceased_on"`
	Active          bool   `json:"active"`
	LeftOn          string `json:"left_on"`
	LeftReason      string `json:"left_reason"`
}

// Enumerations of member fields (FORMATS.md members).
var (
	Relations = []string{"head", "spouse", "child", "parent", "grandchild", "sibling", "other"}
	Healths   = []string{"healthy", "chronic", "serious", "disabled"}
	Labours   = []string{"full", "partial", "none"}
)

// HouseholdInput is what an office user enters or an import row carries for a household.
type HouseholdInput struct {
	HouseholdNo   string     `json:"household_no"`
	RegionCode    string     `json:"region_code"` // a village
	GroupName     string     `json:"group_name"`
	HeadName      string     `json:"head_name"`
	HeadIDNumber  string     `json:"head_id_number"`
	Address       string     `json:"address"`
	Phone         string     `json:"phone"`
	HouseholdType Type       `json:"household_type"`
	Causes        []string   `json:"causes"`
	Bank          string     `json:"bank"`
	AccountNo     string     `json:"account_no"`
	Income        Income     `json:"income"`
	Guarantees    Guarantees `json:"guarantees"`
}

// Normalize trims text and fills defaults, before Validate.
func (in *HouseholdInput) Normalize() {
	for _, p := range []*string{&in.HouseholdNo, &in.RegionCode, &in.GroupName, &in.HeadName, &in.HeadIDNumber, &in.Address, &in.Phone, &in.Bank, &in.AccountNo} {
		*p = strings.TrimSpace(*p)
	}
	in.HeadIDNumber = strings.ToUpper(in.HeadIDNumber)
	in.AccountNo = strings.ReplaceAll(in.AccountNo, " ", "")
	cs := []string{}
	for _, c := range in.Causes {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(cs, c) {
			cs = append(cs, c)
		}
	}
	in.Causes = cs
	for _, g := range []*string{&in.Guarantees.Food, &in.Guarantees.Education, &in.Guarantees.Medical, &in.Guarantees.Housing, &in.Guarantees.Water} {
		if *g == "" {
			*g = GuaranteeOK
		}
	}
}

// Validate checks every field; the errors name the field (JSON name) and the reason.
func (in *HouseholdInput) Validate(now time.Time) error {
	v := errs.Validation{}
	if in.HouseholdNo == "" || len(in.HouseholdNo) > 40 {
		v.Add("household_no", "户编号必填,不超过 40 个字符")
	}
	if regioncode.LevelOf(in.RegionCode) != regioncode.Village {
		v.Add("region_code", "应为 12 位村级区划代码")
	}
	if _, err := idcard.Parse(in.HeadIDNumber, now); err != nil {
		v.Add("head_id_number", "户主身份证号无效: "+err.Error())
	}
	if len([]rune(in.HeadName)) > 50 {
		v.Add("head_name", "不超过 50 个字")
	}
	if in.Phone != "" && !phone.Valid(in.Phone) {
		v.Add("phone", "应为 11 位手机号或带区号的固定电话")
	}
	if !in.HouseholdType.Valid() {
		v.Add("household_type", "应为 dibao(低保户)、tekun(特困供养)或 general(一般低收入户)")
	}
	for _, c := range in.Causes {
		if !slices.Contains(Causes, c) {
			v.Add("causes", "未知的致贫原因 "+c+",可用: "+strings.Join(Causes, "、"))
			break
		}
	}
	if in.AccountNo != "" && !validAccount(in.AccountNo) {
		v.Add("account_no", "一折通账号应为 8 到 30 位数字")
	}
	if in.AccountNo != "" && in.Bank == "" {
		v.Add("bank", "填写了账号时须填写开户银行")
	}
	if in.Income.Year != 0 && (in.Income.Year < 2000 || in.Income.Year > now.Year()+1) {
		v.Add("income.year", "收入年度不在合理范围")
	}
	parts := []int64{in.Income.PerCapitaFen, in.Income.WageFen, in.Income.ProductionFen, in.Income.PropertyFen}
	for _, f := range parts {
		if f < 0 {
			v.Add("income", "收入不能为负数(转移性收入除外)")
			break
		}
	}
	for i, g := range in.Guarantees.Values() {
		if g != GuaranteeOK && g != GuaranteeGap && g != GuaranteeNA {
			v.Add("guarantees."+GuaranteeNames[i], "应为 ok(有保障)、gap(未保障)或 na(不适用)")
		}
	}
	return v.Err()
}

// MemberInput is one member as entered or imported.
type MemberInput struct {
	IDNumber        string `json:"id_number"`
	Name            string `json:"name"`
	Relation        string `json:"relation"`
	Health          string `json:"health"`
	DisabilityGrade int    `json:"disability_grade"`
	Labour          string `json:"labour"`
	InSchool        bool   `json:"in_school"`
	MedicalInsured  bool   `json:"medical_insurance"`
	DeceasedOn      string `json:"deceased_on"`
}

// Normalize trims text and fills defaults, before Validate.
func (m *MemberInput) Normalize() {
	m.IDNumber = strings.ToUpper(strings.TrimSpace(m.IDNumber))
	m.Name = strings.TrimSpace(m.Name)
	m.DeceasedOn = strings.TrimSpace(m.DeceasedOn)
	if m.Health == "" {
		m.Health = "healthy"
	}
	if m.Labour == "" {
		m.Labour = "full"
	}
}

// Validate checks the member and returns the parsed ID number (birth date and sex derive
// from it).
func (m *MemberInput) Validate(now time.Time) (idcard.ID, error) {
	v := errs.Validation{}
	id, err := idcard.Parse(m.IDNumber, now)
	if err != nil {
		v.Add("id_number", err.Error())
	}
	if n := len([]rune(m.Name)); n == 0 || n > 50 {
		v.Add("name", "姓名必填,不超过 50 个字")
	}
	if !slices.Contains(Relations, m.Relation) {
		v.Add("relation", "应为 "+strings.Join(Relations, "、")+" 之一")
	}
	if !slices.Contains(Healths, m.Health) {
		v.Add("health", "应为 "+strings.Join(Healths, "、")+" 之一")
	}
	if m.DisabilityGrade < 0 || m.DisabilityGrade > 4 {
		v.Add("disability_grade", "残疾等级应为 0 到 4")
	}
	if !slices.Contains(Labours, m.Labour) {
		v.Add("labour", "应为 "+strings.Join(Labours, "、")+" 之一")
	}
	if m.DeceasedOn != "" {
		d, err := time.Parse(db.DateLayout, m.DeceasedOn)
		if err != nil {
			v.Add("deceased_on", "日期格式应为 YYYY-MM-DD")
		} else if m.DeceasedOn > db.Date(now) { // today in Shanghai, not in UTC
			v.Add("deceased_on", "死亡日期不能晚于今天")
		} else if err == nil && !id.Birth.IsZero() && d.Before(id.Birth) {
			v.Add("deceased_on", "死亡日期早于出生日期")
		}
	}
	return id, v.Err()
}

// SexOf is the stored sex of a parsed ID.
func SexOf(id idcard.ID) string {
	if id.Sex == idcard.Female {
		return "female"
	}
	return "male"
}

func validAccount(s string) bool {
	if len(s) < 8 || len(s) > 30 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// HouseholdRow is a household as the office list shows it. The head's ID number is masked
// even here: the list is for finding a household, its file page shows the full record.
type HouseholdRow struct {
	ID                 int64    `json:"id"`
	HouseholdNo        string   `json:"household_no"`
	RegionCode         string   `json:"region_code"`
	VillageName        string   `json:"village_name"`
	HeadName           string   `json:"head_name"`
	HeadIDMasked       string   `json:"head_id_masked"`
	Status             Status   `json:"status"`
	HouseholdType      Type     `json:"household_type"`
	Causes             []string `json:"causes"`
	Gaps               []string `json:"gaps"`
	MembersCount       int      `json:"members_count"`
	IncomePerCapitaFen int64    `json:"income_per_capita_fen"`
	IncomeYear         int      `json:"income_year"`
}

// Filter selects households for the list.
type Filter struct {
	Region    string // region code; rows under it
	Status    Status
	Type      Type
	Cause     string
	Gap       string // a guarantee name, or "any"
	IncomeMin *int64 // fen, inclusive
	IncomeMax *int64 // fen, inclusive
	Query     string // household number or head's name prefix
	NoHelper  bool   // only households without a current helper
	After     Cursor
	Limit     int
}

// Cursor is the keyset position in the list: rows are ordered by (region_code, id), so a
// page is one range read of the region index.
type Cursor struct {
	Region string
	ID     int64
}

// Counts are headline figures for a region.
type Counts struct {
	Households int64 `json:"households"`
	Registered int64 `json:"registered"`
	Applying   int64 `json:"applying"`
	Exited     int64 `json:"exited"`
	Removed    int64 `json:"removed"`
	Members    int64 `json:"members"`
}

func splitCauses(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ";")
}
