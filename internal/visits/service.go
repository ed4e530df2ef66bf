// Package visits is the quarterly visit (每季度走访): what a helper records on the phone in the
// field app, how it reaches the server (resumable photo upload, idempotent sync, conflicts
// kept for review), the fake-visit signals computed on arrival, and per-quarter compliance.
package visits

import (
	"sunshine/internal/audit"
	"sunshine/internal/db"
	"sunshine/internal/httpx"
)

// Config holds the thresholds of the fake-visit signals and the console map's tiles.
type Config struct {
	FarMeters       float64 // a visit's GPS further than this from the household's location is a sign
	LateHours       float64 // recorded this long after the stated visit time is a sign
	MaxKmh          float64 // one helper moving faster than this between two visits is a sign
	TileURL         string  // Leaflet tile URL template; "" (offline) shows coordinates and distance only
	TileAttribution string
}

// DefaultConfig is what serve uses without flags.
func DefaultConfig() Config { return Config{FarMeters: 1000, LateHours: 48, MaxKmh: 120} }

// Service records and checks visits.
type Service struct {
	DB     *db.DB
	Audit  *audit.Service
	Config Config
}

// Routes registers the field app's endpoints and the console's.
func (s *Service) Routes(rt *httpx.Router) {
	s.fieldRoutes(rt)
	s.consoleRoutes(rt)
}
