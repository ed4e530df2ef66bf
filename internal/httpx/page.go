package httpx

import (
	"net/http"
	"strconv"

	"sunshine/internal/errs"
)

var errUnauthorized = errs.E(errs.Unauthorized, "请先登录")

// Page is the keyset paging input of list endpoints.
type Page struct {
	After string
	Limit int
}

// PageOf reads ?after=&limit= (limit 1-200, default 50).
func PageOf(r *http.Request) (Page, error) {
	p := Page{After: r.URL.Query().Get("after"), Limit: 50}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 200 {
			return p, errs.Field("limit", "应为 1 到 200 的整数")
		}
		p.Limit = n
	}
	return p, nil
}

// AfterID reads the cursor as a positive integer id (0 = first page).
func (p Page) AfterID() (int64, error) {
	if p.After == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(p.After, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field("after", "分页游标无效")
	}
	return n, nil
}

// List is the shape of every paged answer.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// NewList trims a page fetched with limit+1 rows and sets the next cursor from the last item.
func NewList[T any](items []T, limit int, cursor func(T) string) List[T] {
	if items == nil {
		items = []T{}
	}
	l := List[T]{Items: items}
	if len(items) > limit {
		l.Items = items[:limit]
		c := cursor(l.Items[limit-1])
		l.Next = &c
	}
	return l
}

// PathID reads a positive integer path value.
func PathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Field(name, "应为正整数")
	}
	return n, nil
}

// QueryInt reads an optional non-negative integer query parameter (0 when absent).
func QueryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "应为非负整数")
	}
	return n, nil
}
