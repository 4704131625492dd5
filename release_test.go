package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// Tests of the release and supply-chain files: workflows, action.yml and
// the scripts the release workflow runs.

var (
	// owner/repo[/path]@<full commit SHA>
	shaPinned = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[^@\s]+)?@[0-9a-f]{40}$`)
	// what dependabot keeps up to date beside a SHA: "# v1.2.3"
	versionComment = regexp.MustCompile(`^# v\d+(\.\d+){0,2}$`)
	digestPinned   = regexp.MustCompile(`^docker://[^@\s]+@sha256:[0-9a-f]{64}$`)
)

func readYAML(t *testing.T, name string) *yaml.Node {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return &doc
}

// lookup follows mapping keys from n; nil when one is missing.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

// pairs returns a mapping's keys and values in order.
func pairs(n *yaml.Node) (keys []string, values []*yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
		values = append(values, n.Content[i+1])
	}
	return keys, values
}

func workflowFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pat := range []string{".github/workflows/*.yml", ".github/workflows/*.yaml"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Fatal("no workflows under .github/workflows")
	}
	return files
}

// TestWorkflows_usesPinned: every action a workflow runs is pinned to a
// full commit SHA with its version in a comment, or is this repository's
// own (./) or an image by digest. A tag can be moved; a SHA cannot.
func TestWorkflows_usesPinned(t *testing.T) {
	n := 0
	for _, file := range workflowFiles(t) {
		jobNames, jobs := pairs(lookup(readYAML(t, file), "jobs"))
		for j, job := range jobs {
			uses := []*yaml.Node{lookup(job, "uses")} // a reusable workflow
			if steps := lookup(job, "steps"); steps != nil {
				for _, step := range steps.Content {
					uses = append(uses, lookup(step, "uses"))
				}
			}
			for _, u := range uses {
				if u == nil {
					continue
				}
				n++
				where := file + ":" + strconv.Itoa(u.Line) + " (job " + jobNames[j] + ")"
				switch {
				case strings.HasPrefix(u.Value, "./"):
				case strings.HasPrefix(u.Value, "docker://"):
					if !digestPinned.MatchString(u.Value) {
						t.Errorf("%s: %s is not pinned by digest (docker://IMAGE@sha256:…)", where, u.Value)
					}
				case !shaPinned.MatchString(u.Value):
					t.Errorf("%s: %s is not pinned to a full commit SHA", where, u.Value)
				case !versionComment.MatchString(u.LineComment):
					t.Errorf("%s: %s lacks its version as a comment (# vX.Y.Z), got %q", where, u.Value, u.LineComment)
				}
			}
		}
	}
	if n < 10 {
		t.Errorf("found only %d uses: in the workflows; is the walk broken?", n)
	}
}

// TestActionYML_buildsFromDockerfile: on a branch the action builds its
// image from the Dockerfile, so `uses: ./` (the self-test) and forks run
// their own code; only release tags pin a pushed image.
func TestActionYML_buildsFromDockerfile(t *testing.T) {
	doc := readYAML(t, "action.yml")
	if got := lookup(doc, "runs", "image"); got == nil || got.Value != "Dockerfile" {
		t.Errorf("action.yml runs.image = %v, want Dockerfile", got)
	}
	if got := lookup(doc, "runs", "using"); got == nil || got.Value != "docker" {
		t.Errorf("action.yml runs.using = %v, want docker", got)
	}
}

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// pinActionImage runs the release workflow's rewrite script on file.
func pinActionImage(t *testing.T, file, image, digest string) (string, error) {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	out, err := exec.Command(bash, ".ci/pin-action-image.sh", file, image, digest).CombinedOutput()
	return string(out), err
}

// TestPinActionImage rewrites a copy of action.yml as the release does: only
// runs.image changes, to the image by digest, and mistakes stop the release.
func TestPinActionImage(t *testing.T) {
	orig, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "action.yml")
	if err := os.WriteFile(file, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := pinActionImage(t, file, "ghcr.io/smpipe/smpipe-action", testDigest); err != nil {
		t.Fatalf("pin: %v\n%s", err, out)
	}
	pinned, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := "docker://ghcr.io/smpipe/smpipe-action@" + testDigest
	if got := lookup(readYAML(t, file), "runs", "image"); got == nil || got.Value != want {
		t.Fatalf("pinned runs.image = %v, want %s", got, want)
	}
	// Everything else is untouched.
	before, after := strings.Split(string(orig), "\n"), strings.Split(string(pinned), "\n")
	if len(before) != len(after) {
		t.Fatalf("pinning changed the number of lines: %d → %d", len(before), len(after))
	}
	changed := 0
	for i := range before {
		if before[i] != after[i] {
			changed++
			if before[i] != "  image: Dockerfile" {
				t.Errorf("line %d changed: %q → %q", i+1, before[i], after[i])
			}
		}
	}
	if changed != 1 {
		t.Errorf("%d lines changed, want 1", changed)
	}

	// Mistakes fail and leave the file alone.
	tests := []struct {
		name, file, image, digest, want string
	}{
		{"pinned twice", file, "ghcr.io/smpipe/smpipe-action", testDigest, "not Dockerfile: already pinned?"},
		{"a tag, not a digest", "action.yml", "ghcr.io/smpipe/smpipe-action", "v1", "not a sha256 digest"},
		{"a short digest", "action.yml", "ghcr.io/smpipe/smpipe-action", "sha256:0123", "not a sha256 digest"},
		{"an image with a tag", "action.yml", "ghcr.io/smpipe/smpipe-action:v1", testDigest, "not an image name"},
		{"upper case", "action.yml", "ghcr.io/Smpipe/smpipe-action", testDigest, "not an image name"},
		{"no image line", "Dockerfile", "ghcr.io/smpipe/smpipe-action", testDigest, "expected one image: under runs:, found 0"},
	}
	for _, tt := range tests {
		before, _ := os.ReadFile(tt.file)
		out, err := pinActionImage(t, tt.file, tt.image, tt.digest)
		if err == nil || !strings.Contains(out, tt.want) {
			t.Errorf("%s: err %v, output %q; want a failure saying %q", tt.name, err, out, tt.want)
		}
		if after, _ := os.ReadFile(tt.file); string(after) != string(before) {
			t.Errorf("%s: the file changed", tt.name)
		}
	}
}

// step is one workflow step, as the tests read it.
type step struct {
	uses, run, id string
	with, env     map[string]string
}

func jobSteps(t *testing.T, doc *yaml.Node, job string) []step {
	t.Helper()
	steps := lookup(doc, "jobs", job, "steps")
	if steps == nil {
		t.Fatalf("release.yml has no job %q with steps", job)
	}
	var out []step
	for _, s := range steps.Content {
		st := step{with: map[string]string{}, env: map[string]string{}}
		if n := lookup(s, "uses"); n != nil {
			st.uses = n.Value
		}
		if n := lookup(s, "run"); n != nil {
			st.run = n.Value
		}
		if n := lookup(s, "id"); n != nil {
			st.id = n.Value
		}
		for _, m := range []struct {
			key string
			to  map[string]string
		}{{"with", st.with}, {"env", st.env}} {
			keys, values := pairs(lookup(s, m.key))
			for i, k := range keys {
				m.to[k] = values[i].Value
			}
		}
		out = append(out, st)
	}
	return out
}

func findStep(steps []step, match func(step) bool) int {
	return slices.IndexFunc(steps, match)
}

// TestReleaseWorkflow: the release pushes the image, attests image and
// binaries, pins action.yml to the pushed digest with the script tested
// above, and only then moves the release and major tags onto that commit.
func TestReleaseWorkflow(t *testing.T) {
	doc := readYAML(t, ".github/workflows/release.yml")

	// The image job exposes the digest docker/build-push-action pushed.
	image := jobSteps(t, doc, "image")
	build := findStep(image, func(s step) bool { return strings.HasPrefix(s.uses, "docker/build-push-action@") })
	if build < 0 || image[build].with["push"] != "true" || image[build].id == "" {
		t.Fatalf("the image job has no pushing docker/build-push-action step with an id")
	}
	digestExpr := "${{ steps." + image[build].id + ".outputs.digest }}"
	if got := lookup(doc, "jobs", "image", "outputs", "digest"); got == nil || got.Value != digestExpr {
		t.Errorf("jobs.image.outputs.digest = %v, want %s", got, digestExpr)
	}
	attest := findStep(image, func(s step) bool { return strings.HasPrefix(s.uses, "actions/attest-build-provenance@") })
	if attest < build || image[attest].with["subject-digest"] != digestExpr || image[attest].with["push-to-registry"] != "true" {
		t.Errorf("the image job does not attest the pushed digest after pushing it")
	}

	// The binaries are built by the script .ci/run runs, and attested.
	bins := jobSteps(t, doc, "binaries")
	built := findStep(bins, func(s step) bool { return strings.Contains(s.run, ".ci/release-binaries.sh dist ") })
	attested := findStep(bins, func(s step) bool {
		return strings.HasPrefix(s.uses, "actions/attest-build-provenance@") && s.with["subject-checksums"] == "dist/SHA256SUMS"
	})
	if built < 0 || attested < built {
		t.Errorf("the binaries job does not build with .ci/release-binaries.sh and then attest dist/SHA256SUMS")
	}

	// The release job pins action.yml to that digest before tagging.
	rel := jobSteps(t, doc, "release")
	needs := lookup(doc, "jobs", "release", "needs")
	if needs == nil || !slices.ContainsFunc(needs.Content, func(n *yaml.Node) bool { return n.Value == "image" }) {
		t.Errorf("the release job does not need the image job")
	}
	pin := findStep(rel, func(s step) bool { return strings.Contains(s.run, ".ci/pin-action-image.sh action.yml ") })
	if pin < 0 {
		t.Fatal("the release job does not run .ci/pin-action-image.sh on action.yml")
	}
	if got := rel[pin].env["DIGEST"]; got != "${{ needs.image.outputs.digest }}" {
		t.Errorf("the pin step's DIGEST = %q, want the image job's digest output", got)
	}
	if got := rel[pin].env["IMAGE"]; got != "${{ needs.image.outputs.image }}" {
		t.Errorf("the pin step's IMAGE = %q, want the image job's image output", got)
	}
	tag := findStep(rel, func(s step) bool {
		return strings.Contains(s.run, "git commit") && strings.Contains(s.run, `git push --force origin "refs/tags/$VERSION"`) &&
			strings.Contains(s.run, `git push --force origin "refs/tags/$major"`)
	})
	if tag < pin {
		t.Errorf("no step after the pin commits action.yml and force-pushes the release and major tags")
	}
	publish := findStep(rel, func(s step) bool {
		return strings.Contains(s.run, "gh release create") && strings.Contains(s.run, "dist/*")
	})
	if publish < tag {
		t.Errorf("the binaries are not published after the tags moved")
	}

	// dist/ also holds the schema editors download from a release, checked
	// against the committed file and listed in the attested SHA256SUMS.
	script, err := os.ReadFile(".ci/release-binaries.sh")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`go run . schema) >"$out/conf.schema.json"`, `cmp -s "$out/conf.schema.json" "$repo/schema/conf.schema.json"`,
		`sha256 smpipe-* conf.schema.json >SHA256SUMS`} {
		if !strings.Contains(string(script), want) {
			t.Errorf(".ci/release-binaries.sh lacks %s", want)
		}
	}
}

func TestDependabot(t *testing.T) {
	updates := lookup(readYAML(t, ".github/dependabot.yml"), "updates")
	var got []string
	if updates != nil {
		for _, u := range updates.Content {
			if e := lookup(u, "package-ecosystem"); e != nil {
				got = append(got, e.Value)
			}
		}
	}
	slices.Sort(got)
	if want := []string{"docker", "github-actions", "gomod"}; !slices.Equal(got, want) {
		t.Errorf("dependabot ecosystems = %q, want %q", got, want)
	}
}
