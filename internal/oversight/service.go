package oversight

import (
	"context"
	"log/slog"
	"strconv"
	"sync"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/registry"
)

// Service is the oversight domain: alerts and their rules and runs, complaints, spot checks and
// accountability cases.
type Service struct {
	DB       *db.DB
	Audit    *audit.Service
	Registry *registry.Service // attachments of alert findings
	// Dir is the data directory; the cross-check's dataset files live in Dir/datasets/<sha256>.<format>.
	Dir string
	Log *slog.Logger

	// runMu lets one evaluation write alerts at a time in this process: two runs over the same
	// entities would otherwise both decide "new" for the same finding.
	runMu sync.Mutex
	// live holds the ids of the runs this process is executing: Recover leaves them alone.
	live sync.Map
	// facts are the person facts (deaths, public employees, cadres' relatives) last read from
	// the datasets: read again only when the datasets in use change.
	facts factCache
}

// record appends the audit event of a write in the caller's transaction.
func record(ctx context.Context, tx *db.Tx, p *auth.Principal, action, entity string, id int64, region string, before, after any) error {
	return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{Action: action, EntityType: entity,
		EntityID: strconv.FormatInt(id, 10), RegionCode: region, Before: before, After: after})
}
