package gitrev

import (
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestRepo_MergeBase(t *testing.T) {
	f := newFixture(t)
	f.write("a.txt", "1\n")
	fork := f.commit("fork point")
	f.write("a.txt", "2\n")
	mainTip := f.commit("main moves on")
	wt, err := f.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.Checkout(&git.CheckoutOptions{Hash: plumbing.NewHash(fork), Branch: "refs/heads/feature", Create: true}); err != nil {
		t.Fatal(err)
	}
	f.write("b.txt", "feature\n")
	featureTip := f.commit("feature")

	r := f.open()
	for _, tt := range []struct{ a, b, want string }{
		{featureTip, mainTip, fork},
		{mainTip, featureTip, fork},
		{fork, mainTip, fork},
		{mainTip, mainTip, mainTip},
	} {
		got, err := r.MergeBase(tt.a, tt.b)
		if err != nil || got != tt.want {
			t.Errorf("MergeBase(%.7s, %.7s) = %.7s, %v; want %.7s", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := r.MergeBase(featureTip, strings.Repeat("e", 40)); err == nil {
		t.Error("MergeBase with an unknown commit succeeded")
	}
}
