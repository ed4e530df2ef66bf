// Package partners is the rest of social participation (社会扶贫): volunteers and third-party
// firms with their service records, deputies (人大代表, five levels) and CPPCC members (政协委员)
// paired with villages and their activities, village–enterprise pairing (村企结对), and the
// directory of entrepreneurs from the city working elsewhere (在外创业人士) matched to projects.
package partners

import (
	"context"
	"strconv"
	"sync"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/disclosure"
	"sunshine/internal/errs"
	"sunshine/internal/mask"
)

// Service keeps the social forces' registers. Every write runs in one transaction with its
// audit event.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
	// Cache of the public answers; nil: disclosure's 30-second cache timed by DB.Clock.
	Cache *disclosure.Cache

	once sync.Once
}

func (s *Service) init() {
	s.once.Do(func() {
		if s.Cache == nil {
			s.Cache = disclosure.NewCache(disclosure.CacheTTL, disclosure.CacheMax, s.now)
		}
	})
}

func (s *Service) now() time.Time {
	if s.DB != nil && s.DB.Clock != nil {
		return s.DB.Clock()
	}
	return time.Now()
}

func (s *Service) today() string { return db.Date(s.now()) }

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

var (
	errNoProvider     = errs.E(errs.NotFound, "服务主体不存在")
	errNoDeputy       = errs.E(errs.NotFound, "代表委员不存在")
	errNoPairing      = errs.E(errs.NotFound, "结对不存在")
	errNoEntrepreneur = errs.E(errs.NotFound, "在外创业人士不存在")
	errNoMatch        = errs.E(errs.NotFound, "对接记录不存在")
	errStale          = errs.E(errs.Conflict, "数据已被他人修改,请刷新后重试")
)

// phoneFor is a phone as the principal may see it: whole for roles that may export household
// data (household.export), masked for the others.
func phoneFor(p *auth.Principal, s string) string {
	if p.Can(auth.HouseholdExport) {
		return s
	}
	return mask.Phone(s)
}

// checkVersion refuses an update that did not name the version it read.
func checkVersion(v int64) error {
	if v <= 0 {
		return errs.Field("version", "必填(读取时的版本号)")
	}
	return nil
}
