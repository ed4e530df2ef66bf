package region

import (
	"context"
	"sort"
	"sync"
	"time"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Service reads and edits the region tree. The tree (a few thousand rows for a city) is held
// in memory: every API call names regions, and looking them up must cost nothing. Writes
// through this process refresh it at once; other processes' writes show within MaxAge.
type Service struct {
	DB     *db.DB
	MaxAge time.Duration

	mu       sync.RWMutex
	byCode   map[string]*Region
	children map[string][]string
	loadedAt time.Time
}

// NewService returns a service with a 30-second cache.
func NewService(d *db.DB) *Service { return &Service{DB: d, MaxAge: 30 * time.Second} }

func (s *Service) tree(ctx context.Context) (map[string]*Region, map[string][]string, error) {
	s.mu.RLock()
	if s.byCode != nil && time.Since(s.loadedAt) < s.MaxAge {
		b, c := s.byCode, s.children
		s.mu.RUnlock()
		return b, c, nil
	}
	s.mu.RUnlock()
	return s.Reload(ctx)
}

// Reload reads the tree from the database.
func (s *Service) Reload(ctx context.Context) (map[string]*Region, map[string][]string, error) {
	m, err := loadAll(ctx, s.DB.Reader())
	if err != nil {
		return nil, nil, err
	}
	ch := map[string][]string{}
	for code, r := range m {
		if r.ParentCode != "" {
			ch[r.ParentCode] = append(ch[r.ParentCode], code)
		}
	}
	for p, cs := range ch {
		sort.Strings(cs)
		m[p].ChildrenCount = len(cs)
	}
	s.mu.Lock()
	s.byCode, s.children, s.loadedAt = m, ch, time.Now()
	s.mu.Unlock()
	return m, ch, nil
}

// Get returns a region in the principal's scope.
func (s *Service) Get(ctx context.Context, p *auth.Principal, code string) (Region, error) {
	if err := p.RequireIn(auth.RegionRead, code); err != nil {
		return Region{}, err
	}
	m, _, err := s.tree(ctx)
	if err != nil {
		return Region{}, err
	}
	r, ok := m[code]
	if !ok {
		return Region{}, errs.E(errs.NotFound, "区划 %s 不存在", code)
	}
	return *r, nil
}

// Name returns a region's name, "" when unknown (no permission check: names are public).
func (s *Service) Name(ctx context.Context, code string) string {
	m, _, err := s.tree(ctx)
	if err != nil {
		return ""
	}
	if r, ok := m[code]; ok {
		return r.Name
	}
	return ""
}

// Children lists the regions directly below code.
func (s *Service) Children(ctx context.Context, p *auth.Principal, code string) ([]Region, error) {
	if _, err := s.Get(ctx, p, code); err != nil {
		return nil, err
	}
	m, ch, err := s.tree(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Region, 0, len(ch[code]))
	for _, c := range ch[code] {
		out = append(out, *m[c])
	}
	return out, nil
}

// Update changes a region's name or designations.
func (s *Service) Update(ctx context.Context, p *auth.Principal, code string, patch Patch) (Region, error) {
	if err := p.RequireIn(auth.RegionWrite, code); err != nil {
		return Region{}, err
	}
	before, err := s.Get(ctx, p, code)
	if err != nil {
		return Region{}, err
	}
	after, err := patch.apply(before)
	if err != nil {
		return Region{}, err
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		if err := update(ctx, tx, after); err != nil {
			return err
		}
		after.UpdatedAt = tx.Now
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
			Action: "region.update", EntityType: "region", EntityID: code, RegionCode: code,
			Before: before.auditView(), After: after.auditView(),
		})
	})
	if err != nil {
		return Region{}, err
	}
	_, _, err = s.Reload(ctx)
	return after, err
}
