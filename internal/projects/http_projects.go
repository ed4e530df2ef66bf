package projects

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/errs"
	"sunshine/internal/httpx"
	"sunshine/internal/registry"
)

func (s *Service) projectRoutes(rt *httpx.Router) {
	rt.Handle("GET /api/v1/projects", auth.ProjectRead, s.handleProjects)
	rt.Handle("POST /api/v1/projects", auth.ProjectWrite, httpx.WithBody(http.StatusCreated, s.CreateProject))
	rt.Handle("GET /api/v1/projects/board", auth.ProjectRead, s.handleBoard)
	rt.Handle("GET /api/v1/projects/stages", auth.ProjectRead, func(w http.ResponseWriter, r *http.Request) error {
		httpx.Write(w, http.StatusOK, s.StageRules())
		return nil
	})
	rt.Handle("GET /api/v1/projects/{id}", auth.ProjectRead, httpx.ByID(s.Project))
	rt.Handle("PUT /api/v1/projects/{id}", auth.ProjectWrite, httpx.WithID(http.StatusOK, s.UpdateProject))
	rt.Handle("POST /api/v1/projects/{id}/documents", auth.ProjectWrite, s.handleAddDocument)
	rt.Handle("GET /api/v1/projects/{id}/documents/{doc}/file", auth.ProjectRead, s.handleDocumentFile)
	rt.Handle("POST /api/v1/projects/{id}/sign", auth.ProjectSign, httpx.WithID(http.StatusOK, s.Sign))
	rt.HandlePublic("GET /api/v1/public/projects", s.handlePublicProjects)
}

// projQueryInt reads an optional integer query parameter within [min, max]; def when absent.
func projQueryInt(r *http.Request, name string, def, min, max int) (int, error) {
	v := strings.TrimSpace(r.URL.Query().Get(name))
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, errs.Field(name, "应为 "+strconv.Itoa(min)+" 到 "+strconv.Itoa(max)+" 的整数")
	}
	return n, nil
}

func (s *Service) handleProjects(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	qv := r.URL.Query()
	f := ProjectFilter{Region: qv.Get("region"), Kind: qv.Get("kind"), Status: qv.Get("status"), Q: qv.Get("q"), Limit: pg.Limit}
	if f.After, err = pg.AfterID(); err != nil {
		return err
	}
	if f.Stage, err = projQueryInt(r, "stage", -1, -1, Done); err != nil {
		return err
	}
	if f.Year, err = projQueryInt(r, "year", 0, 2000, 2099); err != nil {
		return err
	}
	switch qv.Get("overdue") {
	case "", "0", "false":
	case "1", "true":
		f.Overdue = true
	default:
		return errs.Field("overdue", "应为 1 或 0")
	}
	rows, err := s.Projects(r.Context(), auth.From(r.Context()), f)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, httpx.NewList(rows, pg.Limit, projectCursor))
	return nil
}

func (s *Service) handleBoard(w http.ResponseWriter, r *http.Request) error {
	year, err := projQueryInt(r, "year", 0, 2000, 2099)
	if err != nil {
		return err
	}
	b, err := s.Board(r.Context(), auth.From(r.Context()), r.URL.Query().Get("region"), r.URL.Query().Get("kind"), year)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusOK, b)
	return nil
}

// parseDocStage reads the multipart stage field: an integer 0-8.
func parseDocStage(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 || n >= len(Stages) {
		return 0, errs.Field("stage", "阶段应为 0 到 8")
	}
	return n, nil
}

// handleAddDocument takes multipart/form-data with stage, doc_type, title and file. The
// project is looked up first, so a project out of scope answers 404 before the body is read.
func (s *Service) handleAddDocument(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	p := auth.From(r.Context())
	if _, err := projectFor(r.Context(), s.DB.Reader(), p, id, auth.ProjectWrite); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return errs.E(errs.Unsupported, "项目材料须以 multipart/form-data 上传(字段 stage、doc_type、title、file)")
	}
	const limit = registry.MaxAttachment + 1<<20
	if r.ContentLength > limit {
		return errs.E(errs.TooLarge, "附件超过 %d MB", registry.MaxAttachment>>20)
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errs.E(errs.TooLarge, "附件超过 %d MB", registry.MaxAttachment>>20)
		}
		return errs.E(errs.Invalid, "上传的表单不完整或格式错误")
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	stage, err := parseDocStage(r.FormValue("stage"))
	if err != nil {
		return err
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		return errs.Field("file", "请选择要上传的文件")
	}
	defer f.Close()
	a, data, err := registry.ReadFile(hdr.Filename, f, registry.MaxAttachment)
	if err != nil {
		return err
	}
	d, err := s.AddDocument(r.Context(), p, id, stage, r.FormValue("doc_type"), r.FormValue("title"), a, data)
	if err != nil {
		return err
	}
	httpx.Write(w, http.StatusCreated, d)
	return nil
}

func (s *Service) handleDocumentFile(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := httpx.PathID(r, "doc")
	if err != nil {
		return err
	}
	d, data, err := s.DocumentFile(r.Context(), auth.From(r.Context()), id, doc)
	if err != nil {
		return err
	}
	registry.ServeFile(w, registry.Attachment{Name: d.FileName, ContentType: d.ContentType, SHA256: d.SHA256}, data)
	return nil
}

func (s *Service) handlePublicProjects(w http.ResponseWriter, r *http.Request) error {
	pg, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	after, err := pg.AfterID()
	if err != nil {
		return err
	}
	rows, err := s.publicProjects(r.Context(), r.URL.Query().Get("region"), after, pg.Limit)
	if err != nil {
		return err
	}
	l := httpx.NewList(rows, pg.Limit, func(x publicRow) string { return strconv.FormatInt(x.id, 10) })
	out := httpx.List[PublicProject]{Items: make([]PublicProject, len(l.Items)), Next: l.Next}
	for i, x := range l.Items {
		out.Items[i] = x.PublicProject
	}
	httpx.Write(w, http.StatusOK, out)
	return nil
}
