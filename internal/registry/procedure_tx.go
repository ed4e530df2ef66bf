package registry

import (
	"context"

	"sunshine/internal/auth"
	"sunshine/internal/db"
)

// StartIn begins a procedure inside the caller's transaction, with the same checks as Start:
// a domain that decides a household's fate (a cross-check doubt confirmed → removal) commits
// its decision and the procedure together or not at all.
func (s *Service) StartIn(ctx context.Context, tx *db.Tx, p *auth.Principal, householdID int64, kind ProcKind, reason string) (Procedure, error) {
	h, err := s.visible(ctx, tx, p, auth.ProcedureStart, householdID)
	if err != nil {
		return Procedure{}, err
	}
	id, err := s.start(ctx, tx, p, h.ID, kind, reason)
	if err != nil {
		return Procedure{}, err
	}
	return s.procFor(ctx, tx, p, id)
}
