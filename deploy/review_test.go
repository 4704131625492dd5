package deploy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckReviewed(t *testing.T) {
	t.Parallel()
	a, b, c := newTarget("alpha", definition("A")), newTarget("bravo", definition("B")), newTarget("charlie", definition("C"))
	targets := []Target{c, a, b}
	for _, tc := range []struct {
		name     string
		reviewed map[string]string
		allow    bool
		wantOK   []string
		refused  map[string]string // pipeline → text the error must contain
	}{
		{"all reviewed", map[string]string{"alpha": a.Hash, "bravo": b.Hash, "charlie": c.Hash}, false,
			[]string{"charlie", "alpha", "bravo"}, nil},
		{"hash changed since review", map[string]string{"alpha": a.Hash, "bravo": c.Hash, "charlie": c.Hash}, false,
			[]string{"charlie", "alpha"}, map[string]string{"bravo": "was reviewed with " + c.Hash}},
		{"absent from review", map[string]string{"charlie": c.Hash}, false,
			[]string{"charlie"}, map[string]string{"alpha": "shows no definition", "bravo": "shows no definition"}},
		{"nothing reviewed but allowed", nil, true, []string{"charlie", "alpha", "bravo"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, refused := CheckReviewed(targets, tc.reviewed, tc.allow)
			var names []string
			for _, t := range ok {
				names = append(names, t.Pipeline)
			}
			if diff := cmp.Diff(tc.wantOK, names); diff != "" {
				t.Errorf("ok (-want +got):\n%s", diff)
			}
			if len(refused) != len(tc.refused) {
				t.Fatalf("refused %d, want %d: %+v", len(refused), len(tc.refused), refused)
			}
			for i, r := range refused {
				if i > 0 && refused[i-1].Pipeline > r.Pipeline {
					t.Errorf("refused not sorted: %q before %q", refused[i-1].Pipeline, r.Pipeline)
				}
				want, found := tc.refused[r.Pipeline]
				var ue *UnreviewedError
				if !found || r.Status != StatusFailed || !errors.As(r.Err, &ue) || !strings.Contains(r.Err.Error(), want) {
					t.Errorf("refused %+v, want error containing %q", r, want)
				}
			}
		})
	}
}
