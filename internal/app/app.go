package app

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sunshine/internal/account"
	"sunshine/internal/audit"
	"sunshine/internal/crosscheck"
	"sunshine/internal/dashboard"
	"sunshine/internal/db"
	"sunshine/internal/disclosure"
	"sunshine/internal/duty"
	"sunshine/internal/exchange"
	"sunshine/internal/funds"
	"sunshine/internal/giving"
	"sunshine/internal/httpx"
	"sunshine/internal/oversight"
	"sunshine/internal/partners"
	"sunshine/internal/payments"
	"sunshine/internal/projects"
	"sunshine/internal/region"
	"sunshine/internal/registry"
	"sunshine/internal/selfquery"
	"sunshine/internal/visits"
	"sunshine/web"
)

// App is the wired system.
type App struct {
	DB        *db.DB
	Log       *slog.Logger
	Accounts  *account.Service
	Audit     *audit.Service
	Regions   *region.Service
	Registry  *registry.Service
	Dashboard *dashboard.Service
	Exchange  *exchange.Service
	Duty      *duty.Service
	Visits    *visits.Service
	// Crosscheck keeps dataset files under its Dir: the SQLite file's directory, or --data
	// with PostgreSQL (set by open).
	Crosscheck *crosscheck.Service
	Funds      *funds.Service
	Payments   *payments.Service
	Oversight  *oversight.Service
	Projects   *projects.Service
	Disclosure *disclosure.Service
	SelfQuery  *selfquery.Service
	Giving     *giving.Service
	Partners   *partners.Service
	Router     *httpx.Router
	Metrics    *prometheus.Registry
}

// New builds the services on an open, migrated database.
func New(d *db.DB, log *slog.Logger) *App {
	a := &App{DB: d, Log: log, Metrics: prometheus.NewRegistry()}
	a.Accounts = account.NewService(d)
	a.Audit = &audit.Service{DB: d}
	a.Regions = region.NewService(d)
	a.Registry = &registry.Service{DB: d, Audit: a.Audit}
	a.Dashboard = &dashboard.Service{DB: d, Regions: a.Regions, Registry: a.Registry}
	a.Exchange = &exchange.Service{DB: d}
	a.Exchange.Register(a.Regions.Exchange())
	a.Exchange.Register(auditKind())
	a.Exchange.Register(registry.HouseholdsKind())
	a.Exchange.Register(registry.MembersKind())
	a.Exchange.Register(duty.HelpersKind())
	a.Exchange.Register(duty.AssignmentsKind())
	a.Exchange.Register(payments.PaymentsKind())
	a.Router = httpx.NewRouter(log)
	a.Accounts.Routes(a.Router)
	a.Regions.Routes(a.Router)
	a.Registry.Routes(a.Router)
	a.Duty = &duty.Service{DB: d, Audit: a.Audit, Registry: a.Registry}
	a.Duty.Routes(a.Router)
	// serve replaces the config with its flags' values; the routes read it per request.
	a.Visits = &visits.Service{DB: d, Audit: a.Audit, Config: visits.DefaultConfig()}
	a.Visits.Routes(a.Router)
	a.Crosscheck = &crosscheck.Service{DB: d, Audit: a.Audit, Registry: a.Registry, Log: log}
	if d.Dialect == db.SQLite {
		a.Crosscheck.Dir = filepath.Dir(d.Source)
	}
	a.Crosscheck.Routes(a.Router)
	a.Funds = &funds.Service{DB: d, Audit: a.Audit}
	a.Funds.Routes(a.Router)
	a.Payments = &payments.Service{DB: d, Audit: a.Audit}
	a.Payments.Routes(a.Router)
	a.Projects = &projects.Service{DB: d, Audit: a.Audit}
	a.Projects.Routes(a.Router)
	// the public portal and kiosk: disclosure pages and the own-household query
	a.Disclosure = &disclosure.Service{DB: d}
	a.Disclosure.Routes(a.Router)
	a.SelfQuery = &selfquery.Service{DB: d}
	a.SelfQuery.Routes(a.Router)
	// social participation: the donation platform and the social forces' registers
	a.Giving = &giving.Service{DB: d, Audit: a.Audit, SelfQuery: a.SelfQuery}
	a.Giving.Routes(a.Router)
	a.Partners = &partners.Service{DB: d, Audit: a.Audit}
	a.Partners.Routes(a.Router)
	a.Oversight = &oversight.Service{DB: d, Audit: a.Audit, Registry: a.Registry, Dir: a.Crosscheck.Dir, Log: log}
	a.Oversight.Routes(a.Router)
	a.Dashboard.Routes(a.Router)
	a.Audit.Routes(a.Router)
	a.Exchange.Routes(a.Router)
	a.Metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return a
}

// Handler is the whole HTTP surface: API, health, metrics, OpenAPI and the web console.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/v1/", a.Accounts.Middleware(func(err error) { a.Log.Error("auth", "err", err) }, a.Router.Mux))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.Write(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.Metrics, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(openAPI)
	})
	mux.Handle("/api/", a.Router.Mux)
	mux.Handle("/", spa(web.Assets()))
	return httpx.Observe(a.Log, httpx.NewMetrics(a.Metrics), mux)
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2e9)
	defer cancel()
	if err := a.DB.Ping(ctx); err != nil {
		httpx.Write(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		return
	}
	pending, err := a.DB.Pending(ctx)
	if err != nil || len(pending) > 0 {
		httpx.Write(w, http.StatusServiceUnavailable, map[string]any{"status": "migrations pending", "pending": pending})
		return
	}
	httpx.Write(w, http.StatusOK, map[string]string{"status": "ready", "database": string(a.DB.Dialect)})
}

// spa serves the built front end; paths that are not files get the face's index.html so
// history-mode routes work on reload: the field app's under /m/, the public face's under /p/
// and /kiosk, the console's elsewhere.
// The service worker and the manifest are revalidated on every load so a new release
// reaches phones; hashed assets are immutable.
func spa(assets fs.FS) http.Handler {
	files := http.FileServerFS(assets)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/")
		if p == "m" || p == "p" { // the field app's and the portal's bases end in a slash
			http.Redirect(w, r, "/"+p+"/", http.StatusMovedPermanently)
			return
		}
		if p != "" {
			if st, err := fs.Stat(assets, p); err == nil && !st.IsDir() {
				switch {
				case strings.HasPrefix(p, "assets/") || strings.HasPrefix(p, "m/assets/") || strings.HasPrefix(p, "p/assets/"):
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				case strings.HasPrefix(p, "m/"):
					w.Header().Set("Cache-Control", "no-cache")
				}
				files.ServeHTTP(w, r)
				return
			}
		}
		indexPath := "index.html"
		switch {
		case strings.HasPrefix(p, "m/"):
			indexPath = "m/index.html"
		case strings.HasPrefix(p, "p/") || p == "kiosk" || strings.HasPrefix(p, "kiosk/"):
			// the public face: portal pages under /p/, the kiosk at /kiosk
			indexPath = "p/index.html"
		}
		index, err := fs.ReadFile(assets, indexPath)
		if err != nil {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte(`<!doctype html><meta charset="utf-8"><title>阳光扶贫监管系统</title><p>前端尚未构建: 请运行 <code>make ui</code> 后重新编译。 The web UI is not built: run <code>make ui</code>.</p>`))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(index)
	})
}

// routesJSON is used by `sunshine routes` and tests.
func (a *App) routesJSON() []byte {
	b, _ := json.MarshalIndent(a.Router.Routes, "", "  ")
	return b
}
