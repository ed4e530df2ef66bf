// Package giving is the donation platform of social participation (社会扶贫): needs (微心愿)
// published by villages for households, donors, pledges, money donations entering the ledger
// as social funds and traced to the households they reached, and goods donations with
// receipts.
package giving

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/disclosure"
	"sunshine/internal/errs"
	"sunshine/internal/selfquery"
)

// Public limits per client (in memory, like the disclosure objections: enough against a
// script, no schema; a restart forgets them).
const (
	TracePerHour  = 20
	TracePerDay   = 200
	PledgePerHour = 5
	PledgePerDay  = 20
	// CacheTTL is how long public lists are served from memory.
	CacheTTL = 30 * time.Second
	// DisburseDays is the deadline of a donation fund: by then it should have reached households.
	DisburseDays = 180
)

// Service publishes needs and records donors, pledges and donations. Every write runs in one
// transaction with its audit event.
type Service struct {
	DB    *db.DB
	Audit *audit.Service
	// SelfQuery holds the captcha and the installation secret the public routes share; nil:
	// one over DB.
	SelfQuery *selfquery.Service
	// Cache of public lists; nil: CacheTTL, 1024 entries, timed by DB.Clock.
	Cache *disclosure.Cache
	// TraceLimiter and PledgeLimiter count public requests per client; nil: the defaults above.
	TraceLimiter, PledgeLimiter *disclosure.Limiter

	once sync.Once
	gen  atomic.Int64
}

func (s *Service) init() {
	s.once.Do(func() {
		if s.SelfQuery == nil {
			s.SelfQuery = &selfquery.Service{DB: s.DB}
		}
		if s.Cache == nil {
			s.Cache = disclosure.NewCache(CacheTTL, 1024, s.now)
		}
		if s.TraceLimiter == nil {
			s.TraceLimiter = limiter(s.now, TracePerHour, TracePerDay)
		}
		if s.PledgeLimiter == nil {
			s.PledgeLimiter = limiter(s.now, PledgePerHour, PledgePerDay)
		}
	})
}

// limiter is the disclosure limiter (per client, in memory) with other limits.
func limiter(now func() time.Time, perHour, perDay int) *disclosure.Limiter {
	l := disclosure.NewLimiter(now)
	l.PerHour, l.PerDay = perHour, perDay
	return l
}

func (s *Service) now() time.Time {
	if s.DB != nil && s.DB.Clock != nil {
		return s.DB.Clock()
	}
	return time.Now()
}

func (s *Service) today() string { return db.Date(s.DB.Clock()) }

func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}

var (
	errNoDonor    = errs.E(errs.NotFound, "捐赠人不存在")
	errNoNeed     = errs.E(errs.NotFound, "微心愿不存在")
	errNoPledge   = errs.E(errs.NotFound, "认捐不存在")
	errNoDonation = errs.E(errs.NotFound, "捐赠不存在")
	errNoDelivery = errs.E(errs.NotFound, "发放记录不存在")
	errStale      = errs.E(errs.Conflict, "数据已被他人修改,请刷新后重试")
)

// changed makes the cached public lists stale after a write: their keys carry the
// generation, so the next read fills afresh and old entries age out of the cache.
func (s *Service) changed() { s.gen.Add(1) }
