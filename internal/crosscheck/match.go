package crosscheck

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// compiled is an enabled rule with its check.
type compiled struct {
	rule  *Rule
	check *check
}

// Run streams each dataset once (files in parallel, one per CPU), keeps
// the matched rows some enabled rule may use, groups them per household
// and evaluates the rules. Progress is reported every few MB read and at
// the end; the callback is never called concurrently. A file that cannot
// be read fails the run (the error names the dataset); rejected rows do
// not, they are in Result.Reports.
func Run(ctx context.Context, snap *Snapshot, files []DatasetFile, rules RuleSet, progress func(Progress)) (Result, error) {
	start := time.Now()
	if err := rules.Validate(); err != nil {
		return Result{}, err
	}
	if snap == nil {
		return Result{}, fmt.Errorf("crosscheck: Run without a snapshot")
	}
	e := &evaluator{snap: snap, today: snap.today(), files: make([]fileInfo, len(files))}
	var enabled []compiled
	for i := range rules.Rules {
		r := &rules.Rules[i]
		if r.Enabled {
			enabled = append(enabled, compiled{r, checks[r.Check]})
		}
	}
	// Which rules read which kind.
	byKind := map[Kind][]compiled{}
	for _, c := range enabled {
		for _, k := range kindsOf(c.check, *c.rule) {
			byKind[k] = append(byKind[k], c)
		}
	}
	var total int64
	for i, f := range files {
		spec, ok := SpecOf(f.Kind)
		if !ok {
			return Result{}, fmt.Errorf("数据集 %d: 未知的数据集类型 %q", f.ID, f.Kind)
		}
		st, err := os.Stat(f.Path)
		if err != nil {
			return Result{}, fmt.Errorf("数据集 %d: %w", f.ID, err)
		}
		total += st.Size()
		e.files[i] = fileInfo{DatasetFile: f, spec: spec}
		if !f.AsOf.IsZero() {
			e.files[i].asOf = dayOf(f.AsOf)
		}
	}

	res := Result{Reports: make([]ScanReport, len(files))}
	kept := make([][]*row, len(files))
	var mu sync.Mutex // guards the counters below and the progress callback
	var rowsRead, bytesRead, matched int64
	report := func(file int, rows, nbytes, nmatched int64) {
		mu.Lock()
		defer mu.Unlock()
		rowsRead += rows
		bytesRead += nbytes
		matched += nmatched
		if progress != nil {
			progress(Progress{File: file, Files: len(files), DatasetID: files[file].ID, RowsRead: rowsRead,
				BytesRead: bytesRead, TotalBytes: total, Matched: matched})
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errc := make(chan error, len(files))
	var wg sync.WaitGroup
	workers := min(len(files), runtime.GOMAXPROCS(0))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f := &e.files[i]
				readers := byKind[f.Kind]
				var out []*row
				fn := func(m Match) {
					if len(readers) == 0 {
						return
					}
					r := &row{file: int32(i), member: m.Member, line: m.Line, values: m.Values, nums: m.Nums}
					for _, c := range readers {
						if c.check.keep(e, c.check, c.rule, f, r) {
							out = append(out, r)
							return
						}
					}
				}
				var rep ScanReport
				var err error
				rep, err = scanFile(ctx, f.Path, f.Kind, snap, fn, func(rows, nbytes, nmatched int64) {
					report(i, rows, nbytes, nmatched)
				})
				if err != nil {
					errc <- fmt.Errorf("数据集 %d: %w", f.ID, err)
					cancel()
					continue
				}
				res.Reports[i], kept[i] = rep, out
			}
		}()
	}
sending:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break sending
		}
	}
	close(next)
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	for _, r := range res.Reports {
		res.Rows += r.Rows
		res.Matched += r.Matched
		res.Bytes += r.Bytes
	}

	// Group per household (members keep their snapshot order, rows their
	// file and line order) and evaluate.
	var all []*row
	for _, k := range kept {
		all = append(all, k...)
	}
	kept = nil
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if ha, hb := snap.Members[a.member].Household, snap.Members[b.member].Household; ha != hb {
			return ha < hb
		}
		if a.member != b.member {
			return a.member < b.member
		}
		if a.file != b.file {
			return a.file < b.file
		}
		return a.line < b.line
	})
	// Households are independent: evaluate slices of them side by side
	// and keep the results in household order.
	var bounds []int // start of each household's rows in all
	for i := 0; i < len(all); {
		bounds = append(bounds, i)
		hh := snap.Members[all[i].member].Household
		for i < len(all) && snap.Members[all[i].member].Household == hh {
			i++
		}
	}
	bounds = append(bounds, len(all))
	parts := max(1, min(runtime.GOMAXPROCS(0), (len(bounds)-1)/64))
	found := make([][]Doubt, parts)
	g, gctx := errgroup.WithContext(ctx)
	for p := 0; p < parts; p++ {
		from, to := (len(bounds)-1)*p/parts, (len(bounds)-1)*(p+1)/parts
		g.Go(func() error {
			var buf []*row
			var out []Doubt
			for k := from; k < to; k++ {
				if k&0xfff == 0 {
					if err := gctx.Err(); err != nil {
						return err
					}
				}
				rows := all[bounds[k]:bounds[k+1]]
				hh := snap.Members[rows[0].member].Household
				for _, c := range enabled {
					buf = buf[:0]
					for _, r := range rows {
						f := &e.files[r.file]
						if slices.Contains(kindsOf(c.check, *c.rule), f.Kind) && c.check.keep(e, c.check, c.rule, f, r) {
							buf = append(buf, r)
						}
					}
					if len(buf) > 0 {
						out = append(out, c.check.eval(e, c.rule, hh, buf)...)
					}
				}
			}
			found[p] = out
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return Result{}, err
	}
	for _, f := range found {
		res.Doubts = append(res.Doubts, f...)
	}
	sort.SliceStable(res.Doubts, func(i, j int) bool {
		a, b := &res.Doubts[i], &res.Doubts[j]
		if a.HouseholdID != b.HouseholdID {
			return a.HouseholdID < b.HouseholdID
		}
		if a.RuleKey != b.RuleKey {
			return a.RuleKey < b.RuleKey
		}
		return a.MemberID < b.MemberID
	})
	res.Duration = time.Since(start)
	if progress != nil {
		progress(Progress{File: len(files), Files: len(files), RowsRead: rowsRead, BytesRead: bytesRead,
			TotalBytes: total, Matched: matched, Done: true})
	}
	return res, nil
}
