package exchange

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strconv"

	"sunshine/internal/audit"
	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/tabular"
)

// Service holds the registered kinds.
type Service struct {
	DB    *db.DB
	kinds map[string]Kind
}

// Register adds a kind; domains call it while the app is wired.
func (s *Service) Register(k Kind) {
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

// Import reads a CSV/XLSX file of the kind and applies it in one transaction.
func (s *Service) Import(ctx context.Context, p *auth.Principal, kind string, r io.Reader, name string, opt Options) (Report, error) {
	rep := Report{Kind: kind, File: name, Rejected: []tabular.RowError{}}
	k, err := s.kind(kind)
	if err != nil {
		return rep, err
	}
	if k.Apply == nil {
		return rep, errs.E(errs.Invalid, "%s 不支持导入", k.Label)
	}
	h := sha256.New()
	tr, err := tabular.Open(io.TeeReader(r, h), name, k.Schema, tabular.Options{MaxRows: opt.MaxRows})
	if err != nil {
		return rep, fileErr(err)
	}
	defer tr.Close()
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		for {
			row, err := tr.Next()
			if err == io.EOF {
				break
			}
			var re *tabular.RowError
			if errors.As(err, &re) {
				rep.Rows++
				rep.Rejected = append(rep.Rejected, *re)
				continue
			}
			if err != nil {
				return fileErr(err)
			}
			rep.Rows++
			out, err := k.Apply(ctx, tx, p, row)
			if errors.As(err, &re) {
				if re.Line == 0 {
					re.Line = row.Line
				}
				rep.Rejected = append(rep.Rejected, *re)
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
		// Drain what the hash has not seen, so it covers the whole file.
		_, _ = io.Copy(io.Discard, r)
		rep.SHA256 = hex.EncodeToString(h.Sum(nil))
		if len(rep.Rejected) > 0 && !opt.ValidOnly {
			return errRejected
		}
		if rep.Inserted+rep.Updated == 0 {
			return nil // nothing changed: the same file twice leaves no trace but the report
		}
		return audit.Record(ctx, tx, audit.ActorOf(p), audit.Change{
			Action: "import." + kind, EntityType: "import", EntityID: rep.SHA256[:16], RegionCode: p.Scope,
			After: map[string]any{"file": name, "sha256": rep.SHA256, "rows": rep.Rows, "inserted": rep.Inserted,
				"updated": rep.Updated, "unchanged": rep.Unchanged, "rejected": len(rep.Rejected)},
		})
	})
	if errors.Is(err, errRejected) {
		return rep, &errs.Error{Code: errs.Invalid, Message: rejectedMessage(rep)}
	}
	if err != nil {
		return rep, err
	}
	rep.Committed = true
	return rep, nil
}

func rejectedMessage(rep Report) string {
	return "文件有 " + strconv.Itoa(len(rep.Rejected)) + " 行错误,未导入任何数据(可修正后重新导入,或选择“仅导入有效行”)"
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
	k, err := s.kind(kind)
	if err != nil {
		return err
	}
	if k.Export == nil {
		return errs.E(errs.Invalid, "%s 不支持导出", k.Label)
	}
	header := make([]string, len(k.Schema.Columns))
	for i, c := range k.Schema.Columns {
		header[i] = c.Name
	}
	var tw *tabular.Writer
	switch format {
	case "csv", "":
		tw, err = tabular.NewCSVWriter(w, header)
	case "xlsx":
		tw, err = tabular.NewXLSXWriter(w, k.Label, header)
	default:
		return errs.Field("format", "应为 csv 或 xlsx")
	}
	if err != nil {
		return err
	}
	if err := k.Export(ctx, s.DB.Reader(), p, tw); err != nil {
		return err
	}
	return tw.Close()
}
