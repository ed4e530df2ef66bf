package projects

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"sunshine/internal/auth"
	"sunshine/internal/db"
	"sunshine/internal/errs"
	"sunshine/internal/registry"
)

// docTypeOf finds a stage's doc type by key (the stage's own or "other").
func docTypeOf(stage int, key string) (DocType, bool) {
	if key == OtherDoc.Key {
		return OtherDoc, true
	}
	if stage < 0 || stage >= len(Stages) {
		return DocType{}, false
	}
	for _, d := range Stages[stage].Docs {
		if d.Key == key {
			return d, true
		}
	}
	return DocType{}, false
}

// AddDocument files a document of a stage: the file is stored with its SHA-256 under the
// project's region in the same transaction. Documents are accepted for the current stage and
// for stages already signed (late papers are kept, and audited), never for later ones.
func (s *Service) AddDocument(ctx context.Context, p *auth.Principal, projectID int64, stage int, docType, title string,
	file registry.Attachment, data []byte) (Document, error) {
	if err := p.Require(auth.ProjectWrite); err != nil {
		return Document{}, err
	}
	v := errs.Validation{}
	docType = strings.TrimSpace(docType)
	projText(v, "title", &title, 0, 200)
	if stage < 0 || stage >= len(Stages) {
		v.Add("stage", "阶段应为 0 到 8")
	} else if _, ok := docTypeOf(stage, docType); !ok {
		keys := []string{}
		for _, d := range Stages[stage].Docs {
			keys = append(keys, d.Key)
		}
		v.Add("doc_type", "「"+Stages[stage].Label+"」阶段的材料类型应为 "+strings.Join(append(keys, OtherDoc.Key), "、")+" 之一")
	}
	if len(data) == 0 || file.SHA256 == "" || file.Name == "" {
		v.Add("file", "请选择要上传的文件")
	}
	if err := v.Err(); err != nil {
		return Document{}, err
	}
	var out Document
	err := s.DB.InTx(ctx, func(tx *db.Tx) error {
		x, err := projectFor(ctx, tx, p, projectID, auth.ProjectWrite)
		if err != nil {
			return err
		}
		if stage > x.Stage {
			return &errs.Error{Code: errs.Conflict, Message: "「" + Stages[stage].Label + "」阶段尚未开始,不能上传材料",
				Fields: map[string]string{"stage": "当前阶段为「" + projStageLabel(x.Stage) + "」"}}
		}
		if title == "" {
			d, _ := docTypeOf(stage, docType)
			title = d.Label
		}
		a := file
		if err := registry.StoreFile(ctx, tx, &a, data, x.RegionCode, p.UserID); err != nil {
			return err
		}
		id, err := tx.InsertID(ctx, `INSERT INTO project_documents (project_id, stage, doc_type, title, attachment_id, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, projectID, stage, docType, title, a.ID, p.UserID, db.Time(tx.Now))
		if err != nil {
			return err
		}
		out = Document{ID: id, ProjectID: projectID, Stage: stage, DocType: docType, Title: title, AttachmentID: a.ID,
			FileName: a.Name, SHA256: a.SHA256, Size: a.Size, ContentType: a.ContentType, CreatedBy: p.UserID, CreatedAt: db.Time(tx.Now)}
		after := map[string]any{"document": out, "late": stage < x.Stage}
		return record(ctx, tx, p, "project.document", "project", projectID, x.RegionCode, nil, after)
	})
	return out, err
}

// DocumentFile returns a document's file for a project the principal may read.
func (s *Service) DocumentFile(ctx context.Context, p *auth.Principal, projectID, docID int64) (Document, []byte, error) {
	q := s.DB.Reader()
	if _, err := projectFor(ctx, q, p, projectID, auth.ProjectRead); err != nil {
		return Document{}, nil, err
	}
	docs, err := projDocuments(ctx, q, `d.id = ? AND d.project_id = ?`, docID, projectID)
	if err != nil {
		return Document{}, nil, err
	}
	if len(docs) == 0 {
		return Document{}, nil, errs.E(errs.NotFound, "项目材料不存在")
	}
	var data []byte
	err = q.QueryRowContext(ctx, `SELECT data FROM attachments WHERE id = ?`, docs[0].AttachmentID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return Document{}, nil, errs.E(errs.NotFound, "项目材料不存在")
	}
	return docs[0], data, err
}

func projStageLabel(k int) string {
	switch {
	case k >= 0 && k < len(Stages):
		return Stages[k].Label
	case k == Done:
		return "完成"
	}
	return "容错/失败"
}
