package app

// The command-line tools of the checks: external datasets, cross-checks and the early-warning run.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"sunshine/internal/crosscheck"
)

// cmdDataset registers an external dataset: `sunshine dataset add --kind KIND --source DEPT
// --as-of DATE FILE` (the file may also come first).
func cmdDataset(args []string, stdout, stderr io.Writer) error {
	const use = "usage: sunshine dataset add --kind KIND --source DEPT --as-of YYYY-MM-DD FILE"
	if len(args) == 0 || args[0] != "add" {
		return errors.New(use)
	}
	args = args[1:]
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	var in crosscheck.DatasetInput
	var kind string
	return withDB(args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&kind, "kind", "", "dataset kind: vehicle, farm_machinery, social_insurance, housing_fund, tax, real_estate, deposit, securities, business, public_employee, death, cadre_relative")
		fs.StringVar(&in.SourceDept, "source", "", "source department (来源部门)")
		fs.StringVar(&in.AsOf, "as-of", "", "the date the data is as of (YYYY-MM-DD)")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		if file == "" && fs.NArg() > 0 {
			file = fs.Arg(0)
		}
		if file == "" {
			return errors.New(use)
		}
		in.Kind, in.FileName = crosscheck.Kind(kind), file
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		ds, rep, err := a.Crosscheck.AddDataset(ctx, cli(), in, f)
		for i, r := range rep.Errors {
			if i == 20 {
				fmt.Fprintf(stderr, "  …\n")
				break
			}
			fmt.Fprintf(stderr, "  %s\n", r.Error())
		}
		if err != nil {
			return err
		}
		if ds.Existing {
			fmt.Fprintf(stdout, "dataset %d: the same file is already registered (%s, %s, as of %s); nothing changed\n", ds.ID, ds.Kind, ds.SourceDept, ds.AsOf)
			return nil
		}
		fmt.Fprintf(stdout, "dataset %d registered: %s, %d rows, %d matching registry members, %d rejected (sha256 %s)\n",
			ds.ID, ds.Kind, ds.Rows, ds.Matched, ds.Rejected, ds.SHA256)
		return nil
	})
}

// cmdCrosscheck runs a cross-check: `sunshine crosscheck run [--datasets 1,2]`.
func cmdCrosscheck(args []string, stdout, stderr io.Writer) error {
	const use = "usage: sunshine crosscheck run [--datasets 1,2] [--region CODE] [--include-unauthorised]"
	if len(args) == 0 || args[0] != "run" {
		return errors.New(use)
	}
	var sets, region string
	var all bool
	return withDB(args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&sets, "datasets", "", "comma-separated dataset ids (default: the newest dataset of each kind)")
		fs.StringVar(&region, "region", "", "12-digit region code to limit the run to (default: everything)")
		fs.BoolVar(&all, "include-unauthorised", false, "also check households without a signed authorisation")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		in := crosscheck.RunInput{Region: region, IncludeUnauthorised: all}
		for _, v := range strings.Split(sets, ",") {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("--datasets: %q is not a dataset id", v)
			}
			in.DatasetIDs = append(in.DatasetIDs, id)
		}
		last := time.Now()
		run, err := a.Crosscheck.RunNow(ctx, cli(), in, func(pg crosscheck.Progress) {
			if time.Since(last) > 2*time.Second || pg.Done {
				last = time.Now()
				fmt.Fprintf(stderr, "  file %d/%d: %d rows, %d matched, %d MB\n", pg.File+1, pg.Files, pg.RowsRead, pg.Matched, pg.BytesRead>>20)
			}
		})
		if err != nil {
			if run.ID != 0 {
				fmt.Fprintf(stderr, "run %d failed\n", run.ID)
			}
			return err
		}
		fmt.Fprintf(stdout, "run %d done in %s: %d households (%d skipped without authorisation), %d rows read, %d matched, %d rejected; "+
			"doubts: %d found, %d new, %d repeated, %d updated, %d not raised again (closed with the same evidence)\n",
			run.ID, time.Duration(run.DurationMS)*time.Millisecond, run.Households, run.SkippedUnauthorised, run.RowsScanned,
			run.RowsMatched, run.RowsRejected, run.DoubtsFound, run.DoubtsNew, run.DoubtsRepeated, run.DoubtsUpdated, run.DoubtsSuppressed)
		return nil
	})
}

// cmdAlerts runs the early-warning engine over a region: `sunshine alerts run [--region CODE]`.
func cmdAlerts(args []string, stdout, stderr io.Writer) error {
	const use = "usage: sunshine alerts run [--region CODE]"
	if len(args) == 0 || args[0] != "run" {
		return errors.New(use)
	}
	var region string
	return withDB(args[1:], stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&region, "region", "", "12-digit region code to evaluate (default: everything)")
	}, func(ctx context.Context, a *App, fs *flag.FlagSet) error {
		run, err := a.Oversight.RunFull(ctx, cli(), region)
		if err != nil {
			if run.ID != 0 {
				fmt.Fprintf(stderr, "run %d failed\n", run.ID)
			}
			return err
		}
		fmt.Fprintf(stdout, "run %d (%s, rules version %d) done in %s: %d found, %d new, %d updated, %d not raised again (closed with the same evidence)\n",
			run.ID, run.RegionCode, run.RulesetVersion, time.Duration(run.DurationMS)*time.Millisecond, run.Found, run.New, run.Updated, run.Suppressed)
		keys := make([]string, 0, len(run.ByRule))
		for k := range run.ByRule {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(stdout, "  %-24s %d\n", k, run.ByRule[k])
		}
		return nil
	})
}
