// Package app wires the system together: configuration, database, services, the HTTP server
// and the command line.
package app

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"

	"sunshine/internal/visits"
)

// Config is all the configuration there is, from flags with environment defaults.
type Config struct {
	DB       string // "" (SQLite under Data), sqlite:PATH or postgres://…
	Data     string // data directory for the SQLite file
	Addr     string // listen address for serve
	LogLevel string
	Demo     string // serve: load this demo scale into an empty database ("" = none)
	Open     bool   // serve: open a browser
	Visits   visits.Config
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// bindCommon adds the flags every database-using command takes.
func (c *Config) bindCommon(fs *flag.FlagSet) {
	fs.StringVar(&c.DB, "db", os.Getenv("SUNSHINE_DB"), "database: postgres://… or sqlite:PATH (default: SQLite file in --data) [SUNSHINE_DB]")
	fs.StringVar(&c.Data, "data", envOr("SUNSHINE_DATA", "data"), "data directory [SUNSHINE_DATA]")
	fs.StringVar(&c.LogLevel, "log-level", envOr("SUNSHINE_LOG_LEVEL", "info"), "debug, info, warn or error")
}

func envFloat(k string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(k), 64); err == nil {
		return v
	}
	return def
}

// bindVisits adds serve's flags for the fake-visit thresholds and the console map.
func (c *Config) bindVisits(fs *flag.FlagSet) {
	d := visits.DefaultConfig()
	fs.Float64Var(&c.Visits.FarMeters, "visit-far-meters", envFloat("SUNSHINE_VISIT_FAR_METERS", d.FarMeters), "a visit's GPS further than this many metres from the household is a fake-visit sign [SUNSHINE_VISIT_FAR_METERS]")
	fs.Float64Var(&c.Visits.LateHours, "visit-late-hours", envFloat("SUNSHINE_VISIT_LATE_HOURS", d.LateHours), "a visit recorded this many hours after its stated time is a sign [SUNSHINE_VISIT_LATE_HOURS]")
	fs.Float64Var(&c.Visits.MaxKmh, "visit-max-kmh", envFloat("SUNSHINE_VISIT_MAX_KMH", d.MaxKmh), "one helper moving faster than this between visits is a sign [SUNSHINE_VISIT_MAX_KMH]")
	fs.StringVar(&c.Visits.TileURL, "map-tiles", os.Getenv("SUNSHINE_MAP_TILES"), "map tile URL template for the console, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png; empty: no map, coordinates only [SUNSHINE_MAP_TILES]")
	fs.StringVar(&c.Visits.TileAttribution, "map-attribution", os.Getenv("SUNSHINE_MAP_ATTRIBUTION"), "attribution shown under the map [SUNSHINE_MAP_ATTRIBUTION]")
}

// Validate checks the configuration before anything starts.
func (c *Config) Validate() error {
	if c.DB != "" && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") && !strings.HasPrefix(c.DB, "sqlite:") {
		return fmt.Errorf("--db must be postgres://… or sqlite:PATH")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("--addr %q: %v", c.Addr, err)
		}
	}
	if c.Demo != "" && c.Demo != "small" && c.Demo != "city" {
		return fmt.Errorf("--demo must be small or city")
	}
	if v := c.Visits; v != (visits.Config{}) && (v.FarMeters <= 0 || v.LateHours <= 0 || v.MaxKmh <= 0) {
		return fmt.Errorf("--visit-far-meters, --visit-late-hours and --visit-max-kmh must be positive")
	}
	if u := c.Visits.TileURL; u != "" && (!strings.Contains(u, "{z}") || !strings.Contains(u, "{x}") || !strings.Contains(u, "{y}")) {
		return fmt.Errorf("--map-tiles %q must contain {z}, {x} and {y}", u)
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return fmt.Errorf("--log-level: %v", err)
	}
	return nil
}

func (c *Config) logger(w *os.File) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.LogLevel))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
