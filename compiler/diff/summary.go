package diff

import (
	"strconv"
	"strings"
)

// Summary says in a few words what changed, for the PR one-liner:
// "new pipeline", "deleted pipeline", "2 steps changed, 1 added",
// "1 step removed", "1 dependency added", "pipeline settings changed" (only
// parameters or other members outside the steps), "no step changes" (the
// definition changed but no step did) or "no changes".
func (p Pipeline) Summary() string {
	switch p.Status {
	case Added:
		return "new pipeline"
	case Removed:
		return "deleted pipeline"
	case Unchanged:
		return "no changes"
	}
	var counts [4]int
	for _, s := range p.Steps {
		counts[s.Status]++
	}
	if s := countList("step", "steps", counts[Changed], counts[Added], counts[Removed]); s != "" {
		return s
	}
	var edges [4]int
	for _, e := range p.Edges {
		edges[e.Status]++
	}
	if s := countList("dependency", "dependencies", 0, edges[Added], edges[Removed]); s != "" {
		return s
	}
	if len(p.Settings) > 0 {
		return "pipeline settings changed"
	}
	return "no step changes"
}

// countList writes "2 steps changed, 1 added, 3 removed", naming the noun
// once, after the first non-zero count.
func countList(one, many string, changed, added, removed int) string {
	var parts []string
	for _, c := range []struct {
		n    int
		verb string
	}{{changed, "changed"}, {added, "added"}, {removed, "removed"}} {
		if c.n == 0 {
			continue
		}
		if len(parts) == 0 {
			noun := many
			if c.n == 1 {
				noun = one
			}
			parts = append(parts, strconv.Itoa(c.n)+" "+noun+" "+c.verb)
		} else {
			parts = append(parts, strconv.Itoa(c.n)+" "+c.verb)
		}
	}
	return strings.Join(parts, ", ")
}
