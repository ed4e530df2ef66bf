package app

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"sunshine/internal/account"
	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/crosscheck"
	"sunshine/internal/db"
	"sunshine/internal/demo"
	"sunshine/internal/errs"
	"sunshine/internal/exchange"
	"sunshine/internal/oversight"
)

const usage = `sunshine — 盐城市阳光扶贫监管系统 (Sunshine poverty-alleviation supervision)

Usage:
  sunshine serve [--addr 127.0.0.1:8080] [--demo small|city] [--open]   run the API and web console
  sunshine migrate                                                       apply database migrations
  sunshine demo [--scale small|city]                                     load demo data into an empty database
  sunshine user add --username U --name N --role R --scope CODE [--password P]
  sunshine user passwd --username U [--password P]
  sunshine user disable --username U
  sunshine audit verify                                                  recompute the audit hash chain
  sunshine import KIND FILE [--valid-only]                               import a CSV/XLSX file (kinds: regions,
                                                                         households, members, helpers, assignments,
                                                                         payments)
  sunshine export KIND [--format csv|xlsx] [--out FILE]                  export (the same kinds, and audit)
  sunshine dataset add --kind KIND --source DEPT --as-of DATE FILE       register an external dataset for cross-checks
  sunshine crosscheck run [--datasets 1,2] [--region CODE] [--include-unauthorised]
                                                                         run a cross-check (default: newest dataset per kind)
  sunshine alerts run [--region CODE]                                    run every early-warning rule now (预警评估)
  sunshine export doubts [--run ID] [--format csv|xlsx] [--out FILE]     export cross-check doubts (核查清单)
  sunshine export alerts [--region CODE] [--format csv|xlsx] [--out FILE]
                                                                         export early-warning alerts (预警清单)
  sunshine export ledger --fund CODE [--format csv|xlsx] [--out FILE]    export every transfer of a fund (资金台账)
  sunshine payments batch --plan ID [--format csv|xlsx] [--out FILE]    write a plan's next bank batch file (资金直达)
  sunshine payments reconcile --batch REF FILE                           book the bank's return file of a batch
  sunshine version

Every command takes --db (postgres://… or sqlite:PATH; env SUNSHINE_DB), --data DIR (env
SUNSHINE_DATA, default ./data) and --log-level. Passwords not given as flags are read from stdin.
`

// Run is the command line; it returns the process exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "serve":
		err = cmdServe(rest, stdout, stderr)
	case "migrate":
		err = withDB(rest, stderr, nil, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
			fmt.Fprintf(stdout, "database %s (%s) is up to date\n", a.DB.Source, a.DB.Dialect)
			return nil
		})
	case "demo":
		var scale string
		err = withDB(rest, stderr, func(fs *flag.FlagSet) { fs.StringVar(&scale, "scale", "small", "small or city") },
			func(ctx context.Context, a *App, fs *flag.FlagSet) error { return loadDemo(ctx, a, scale, stdout) })
	case "user":
		err = cmdUser(rest, stdin, stdout, stderr)
	case "audit":
		if len(rest) == 0 || rest[0] != "verify" {
			fmt.Fprint(stderr, "usage: sunshine audit verify\n")
			return 2
		}
		return cmdVerify(rest[1:], stdout, stderr)
	case "import":
		err = cmdImport(rest, stdout, stderr)
	case "export":
		err = cmdExport(rest, stdout, stderr)
	case "dataset":
		err = cmdDataset(rest, stdout, stderr)
	case "crosscheck":
		err = cmdCrosscheck(rest, stdout, stderr)
	case "alerts":
		err = cmdAlerts(rest, stdout, stderr)
	case "payments":
		err = cmdPayments(rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version())
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		if e, ok := errs.As(err); ok {
			fmt.Fprintf(stderr, "错误 error: %s\n", e.Message)
			for f, r := range e.Fields {
				fmt.Fprintf(stderr, "  %s: %s\n", f, r)
			}
		} else {
			fmt.Fprintf(stderr, "error: %v\n", err)
		}
		return 1
	}
	return 0
}

func version() string {
	v := "sunshine (devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v += " " + s.Value
			}
		}
		v += " " + bi.GoVersion
	}
	return v
}

// withDB parses flags (common ones plus extra), opens and migrates the database, and runs fn.
func withDB(args []string, stderr io.Writer, extra func(*flag.FlagSet), fn func(context.Context, *App, *flag.FlagSet) error) error {
	var cfg Config
	fs := flag.NewFlagSet("sunshine", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindCommon(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := open(ctx, cfg, cfg.logger(os.Stderr))
	if err != nil {
		return err
	}
	defer a.DB.Close()
	return fn(ctx, a, fs)
}

func open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	d, err := db.Open(ctx, cfg.DB, cfg.Data)
	if err != nil {
		return nil, err
	}
	applied, err := d.Migrate(ctx)
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied)
	}
	a := New(d, log)
	if d.Dialect == db.Postgres {
		a.Crosscheck.Dir = cfg.Data
		a.Oversight.Dir = cfg.Data
	}
	return a, nil
}

func loadDemo(ctx context.Context, a *App, scale string, out io.Writer) error {
	sc, err := demo.ScaleByName(scale)
	if err != nil {
		return err
	}
	sum, err := demo.Load(ctx, a.DB, sc)
	if err != nil {
		return err
	}
	t0 := time.Now()
	cc, err := demo.Crosscheck(ctx, a.Crosscheck)
	if err != nil {
		return err
	}
	ccTook := time.Since(t0)
	fmt.Fprintf(out, "演示数据已装入 demo data loaded (%s): %d regions, %d households, %d members, %d users in %s\n",
		sum.Scale, sum.Regions, sum.Households, sum.Members, sum.Users, sum.Took.Round(time.Millisecond))
	fmt.Fprintf(out, "  cross-checks: %d authorisations, %d datasets, %d doubts in %s\n", cc.Authorisations, cc.Datasets, cc.Doubts,
		ccTook.Round(time.Millisecond))
	t0 = time.Now()
	fs, err := demo.Funds(ctx, a.Funds)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  funds: %d funds, %d transfers (%d payments to passbooks) in %s\n", fs.Funds, fs.Transfers, fs.Payments,
		time.Since(t0).Round(time.Millisecond))
	// Projects and assets before oversight, whose engine watches their stages and incomes.
	t0 = time.Now()
	ps, err := demo.Projects(ctx, a.Projects, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  projects: %d projects (%d completed, %d failed, %d overdue), %d assets, %d incomes, %d village plans in %s\n",
		ps.Projects, ps.Completed, ps.Failed, ps.Overdue, ps.Assets, ps.Incomes, ps.Plans, time.Since(t0).Round(time.Millisecond))
	// Social participation after projects: donations reach households, entrepreneurs are
	// matched to projects.
	t0 = time.Now()
	gv, err := demo.Giving(ctx, a.Giving, a.DB)
	if err != nil {
		return err
	}
	pt, err := demo.Partners(ctx, a.Partners, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  social: %d needs, %d donors, %d donations reaching %d households; %d volunteers, %d firms, %d service records, %d deputies, %d pairings, %d entrepreneurs (%d matches) in %s\n",
		gv.Needs, gv.Donors, gv.Donations, gv.Households, pt.Volunteers, pt.Firms, pt.Services, pt.Deputies, pt.Pairings,
		pt.Entrepreneurs, pt.Matches, time.Since(t0).Round(time.Millisecond))
	// Oversight last: it watches everything above. A few anomalies are planted in the ledger so
	// every fund check has something to show, the engine runs once, and the complaint desk,
	// spot checks and cases get their examples.
	t0 = time.Now()
	planted, err := demo.OversightFunds(ctx, a.Funds, a.DB)
	if err != nil {
		return err
	}
	run, err := a.Oversight.RunFull(ctx, oversight.SystemPrincipal(), "")
	if err != nil {
		return err
	}
	ov, err := demo.Oversight(ctx, a.Oversight, a.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  oversight: %d planted anomalies, %d alerts, %d complaints, %d cases in %s\n", planted, run.New, ov.Complaints,
		ov.Cases, time.Since(t0).Round(time.Millisecond))
	printDemoUsers(out, sc)
	return nil
}

func printDemoUsers(out io.Writer, sc demo.Scale) {
	fmt.Fprintf(out, "演示账号 demo users (password %s):\n", demo.Password)
	fmt.Fprintf(out, "  admin                      系统管理员 (盐城市)\n")
	for _, r := range auth.Roles[1:] {
		fmt.Fprintf(out, "  %-26s %s (盐城市)\n", string(r)+"_city", auth.RoleLabels[r])
	}
	c := sc.Counties[0]
	fmt.Fprintf(out, "  <role>_%s, …           county scope (e.g. poverty_office_%s)\n", c, c)
	fmt.Fprintf(out, "  <role>_%s100, …        town scope (e.g. village_cadre_%s100)\n", c, c)
}

func cmdServe(args []string, stdout, stderr io.Writer) error {
	var cfg Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.bindCommon(fs)
	fs.StringVar(&cfg.Addr, "addr", envOr("SUNSHINE_ADDR", "127.0.0.1:8080"), "listen address [SUNSHINE_ADDR]")
	fs.StringVar(&cfg.Demo, "demo", "", "load demo data (small or city) when the database is empty")
	fs.BoolVar(&cfg.Open, "open", false, "open the console in a browser")
	cfg.bindVisits(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := cfg.logger(os.Stderr)
	a, err := open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	a.Visits.Config = cfg.Visits
	if cfg.Demo != "" {
		empty, err := demo.Empty(ctx, a.DB)
		if err != nil {
			return err
		}
		if empty {
			if err := loadDemo(ctx, a, cfg.Demo, stdout); err != nil {
				return err
			}
		} else {
			fmt.Fprintln(stdout, "数据库已有数据,跳过演示数据 (database not empty: demo data not loaded)")
		}
	}
	// Runs a previous process left running (it crashed or was killed mid-run) are closed as
	// interrupted before anyone can look at them.
	if n, err := a.Crosscheck.Recover(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("cross-check runs left running by a previous process marked failed", "runs", n)
	}
	if n, err := a.Oversight.Recover(ctx); err != nil {
		return err
	} else if n > 0 {
		log.Warn("alert runs left running by a previous process marked failed", "runs", n)
	}
	// The early-warning engine: a full run daily (and now when the last is a day old), and new
	// payments evaluated as they are booked.
	go a.Oversight.Schedule(ctx)
	go a.Oversight.Watch(ctx, 15*time.Second)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(stdout, "阳光扶贫监管系统已启动 Sunshine is running: %s (database: %s %s)\n", url, a.DB.Dialect, a.DB.Source)
	if cfg.Open {
		_ = exec.Command("xdg-open", url).Start()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// cli is the principal of the local operator: holding the database, they may do anything,
// and the trail records that it came from the command line.
func cli() *auth.Principal {
	user := os.Getenv("USER")
	if user == "" {
		user = "operator"
	}
	host, _ := os.Hostname()
	return &auth.Principal{UserID: 0, Username: "cli:" + user + "@" + host, Name: "命令行", Role: auth.Admin, Root: true}
}

func readPassword(stdin io.Reader, given string) (string, error) {
	if given != "" {
		return given, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: give --password or write it to stdin")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: sunshine user add|passwd|disable …")
	}
	sub := args[0]
	var username, name, role, scope, password string
	extra := func(fs *flag.FlagSet) {
		fs.StringVar(&username, "username", "", "user name")
		fs.StringVar(&password, "password", "", "password (default: read from stdin)")
		if sub == "add" {
			fs.StringVar(&name, "name", "", "display name")
			fs.StringVar(&role, "role", "", "role: "+fmt.Sprint(auth.Roles))
			fs.StringVar(&scope, "scope", "", "12-digit region code of the user's scope")
		}
	}
	return withDB(args[1:], stderr, extra, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		p := cli()
		switch sub {
		case "add":
			pw, err := readPassword(stdin, password)
			if err != nil {
				return err
			}
			u, err := a.Accounts.CreateUser(ctx, p, account.NewUser{Username: username, DisplayName: name, Role: auth.Role(role), ScopeCode: scope, Password: pw})
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "user %s (id %d, %s, scope %s) created\n", u.Username, u.ID, u.Role, u.ScopeCode)
		case "passwd", "disable":
			id, err := a.Accounts.IDByUsername(ctx, username)
			if err != nil {
				return err
			}
			if sub == "disable" {
				t := true
				if _, err := a.Accounts.UpdateUser(ctx, p, id, account.UserPatch{Disabled: &t}); err != nil {
					return err
				}
				fmt.Fprintf(stdout, "user %s disabled\n", username)
				return nil
			}
			pw, err := readPassword(stdin, password)
			if err != nil {
				return err
			}
			if err := a.Accounts.SetPassword(ctx, p, id, account.PasswordChange{Password: pw}); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "password of %s changed\n", username)
		default:
			return fmt.Errorf("unknown user command %q", sub)
		}
		return nil
	})
}

func cmdVerify(args []string, stdout, stderr io.Writer) int {
	code := 0
	err := withDB(args, stderr, nil, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		start := time.Now()
		res, err := audit.Verify(ctx, a.DB.Reader())
		if err != nil {
			return err
		}
		took := time.Since(start)
		if res.OK {
			fmt.Fprintf(stdout, "audit chain OK: %d events verified in %s; head #%d %s\n", res.Checked, took.Round(time.Millisecond), res.HeadSeq, res.HeadHash)
			return nil
		}
		fmt.Fprintf(stdout, "审计链被破坏 AUDIT CHAIN BROKEN at event seq %d: %s\n", res.FirstBroken.Seq, res.FirstBroken.Reason)
		code = 3
		return nil
	})
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return code
}

func cmdImport(args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		return errors.New("usage: sunshine import KIND FILE [--valid-only]")
	}
	kind, file := args[0], args[1]
	var validOnly bool
	return withDB(args[2:], stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&validOnly, "valid-only", false, "commit valid rows even if some are rejected")
	},
		func(ctx context.Context, a *App, fs *flag.FlagSet) error {
			f, err := os.Open(file)
			if err != nil {
				return err
			}
			defer f.Close()
			rep, err := a.Exchange.Import(ctx, cli(), kind, f, file, exchange.Options{ValidOnly: validOnly})
			for _, r := range rep.Rejected {
				fmt.Fprintf(stderr, "  %s\n", r.Error())
			}
			if more := rep.RejectedTotal - len(rep.Rejected); more > 0 {
				fmt.Fprintf(stderr, "  …另有 %d 行错误 (%d more rejected rows)\n", more, more)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: %d rows, %d inserted, %d updated, %d unchanged, %d rejected (sha256 %s)\n",
				kind, rep.Rows, rep.Inserted, rep.Updated, rep.Unchanged, rep.RejectedTotal, rep.SHA256)
			return nil
		})
}

func cmdExport(args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 {
		return errors.New("usage: sunshine export KIND [--format csv|xlsx] [--out FILE]")
	}
	kind := args[0]
	if kind == "ledger" {
		return cmdExportLedger(args[1:], stdout, stderr)
	}
	var format, out, region string
	var run int64
	return withDB(args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&format, "format", "csv", "csv or xlsx")
		fs.StringVar(&out, "out", "", "output file (default stdout)")
		if kind == "doubts" {
			fs.Int64Var(&run, "run", 0, "only the doubts this cross-check run found")
		}
		if kind == "alerts" {
			fs.StringVar(&region, "region", "", "12-digit region code (default: everything)")
		}
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		var w io.Writer = stdout
		if out != "" {
			f, err := os.Create(out)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if kind == "doubts" {
			return a.Crosscheck.ExportDoubts(ctx, cli(), crosscheck.DoubtFilter{RunID: run}, format, w)
		}
		if kind == "alerts" {
			return a.Oversight.ExportAlerts(ctx, cli(), oversight.AlertFilter{Region: region}, format, w)
		}
		return a.Exchange.Export(ctx, cli(), kind, format, w)
	})
}
