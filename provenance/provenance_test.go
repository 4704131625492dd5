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

// story is a repository where two pull requests, both branched from main's
// first commit, touched the same pipeline and were merged in turn: the
// second merge combines both changes, and its reviewers saw only theirs.
type story struct {
	git                *testrepo.Git
	rv                 *plan.Revisions
	m0, m1, m2         string // main: start, after #1, after #2
	h1, h2             string // heads of #1 (epochs) and #2 (instance type)
	gone               string // a head that deletes the pipeline
	approvedA, readme  string // #3: approved, then a README typo fix on top
	approvedB, changed string // #4: approved, then the pipeline changed
}

func newStory(t *testing.T) *story {
	t.Helper()
	s := &story{git: testrepo.NewGit(t, t.TempDir())}
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

	g.Detach(s.m0)
	g.Branch("drop", true)
	g.Write(conf, "conf: {}\n")
	s.gone = g.Commit("Drop the pipeline")

	g.Detach(s.m0)
	g.Branch("typo", true)
	g.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002")
	s.approvedA = g.Commit("Faster learning")
	g.Write("README.md", "House prices, with a typo fixed.\n")
	s.readme = g.Commit("Fix a typo in the README")

	g.Detach(s.m0)
	g.Branch("sneaky", true)
	g.Edit(conf, "learning_rate: 0.001", "learning_rate: 0.002")
	s.approvedB = g.Commit("Faster learning")
	g.Edit(conf, "batch_size: 64", "batch_size: 8")
	s.changed = g.Commit("Smaller batches, after the approval")

	g.Branch("main", false)
	s.m1 = g.CommitTree("refs/heads/main", "Merge pull request #1", s.h1, s.m0, s.h1)
	g.Detach(s.m1)
	g.Edit(conf, "instance_type: ml.m5.xlarge", "instance_type: ml.m5.2xlarge")
	s.m2 = g.Commit("Merge pull request #2", s.m1, s.h2)

	rv, err := plan.OpenRevisions(plan.GitOptions{Dir: g.Dir, Compile: compiler.Options{Region: "us-east-1", Getenv: noEnv}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rv.Close() })
	s.rv = rv
	return s
}

func noEnv(string) (string, bool) { return "", false }

// merged compiles the pipeline at commit, as the deploy's touched set.
func (s *story) merged(t *testing.T, commit string) map[string]*compiler.Plan {
	t.Helper()
	plans, err := s.rv.Compile(context.Background(), commit, []string{pipeline})
	if err != nil || plans[pipeline] == nil || plans[pipeline].Failed {
		t.Fatalf("compiling %s at %.7s: %v, %+v", pipeline, commit, err, plans)
	}
	return plans
}

func TestDecide(t *testing.T) {
	s := newStory(t)
	approve := func(user, commit string) ghreport.Review {
		return ghreport.Review{User: user, State: "APPROVED", CommitID: commit}
	}
	tests := []struct {
		name         string
		in           Input
		wantReviewed bool
		wantReason   []string // substrings
		wantDiff     string   // a setting path the head → merge diff must show
		wantApproved string
	}{
		{name: "merge of the reviewed head",
			in: Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1)}, wantReviewed: true},
		{name: "second merge of one pipeline, base moved",
			in:         Input{Merge: s.m2, PR: &ghreport.PullRequest{Number: 2, HeadSHA: s.h2}, Merged: s.merged(t, s.m2)},
			wantReason: []string{"it compiles differently at the merge", "pull request #2's head " + s.h2[:12], "base branch moved"},
			wantDiff:   "hyperparams.epochs"},
		{name: "direct push",
			in:         Input{Merge: s.m2, Merged: s.merged(t, s.m2)},
			wantReason: []string{"commit " + s.m2[:12] + " is not the merge of a pull request", "allow-unreviewed"}},
		{name: "pipeline not in the pull request's head",
			in:         Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 5, HeadSHA: s.gone}, Merged: s.merged(t, s.m1)},
			wantReason: []string{"pull request #5 does not define it at its head " + s.gone[:12]}},
		{name: "approved head",
			in:           Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1), RequireApproval: true, Reviews: []ghreport.Review{approve("ana", s.h1)}},
			wantReviewed: true, wantApproved: s.h1},
		{name: "approved, then a README fix",
			in:           Input{Merge: s.readme, PR: &ghreport.PullRequest{Number: 3, HeadSHA: s.readme}, Merged: s.merged(t, s.readme), RequireApproval: true, Reviews: []ghreport.Review{approve("ana", s.approvedA)}},
			wantReviewed: true, wantApproved: s.approvedA},
		{name: "approved, then the pipeline changed",
			in:         Input{Merge: s.changed, PR: &ghreport.PullRequest{Number: 4, HeadSHA: s.changed}, Merged: s.merged(t, s.changed), RequireApproval: true, Reviews: []ghreport.Review{approve("ana", s.approvedB)}},
			wantReason: []string{"no approval of pull request #4 covers it as merged", "ana at " + s.approvedB[:12]}},
		{name: "no review at all",
			in:         Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1), RequireApproval: true},
			wantReason: []string{"#1 has no standing approving review"}},
		{name: "approval taken back by a request for changes",
			in: Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1), RequireApproval: true,
				Reviews: []ghreport.Review{approve("ana", s.h1), {User: "ana", State: "COMMENTED", CommitID: s.h1}, {User: "ana", State: "CHANGES_REQUESTED", CommitID: s.h1}}},
			wantReason: []string{"no standing approving review"}},
		{name: "dismissed approval",
			in: Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1), RequireApproval: true,
				Reviews: []ghreport.Review{{User: "ana", State: "DISMISSED", CommitID: s.h1}}},
			wantReason: []string{"no standing approving review"}},
		{name: "another reviewer's approval still counts",
			in: Input{Merge: s.m1, PR: &ghreport.PullRequest{Number: 1, HeadSHA: s.h1}, Merged: s.merged(t, s.m1), RequireApproval: true,
				Reviews: []ghreport.Review{approve("bo", s.h1), {User: "ana", State: "CHANGES_REQUESTED", CommitID: s.h1}}},
			wantReviewed: true, wantApproved: s.h1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(context.Background(), tt.in, s.rv.Compile)
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
					t.Fatal("no diff from the reviewed head to the merge")
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
