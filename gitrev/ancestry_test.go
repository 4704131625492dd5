package gitrev

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

// history is a main line of n commits and a side branch forked from the
// first, as a force-push leaves an old deploy behind.
type history struct {
	dir  string
	main []string // oldest first; the last is main's head
	side string
}

func newHistory(t *testing.T, n int) history {
	t.Helper()
	f := newFixture(t)
	var h history
	for i := range n {
		f.write("models/a/conf/conf.yaml", fmt.Sprintf("a: %d\n", i))
		h.main = append(h.main, f.commit(fmt.Sprintf("main %d", i)))
	}
	wt, err := f.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash(h.main[0]), Branch: "refs/heads/side", Create: true}); err != nil {
		t.Fatal(err)
	}
	f.write("models/a/conf/conf.yaml", "side\n")
	h.side = f.commit("side")
	if err := wt.Checkout(&git.CheckoutOptions{Branch: "refs/heads/main"}); err != nil {
		t.Fatal(err)
	}
	h.dir = f.dir
	return h
}

func TestRepo_IsAncestor_fullHistory(t *testing.T) {
	h := newHistory(t, 3)
	r, err := Open(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	a, b, c := h.main[0], h.main[1], h.main[2]
	for _, tc := range []struct {
		name             string
		ancestor, commit string
		want             bool
	}{
		{"same commit", b, b, true},
		{"parent", b, c, true},
		{"grandparent", a, c, true},
		{"descendant", c, a, false},
		{"other branch", h.side, c, false},
		{"fork point of the other branch", a, h.side, true},
		{"upper-case SHA", strings.ToUpper(a), c, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.IsAncestor(context.Background(), tc.ancestor, tc.commit, FetchOptions{})
			if err != nil || got != tc.want {
				t.Errorf("IsAncestor = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestRepo_IsAncestor_errors(t *testing.T) {
	h := newHistory(t, 2)
	r, err := Open(h.dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	unknown := strings.Repeat("e", 40)
	for _, tc := range []struct {
		name             string
		ancestor, commit string
		want             string
	}{
		{"ancestor not a SHA", "local", h.main[1], `"local"`},
		{"commit not a SHA", h.main[0], "HEAD", `"HEAD"`},
		{"unknown commit", unknown, h.main[1], "commit " + unknown + " is not in the checkout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.IsAncestor(context.Background(), tc.ancestor, tc.commit, FetchOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestRepo_IsAncestor_shallowClone: in a depth-1 checkout, as actions/checkout
// leaves it, the answer needs history the clone does not have; it is fetched,
// deepened in steps, without touching HEAD, the index or the worktree.
func TestRepo_IsAncestor_shallowClone(t *testing.T) {
	h := newHistory(t, 120) // more than the first deepening step
	srv := serveRepo(t, h.dir, serverOptions{token: testToken, config: shareable})
	dst := shallowClone(t, srv.URL)
	r, err := Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	before := snapshot(t, dst)
	head, first := h.main[len(h.main)-1], h.main[0]
	opt := srv.trust(FetchOptions{Token: testToken})

	for _, tc := range []struct {
		name             string
		ancestor, commit string
		want             bool
	}{
		{"first commit below the head", first, head, true},
		{"the other branch", h.side, head, false},
		{"the head below the first commit", head, first, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.IsAncestor(context.Background(), tc.ancestor, tc.commit, opt)
			if err != nil || got != tc.want {
				t.Errorf("IsAncestor = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	for _, a := range srv.takeAuths() {
		if a != "x-access-token:"+testToken {
			t.Errorf("a request sent basic auth %q, want x-access-token:<token>", a)
		}
	}
	if diff := cmp.Diff(before, snapshot(t, dst)); diff != "" {
		t.Errorf("IsAncestor changed HEAD, the index or the worktree (-before +after):\n%s", diff)
	}

	unknown := strings.Repeat("ab", 20)
	_, err = r.IsAncestor(context.Background(), unknown, head, opt)
	if err == nil || !strings.Contains(err.Error(), "commit "+unknown+" is not in the checkout") || strings.Contains(err.Error(), testToken) {
		t.Errorf("unknown commit: %v", err)
	}
}

// TestAncestorFunc_withoutCheckout: outside a git checkout the commit order
// is unknown, and that is an error, never a yes.
func TestAncestorFunc_withoutCheckout(t *testing.T) {
	var r *Repo
	ok, err := r.AncestorFunc(FetchOptions{})(t.Context(), strings.Repeat("a", 40), strings.Repeat("b", 40))
	if ok || err == nil || !strings.Contains(err.Error(), "history is unknown") {
		t.Fatalf("AncestorFunc on no checkout = %v, %v; want an error", ok, err)
	}
}
