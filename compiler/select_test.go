package compiler

import (
	"context"
	"strings"
	"testing"
)

// Pipelines are selected by name without regard to case, as SageMaker
// compares names; an unknown name lists the pipelines there are.
func TestSelectNames(t *testing.T) {
	repo, err := Load(context.Background(), openRepo(t, "../testdata/conf/ok/two-pipelines"), Options{Getenv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	all, err := repo.SelectNames(nil)
	if err != nil || len(all) != 2 {
		t.Fatalf("SelectNames(nil) = %v, %v; want both anchors", all, err)
	}
	var names []string
	for _, pc := range repo.proj.Anchors {
		names = append(names, pc.Name.Value)
	}
	got, err := repo.SelectNames([]string{strings.ToUpper(names[1])})
	if err != nil || len(got) != 1 || got[0] != repo.proj.Anchors[1].File {
		t.Errorf("SelectNames(%q) = %v, %v; want [%s]", strings.ToUpper(names[1]), got, err, repo.proj.Anchors[1].File)
	}
	if _, err := repo.SelectNames([]string{"no-such-pipeline"}); err == nil || !strings.Contains(err.Error(), names[0]) {
		t.Errorf("an unknown name: error %v, want one listing %q", err, names[0])
	}
}
