package exchange

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
)

// MaxUpload is the largest file an import accepts over HTTP: a city's member roster (a
// million rows) is about 120 MB as CSV. Larger files go in parts or through the command line.
const MaxUpload = 150 << 20

// uploadTime and downloadTime replace the server's request deadlines (set for ordinary API
// calls) on the routes that move whole files over slow office lines.
const (
	uploadTime   = 30 * time.Minute
	downloadTime = 30 * time.Minute
)

var errTooLarge = errs.E(errs.TooLarge, "文件超过 150 MB 上限,请拆分后分批导入(或在服务器上用命令行 sunshine import 导入)")

// Routes registers the import/export endpoints. Which permission a call needs depends on the
// kind (regions need region.write, households registry.import …), so the routes ask only for
// a signed-in user and each handler checks the kind's own action before touching data.
func (s *Service) Routes(rt *httpx.Router) {
	if s.Log == nil {
		s.Log = rt.Log
	}
	rt.Handle("GET /api/v1/exchange/kinds", "", s.handleKinds)
	rt.Handle("POST /api/v1/imports", "", s.handleImport)
	rt.Handle("GET /api/v1/imports/{id}", "", s.handleJob)
	rt.Handle("GET /api/v1/exports/{kind}", "", s.handleExport)
	rt.Handle("GET /api/v1/templates/{kind}", "", s.handleTemplate)
}

// KindInfo describes a kind to the console.
type KindInfo struct {
	Name      string       `json:"name"`
	Label     string       `json:"label"`
	CanImport bool         `json:"can_import"`
	CanExport bool         `json:"can_export"`
	Columns   []ColumnInfo `json:"columns"`
}

// ColumnInfo is one column of a kind.
type ColumnInfo struct {
	Name     string `json:"name"`
	Label    string `json:"label"`
	Required bool   `json:"required"`
}

// Describe lists the kinds with what the principal may do with each.
func (s *Service) Describe(p *auth.Principal) []KindInfo {
	out := []KindInfo{}
	for _, name := range s.Kinds() {
		k := s.kinds[name]
		ki := KindInfo{Name: k.Name, Label: k.Label, Columns: []ColumnInfo{},
			CanImport: k.Importable() && p.Can(k.ImportAction), CanExport: k.Export != nil && p.Can(k.ExportAction)}
		for _, c := range k.Schema.Columns {
			ki.Columns = append(ki.Columns, ColumnInfo{Name: c.Name, Label: columnLabel(c), Required: c.Required})
		}
		out = append(out, ki)
	}
	return out
}

func (s *Service) handleKinds(w http.ResponseWriter, r *http.Request) error {
	httpx.Write(w, http.StatusOK, s.Describe(auth.From(r.Context())))
	return nil
}

func (s *Service) handleJob(w http.ResponseWriter, r *http.Request) error {
	j, ok := s.jobs.Get(auth.From(r.Context()), r.PathValue("id"))
	if !ok {
		return errs.E(errs.NotFound, "导入任务不存在(任务只对发起人可见,完成一小时后清除)")
	}
	httpx.Write(w, http.StatusOK, j)
	return nil
}

// upload is a received import request; its file waits in a temporary file for the job.
type upload struct {
	kind, name string
	validOnly  bool
	file       *os.File
	size       int64
}

func (u *upload) remove() {
	if u.file != nil {
		_ = u.file.Close()
		_ = os.Remove(u.file.Name())
	}
}

func (s *Service) handleImport(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(uploadTime))
	u, err := receive(w, r)
	if err != nil {
		return err
	}
	k, err := s.kind(u.kind)
	if err == nil && !k.Importable() {
		err = errs.E(errs.Invalid, "%s 不支持导入", k.Label)
	}
	if err == nil {
		err = p.Require(k.ImportAction)
	}
	if err != nil {
		u.remove()
		return err
	}
	httpx.Write(w, http.StatusAccepted, s.Start(p, u.kind, u.name, u.file, u.size, u.validOnly, u.remove))
	return nil
}

// receive reads the multipart form: kind, valid_only and the file, which is streamed to a
// temporary file and never held in memory. A file over MaxUpload is refused whole, and its
// partial copy removed.
func receive(w http.ResponseWriter, r *http.Request) (*upload, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, errs.E(errs.Unsupported, "导入须以 multipart/form-data 上传(字段 kind、valid_only、file)")
	}
	const slack = 1 << 20 // the form's other fields and part headers
	if r.ContentLength > MaxUpload+slack {
		return nil, errTooLarge // said before reading: no point receiving 200 MB to refuse it
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, MaxUpload+slack), params["boundary"])
	u := &upload{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			u.remove()
			return nil, formErr(err)
		}
		switch part.FormName() {
		case "kind", "valid_only":
			v, err := io.ReadAll(io.LimitReader(part, 64))
			if err != nil {
				u.remove()
				return nil, formErr(err)
			}
			if part.FormName() == "kind" {
				u.kind = strings.TrimSpace(string(v))
			} else {
				u.validOnly = strings.TrimSpace(string(v)) == "1" || strings.EqualFold(strings.TrimSpace(string(v)), "true")
			}
		case "file":
			if u.file != nil {
				u.remove()
				return nil, errs.Field("file", "一次只能上传一个文件")
			}
			if err := u.save(part); err != nil {
				u.remove()
				return nil, err
			}
		}
	}
	switch {
	case u.file == nil:
		return nil, errs.Field("file", "请选择要导入的文件")
	case u.kind == "":
		u.remove()
		return nil, errs.Field("kind", "请指定数据类型")
	}
	return u, nil
}

func (u *upload) save(part *multipart.Part) error {
	f, err := os.CreateTemp("", "sunshine-upload-*")
	if err != nil {
		return err
	}
	u.file, u.name = f, part.FileName()
	if u.name == "" {
		u.name = "upload"
	}
	n, err := io.Copy(f, io.LimitReader(part, MaxUpload+1))
	if err != nil {
		return formErr(err)
	}
	if n > MaxUpload {
		return errTooLarge
	}
	u.size = n
	_, err = f.Seek(0, io.SeekStart)
	return err
}

func formErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	return errs.E(errs.Invalid, "上传的表单不完整或格式错误: %v", err)
}

func (s *Service) handleExport(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	kind, format := r.PathValue("kind"), r.URL.Query().Get("format")
	k, err := s.exportable(p, kind, format)
	if err != nil {
		return err
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(downloadTime))
	attachment(w, k.Name, format, time.Now())
	sw := &sentWriter{w: w}
	err = s.Export(r.Context(), p, kind, format, sw)
	if err == nil {
		return nil
	}
	if sw.n == 0 { // nothing sent yet (an XLSX is written at the end): still time for a status
		for _, h := range []string{"Content-Type", "Content-Disposition"} {
			w.Header().Del(h)
		}
		return err
	}
	// Half a CSV already went out with status 200. Cutting the connection makes the browser
	// report a failed download instead of saving a file that looks complete.
	s.logger().Error("export failed mid-stream", "kind", kind, "err", err)
	if conn, _, herr := http.NewResponseController(w).Hijack(); herr == nil {
		_ = conn.Close()
	}
	return nil
}

type sentWriter struct {
	w io.Writer
	n int64
}

func (s *sentWriter) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	s.n += int64(n)
	return n, err
}

func (s *Service) handleTemplate(w http.ResponseWriter, r *http.Request) error {
	p := auth.From(r.Context())
	kind, format := r.PathValue("kind"), r.URL.Query().Get("format")
	if _, err := s.kind(kind); err != nil {
		return err
	}
	if err := s.Template(p, kind, format, io.Discard); err != nil {
		return err
	}
	attachment(w, kind+"-template", format, time.Now())
	return s.Template(p, kind, format, w)
}

func attachment(w http.ResponseWriter, base, format string, now time.Time) {
	ct, ext := "text/csv; charset=utf-8", ".csv"
	if format == "xlsx" {
		ct, ext = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+base+"-"+db.Date(now)+ext+`"`)
	w.Header().Set("Cache-Control", "no-store")
}
