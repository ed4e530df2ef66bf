package crosscheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/regioncode"
	"sunshine/internal/tabular"
)

// MaxDatasetUpload bounds a dataset sent over HTTP. Datasets run to several gigabytes; larger
// ones are registered on the server with `sunshine dataset add`, which has no limit.
const MaxDatasetUpload = 8 << 30

// Dataset is a registered external file. The file itself stays on disk, named by its SHA-256.
type Dataset struct {
	ID         int64  `json:"id"`
	Kind       Kind   `json:"kind"`
	KindLabel  string `json:"kind_label"`
	SHA256     string `json:"sha256"`
	FileName   string `json:"file_name"`
	Format     string `json:"format"`
	Size       int64  `json:"size"`
	SourceDept string `json:"source_dept"`
	AsOf       string `json:"as_of"`
	Rows       int64  `json:"rows"`
	Matched    int64  `json:"matched"` // rows whose ID number was a registry member when it was registered
	Rejected   int64  `json:"rejected"`
	RegionCode string `json:"region_code"`
	CreatedBy  int64  `json:"created_by"`
	CreatedAt  string `json:"created_at"`
	// Existing: the registration found this file (same kind and SHA-256) already registered in
	// the same scope, and changed nothing.
	Existing bool `json:"existing,omitempty"`
	// RejectedRows are the first rejected rows (detail only).
	RejectedRows []tabular.RowError `json:"rejected_rows,omitempty"`
	// FileMissing: the file is no longer in the data directory (detail only): runs refuse it.
	FileMissing bool `json:"file_missing,omitempty"`
	// Retired (停用): no longer offered or picked for new runs; never deleted, the file stays
	// and the runs that read it still name it.
	Retired       bool    `json:"retired"`
	RetiredAt     *string `json:"retired_at"`
	RetiredBy     *int64  `json:"retired_by"`
	RetiredReason string  `json:"retired_reason"`
}

// RetireInput retires a dataset.
type RetireInput struct {
	Reason string `json:"reason"`
}

// RetireDataset retires a dataset registered in the caller's scope (a county cannot retire the
// city's): it stays, with its file, but new runs no longer use it. Retiring it again is refused.
func (s *Service) RetireDataset(ctx context.Context, p *auth.Principal, id int64, in RetireInput) (Dataset, error) {
	var out Dataset
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		ds, err := s.visibleDataset(ctx, tx, p, id, false)
		if err != nil {
			return err
		}
		if err := p.RequireIn(auth.CrosscheckRun, ds.RegionCode); err != nil {
			return err
		}
		if ds.Retired {
			return errs.E(errs.Conflict, "数据集 %d 已于 %s 停用", id, shanghai(*ds.RetiredAt))
		}
		in.Reason = strings.TrimSpace(in.Reason)
		if in.Reason == "" || len([]rune(in.Reason)) > 500 {
			return errs.Field("reason", "请填写停用原因(不超过 500 字)")
		}
		now := db.Time(tx.Now)
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET retired_at = ?, retired_by = ?, retired_reason = ? WHERE id = ? AND retired_at IS NULL`,
			now, p.UserID, in.Reason, id); err != nil {
			return err
		}
		out = ds
		out.Retired, out.RetiredAt, out.RetiredBy, out.RetiredReason = true, &now, &p.UserID, in.Reason
		return record(ctx, tx, p, "dataset.retire", "dataset", id, ds.RegionCode,
			map[string]any{"retired": false},
			map[string]any{"retired": true, "reason": in.Reason, "kind": ds.Kind, "sha256": ds.SHA256, "file_name": ds.FileName})
	})
	return out, err
}

// DatasetInput describes a file being registered.
type DatasetInput struct {
	Kind       Kind   `json:"kind"`
	SourceDept string `json:"source_dept"`
	AsOf       string `json:"as_of"`
	FileName   string `json:"file_name"`
}

func kindSpec(k Kind) (KindSpec, bool) { return SpecOf(k) }

func kindNames() string {
	var names []string
	for _, s := range Kinds() {
		names = append(names, string(s.Kind))
	}
	return strings.Join(names, ", ")
}

// validate normalises the input and checks it: a known kind, a source department, an as-of
// date that is not in the future (Shanghai calendar).
func (in *DatasetInput) validate(now time.Time) error {
	in.Kind = Kind(strings.TrimSpace(string(in.Kind)))
	in.SourceDept = strings.TrimSpace(in.SourceDept)
	in.AsOf = strings.TrimSpace(in.AsOf)
	in.FileName = strings.TrimSpace(filepath.Base(strings.ReplaceAll(in.FileName, `\`, "/")))
	v := errs.Validation{}
	if in.Kind == "" {
		v.Add("kind", "请指定数据类型,可用: "+kindNames())
	} else if _, ok := kindSpec(in.Kind); !ok {
		v.Add("kind", fmt.Sprintf("未知的数据类型 %q,可用: %s", in.Kind, kindNames()))
	}
	if in.SourceDept == "" || len([]rune(in.SourceDept)) > 100 {
		v.Add("source_dept", "请填写数据来源部门(不超过 100 字)")
	}
	if in.AsOf == "" {
		v.Add("as_of", "请填写数据截止日期(YYYY-MM-DD)")
	} else if t, err := tabular.ParseDate(in.AsOf); err != nil {
		v.Add("as_of", "数据截止日期格式应为 YYYY-MM-DD")
	} else if in.AsOf = t.Format(db.DateLayout); in.AsOf > db.Date(now) {
		v.Add("as_of", "数据截止日期 "+in.AsOf+" 晚于今天,不能登记未来的数据")
	}
	if in.FileName == "" || in.FileName == "." || in.FileName == "/" {
		in.FileName = "dataset"
	}
	if len([]rune(in.FileName)) > 200 {
		in.FileName = string([]rune(in.FileName)[:200])
	}
	return v.Err()
}

// staged is a file copied into the data directory.
type staged struct {
	path   string
	sha    string
	format string
	size   int64
	fresh  bool // this copy created the file (a failure may remove it)
}

func (s *Service) datasetDir() (string, error) {
	if s.Dir == "" {
		return "", errs.E(errs.Internal, "未配置数据目录,无法登记数据集")
	}
	dir := filepath.Join(s.Dir, "datasets")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("create dataset directory: %w", err)
	}
	return dir, nil
}

// sniff refuses what is plainly neither CSV nor XLSX, from the first bytes: a CSV in any
// encoding the system reads has no NUL byte, a workbook is a zip.
func sniff(head []byte) error {
	const ole = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
	switch {
	case len(head) == 0:
		return errs.Field("file", "文件为空")
	case bytes.HasPrefix(head, []byte(ole)):
		return errs.Field("file", "这是旧版 Excel(.xls)或加密的工作簿,请另存为 .xlsx 或 CSV 后登记")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil
	case bytes.HasPrefix(head, []byte("%PDF")):
		return errs.Field("file", "这是 PDF 文件,不是 CSV 或 XLSX 表格")
	case bytes.HasPrefix(head, []byte("\xFF\xFE")) || bytes.HasPrefix(head, []byte("\xFE\xFF")):
		return errs.Field("file", "文件是 UTF-16 编码,请另存为 UTF-8 或 GBK 编码的 CSV")
	case bytes.IndexByte(head, 0) >= 0:
		return errs.Field("file", "不是 CSV 或 XLSX 表格文件(含二进制内容)")
	}
	return nil
}

// stage streams r into the data directory while hashing it, then names it by the hash: the
// copy is the only pass over the bytes before the scan. At most limit bytes (0 = no limit).
func (s *Service) stage(r io.Reader, name string, limit int64, progress func(int64)) (st staged, err error) {
	dir, err := s.datasetDir()
	if err != nil {
		return st, err
	}
	f, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return st, err
	}
	defer func() {
		f.Close()
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	head := make([]byte, 4096)
	n, rerr := io.ReadFull(r, head)
	head = head[:n]
	if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
		return st, fmt.Errorf("read upload: %w", rerr)
	}
	if err := sniff(head); err != nil {
		return st, err
	}
	h := sha256.New()
	w := io.MultiWriter(f, h)
	if _, err := w.Write(head); err != nil {
		return st, err
	}
	src := r
	if limit > 0 {
		src = io.LimitReader(r, limit-int64(len(head))+1)
	}
	total := int64(len(head))
	buf := make([]byte, 1<<20)
	for {
		k, rerr := src.Read(buf)
		if k > 0 {
			if _, err := w.Write(buf[:k]); err != nil {
				return st, err
			}
			total += int64(k)
			if limit > 0 && total > limit {
				return st, errs.E(errs.TooLarge, "文件超过 %d GB 上限,请在服务器上用命令行 sunshine dataset add 登记", limit>>30)
			}
			if progress != nil {
				progress(total)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return st, rerr
		}
	}
	if err := f.Sync(); err != nil {
		return st, err
	}
	st.sha, st.size = hex.EncodeToString(h.Sum(nil)), total
	st.format = tabular.Detect(name, head).String()
	st.path = filepath.Join(dir, st.sha+"."+st.format)
	if _, err := os.Stat(st.path); err == nil {
		_ = os.Remove(f.Name()) // the same bytes are already there
		return st, nil
	}
	if err := os.Rename(f.Name(), st.path); err != nil {
		return st, err
	}
	st.fresh = true
	return st, nil
}

// discard removes a staged file nobody registered.
func (s *Service) discard(ctx context.Context, st staged) {
	if !st.fresh {
		return
	}
	var n int
	if err := s.DB.Reader().QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets WHERE sha256 = ? AND format = ?`, st.sha, st.format).Scan(&n); err == nil && n == 0 {
		_ = os.Remove(st.path)
	}
}

// AddDataset registers a file in one call: copy, scan, record (the command line's path).
func (s *Service) AddDataset(ctx context.Context, p *auth.Principal, in DatasetInput, r io.Reader) (Dataset, ScanReport, error) {
	if err := s.checkAdd(p, &in); err != nil {
		return Dataset{}, ScanReport{}, err
	}
	st, err := s.stage(r, in.FileName, 0, nil)
	if err != nil {
		return Dataset{}, ScanReport{}, err
	}
	return s.register(ctx, p, in, st, nil)
}

func (s *Service) checkAdd(p *auth.Principal, in *DatasetInput) error {
	if err := p.Require(auth.CrosscheckRun); err != nil {
		return err
	}
	return in.validate(s.DB.Clock())
}

// register scans a staged file once (row count, rejected rows) and records it. A file with no
// valid row is refused, naming the first rejected rows. The same kind and file already
// registered in the scope is answered as it is.
func (s *Service) register(ctx context.Context, p *auth.Principal, in DatasetInput, st staged, progress func(Progress)) (ds Dataset, rep ScanReport, err error) {
	defer func() {
		if err != nil {
			s.discard(ctx, st)
		}
	}()
	q := s.DB.Reader()
	region := scopeOf(ctx, q, p)
	if err := p.RequireIn(auth.CrosscheckRun, region); err != nil {
		return ds, rep, err
	}
	if old, err := datasetByFile(ctx, q, in.Kind, st.sha, region); err == nil {
		if old.Retired { // the same file cannot be registered twice in a scope, and this one is retired
			return ds, rep, errs.E(errs.Conflict, "该文件已登记为数据集 %d,并已于 %s 停用(%s),不能再用于比对", old.ID, shanghai(*old.RetiredAt), old.RetiredReason)
		}
		old.Existing = true
		return old, rep, nil
	} else if errs.CodeOf(err) != errs.NotFound {
		return ds, rep, err
	}
	snap, err := LoadSnapshot(ctx, q)
	if err != nil {
		return ds, rep, err
	}
	if progress == nil {
		progress = func(Progress) {}
	}
	// A run without rules is the one pass that reports progress: it counts rows, matches and
	// rejects exactly as a real run will.
	res, err := Run(ctx, snap, []DatasetFile{{Kind: in.Kind, Path: st.path}}, RuleSet{}, progress)
	if err != nil {
		return ds, rep, fileError(err)
	}
	if len(res.Reports) > 0 {
		rep = res.Reports[0]
	}
	if rep.Rows-rep.Rejected <= 0 {
		return ds, rep, noValidRows(rep)
	}
	rejected, err := json.Marshal(nonNil(rep.Errors))
	if err != nil {
		return ds, rep, err
	}
	ds = Dataset{Kind: in.Kind, SHA256: st.sha, FileName: in.FileName, Format: st.format, Size: st.size,
		SourceDept: in.SourceDept, AsOf: in.AsOf, Rows: rep.Rows, Matched: rep.Matched, Rejected: rep.Rejected,
		RegionCode: region, CreatedBy: p.UserID}
	err = s.DB.InTx(ctx, func(tx *db.Tx) error {
		ds.CreatedAt = db.Time(tx.Now)
		id, err := tx.InsertID(ctx, `INSERT INTO datasets (kind, sha256, file_name, format, size, source_dept, as_of,
			rows_total, rows_matched, rows_rejected, rejected_json, region_code, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ds.Kind, ds.SHA256, ds.FileName, ds.Format, ds.Size, ds.SourceDept, ds.AsOf,
			ds.Rows, ds.Matched, ds.Rejected, string(rejected), ds.RegionCode, ds.CreatedBy, ds.CreatedAt)
		if err != nil {
			return err
		}
		ds.ID = id
		return record(ctx, tx, p, "dataset.register", "dataset", id, region, nil, ds)
	})
	if errs.CodeOf(err) == errs.Conflict { // registered meanwhile by a concurrent request
		old, oerr := datasetByFile(ctx, q, in.Kind, st.sha, region)
		if oerr == nil {
			old.Existing = true
			return old, rep, nil
		}
	}
	ds.KindLabel = kindLabel(ds.Kind)
	return ds, rep, err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// fileError turns the engine's complaint about a whole file into a user's error.
func fileError(err error) error {
	if _, ok := errs.As(err); ok {
		return err
	}
	var te *tabular.Error
	if errors.As(err, &te) {
		return errs.Field("file", te.Reason)
	}
	return err
}

// noValidRows explains a file without a single usable row, naming the first rejected rows.
func noValidRows(rep ScanReport) error {
	if rep.Rows == 0 {
		return errs.Field("file", "文件没有数据行(只有表头或为空)")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "文件没有一行有效数据(共 %d 行,全部被拒绝)", rep.Rows)
	fields := map[string]string{}
	for i, e := range rep.Errors {
		if i < 3 {
			b.WriteString(";")
			b.WriteString(e.Error())
		}
		if i < 20 {
			key := fmt.Sprintf("line %d", e.Line)
			if e.Column != "" {
				key += " " + e.Column
			}
			fields[key] = e.Reason
		}
	}
	return &errs.Error{Code: errs.Invalid, Message: b.String(), Fields: fields}
}

func kindLabel(k Kind) string {
	if s, ok := kindSpec(k); ok {
		return s.Label
	}
	return string(k)
}

// Datasets lists the datasets the principal may use: registered in their scope or by an
// office above them, newest first; activeOnly leaves out retired ones (what a new run may read).
func (s *Service) Datasets(ctx context.Context, p *auth.Principal, kind Kind, activeOnly bool, after int64, limit int) ([]Dataset, error) {
	if err := p.Require(auth.DoubtRead); err != nil {
		return nil, err
	}
	if kind != "" {
		if _, ok := kindSpec(kind); !ok {
			return nil, errs.Field("kind", "未知的数据类型,可用: "+kindNames())
		}
	}
	return listDatasets(ctx, s.DB.Reader(), p, kind, activeOnly, after, limit)
}

// Dataset returns one dataset with its rejected rows.
func (s *Service) Dataset(ctx context.Context, p *auth.Principal, id int64) (Dataset, error) {
	if err := p.Require(auth.DoubtRead); err != nil {
		return Dataset{}, err
	}
	ds, err := s.visibleDataset(ctx, s.DB.Reader(), p, id, true)
	if err != nil {
		return ds, err
	}
	if _, err := os.Stat(s.datasetPath(ds)); err != nil {
		ds.FileMissing = true
	}
	return ds, nil
}

func (s *Service) datasetPath(ds Dataset) string {
	return filepath.Join(s.Dir, "datasets", ds.SHA256+"."+ds.Format)
}

// visibleDataset loads a dataset the principal may use; one from another branch of the tree
// looks absent.
func (s *Service) visibleDataset(ctx context.Context, q db.Queryer, p *auth.Principal, id int64, detail bool) (Dataset, error) {
	ds, err := getDataset(ctx, q, id, detail)
	if err != nil {
		return ds, err
	}
	if !datasetVisible(p, ds.RegionCode) {
		return Dataset{}, errNoDataset
	}
	return ds, nil
}

var errNoDataset = errs.E(errs.NotFound, "数据集不存在")

// datasetVisible: a dataset registered in the principal's scope, or by an office whose scope
// covers the principal's (a city dataset serves every county).
func datasetVisible(p *auth.Principal, region string) bool {
	return p.InScope(region) || p.Scope != "" && regioncode.Within(p.Scope, region)
}
