// Package httpx is the HTTP plumbing every domain shares: strict JSON in, JSON out, the one
// error→status table, the router that records each route's permission, and middleware.
package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"sunshine/internal/errs"
)

// MaxBody is the largest JSON body accepted; imports of files use their own limits.
const MaxBody = 1 << 20

// Decode reads a JSON object into v: JSON content type, at most MaxBody bytes, no unknown
// fields, exactly one value. Every failure is a clear 4xx error.
func Decode(r *http.Request, v any) error {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		return errs.E(errs.Unsupported, "请求体须为 JSON (Content-Type: application/json),收到 %q", ct)
	}
	return DecodeReader(http.MaxBytesReader(nil, r.Body, MaxBody), v)
}

// DecodeReader is Decode without the HTTP checks, for fuzzing and other callers.
func DecodeReader(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeErr(err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return decodeErr(err)
			}
		}
		return errs.E(errs.Invalid, "请求体只能包含一个 JSON 对象")
	}
	return nil
}

func decodeErr(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return errs.E(errs.TooLarge, "请求体超过 %d 字节上限", mbe.Limit)
	case errors.As(err, &syn):
		return errs.E(errs.Invalid, "JSON 格式错误(第 %d 字节附近)", syn.Offset)
	case errors.As(err, &typ):
		f := typ.Field
		if f == "" {
			f = "(body)"
		}
		return &errs.Error{Code: errs.Invalid, Message: fmt.Sprintf("字段 %s 类型错误: 应为 %s", f, typ.Type), Fields: map[string]string{f: "应为 " + typ.Type.String()}}
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "请求体为空")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "JSON 不完整")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &errs.Error{Code: errs.Invalid, Message: "未知字段: " + f, Fields: map[string]string{f: "未知字段"}}
	}
	return errs.E(errs.Invalid, "无法解析请求体: %v", err)
}

// Write sends v as JSON with the status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

// ErrorBody is the one error shape of the API.
type ErrorBody struct {
	Code    errs.Code         `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

var statusOf = map[errs.Code]int{
	errs.Invalid:      http.StatusBadRequest,
	errs.Unauthorized: http.StatusUnauthorized,
	errs.Forbidden:    http.StatusForbidden,
	errs.NotFound:     http.StatusNotFound,
	errs.Conflict:     http.StatusConflict,
	errs.TooLarge:     http.StatusRequestEntityTooLarge,
	errs.Unsupported:  http.StatusUnsupportedMediaType,
	errs.Throttled:    http.StatusTooManyRequests,
	errs.Internal:     http.StatusInternalServerError,
}

// StatusOf maps an error to its HTTP status.
func StatusOf(err error) int {
	if s, ok := statusOf[errs.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Error writes err in the API's error shape. Errors that are not *errs.Error are internal:
// logged with detail, answered with a safe message.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	e, ok := errs.As(err)
	if !ok {
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &errs.Error{Code: errs.Internal, Message: "服务器内部错误,已记录,请稍后重试"}
	}
	Write(w, StatusOf(e), ErrorBody{Code: e.Code, Message: e.Message, Fields: e.Fields})
}
