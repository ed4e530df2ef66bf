// Package app wires the system together: configuration, database, services, the HTTP server
// and the command line.
package app

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
)

// Config is all the configuration there is, from flags with environment defaults.
type Config struct {
	DB       string // "" (SQLite under Data), sqlite:PATH or postgres://…
	Data     string // data directory for the SQLite file
	Addr     string // listen address for serve
	LogLevel string
	Demo     string // serve: load this demo scale into an empty database ("" = none)
	Open     bool   // serve: open a browser
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
