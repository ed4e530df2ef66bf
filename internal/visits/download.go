package visits

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// Download is what the field app keeps offline: the helper's own households, never anyone
// else's, without ID numbers or bank accounts.
type Download struct {
	Helper       fieldHelper         `json:"helper"`
	Quarter      string              `json:"quarter"`
	QuarterStart string              `json:"quarter_start"`
	QuarterEnd   string              `json:"quarter_end"`
	GeneratedAt  string              `json:"generated_at"`
	Households   []DownloadHousehold `json:"households"`
}

// DownloadHousehold is one household on the phone.
type DownloadHousehold struct {
	ID                 int64          `json:"id"`
	HouseholdNo        string         `json:"household_no"`
	HeadName           string         `json:"head_name"`
	RegionCode         string         `json:"region_code"`
	RegionName         string         `json:"region_name"`
	GroupName          string         `json:"group_name"`
	Address            string         `json:"address"`
	Phone              string         `json:"phone"`
	HouseholdType      registry.Type  `json:"household_type"`
	Status             string         `json:"status"`
	Causes             []string       `json:"causes"`
	MembersCount       int            `json:"members_count"`
	Members            []FieldMember  `json:"members"`
	Income             FieldIncome    `json:"income"`
	Guarantees         Guarantees     `json:"guarantees"`
	Location           *FieldLocation `json:"location"`
	VisitedThisQuarter bool           `json:"visited_this_quarter"`
	Visits             []FieldVisit   `json:"visits"`
	// Doubts are the household's cross-check doubts dispatched for verification (待核查疑点),
	// without ID numbers; read-only on the phone.
	Doubts []crosscheck.FieldDoubt `json:"doubts"`
}

// FieldMember is a member as the helper needs to know them: no ID number, an age instead of
// the birth date.
type FieldMember struct {
	Name            string `json:"name"`
	Relation        string `json:"relation"`
	Sex             string `json:"sex"`
	Age             int    `json:"age"`
	Health          string `json:"health"`
	DisabilityGrade int    `json:"disability_grade"`
	Labour          string `json:"labour"`
	InSchool        bool   `json:"in_school"`
}

// FieldIncome is the household's recorded per-capita income.
type FieldIncome struct {
	Year         int   `json:"year"`
	PerCapitaFen int64 `json:"per_capita_fen"`
}

// FieldLocation is where the household lives.
type FieldLocation struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// visitsPerHousehold is how many of a household's latest visits the phone gets.
const visitsPerHousehold = 4

// Households is the field app's download: the caller's helper's current households in scope
// (not removed), each with its members, guarantees, location and latest visits.
func (s *Service) Households(ctx context.Context, p *auth.Principal) (Download, error) {
	q := s.DB.Reader()
	h, err := s.myHelper(ctx, q, p)
	if err != nil {
		return Download{}, err
	}
	now := s.DB.Clock().UTC()
	qs := QuarterOf(now)
	start, end, _ := QuarterBounds(qs)
	out := Download{Helper: h, Quarter: qs, QuarterStart: start.Format(db.DateLayout),
		QuarterEnd: end.Add(-time.Nanosecond).Format(db.DateLayout), GeneratedAt: now.Format(time.RFC3339), Households: []DownloadHousehold{}}
	lo, hi := regioncode.Range(p.Scope)
	rows, err := q.QueryContext(ctx, `SELECT h.id, h.household_no, h.head_name, h.region_code, COALESCE(r.name, ''), h.group_name, h.address,
		h.phone, h.household_type, h.status, h.causes, h.members_count, h.income_year, h.income_per_capita_fen,
		h.g_food, h.g_education, h.g_medical, h.g_housing, h.g_water, l.lat, l.lng
		FROM assignments a JOIN households h ON h.id = a.household_id LEFT JOIN regions r ON r.code = h.region_code
		LEFT JOIN household_locations l ON l.household_id = h.id
		WHERE a.helper_id = ? AND a.to_date IS NULL AND h.status <> 'removed' AND h.region_code BETWEEN ? AND ?
		ORDER BY h.region_code, h.id`, h.ID, lo, hi)
	if err != nil {
		return out, err
	}
	idx := map[int64]int{}
	for rows.Next() {
		var d DownloadHousehold
		var causes string
		var lat, lng sql.NullFloat64
		g := &d.Guarantees
		if err := rows.Scan(&d.ID, &d.HouseholdNo, &d.HeadName, &d.RegionCode, &d.RegionName, &d.GroupName, &d.Address,
			&d.Phone, &d.HouseholdType, &d.Status, &causes, &d.MembersCount, &d.Income.Year, &d.Income.PerCapitaFen,
			&g.Food, &g.Education, &g.Medical, &g.Housing, &g.Water, &lat, &lng); err != nil {
			rows.Close()
			return out, err
		}
		d.Causes = []string{}
		if causes != "" {
			d.Causes = strings.Split(causes, ";")
		}
		if lat.Valid && lng.Valid {
			d.Location = &FieldLocation{Lat: lat.Float64, Lng: lng.Float64}
		}
		d.Members, d.Visits, d.Doubts = []FieldMember{}, []FieldVisit{}, []crosscheck.FieldDoubt{}
		idx[d.ID] = len(out.Households)
		out.Households = append(out.Households, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out.Households) == 0 {
		return out, err
	}
	ids := make([]any, len(out.Households))
	for i, d := range out.Households {
		ids[i] = d.ID
	}
	in := placeholders(len(ids))
	if err := s.downloadMembers(ctx, q, out.Households, idx, in, ids, now); err != nil {
		return out, err
	}
	// The latest visits of each household, by anyone (a predecessor's visits too).
	list, err := fieldVisits(ctx, q, `v.id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER (PARTITION BY household_id
		ORDER BY visited_at DESC, id DESC) AS n FROM visits WHERE household_id IN (`+in+`)) t WHERE n <= `+itoa(visitsPerHousehold)+`)`, ids...)
	if err != nil {
		return out, err
	}
	for _, v := range list {
		d := &out.Households[idx[v.HouseholdID]]
		d.Visits = append(d.Visits, v)
	}
	// Doubts dispatched for verification, whoever dispatched them: the current helper checks.
	hids := make([]int64, len(out.Households))
	for i, d := range out.Households {
		hids[i] = d.ID
	}
	doubts, err := crosscheck.FieldDoubts(ctx, q, now, hids)
	if err != nil {
		return out, err
	}
	for id, list := range doubts {
		out.Households[idx[id]].Doubts = list
	}
	// Visited this quarter by anyone: the compliance view counts the same.
	qrows, err := q.QueryContext(ctx, `SELECT DISTINCT household_id FROM visits WHERE quarter = ? AND household_id IN (`+in+`)`,
		append([]any{qs}, ids...)...)
	if err != nil {
		return out, err
	}
	defer qrows.Close()
	for qrows.Next() {
		var id int64
		if err := qrows.Scan(&id); err != nil {
			return out, err
		}
		out.Households[idx[id]].VisitedThisQuarter = true
	}
	return out, qrows.Err()
}

func (s *Service) downloadMembers(ctx context.Context, q db.Queryer, hs []DownloadHousehold, idx map[int64]int, in string, ids []any, now time.Time) error {
	rows, err := q.QueryContext(ctx, `SELECT household_id, name, relation, sex, birth_date, health, disability_grade, labour, in_school
		FROM members WHERE active = 1 AND deceased_on IS NULL AND household_id IN (`+in+`) ORDER BY household_id, id`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	today := now.In(db.Shanghai)
	for rows.Next() {
		var hid int64
		var m FieldMember
		var birth string
		var school int
		if err := rows.Scan(&hid, &m.Name, &m.Relation, &m.Sex, &birth, &m.Health, &m.DisabilityGrade, &m.Labour, &school); err != nil {
			return err
		}
		m.InSchool, m.Age = school == 1, ageOn(birth, today)
		d := &hs[idx[hid]]
		d.Members = append(d.Members, m)
	}
	return rows.Err()
}

// ageOn is the age in whole years on today's date of someone born on birth (YYYY-MM-DD).
func ageOn(birth string, today time.Time) int {
	b, err := time.Parse(db.DateLayout, birth)
	if err != nil {
		return 0
	}
	age := today.Year() - b.Year()
	if today.Month() < b.Month() || (today.Month() == b.Month() && today.Day() < b.Day()) {
		age--
	}
	return max(age, 0)
}

func itoa(n int) string { return strconv.Itoa(n) }
