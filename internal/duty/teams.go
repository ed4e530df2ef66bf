package duty

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/idcard"
	"sunshine/internal/regioncode"
)

// TeamMember is one member of a work team.
type TeamMember struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
	Position string `json:"position"`
}

// WorkTeam is a 帮扶工作队 stationed in a village.
type WorkTeam struct {
	ID              int64        `json:"id"`
	RegionCode      string       `json:"region_code"`
	Name            string       `json:"name"`
	DispatchingUnit string       `json:"dispatching_unit"`
	LeaderName      string       `json:"leader_name"`
	LeaderPhone     string       `json:"leader_phone"`
	Members         []TeamMember `json:"members"`
	FromDate        string       `json:"from_date"`
	ToDate          string       `json:"to_date"`
}

// Secretary is a first secretary (第一书记) sent to a village for a term.
type Secretary struct {
	ID              int64  `json:"id"`
	RegionCode      string `json:"region_code"`
	Name            string `json:"name"`
	IDNumber        string `json:"id_number,omitempty"` // input only; answers carry the masked form
	IDNumberMasked  string `json:"id_number_masked"`
	Phone           string `json:"phone"`
	DispatchingUnit string `json:"dispatching_unit"`
	Position        string `json:"position"`
	TermFrom        string `json:"term_from"`
	TermTo          string `json:"term_to"`
}

// VillageDuty is a weak or 软弱涣散 village with who is stationed there now.
type VillageDuty struct {
	Code        string      `json:"code"`
	Name        string      `json:"name"`
	WeakLevel   string      `json:"weak_level"`
	WeakLax     bool        `json:"weak_lax"`
	Teams       []WorkTeam  `json:"teams"`
	Secretaries []Secretary `json:"secretaries"`
	Covered     bool        `json:"covered"` // a current team or secretary
}

func (s *Service) villageInScope(ctx context.Context, q db.Queryer, p *auth.Principal, code string) error {
	if regioncode.LevelOf(code) != regioncode.Village {
		return errs.Field("region_code", "应为村级区划代码")
	}
	if err := p.RequireIn(auth.DutyWrite, code); err != nil {
		return err
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM regions WHERE code = ?`, code).Scan(&n); err != nil || n == 0 {
		return errs.Field("region_code", "村不存在")
	}
	return nil
}

func dateField(v errs.Validation, field, s string, required bool) {
	if s == "" && !required {
		return
	}
	if _, err := time.Parse(db.DateLayout, s); err != nil {
		v.Add(field, "日期格式应为 YYYY-MM-DD")
	}
}

func text(v errs.Validation, field, s string, max int, required bool) {
	if n := len([]rune(s)); (required && n == 0) || n > max {
		v.Add(field, "必填,不超过 "+strconv.Itoa(max)+" 字")
	}
}

// AddTeam stations a work team in a village.
func (s *Service) AddTeam(ctx context.Context, p *auth.Principal, t WorkTeam) (WorkTeam, error) {
	t.Name, t.DispatchingUnit, t.LeaderName = strings.TrimSpace(t.Name), strings.TrimSpace(t.DispatchingUnit), strings.TrimSpace(t.LeaderName)
	v := errs.Validation{}
	text(v, "name", t.Name, 100, true)
	text(v, "dispatching_unit", t.DispatchingUnit, 100, true)
	text(v, "leader_name", t.LeaderName, 50, true)
	dateField(v, "from_date", t.FromDate, true)
	if len(t.Members) > 50 {
		v.Add("members", "队员不超过 50 人")
	}
	for i, m := range t.Members {
		text(v, "members["+strconv.Itoa(i)+"].name", strings.TrimSpace(m.Name), 50, true)
	}
	if err := v.Err(); err != nil {
		return t, err
	}
	if t.Members == nil {
		t.Members = []TeamMember{}
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := s.villageInScope(ctx, tx, p, t.RegionCode); err != nil {
			return err
		}
		members, _ := json.Marshal(t.Members)
		now := db.Time(tx.Now)
		var err error
		t.ID, err = tx.InsertID(ctx, `INSERT INTO work_teams (region_code, name, dispatching_unit, leader_name, leader_phone, members_json,
			from_date, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.RegionCode, t.Name, t.DispatchingUnit, t.LeaderName, t.LeaderPhone, string(members), t.FromDate, now, now)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "work_team.create", EntityType: "region",
			EntityID: t.RegionCode, RegionCode: t.RegionCode, After: t})
	})
	return t, err
}

// EndTeam records a team's withdrawal (the row stays, with its end date).
func (s *Service) EndTeam(ctx context.Context, p *auth.Principal, id int64, on string) (WorkTeam, error) {
	var t WorkTeam
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		list, err := teams(ctx, tx, "id = ?", id)
		if err != nil {
			return err
		}
		if len(list) == 0 || !p.InScope(list[0].RegionCode) {
			return errs.E(errs.NotFound, "工作队不存在")
		}
		t = list[0]
		if err := p.RequireIn(auth.DutyWrite, t.RegionCode); err != nil {
			return err
		}
		if t.ToDate != "" {
			return errs.E(errs.Conflict, "该工作队已于 %s 撤回", t.ToDate)
		}
		if _, err := time.Parse(db.DateLayout, on); err != nil || on < t.FromDate || on > db.Date(tx.Now) {
			return errs.Field("to_date", "撤回日期应在派驻日期与今天之间")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE work_teams SET to_date = ?, updated_at = ? WHERE id = ?`, on, db.Time(tx.Now), id); err != nil {
			return err
		}
		t.ToDate = on
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "work_team.end", EntityType: "region",
			EntityID: t.RegionCode, RegionCode: t.RegionCode, Before: map[string]any{"team_id": id, "to_date": nil}, After: map[string]any{"team_id": id, "to_date": on}})
	})
	return t, err
}

// AddSecretary records a first secretary's term in a village.
func (s *Service) AddSecretary(ctx context.Context, p *auth.Principal, sec Secretary) (Secretary, error) {
	sec.Name, sec.DispatchingUnit = strings.TrimSpace(sec.Name), strings.TrimSpace(sec.DispatchingUnit)
	v := errs.Validation{}
	text(v, "name", sec.Name, 50, true)
	text(v, "dispatching_unit", sec.DispatchingUnit, 100, true)
	dateField(v, "term_from", sec.TermFrom, true)
	dateField(v, "term_to", sec.TermTo, true)
	if sec.TermTo <= sec.TermFrom {
		v.Add("term_to", "任期结束须晚于开始")
	}
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := idcard.Parse(strings.ToUpper(strings.TrimSpace(sec.IDNumber)), tx.Now)
		if err != nil {
			v.Add("id_number", err.Error())
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.villageInScope(ctx, tx, p, sec.RegionCode); err != nil {
			return err
		}
		now := db.Time(tx.Now)
		sec.ID, err = tx.InsertID(ctx, `INSERT INTO first_secretaries (region_code, name, id_number, phone, dispatching_unit, position,
			term_from, term_to, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sec.RegionCode, sec.Name, id.Number, sec.Phone, sec.DispatchingUnit, sec.Position, sec.TermFrom, sec.TermTo, now, now)
		if err != nil {
			return err
		}
		sec.IDNumber, sec.IDNumberMasked = "", idcard.Mask(id.Number)
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "first_secretary.create", EntityType: "region",
			EntityID: sec.RegionCode, RegionCode: sec.RegionCode, After: sec})
	})
	return sec, err
}

// Villages lists the weak and 软弱涣散 villages under region with their current teams and
// secretaries; uncovered keeps only those with neither (a check the alert issue raises).
func (s *Service) Villages(ctx context.Context, p *auth.Principal, region string, uncovered bool) ([]VillageDuty, error) {
	if region == "" {
		region = p.Scope
	}
	if !regioncode.Valid(region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, region); err != nil {
		return nil, err
	}
	q := s.DB.Reader()
	lo, hi := regioncode.Range(region)
	rows, err := q.QueryContext(ctx, `SELECT code, name, weak_level, weak_lax FROM regions
		WHERE level = 'village' AND code BETWEEN ? AND ? AND (weak_level <> '' OR weak_lax = 1) ORDER BY code`, lo, hi)
	if err != nil {
		return nil, err
	}
	out := []VillageDuty{}
	idx := map[string]int{}
	for rows.Next() {
		var v VillageDuty
		var lax int
		if err := rows.Scan(&v.Code, &v.Name, &v.WeakLevel, &lax); err != nil {
			rows.Close()
			return nil, err
		}
		v.WeakLax, v.Teams, v.Secretaries = lax == 1, []WorkTeam{}, []Secretary{}
		idx[v.Code] = len(out)
		out = append(out, v)
	}
	rows.Close()
	today := db.Date(s.DB.Clock())
	ts, err := teams(ctx, q, "region_code BETWEEN ? AND ? AND to_date IS NULL", lo, hi)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if i, ok := idx[t.RegionCode]; ok {
			out[i].Teams = append(out[i].Teams, t)
		}
	}
	srows, err := q.QueryContext(ctx, `SELECT id, region_code, name, id_number, phone, dispatching_unit, position, term_from, term_to
		FROM first_secretaries WHERE region_code BETWEEN ? AND ? AND term_from <= ? AND term_to >= ? ORDER BY id`, lo, hi, today, today)
	if err != nil {
		return nil, err
	}
	defer srows.Close()
	for srows.Next() {
		var sec Secretary
		var num string
		if err := srows.Scan(&sec.ID, &sec.RegionCode, &sec.Name, &num, &sec.Phone, &sec.DispatchingUnit, &sec.Position, &sec.TermFrom, &sec.TermTo); err != nil {
			return nil, err
		}
		sec.IDNumberMasked = idcard.Mask(num)
		if i, ok := idx[sec.RegionCode]; ok {
			out[i].Secretaries = append(out[i].Secretaries, sec)
		}
	}
	if err := srows.Err(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, v := range out {
		v.Covered = len(v.Teams)+len(v.Secretaries) > 0
		if !uncovered || !v.Covered {
			kept = append(kept, v)
		}
	}
	return kept, nil
}

func teams(ctx context.Context, q db.Queryer, where string, args ...any) ([]WorkTeam, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, region_code, name, dispatching_unit, leader_name, leader_phone, members_json, from_date, to_date
		FROM work_teams WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WorkTeam
	for rows.Next() {
		var t WorkTeam
		var members string
		var to sql.NullString
		if err := rows.Scan(&t.ID, &t.RegionCode, &t.Name, &t.DispatchingUnit, &t.LeaderName, &t.LeaderPhone, &members, &t.FromDate, &to); err != nil {
			return nil, err
		}
		t.ToDate = to.String
		if err := json.Unmarshal([]byte(members), &t.Members); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
