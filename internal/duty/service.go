package duty

import (
	"context"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/registry"
)

// Service keeps who answers for which household.
type Service struct {
	DB       *db.DB
	Audit    *audit.Service
	Registry *registry.Service
}

// visibleHelper loads a helper the principal may see: registered in their scope, or by an
// office above them (a county's cadres help in its towns).
func (s *Service) visibleHelper(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Helper, error) {
	h, err := getHelper(ctx, q, id)
	if err != nil {
		return h, err
	}
	if !p.InScope(h.RegionCode) && !regioncode.Within(p.Scope, h.RegionCode) {
		return Helper{}, errNoHelper
	}
	return h, nil
}

// writableHelper loads a helper the principal may see and change: duty.write where the
// helper is registered.
func (s *Service) writableHelper(ctx context.Context, q db.Queryer, p *auth.Principal, id int64) (Helper, error) {
	h, err := s.visibleHelper(ctx, q, p, id)
	if err != nil {
		return h, err
	}
	return h, p.RequireIn(auth.DutyWrite, h.RegionCode)
}

// Helpers pages through helpers registered under a region in scope.
func (s *Service) Helpers(ctx context.Context, p *auth.Principal, f HelperFilter) ([]HelperRow, error) {
	if f.Region == "" {
		f.Region = p.Scope
	}
	if !regioncode.Valid(f.Region) {
		return nil, errs.Field("region", "区划代码须为 12 位数字")
	}
	if err := p.RequireIn(auth.HouseholdRead, f.Region); err != nil {
		return nil, err
	}
	return listHelpers(ctx, s.DB.Reader(), f)
}

// HelperFile is a helper with their current households and history.
type HelperFile struct {
	Helper     Helper            `json:"helper"`
	Households []HelperHousehold `json:"households"`
	History    []audit.Event     `json:"history"`
}

// File returns a helper's record.
func (s *Service) File(ctx context.Context, p *auth.Principal, id int64) (HelperFile, error) {
	if err := p.Require(auth.HouseholdRead); err != nil {
		return HelperFile{}, err
	}
	q := s.DB.Reader()
	h, err := s.visibleHelper(ctx, q, p, id)
	if err != nil {
		return HelperFile{}, err
	}
	f := HelperFile{Helper: h}
	if f.Households, err = currentHouseholds(ctx, q, id, p.Scope); err != nil {
		return f, err
	}
	if f.History, err = s.Audit.History(ctx, "helper", strconv.FormatInt(id, 10), 100); err != nil {
		return f, err
	}
	if f.History == nil {
		f.History = []audit.Event{}
	}
	return f, nil
}

// Create registers a helper under the principal's scope.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in HelperInput) (Helper, error) {
	var out Helper
	if err := p.RequireIn(auth.DutyWrite, p.Scope); err != nil {
		return out, err
	}
	in.Normalize()
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		id, err := in.Validate(tx.Now)
		if err != nil {
			return err
		}
		in.IDNumber = id.Number
		hid, err := insertHelper(ctx, tx, in, p.Scope)
		if errs.CodeOf(err) == errs.Conflict {
			return errs.Field("id_number", "该身份证号已登记为帮扶责任人")
		}
		if err != nil {
			return err
		}
		if out, err = getHelper(ctx, tx, hid); err != nil {
			return err
		}
		return s.record(ctx, tx, p, "helper.create", hid, p.Scope, nil, out)
	})
	return out, err
}

// Update edits a helper; deactivating one who still answers for households is refused (move
// them first: Reassign).
func (s *Service) Update(ctx context.Context, p *auth.Principal, id int64, in HelperInput, active bool) (Helper, error) {
	var out Helper
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		h, err := s.writableHelper(ctx, tx, p, id)
		if err != nil {
			return err
		}
		in.Normalize()
		in.IDNumber = h.IDNumber // the person does not change
		if _, err := in.Validate(tx.Now); err != nil {
			return err
		}
		if !active && h.Active {
			n, err := countCurrent(ctx, tx, id)
			if err != nil {
				return err
			}
			if n > 0 {
				return errs.E(errs.Conflict, "该帮扶责任人仍帮扶 %d 户,请先整体移交后再停用", n)
			}
		}
		if err := updateHelper(ctx, tx, id, in, active); err != nil {
			return err
		}
		if out, err = getHelper(ctx, tx, id); err != nil {
			return err
		}
		if out == h {
			return nil
		}
		return s.record(ctx, tx, p, "helper.update", id, h.RegionCode, h, out)
	})
	return out, err
}

// Assign makes helperID the household's helper from a date: the current assignment ends on
// that date and the history is kept. Exactly one helper answers for a household at a time.
func (s *Service) Assign(ctx context.Context, p *auth.Principal, householdID int64, in AssignInput) (Assignment, error) {
	var out Assignment
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		from, err := in.validate(tx.Now)
		if err != nil {
			return err
		}
		hh, err := s.Registry.Household(ctx, tx, p, householdID)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.DutyWrite, hh.RegionCode); err != nil {
			return err
		}
		if hh.Status != registry.Registered && hh.Status != registry.Exited {
			return errs.E(errs.Conflict, "只有在档或脱贫(政策延续期内)的农户落实帮扶责任人")
		}
		h, err := s.visibleHelper(ctx, tx, p, in.HelperID)
		if err != nil {
			return errs.Field("helper_id", "帮扶责任人不存在或不在管辖范围内")
		}
		if !h.Active {
			return errs.Field("helper_id", "该帮扶责任人已停用")
		}
		cur, err := currentAssignment(ctx, tx, householdID)
		if err != nil {
			return err
		}
		if cur != nil && cur.HelperID == h.ID {
			return errs.E(errs.Conflict, "该户的帮扶责任人已是%s", h.Name)
		}
		if out, err = s.move(ctx, tx, p, hh.ID, hh.RegionCode, cur, h, from, in.Reason); err != nil {
			return err
		}
		return nil
	})
	return out, err
}

// move ends cur (if any) on from and opens the assignment to h, with the household's audit event.
func (s *Service) move(ctx context.Context, tx *db.Tx, p *auth.Principal, householdID int64, region string, cur *Assignment, h Helper, from, reason string) (Assignment, error) {
	var before any
	if cur != nil {
		if from < cur.FromDate {
			return Assignment{}, errs.Field("from_date", "起始日期不能早于现任帮扶责任人的起始日期 "+cur.FromDate)
		}
		if err := endAssignment(ctx, tx, cur.ID, from); err != nil {
			return Assignment{}, err
		}
		before = map[string]any{"helper_id": cur.HelperID, "from_date": cur.FromDate}
	}
	a := Assignment{HouseholdID: householdID, HelperID: h.ID, RegionCode: region, FromDate: from}
	var err error
	if a.ID, err = insertAssignment(ctx, tx, a); err != nil {
		return a, err
	}
	return a, audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: "helper.assign", EntityType: "household",
		EntityID: strconv.FormatInt(householdID, 10), RegionCode: region, Before: before,
		After: map[string]any{"helper_id": h.ID, "helper_name": h.Name, "from_date": from, "reason": reason}})
}

// Reassign moves every current household of one helper to another (a helper leaves), in one
// transaction: all move or none.
func (s *Service) Reassign(ctx context.Context, p *auth.Principal, fromHelper int64, in AssignInput) (int, error) {
	moved := 0
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		from, err := in.validate(tx.Now)
		if err != nil {
			return err
		}
		old, err := s.visibleHelper(ctx, tx, p, fromHelper)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.DutyWrite, p.Scope); err != nil {
			return err
		}
		to, err := s.visibleHelper(ctx, tx, p, in.HelperID)
		if err != nil {
			return errs.Field("helper_id", "接收的帮扶责任人不存在或不在管辖范围内")
		}
		if to.ID == old.ID || !to.Active {
			return errs.Field("helper_id", "请选择另一位在岗的帮扶责任人")
		}
		list, err := currentOf(ctx, tx, old.ID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			return errs.E(errs.Conflict, "%s 当前没有帮扶的农户", old.Name)
		}
		for _, cur := range list {
			// Every household must be in the principal's scope: a town office cannot move a
			// helper's households in another town.
			if !p.InScope(cur.RegionCode) {
				return errs.E(errs.Forbidden, "%s 帮扶的部分农户不在您的管辖范围内,须由上级统一移交", old.Name)
			}
			c := cur
			if _, err := s.move(ctx, tx, p, cur.HouseholdID, cur.RegionCode, &c, to, from, in.Reason); err != nil {
				return err
			}
			moved++
		}
		return s.record(ctx, tx, p, "helper.reassign", old.ID, old.RegionCode, map[string]any{"households": moved},
			map[string]any{"to_helper_id": to.ID, "to_helper_name": to.Name, "from_date": from, "households": moved, "reason": in.Reason})
	})
	return moved, err
}

// Coverage is how far responsibility is carried out in a region (帮扶责任落实情况).
type Coverage struct {
	RegionCode         string                  `json:"region_code"`
	MaxLoad            int                     `json:"max_load"`
	Registered         int64                   `json:"registered"`
	Covered            int64                   `json:"covered"`
	WithoutHelper      []registry.HouseholdRow `json:"without_helper"`
	WithoutHelperTotal int64                   `json:"without_helper_total"`
	Overloaded         []Load                  `json:"overloaded"`
	WeakVillages       int                     `json:"weak_villages"`
	WeakUncovered      []VillageDuty           `json:"weak_uncovered"` // weak or 软弱涣散 villages with no team or secretary
}

// Load is a helper with more households than the configured maximum.
type Load struct {
	Helper     HelperRow `json:"helper"`
	Households int       `json:"households"`
}

// Coverage lists registered households without a helper and helpers above maxLoad.
func (s *Service) Coverage(ctx context.Context, p *auth.Principal, region string, maxLoad int) (Coverage, error) {
	c := Coverage{RegionCode: region, MaxLoad: maxLoad, Overloaded: []Load{}}
	if c.RegionCode == "" {
		c.RegionCode = p.Scope
	}
	if maxLoad < 1 || maxLoad > 1000 {
		return c, errs.Field("max_load", "应为 1 到 1000")
	}
	var err error
	c.WithoutHelper, err = s.Registry.List(ctx, p, registry.Filter{Region: c.RegionCode, Status: registry.Registered, NoHelper: true, Limit: 500})
	if err != nil {
		return c, err
	}
	q := s.DB.Reader()
	lo, hi := regioncode.Range(c.RegionCode)
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(a.id) FROM households h
		LEFT JOIN assignments a ON a.household_id = h.id AND a.to_date IS NULL
		WHERE h.region_code BETWEEN ? AND ? AND h.status = 'registered'`, lo, hi).Scan(&c.Registered, &c.Covered); err != nil {
		return c, err
	}
	c.WithoutHelperTotal = c.Registered - c.Covered
	if c.Overloaded, err = overloaded(ctx, q, lo, hi, maxLoad); err != nil {
		return c, err
	}
	all, err := s.Villages(ctx, p, c.RegionCode, false)
	if err != nil {
		return c, err
	}
	c.WeakVillages, c.WeakUncovered = len(all), []VillageDuty{}
	for _, v := range all {
		if !v.Covered {
			c.WeakUncovered = append(c.WeakUncovered, v)
		}
	}
	return c, nil
}

func (s *Service) record(ctx context.Context, tx *db.Tx, p *auth.Principal, action string, helperID int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: "helper",
		EntityID: strconv.FormatInt(helperID, 10), RegionCode: region, Before: before, After: after})
}

// AssignInput names the helper who takes over, from when and why.
type AssignInput struct {
	HelperID int64  `json:"helper_id"`
	FromDate string `json:"from_date"`
	Reason   string `json:"reason"`
}

func (in *AssignInput) validate(now time.Time) (string, error) {
	in.FromDate, in.Reason = strings.TrimSpace(in.FromDate), strings.TrimSpace(in.Reason)
	v := errs.Validation{}
	if in.HelperID <= 0 {
		v.Add("helper_id", "请选择帮扶责任人")
	}
	if _, err := time.Parse(db.DateLayout, in.FromDate); err != nil {
		v.Add("from_date", "日期格式应为 YYYY-MM-DD")
	} else if in.FromDate > db.Date(now) {
		v.Add("from_date", "起始日期不能晚于今天")
	}
	if in.Reason == "" || len([]rune(in.Reason)) > 500 {
		v.Add("reason", "请填写原因(不超过 500 字)")
	}
	return in.FromDate, v.Err()
}
