package registry

import (
	"context"
	"reflect"
	"strconv"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Service keeps the register: households, members, procedures, the yearly adjustment.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
}

// List pages through households under a region in the principal's scope.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]HouseholdRow, error) {
	if f.Region == "" {
		f.Region = p.Scope
	}
	if !regioncode.Valid(f.Region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, f.Region); err != nil {
		return nil, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return nil, errs.Field("status", "应为 applying、registered、exited 或 removed")
	}
	if f.Type != "" && !f.Type.Valid() {
		return nil, errs.Field("type", "应为 dibao、tekun 或 general")
	}
	if f.Cause != "" && !contains(Causes, f.Cause) {
		return nil, errs.Field("cause", "未知的致贫原因")
	}
	if f.Gap != "" && f.Gap != "any" && !contains(GuaranteeNames, f.Gap) {
		return nil, errs.Field("gap", "应为 any、food、education、medical、housing 或 water")
	}
	return listHouseholds(ctx, s.DB.Reader(), f)
}

// HouseholdFile is everything the household's file page shows.
type HouseholdFile struct {
	Household  Household     `json:"household"`
	Members    []Member      `json:"members"`
	Helper     *HelperRef    `json:"helper"`
	Procedures []Procedure   `json:"procedures"`
	History    []audit.Event `json:"history"`
}

// HelperRef is the household's current helper (帮扶责任人).
type HelperRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Employer string `json:"employer"`
	Position string `json:"position"`
	FromDate string `json:"from_date"`
}

// visible loads a household and checks the principal may do action on it.
func (s *Service) visible(ctx context.Context, q db.Queryer, p *auth.Principal, action auth.Action, id int64) (Household, error) {
	h, err := getHousehold(ctx, q, id)
	if err != nil {
		return h, err
	}
	if !p.InScope(h.RegionCode) {
		return Household{}, errNoHousehold // outside scope looks like absent: no probing for numbers
	}
	return h, p.RequireIn(action, h.RegionCode)
}

// File returns the household's whole record.
func (s *Service) File(ctx context.Context, p *auth.Principal, id int64) (HouseholdFile, error) {
	q := s.DB.Reader()
	h, err := s.visible(ctx, q, p, auth.HouseholdRead, id)
	if err != nil {
		return HouseholdFile{}, err
	}
	f := HouseholdFile{Household: h}
	if f.Members, err = listMembers(ctx, q, id); err != nil {
		return f, err
	}
	if f.Helper, err = currentHelper(ctx, q, id); err != nil {
		return f, err
	}
	if f.Procedures, err = s.proceduresOf(ctx, q, p, id); err != nil {
		return f, err
	}
	if f.History, err = s.Audit.History(ctx, "household", strconv.FormatInt(id, 10), 200); err != nil {
		return f, err
	}
	if f.History == nil {
		f.History = []audit.Event{} // an imported household may have no events of its own yet
	}
	return f, nil
}

// Create records an application (申请纳入): the household with its members, status applying,
// and starts its registration procedure — all in one transaction with the audit events.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in HouseholdInput, members []MemberInput) (int64, error) {
	in.Normalize()
	var id int64
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := in.Validate(tx.Now); err != nil {
			return err
		}
		if err := p.RequireIn(auth.HouseholdWrite, in.RegionCode); err != nil {
			return err
		}
		if err := requireVillage(ctx, tx, in.RegionCode); err != nil {
			return err
		}
		if len(members) == 0 {
			return errs.Field("members", "至少登记一名家庭成员(户主)")
		}
		hasHead := false
		seen := map[string]int{}
		for i := range members {
			members[i].Normalize()
			if members[i].Relation == "head" {
				hasHead = true
			}
			if j, dup := seen[members[i].IDNumber]; dup {
				return errs.Field("members["+strconv.Itoa(i)+"].id_number", "与第 "+strconv.Itoa(j+1)+" 名成员身份证号重复")
			}
			seen[members[i].IDNumber] = i
		}
		if !hasHead {
			return errs.Field("members", "须有一名与户主关系为“户主”的成员")
		}
		var err error
		if id, err = insertHousehold(ctx, tx, in, "console"); err != nil {
			if errs.CodeOf(err) == errs.Conflict {
				return errs.Field("household_no", "户编号已存在")
			}
			return err
		}
		h, err := getHousehold(ctx, tx, id)
		if err != nil {
			return err
		}
		for i, m := range members {
			if _, err := s.addMember(ctx, tx, p, h, m, "members["+strconv.Itoa(i)+"]."); err != nil {
				return err
			}
		}
		if err := refreshHousehold(ctx, tx, id); err != nil {
			return err
		}
		if err := s.record(ctx, tx, p, "household.create", id, in.RegionCode, nil, in); err != nil {
			return err
		}
		_, err = s.start(ctx, tx, p, id, ProcRegistration, "农户申请纳入")
		return err
	})
	return id, err
}

// Update edits a household's record; its number, village and status are not editable here
// (status moves only through procedures).
func (s *Service) Update(ctx context.Context, p *auth.Principal, id, version int64, in HouseholdInput) (Household, error) {
	var out Household
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.visible(ctx, tx, p, auth.HouseholdWrite, id)
		if err != nil {
			return err
		}
		in.HouseholdNo, in.RegionCode = h.HouseholdNo, h.RegionCode
		in.Normalize()
		if err := in.Validate(tx.Now); err != nil {
			return err
		}
		if h.Status == Removed {
			return errs.E(errs.Conflict, "已核销的农户不能修改")
		}
		if reflect.DeepEqual(inputOf(h), in) {
			if h.Version != version {
				return errs.E(errs.Conflict, "该户已被他人修改(版本已变化),请刷新后重试")
			}
			out = h // nothing changed: no new version, no empty audit event
			return nil
		}
		if err := updateHousehold(ctx, tx, id, version, in); err != nil {
			return err
		}
		if out, err = getHousehold(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "household.update", id, h.RegionCode, inputOf(h), inputOf(out))
	})
	return out, err
}

// AddMember adds a person to a household.
func (s *Service) AddMember(ctx context.Context, p *auth.Principal, householdID int64, in MemberInput) (Member, error) {
	var out Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.visible(ctx, tx, p, auth.HouseholdWrite, householdID)
		if err != nil {
			return err
		}
		if h.Status == Removed {
			return errs.E(errs.Conflict, "已核销的农户不能添加成员")
		}
		in.Normalize()
		mid, err := s.addMember(ctx, tx, p, h, in, "")
		if err != nil {
			return err
		}
		if err := refreshHousehold(ctx, tx, householdID); err != nil {
			return err
		}
		out, err = getMember(ctx, tx, mid)
		return err
	})
	return out, err
}

func (s *Service) addMember(ctx context.Context, tx *db.Tx, p *auth.Principal, h Household, in MemberInput, prefix string) (int64, error) {
	id, err := in.Validate(tx.Now)
	if err != nil {
		return 0, prefixed(err, prefix)
	}
	other, otherNo, err := activeHolder(ctx, tx, id.Number)
	if err != nil {
		return 0, err
	}
	if other != 0 {
		return 0, errs.Field(prefix+"id_number", "该身份证号已是农户 "+otherNo+" 的在册成员,一人只能在一个在册户中")
	}
	mid, err := insertMember(ctx, tx, h, in, id, "console")
	if err != nil {
		if errs.CodeOf(err) == errs.Conflict {
			return 0, errs.Field(prefix+"id_number", "该身份证号已是其他在册户的成员")
		}
		return 0, err
	}
	after := in
	after.IDNumber = id.Number
	return mid, s.record(ctx, tx, p, "member.add", h.ID, h.RegionCode, nil, map[string]any{"member_id": mid, "member": after})
}

// UpdateMember edits a member; the ID number is the person and cannot change.
func (s *Service) UpdateMember(ctx context.Context, p *auth.Principal, id int64, in MemberInput) (Member, error) {
	var out Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, err := getMember(ctx, tx, id)
		if err != nil {
			return err
		}
		h, err := s.visible(ctx, tx, p, auth.HouseholdWrite, m.HouseholdID)
		if err != nil {
			return errs.E(errs.NotFound, "成员不存在")
		}
		if !m.Active {
			return errs.E(errs.Conflict, "已迁出的成员不能修改")
		}
		in.Normalize()
		in.IDNumber = m.IDNumber
		if _, err := in.Validate(tx.Now); err != nil {
			return err
		}
		if err := updateMember(ctx, tx, id, in); err != nil {
			return err
		}
		if err := refreshHousehold(ctx, tx, h.ID); err != nil {
			return err
		}
		if out, err = getMember(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "member.update", h.ID, h.RegionCode, map[string]any{"member_id": id, "member": m},
			map[string]any{"member_id": id, "member": out})
	})
	return out, err
}

// LeaveMember records that a member left the household (moved, married out, died): the row
// stays, inactive, so the household's history is whole and the ID may join another household.
func (s *Service) LeaveMember(ctx context.Context, p *auth.Principal, id int64, on, reason string) (Member, error) {
	var out Member
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		m, err := getMember(ctx, tx, id)
		if err != nil {
			return err
		}
		h, err := s.visible(ctx, tx, p, auth.HouseholdWrite, m.HouseholdID)
		if err != nil {
			return errs.E(errs.NotFound, "成员不存在")
		}
		if !m.Active {
			return errs.E(errs.Conflict, "该成员已迁出")
		}
		// Compared as Shanghai calendar dates: "today" before 08:00 is still today.
		if _, err := time.Parse(db.DateLayout, on); err != nil || on > db.Date(tx.Now) {
			return errs.Field("on", "迁出日期应为不晚于今天的 YYYY-MM-DD")
		}
		if reason == "" {
			return errs.Field("reason", "请填写迁出原因")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE members SET active = 0, left_on = ?, left_reason = ?, updated_at = ? WHERE id = ?`,
			on, reason, db.Time(tx.Now), id); err != nil {
			return err
		}
		if err := refreshHousehold(ctx, tx, h.ID); err != nil {
			return err
		}
		if out, err = getMember(ctx, tx, id); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "member.leave", h.ID, h.RegionCode, map[string]any{"member_id": id, "active": true},
			map[string]any{"member_id": id, "active": false, "left_on": on, "left_reason": reason})
	})
	return out, err
}

// record appends the audit event of a registry change: every event is on the household, so
// its file page shows the whole story (members and procedures included).
func (s *Service) record(ctx context.Context, tx *db.Tx, p *auth.Principal, action string, householdID int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "household",
		EntityID: strconv.FormatInt(householdID, 10), RegionCode: region, Before: before, After: after})
}

func requireVillage(ctx context.Context, q db.Queryer, code string) error {
	var level string
	err := q.QueryRowContext(ctx, `SELECT level FROM regions WHERE code = ?`, code).Scan(&level)
	if err != nil || level != "village" {
		return errs.Field("region_code", "区划代码不是已登记的村")
	}
	return nil
}

func inputOf(h Household) HouseholdInput {
	return HouseholdInput{HouseholdNo: h.HouseholdNo, RegionCode: h.RegionCode, GroupName: h.GroupName, HeadName: h.HeadName,
		HeadIDNumber: h.HeadIDNumber, Address: h.Address, Phone: h.Phone, HouseholdType: h.HouseholdType, Causes: h.Causes,
		Bank: h.Bank, AccountNo: h.AccountNo, Income: h.Income, Guarantees: h.Guarantees}
}

// prefixed qualifies a validation error's field names (members[2].id_number).
func prefixed(err error, prefix string) error {
	e, ok := errs.As(err)
	if !ok || prefix == "" || len(e.Fields) == 0 {
		return err
	}
	v := errs.Validation{}
	for k, r := range e.Fields {
		v.Add(prefix+k, r)
	}
	return v.Err()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Household returns a household the principal may read, inside q (a transaction of a domain
// above the registry, such as responsibility, that acts on it).
func (s *Service) Household(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Household, error) {
	return s.visible(ctx, q, p, auth.HouseholdRead, id)
}
