package provenance

import (
	"context"
	"strings"
	"testing"

	"github.com/smpipe/smpipe-action/compiler"
	"github.com/smpipe/smpipe-action/ghreport"
	"github.com/smpipe/smpipe-action/internal/testrepo"
	"github.com/smpipe/smpipe-action/plan"
)

const (
	conf     = "housing/conf/conf.yaml"
	pipeline = "house-price-tf"
)

// records is GitHub as the gate asks it, kept in memory.
type records struct {
	prs     map[string][]ghreport.PullRequest // by commit
	reviews map[int][]ghreport.Review
	perms   map[string]string // by login; "read" when absent
	// contributors of each pull request; its author alone when absent.
	contributors map[int][]string
}

func (r *records) Contributors(_ context.Context, pr int) ([]string, bool, error) {
	if c, ok := r.contributors[pr]; ok {
		return c, true, nil
	}
	return []string{"author"}, true, nil
}

func (r *records) PullRequests(_ context.Context, sha string) ([]ghreport.PullRequest, error) {
	return r.prs[sha], nil
}

func (r *records) Reviews(_ context.Context, pr int) ([]ghreport.Review, error) {
	return r.reviews[pr], nil
}

func (r *records) Permission(_ context.Context, login string) (string, error) {
	if p, ok := r.perms[login]; ok {
		return p, nil
	}
	return "read", nil
}

// merged records that pull request n, into base, had head and was merged
// as commit m (its merge commit, or the last commit of a rebase merge).
func (r *records) merged(n int, base, head, m string, also ...string) {
	pr := ghreport.PullRequest{Number: n, BaseRef: base, HeadSHA: head, MergeCommitSHA: m, Author: "author"}
	for _, c := range append([]string{m}, also...) {
		r.prs[c] = append(r.prs[c], pr)
	}
}

func approve(user, commit string) ghreport.Review {
	return ghreport.Review{User: user, UserType: "User", State: "APPROVED", CommitID: commit}
}

// story is main's history, each commit a case:
//
//	m0   House prices (root)
//	m1   merge of #1 (more epochs), branched from m0
//	m2   merge of #2 (bigger instance), branched from m0: combines both
//	x    on m1: a README edit pushed directly
//	d    on m1: the learning rate pushed directly
//	m6   merge of #6 (README only), branched from d
//	m50  merge of #50 (learning rate) into scratch, then pushed to main
//	a2, b2  #7 rebase-merged on m1: epochs, then a README edit
//	m8   merge of #8 (README only, branched from m1) on d, whose merge
//	     undoes d's learning rate: a change the pull request never showed
type story struct {
	git                  *testrepo.Git
	rv                   *plan.Revisions
	rec                  *records
	m0, m1, m2, x, d, m6 string
	h1, h2, h6           string
	m50, h50             string
	a2, b2, h7           string
	m8, h8               string
	approvedB, changed   string // #4: approved, then the pipeline changed
	m4                   string
}

func newStory(t *testing.T) *story {
	t.Helper()
	s := &story{git: testrepo.NewGit(t, t.TempDir()), rec: &records{prs: map[string][]ghreport.PullRequest{}, reviews: map[int][]ghreport.Review{},
		perms: map[string]string{"ana": "write", "bo": "admin", "author": "write", "rita": "read"}}}
	g := s.git
	g.CopyTree("../testdata/conf/ok/housing-tf")
	s.m0 = g.Commit("House prices")

	g.Branch("epochs", true)
	g.Edit(conf, "epochs: 60", "epochs: 80")
	s.h1 = g.Commit("More epochs")

	g.Detach(s.m0)
	g.Branch("bigger", true)
	g.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
	s.h2 = g.Commit("Bigger instance")

	s.m1 = g.CommitTree("refs/heads/main", "Merge pull request #1", s.h1, s.m0, s.h1)
	s.rec.merged(1, "main", s.h1, s.m1)
	g.Detach(s.m1)
	g.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
	s.m2 = g.Commit("Merge pull request #2", s.m1, s.h2)
	s.rec.merged(2, "main", s.h2, s.m2)

	g.Detach(s.m1)
	g.Write("README.md", "House prices.\n")
	s.x = g.Commit("Docs, pushed directly")

	g.Detach(s.m1)
	g.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.01")
	s.d = g.Commit("Faster learning, pushed directly")
	g.Branch("docs", true)
	g.Write("README.md", "House prices, documented.\n")
	s.h6 = g.Commit("Document")
	s.m6 = g.CommitTree("refs/heads/main", "Merge pull request #6", s.h6, s.d, s.h6)
	s.rec.merged(6, "main", s.h6, s.m6)

	g.Detach(s.m1)
	g.Branch("lr", true)
	g.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.02")
	s.h50 = g.Commit("Faster learning")
	s.m50 = g.CommitTree("refs/heads/scratch", "Merge pull request #50", s.h50, s.m1, s.h50)
	s.rec.merged(50, "scratch", s.h50, s.m50)

	g.Detach(s.m1)
	g.Branch("rebased", true)
	g.Edit(conf, "epochs: 80", "epochs: 70")
	s.a2 = g.Commit("Fewer epochs")
	g.Write("README.md", "House prices, fewer epochs.\n")
	s.b2 = g.Commit("Say so")
	s.h7 = s.b2 // rebased on m1 without conflicts: the same commits
	s.rec.merged(7, "main", s.h7, s.b2, s.a2)

	g.Detach(s.m1)
	g.Branch("readme", true)
	g.Write("README.md", "House prices, again.\n")
	s.h8 = g.Commit("Readme")
	g.Detach(s.d)
	g.Write("README.md", "House prices, again.\n")
	g.Edit(conf, "learning_rate: 0.01", "learning_rate: 0.001")
	s.m8 = g.Commit("Merge pull request #8", s.d, s.h8)
	s.rec.merged(8, "main", s.h8, s.m8)

	g.Detach(s.m1)
	g.Branch("sneaky", true)
	g.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002")
	s.approvedB = g.Commit("Faster learning")
	g.Edit(conf, "batch_size: 64", "batch_size: 8")
	s.changed = g.Commit("Smaller batches, after the approval")
	s.m4 = g.CommitTree("refs/heads/main", "Merge pull request #4", s.changed, s.m1, s.changed)
	s.rec.merged(4, "main", s.changed, s.m4)

	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: g.Dir, Compile: compiler.Options{Region: "us-east-1", Getenv: noEnv}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rv.Close() })
	s.rv = rv
	return s
}

func noEnv(string) (string, bool) { return "", false }

// deployed compiles the pipeline at commit, as the deploy does.
func (s *story) deployed(t *testing.T, commit string) map[string]*compiler.Plan {
	t.Helper()
	plans, err := s.rv.Compile(context.Background(), commit, []string{pipeline})
	if err != nil || plans[pipeline] == nil || plans[pipeline].Failed {
		t.Fatalf("compiling %s at %.7s: %v, %+v", pipeline, commit, err, plans)
	}
	return plans
}

func TestGate_Decide(t *testing.T) {
	s := newStory(t)
	tests := []struct {
		name         string
		commit       string
		approval     bool
		reviews      map[int][]ghreport.Review
		wantReviewed bool
		wantOrigin   string
		wantPR       int
		wantReason   []string // substrings
		wantDiff     string   // a setting the head → deployed diff must show
		wantApproved string
	}{
		{name: "merge of the reviewed head", commit: s.m1, wantReviewed: true, wantOrigin: s.m1, wantPR: 1},
		{name: "reconcile after a docs-only direct push", commit: s.x, wantReviewed: true, wantOrigin: s.m1, wantPR: 1},
		{name: "second merge of one pipeline, base moved", commit: s.m2, wantOrigin: s.m2, wantPR: 2,
			wantReason: []string{"compiles differently here", "pull request #2's head " + s.h2[:12], "base branch moved"},
			wantDiff:   "hyperparams.epochs"},
		{name: "direct push", commit: s.d, wantOrigin: s.d,
			wantReason: []string{"commit " + s.d[:12] + ", which gave it its definition, is not the merge of a pull request into main", "allow-unreviewed"}},
		{name: "direct push, then a docs-only merge", commit: s.m6, wantOrigin: s.d,
			wantReason: []string{"commit " + s.d[:12] + ", which gave it its definition, is not the merge"}},
		{name: "merged into another branch, pushed to main", commit: s.m50, wantOrigin: s.m50,
			wantReason: []string{"the pull requests that merged it went into other branches (#50 into scratch)"}},
		{name: "rebase merge of two commits", commit: s.b2, wantReviewed: true, wantOrigin: s.a2, wantPR: 7},
		{name: "a merge that changed what the pull request did not", commit: s.m8, wantOrigin: s.m8, wantPR: 8,
			wantReason: []string{"pull request #8 did not change it", "the change is in the merge itself"}},

		{name: "approved by a writer", commit: s.m1, approval: true, reviews: map[int][]ghreport.Review{1: {approve("ana", s.h1)}},
			wantReviewed: true, wantOrigin: s.m1, wantPR: 1, wantApproved: s.h1},
		{name: "approval by a bot does not count", commit: s.m1, approval: true,
			reviews:    map[int][]ghreport.Review{1: {{User: "github-actions[bot]", UserType: "Bot", State: "APPROVED", CommitID: s.h1}}},
			wantOrigin: s.m1, wantPR: 1, wantReason: []string{"no standing approval", "github-actions[bot] (a bot)"}},
		{name: "approval without write access does not count", commit: s.m1, approval: true,
			reviews: map[int][]ghreport.Review{1: {approve("rita", s.h1)}}, wantOrigin: s.m1, wantPR: 1,
			wantReason: []string{"rita (read access, not write)", "require-approval: false"}},
		{name: "the author's own approval does not count", commit: s.m1, approval: true,
			reviews: map[int][]ghreport.Review{1: {approve("author", s.h1)}}, wantOrigin: s.m1, wantPR: 1,
			wantReason: []string{"author (the pull request's author)"}},
		{name: "approved, then the pipeline changed", commit: s.m4, approval: true,
			reviews: map[int][]ghreport.Review{4: {approve("ana", s.approvedB)}}, wantOrigin: s.m4, wantPR: 4,
			wantReason: []string{"no approval of pull request #4 covers it as merged", "ana at " + s.approvedB[:12]}},
		{name: "no review at all", commit: s.m1, approval: true, wantOrigin: s.m1, wantPR: 1,
			wantReason: []string{"#1 has no standing approval"}},
		{name: "approval taken back by a request for changes", commit: s.m1, approval: true, wantOrigin: s.m1, wantPR: 1,
			reviews: map[int][]ghreport.Review{1: {approve("ana", s.h1), {User: "ana", State: "COMMENTED", CommitID: s.h1},
				{User: "ana", State: "CHANGES_REQUESTED", CommitID: s.h1}}},
			wantReason: []string{"no standing approval"}},
		{name: "dismissed approval", commit: s.m1, approval: true, wantOrigin: s.m1, wantPR: 1,
			reviews:    map[int][]ghreport.Review{1: {{User: "ana", State: "DISMISSED", CommitID: s.h1}}},
			wantReason: []string{"no standing approval"}},
		{name: "another reviewer's approval still counts", commit: s.m1, approval: true, wantOrigin: s.m1, wantPR: 1,
			reviews:      map[int][]ghreport.Review{1: {approve("bo", s.h1), {User: "ana", State: "CHANGES_REQUESTED", CommitID: s.h1}}},
			wantReviewed: true, wantApproved: s.h1},
		{name: "a reviewed rebase merge, approved", commit: s.b2, approval: true, reviews: map[int][]ghreport.Review{7: {approve("ana", s.a2)}},
			wantReviewed: true, wantOrigin: s.a2, wantPR: 7, wantApproved: s.a2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := *s.rec
			rec.reviews = tt.reviews
			g := &Gate{History: s.rv, Records: &rec, Branch: "main", RequireApproval: tt.approval}
			got, err := g.Decide(context.Background(), tt.commit, s.deployed(t, tt.commit))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Pipeline != pipeline {
				t.Fatalf("verdicts = %+v, want one for %s", got, pipeline)
			}
			v := got[0]
			if v.Reviewed != tt.wantReviewed {
				t.Errorf("Reviewed = %v, want %v (reason %q)", v.Reviewed, tt.wantReviewed, v.Reason)
			}
			if tt.wantReviewed && v.Reason != "" {
				t.Errorf("a reviewed pipeline has reason %q", v.Reason)
			}
			if v.Origin != tt.wantOrigin {
				t.Errorf("Origin = %.12s, want %.12s", v.Origin, tt.wantOrigin)
			}
			if pr := 0; v.PR != nil {
				if pr = v.PR.Number; pr != tt.wantPR {
					t.Errorf("PR = #%d, want #%d", pr, tt.wantPR)
				}
			} else if tt.wantPR != 0 {
				t.Errorf("no PR, want #%d", tt.wantPR)
			}
			for _, w := range tt.wantReason {
				if !strings.Contains(v.Reason, w) {
					t.Errorf("reason %q lacks %q", v.Reason, w)
				}
			}
			if v.ApprovedAt != tt.wantApproved {
				t.Errorf("ApprovedAt = %.7s, want %.7s", v.ApprovedAt, tt.wantApproved)
			}
			switch {
			case tt.wantDiff == "" && v.Diff != nil:
				t.Errorf("unexpected diff %+v", v.Diff)
			case tt.wantDiff != "":
				if v.Diff == nil {
					t.Fatal("no diff from the reviewed head to the deployed definition")
				}
				var paths []string
				for _, st := range v.Diff.Steps {
					for _, c := range st.Settings {
						paths = append(paths, c.Path+": "+c.Old+" → "+c.New)
					}
				}
				if len(paths) != 1 || !strings.HasPrefix(paths[0], tt.wantDiff+": 60 → 80") {
					t.Errorf("diff settings = %q, want only %s 60 → 80 (what #1 brought)", paths, tt.wantDiff)
				}
			}
		})
	}
}

// A definition no commit within the bound changed is refused with what to
// do, not walked back forever.
func TestGate_walkIsBounded(t *testing.T) {
	s := newStory(t)
	g := &Gate{History: s.rv, Records: s.rec, Branch: "main", MaxCommits: 1}
	got, err := g.Decide(context.Background(), s.x, s.deployed(t, s.x))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Reviewed || !strings.Contains(got[0].Reason, "no commit among the last 1 on main's first-parent history") {
		t.Errorf("verdicts = %+v", got)
	}
}

func TestRevisions_ChangedSince(t *testing.T) {
	s := newStory(t)
	got, err := s.rv.ChangedSince(context.Background(), s.h2, s.m1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != conf {
		t.Errorf("changed on main since #2 branched = %q, want %q", got, conf)
	}
}
