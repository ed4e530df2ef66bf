package disclosure

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
)

// Service answers the public pages.
//
//	s := &disclosure.Service{DB: d}
//	s.Routes(router)
//
// Reads go to DB.Reader() (SQLite's read pool, never the single writer), through Cache.
type Service struct {
	DB *db.DB
	// Cache of encoded answers; nil: a 30-second cache of 4096 entries timed by DB.Clock.
	Cache *Cache
	// Limiter of public objections per client; nil: ObjectionsPerHour / ObjectionsPerDay.
	Limiter *Limiter
	// Reader overrides DB.Reader() (tests count queries through it).
	Reader db.Queryer

	once sync.Once
}

// CacheTTL is how long a public answer is served from memory.
const CacheTTL = 30 * time.Second

// CacheMax bounds the cached answers (a county's pages and its households' pages fit many times).
const CacheMax = 4096

func (s *Service) init() {
	s.once.Do(func() {
		if s.Cache == nil {
			s.Cache = NewCache(CacheTTL, CacheMax, s.now)
		}
		if s.Limiter == nil {
			s.Limiter = NewLimiter(s.now)
		}
	})
}

func (s *Service) now() time.Time {
	if s.DB != nil && s.DB.Clock != nil {
		return s.DB.Clock()
	}
	return time.Now()
}

func (s *Service) q() db.Queryer {
	if s.Reader != nil {
		return s.Reader
	}
	return s.DB.Reader()
}

// cached answers key from the cache, or runs load and encodes its result.
func cached[T any](ctx context.Context, s *Service, key string, load func(ctx context.Context) (T, error)) ([]byte, error) {
	s.init()
	return s.Cache.Get(ctx, key, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	})
}

// RegionPageJSON is the encoded public page of a region (cached).
func (s *Service) RegionPageJSON(ctx context.Context, code string) ([]byte, error) {
	if err := checkCode(code); err != nil {
		return nil, err
	}
	return cached(ctx, s, "region|"+code, func(ctx context.Context) (RegionPage, error) { return s.RegionPage(ctx, code) })
}

// RegionPage reads the public page of a region (uncached).
func (s *Service) RegionPage(ctx context.Context, code string) (RegionPage, error) {
	if err := checkCode(code); err != nil {
		return RegionPage{}, err
	}
	q, now := s.q(), s.now()
	r, path, children, err := loadRegion(ctx, q, code)
	if err != nil {
		return RegionPage{}, err
	}
	p := RegionPage{Code: r.Code, Name: r.Name, Level: r.Level, Path: path, Children: children, AsOf: db.Time(now)}
	if p.Stats, err = loadStats(ctx, q, code, now); err != nil {
		return p, err
	}
	if p.Notices, err = loadNotices(ctx, q, code, now); err != nil {
		return p, err
	}
	return p, nil
}

// HouseholdList is a page of masked households.
type HouseholdList struct {
	Items []Household `json:"items"`
	Next  *string     `json:"next"`
}

// HouseholdsJSON is the encoded page of masked households of a town or village (cached).
func (s *Service) HouseholdsJSON(ctx context.Context, code, after string, limit int) ([]byte, error) {
	if err := checkCode(code); err != nil {
		return nil, err
	}
	if _, err := parseCursor(after); err != nil {
		return nil, err
	}
	key := "households|" + code + "|" + after + "|" + strconv.Itoa(limit)
	return cached(ctx, s, key, func(ctx context.Context) (HouseholdList, error) { return s.Households(ctx, code, after, limit) })
}

// Households reads a page of masked households of a town or village (uncached): registered
// ones and those exited whose policy period (policy_until) has not ended.
func (s *Service) Households(ctx context.Context, code, after string, limit int) (HouseholdList, error) {
	if err := checkCode(code); err != nil {
		return HouseholdList{}, err
	}
	c, err := parseCursor(after)
	if err != nil {
		return HouseholdList{}, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := s.q()
	r, _, _, err := loadRegion(ctx, q, code)
	if err != nil {
		return HouseholdList{}, err
	}
	if r.Level != string(regioncode.Village) && r.Level != string(regioncode.Town) {
		return HouseholdList{}, errs.Field("code", "户名单按乡镇或村公开,请选择乡镇或村")
	}
	items, keys, err := loadHouseholds(ctx, q, code, c, limit, s.now())
	if err != nil {
		return HouseholdList{}, err
	}
	out := HouseholdList{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		next := keys[limit-1].String()
		out.Next = &next
	}
	return out, nil
}

// FundsJSON is the encoded use of funds in a region (cached).
func (s *Service) FundsJSON(ctx context.Context, code string) ([]byte, error) {
	if err := checkCode(code); err != nil {
		return nil, err
	}
	return cached(ctx, s, "funds|"+code, func(ctx context.Context) (FundsPage, error) { return s.Funds(ctx, code) })
}

// Funds reads the use of funds in a region (uncached).
func (s *Service) Funds(ctx context.Context, code string) (FundsPage, error) {
	if err := checkCode(code); err != nil {
		return FundsPage{}, err
	}
	q, now := s.q(), s.now()
	r, _, _, err := loadRegion(ctx, q, code)
	if err != nil {
		return FundsPage{}, err
	}
	out, err := loadFunds(ctx, q, code, now)
	out.Name, out.AsOf = r.Name, db.Time(now)
	return out, err
}

// Limits on the length of a public objection.
const (
	MaxObjection = 1000
	MaxContact   = 100
)

// publicActor is who the audit trail names for a public objection (never the address);
// the same form as oversight's public complaints.
var publicActor = audit.Actor{ID: 0, Name: "公众(门户)"}

// Object lodges a public objection (异议) against a notice in its period. It is stored like a
// staff member's (registry.Object): it blocks the step until answered, and the console
// answers it; lodged_by 0 marks it as the public's. clientHash identifies the client for the
// rate limit (oversight.ClientHash of its address).
func (s *Service) Object(ctx context.Context, clientHash string, noticeID int64, in ObjectionInput) (ObjectionReceipt, error) {
	s.init()
	content, contact := cleanText(in.Content), cleanText(in.Contact)
	v := errs.Validation{}
	if n := utf8.RuneCountInString(content); n == 0 || n > MaxObjection {
		v.Add("content", "请填写异议内容(不超过 "+strconv.Itoa(MaxObjection)+" 字)")
	}
	if utf8.RuneCountInString(contact) > MaxContact {
		v.Add("contact", "联系方式不超过 "+strconv.Itoa(MaxContact)+" 字")
	}
	if err := v.Err(); err != nil {
		return ObjectionReceipt{}, err
	}
	if !s.Limiter.Allow(clientHash) {
		return ObjectionReceipt{}, errs.E(errs.Throttled, "提交过于频繁,请稍后再试(每小时最多 %d 条,每天最多 %d 条)", ObjectionsPerHour, ObjectionsPerDay)
	}
	var out ObjectionReceipt
	var region string
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		n, err := loadNotice(ctx, tx, noticeID, tx.Now)
		if err != nil {
			return err
		}
		region = n.RegionCode
		if !n.open {
			return errs.E(errs.Conflict, "该公示不在公示期内,不能提出异议")
		}
		var household int64
		if err := tx.QueryRowContext(ctx, `SELECT household_id FROM procedures WHERE id = ?`, n.procedureID).Scan(&household); err != nil {
			return err
		}
		out = ObjectionReceipt{NoticeID: n.ID, LodgedAt: db.Time(tx.Now), Contact: MaskContact(contact),
			Message: "异议已受理,将在公示期内答复;公示事项在答复前不能通过"}
		out.ID, err = tx.InsertID(ctx, `INSERT INTO objections (notice_id, procedure_id, region_code, content, contact, lodged_by, lodged_at)
			VALUES (?, ?, ?, ?, ?, 0, ?) RETURNING id`, n.ID, n.procedureID, n.RegionCode, content, contact, out.LodgedAt)
		if err != nil {
			return err
		}
		// As registry.Object: the trail keeps the objection, not the contact.
		return audit.Record(ctx, tx, publicActor, audit.Change{Action: "procedure.objection", EntityType: "household",
			EntityID: strconv.FormatInt(household, 10), RegionCode: n.RegionCode,
			After: map[string]any{"procedure_id": n.procedureID, "objection_id": out.ID, "notice_id": n.ID, "content": content, "channel": "portal"}})
	})
	if err == nil {
		// The page of the notice's region and those above it show the objection count.
		for c := region; c != ""; c = regioncode.Parent(c) {
			s.Cache.Forget("region|" + c)
		}
	}
	return out, err
}
