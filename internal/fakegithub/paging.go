package fakegithub

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// page cuts items to the page the request asks for (page from 1, per_page
// default 30, at most 100) and sets the Link header GitHub sends: first,
// prev, next and last, as absolute URLs keeping the other query values.
func page[T any](w http.ResponseWriter, r *http.Request, items []T) []T {
	q := r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	n := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		n = v
	}
	last := max((len(items)+per-1)/per, 1)
	pageURL := func(p int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(p))
		q.Set("per_page", strconv.Itoa(per))
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}
		return u.String()
	}
	var links []string
	if n > 1 {
		links = append(links, `<`+pageURL(1)+`>; rel="first"`, `<`+pageURL(min(n-1, last))+`>; rel="prev"`)
	}
	if n < last {
		links = append(links, `<`+pageURL(n+1)+`>; rel="next"`, `<`+pageURL(last)+`>; rel="last"`)
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	start := min((n-1)*per, len(items))
	end := min(start+per, len(items))
	return items[start:end]
}
