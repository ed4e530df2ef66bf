package exchange

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sort"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/jobs"
	"sunshine/internal/tabular"
)

// Service holds the registered kinds and the import jobs started over HTTP.
type Service struct {
	DB    *db.DB
	Log   *slog.Logger // for failures users only see summarised; Routes sets it from the router
	kinds map[string]Kind
	jobs  jobs.Tracker[Job]
}

// Register adds a kind; domains call it while the app is wired. A kind that imports or
// exports without naming the permission it needs is a wiring mistake, caught at start-up.
func (s *Service) Register(k Kind) {
	if (k.Importable() && k.ImportAction == "") || (k.Export != nil && k.ExportAction == "") {
		panic("exchange: kind " + k.Name + " does not name its import/export action")
	}
	if s.kinds == nil {
		s.kinds = map[string]Kind{}
	}
	s.kinds[k.Name] = k
}

// Kinds lists the registered kind names.
func (s *Service) Kinds() []string {
	var out []string
	for n := range s.kinds {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Service) kind(name string) (Kind, error) {
	k, ok := s.kinds[name]
	if !ok {
		return k, errs.E(errs.Invalid, "未知的数据类型 %q,可用: %v", name, s.Kinds())
	}
	return k, nil
}

var errRejected = errors.New("rows rejected")

// progressEvery is how many rows pass between two Progress calls (and context checks).
const progressEvery = 2048

// Import reads a CSV/XLSX file of the kind and applies it in one transaction.
func (s *Service) Import(ctx context.Context, p *auth.Principal, kind string, r io.Reader, name string, opt Options) (Report, error) {
	rep := Report{Kind: kind, File: name, Rejected: []tabular.RowError{}}
	k, err := s.kind(kind)
	if err != nil {
		return rep, err
	}
	if !k.Importable() {
		return rep, errs.E(errs.Invalid, "%s 不支持导入", k.Label)
	}
	if err := p.Require(k.ImportAction); err != nil {
		return rep, err
	}
	src, sum, cleanup, err := spool(r)
	if err != nil {
		return rep, err
	}
	defer cleanup()
	rep.SHA256 = sum
	cr := &countingReader{r: src}
	tr, err := tabular.Open(cr, name, k.Schema, tabular.Options{MaxRows: opt.MaxRows})
	if err != nil {
		return rep, fileErr(err)
	}
	defer tr.Close()
	progress := func() {
		if opt.Progress != nil {
			opt.Progress(cr.n.Load(), rep.Rows)
		}
	}
	reject := func(re tabular.RowError) {
		rep.RejectedTotal++
		if len(rep.Rejected) < MaxRejected {
			rep.Rejected = append(rep.Rejected, re)
		}
	}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		apply := func(row tabular.Row) (Outcome, error) { return k.Apply(ctx, tx, p, row) }
		var batch Batch
		if k.Begin != nil {
			var err error
			batch, err = k.Begin(ctx, tx, p, Meta{File: name, SHA256: sum, Source: "import:" + sum[:16], Has: tr.Has, ValidOnly: opt.ValidOnly})
			if err != nil {
				return err
			}
			apply = func(row tabular.Row) (Outcome, error) { return batch.Apply(row) }
		}
		for {
			if rep.Rows%progressEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				progress()
			}
			row, err := tr.Next()
			if err == io.EOF {
				break
			}
			var re *tabular.RowError
			if errors.As(err, &re) {
				rep.Rows++
				reject(*re)
				continue
			}
			if err != nil {
				return fileErr(err)
			}
			rep.Rows++
			out, err := apply(row)
			if errors.As(err, &re) {
				if re.Line == 0 {
					re.Line = row.Line
				}
				reject(*re)
				continue
			}
			if err != nil {
				return err
			}
			switch out {
			case Inserted:
				rep.Inserted++
			case Updated:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		if rep.RejectedTotal > 0 && !opt.ValidOnly {
			return errRejected // nothing is kept, so there is no point writing what is buffered
		}
		if batch != nil {
			if err := batch.Flush(); err != nil {
				return err
			}
		}
		progress()
		if rep.Inserted+rep.Updated == 0 {
			return nil // nothing changed: the same file twice leaves no trace but the report
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
			Action: "import." + kind, EntityType: "import", EntityID: rep.SHA256[:16], RegionCode: p.Scope,
			After: map[string]any{"file": name, "sha256": rep.SHA256, "rows": rep.Rows, "inserted": rep.Inserted,
				"updated": rep.Updated, "unchanged": rep.Unchanged, "rejected": rep.RejectedTotal},
		})
	})
	if errors.Is(err, errRejected) {
		return rep, &errs.Error{Code: errs.Invalid, Message: rejectedMessage(rep)}
	}
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	if rep.Inserted >= bigImport && len(k.Tables) > 0 {
		// Fresh rows are planned from stale statistics until autovacuum runs; a list page
		// could turn into a whole-table sort meanwhile.
		if err := s.DB.Analyze(ctx, k.Tables...); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// bigImport is the size from which an import refreshes the planner's statistics.
const bigImport = 10_000

func rejectedMessage(rep Report) string {
	return "文件有 " + strconv.Itoa(rep.RejectedTotal) + " 行错误,未导入任何数据(可修正后重新导入,或选择“仅导入有效行”)"
}

func fileErr(err error) error {
	var te *tabular.Error
	if errors.As(err, &te) {
		return &errs.Error{Code: errs.Invalid, Message: te.Reason}
	}
	return err
}

// Export writes the kind as CSV or XLSX.
func (s *Service) Export(ctx context.Context, p *auth.Principal, kind, format string, w io.Writer) error {
	k, err := s.exportable(p, kind, format)
	if err != nil {
		return err
	}
	tw, err := newWriter(w, format, k.Label, k.header(false))
	if err != nil {
		return err
	}
	if err := k.Export(ctx, s.DB.Reader(), p, tw); err != nil {
		return err
	}
	return tw.Close()
}

// exportable checks everything an export needs before a byte of it is written, so an HTTP
// export can still answer with an error status.
func (s *Service) exportable(p *auth.Principal, kind, format string) (Kind, error) {
	k, err := s.kind(kind)
	if err != nil {
		return k, err
	}
	if k.Export == nil {
		return k, errs.E(errs.Invalid, "%s 不支持导出", k.Label)
	}
	if err := p.Require(k.ExportAction); err != nil {
		return k, err
	}
	return k, checkFormat(format)
}

func checkFormat(format string) error {
	if format != "" && format != "csv" && format != "xlsx" {
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	return nil
}

func newWriter(w io.Writer, format, sheet string, header []string) (*tabular.Writer, error) {
	if format == "xlsx" {
		return tabular.NewXLSXWriter(w, sheet, header)
	}
	return tabular.NewCSVWriter(w, header)
}

// header is the kind's column names; labelled, the names people see in templates (the
// first Chinese alias, "*" on required columns), which imports read back as well.
func (k Kind) header(labelled bool) []string {
	out := make([]string, len(k.Schema.Columns))
	for i, c := range k.Schema.Columns {
		out[i] = c.Name
		if labelled {
			out[i] = columnLabel(c)
			if c.Required {
				out[i] = "*" + out[i]
			}
		}
	}
	return out
}

func columnLabel(c tabular.Column) string {
	for _, a := range c.Aliases {
		for _, r := range a {
			if r >= 0x80 {
				return a
			}
		}
	}
	return c.Name
}

// Template writes a header-only file of the kind, for people to fill in.
func (s *Service) Template(p *auth.Principal, kind, format string, w io.Writer) error {
	k, err := s.kind(kind)
	if err != nil {
		return err
	}
	if !(k.Importable() && p.Can(k.ImportAction)) {
		return errs.E(errs.Forbidden, "您无权导入%s", k.Label)
	}
	if err := checkFormat(format); err != nil {
		return err
	}
	tw, err := newWriter(w, format, k.Label, k.header(true))
	if err != nil {
		return err
	}
	return tw.Close()
}
