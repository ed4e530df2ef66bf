package audit

import (
	"context"
	"encoding/json"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
)

// Record appends one event inside the caller's transaction: the change and its trace commit
// together or not at all.
func Record(ctx context.Context, tx *db.Tx, actor Actor, c Change) (err error) {
	defer errs.Wrap(&err, "audit.Record(%s %s/%s)", c.Action, c.EntityType, c.EntityID)
	before, err := marshal(c.Before)
	if err != nil {
		return err
	}
	after, err := marshal(c.After)
	if err != nil {
		return err
	}
	h, err := txHead(ctx, tx)
	if err != nil {
		return err
	}
	e := &rawEvent{
		seq: h.seq + 1, actorID: actor.ID, at: []byte(db.Time(tx.Now)), actorName: []byte(actor.Name),
		action: []byte(c.Action), entityType: []byte(c.EntityType), entityID: []byte(c.EntityID),
		regionCode: []byte(c.RegionCode), before: before, after: after, prevHash: []byte(h.hash),
	}
	hash, _ := hashEvent(make([]byte, 0, 256+len(before)+len(after)), e)
	e.hash = []byte(hash)
	if err := insertEvent(ctx, tx, e); err != nil {
		return err
	}
	h.seq, h.hash = e.seq, hash
	return nil
}

type headKey struct{}

type chainHead struct {
	seq  int64
	hash string
}

// txHead locks the chain head once per transaction and keeps it in the transaction; the head
// row is written once, before commit. (Updating it per event would leave PostgreSQL a chain of
// dead row versions to walk on every lock in a bulk transaction: quadratic.)
func txHead(ctx context.Context, tx *db.Tx) (*chainHead, error) {
	if h, ok := tx.Value(headKey{}).(*chainHead); ok {
		return h, nil
	}
	seq, hash, err := lockHead(ctx, tx)
	if err != nil {
		return nil, err
	}
	h := &chainHead{seq: seq, hash: hash}
	tx.SetValue(headKey{}, h)
	tx.BeforeCommit(func() error { return writeHead(ctx, tx, h.seq, h.hash) })
	return h, nil
}

func marshal(v any) ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	if raw, ok := v.(json.RawMessage); ok {
		return raw, nil
	}
	return json.Marshal(v)
}

// Service reads the trail for the API.
type Service struct {
	DB *db.DB
}

// List returns events newest first, limited to the reader's region scope.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter) ([]Event, error) {
	if err := p.Require(auth.AuditRead); err != nil {
		return nil, err
	}
	f.Scope = p.Scope
	if f.Limit <= 0 || f.Limit > 201 {
		f.Limit = 51
	}
	return listEvents(ctx, s.DB.Reader(), f)
}

// History is an entity's events, for history panels of other domains (the caller has already
// checked the reader may see the entity).
func (s *Service) History(ctx context.Context, entityType, entityID string, limit int) ([]Event, error) {
	return listEvents(ctx, s.DB.Reader(), Filter{EntityType: entityType, EntityID: entityID, Limit: limit})
}
