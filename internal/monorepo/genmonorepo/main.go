// Command genmonorepo writes a generated monorepo as a git repository for
// measuring whole smpipe processes (README, Performance): a base commit of
// N pipelines and a head commit that tunes K of them. Run it from the
// module root (the example repository is read from testdata):
//
//	go run ./internal/monorepo/genmonorepo -pipelines 10000 -touch 10 /tmp/mono
//	cd /tmp/mono && smpipe plan --base HEAD~1 --head HEAD
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/smpipe/smpipe-action/internal/monorepo"
)

func main() {
	n := flag.Int("pipelines", 1000, "number of pipelines `N`")
	k := flag.Int("touch", 10, "pipelines `K` the head commit changes")
	example := flag.String("example", monorepo.Example, "example repository `DIR` whose pipeline each generated one copies")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: genmonorepo [-pipelines N] [-touch K] [-example DIR] DIR")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *example, *n, *k); err != nil {
		fmt.Fprintln(os.Stderr, "genmonorepo:", err)
		os.Exit(1)
	}
}

func run(dir, example string, n, k int) error {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", dir)
	}
	if err := monorepo.Write(dir, example, n); err != nil {
		return err
	}
	base, err := monorepo.Commit(dir, fmt.Sprintf("%d pipelines", n))
	if err != nil {
		return err
	}
	for _, i := range monorepo.Spread(n, k) {
		if err := monorepo.Tune(dir, i, 1); err != nil {
			return err
		}
	}
	head, err := monorepo.Commit(dir, fmt.Sprintf("tune %d pipelines", k))
	if err != nil {
		return err
	}
	fmt.Printf("base %s\nhead %s\n", base, head)
	return nil
}
