package fastyaml_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/smpipe/smpipe-action/internal/fastyaml"
)

// reference is what yaml.v3 makes of src: the root of its only document,
// or why there is none to compare with.
func reference(src []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("not a single document: %v", err)
	}
	if len(doc.Content) != 1 {
		return nil, errors.New("empty document")
	}
	return doc.Content[0], nil
}

// difference describes the first way a and b differ in what fastyaml
// promises (comments excepted), "" when they do not.
func difference(a, b *yaml.Node, at string) string {
	if a == nil || b == nil {
		if a != b {
			return at + ": one node is nil"
		}
		return ""
	}
	if a.Kind != b.Kind || a.Tag != b.Tag || a.Style != b.Style || a.Value != b.Value || a.Anchor != b.Anchor ||
		a.Line != b.Line || a.Column != b.Column || (a.Alias == nil) != (b.Alias == nil) || len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s:\n  fastyaml kind %d tag %q style %d value %q at %d:%d, %d children\n  yaml.v3  kind %d tag %q style %d value %q at %d:%d, %d children",
			at, a.Kind, a.Tag, a.Style, a.Value, a.Line, a.Column, len(a.Content),
			b.Kind, b.Tag, b.Style, b.Value, b.Line, b.Column, len(b.Content))
	}
	for i := range a.Content {
		if d := difference(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// check fails the test when Parse accepts src and differs from yaml.v3, or
// accepts what yaml.v3 rejects. It reports whether Parse accepted.
func check(t *testing.T, name string, src []byte) bool {
	t.Helper()
	got, ok := fastyaml.Parse(src)
	if !ok {
		return false
	}
	want, err := reference(src)
	if err != nil {
		t.Errorf("%s: fastyaml accepted what yaml.v3 rejects (%v):\n%s", name, err, src)
		return true
	}
	if d := difference(got, want, "root"); d != "" {
		t.Errorf("%s: trees differ at %s\n--- input\n%s", name, d, src)
	}
	return true
}

func TestParse_cases(t *testing.T) {
	tests := []struct {
		name, src string
		accept    bool
	}{
		{"mapping", "a: 1\nb: two\n", true},
		{"nested", "a:\n  b:\n    c: x\n  d: y\n", true},
		{"empty values", "a:\nb:   # note\nc: 1\n", true},
		{"sequence under a key at its indentation", "k:\n- a\n- b\nm: 1\n", true},
		{"compact mappings", "- a: 1\n  b: 2\n-   c: 3\n    d:\n- \n-\n", true},
		{"scalars", "a: 1e3\nb: 0x1F\nc: 2001-12-14\nd: ~\ne: yes\nf: .inf\ng: -1\nh: arn:aws:iam::1:role/x\ni: a >> b\n", true},
		{"quoted", "'a': \"b c\"\nc: 'it''s'\n\"d\": ''\n", true},
		{"flow", "x: [a, 'b', {c: d, e: [f]}]\ny: []\nz: {}\n", true},
		{"comments everywhere", "# head\na: 1 # one\n# between\n  # indented\nb:\n  # inside\n  c: 2\n", true},
		{"non-ASCII", "é: ü\nclé:\n  - ÿ: z\n", true},
		{"non-ASCII flow line", "a: [é, x, ü, {ÿ: zé, k: [ä, b]}, 'ö', y]\nb: {é: [1, ü], c: d}\n", true},
		{"indented root", "  a: 1\n  b: 2\n", true},
		{"no final newline", "a: 1", true},
		{"hash inside a value", "a: b#c\nd: 'e # f'\n", true},

		{"block scalar", "a: |\n  text\n", false},
		{"folded", "a: >\n  text\n", false},
		{"multi-line plain", "a: b\n  c\n", false},
		{"multi-line quoted", "a: 'b\n  c'\n", false},
		{"anchor", "a: &x 1\nb: *x\n", false},
		{"tag", "a: !!str 1\n", false},
		{"escape", "a: \"\\t\"\n", false},
		{"document marker", "---\na: 1\n", false},
		{"second document", "a: 1\n---\nb: 2\n", false},
		{"directive", "%YAML 1.2\n---\na: 1\n", false},
		{"tab", "a:\t1\n", false},
		{"carriage return", "a: 1\r\n", false},
		{"merge key", "a: {b: 1}\n<<: x\n", false},
		{"complex key", "? a\n: b\n", false},
		{"empty", "", false},
		{"only comments", "# nothing\n", false},
		{"scalar document", "hello\n", false},
		{"colon in a value", "a: b: c\n", false},
		{"sequence as an inline value", "a: - b\n", false},
		{"bad indentation", "a:\n    b: 1\n  c: 2\n", false},
		{"quoted key against its value", "'a':b\n", false},
		{"pair in a flow sequence", "a: [b: c]\n", false},
		{"colon in a flow scalar", "a: [b:c]\nd: {e:f}\n", false},
		{"trailing comma", "a: [b, ]\n", false},
		{"unclosed flow", "a: [b,\n  c]\n", false},
		{"line separator", "a: b\u2028c\n", false},
		{"byte order mark", "\ufeffa: 1\n", false},
		{"characters beyond the BMP", "a: 😀 ü\nb: [😀, c]\n", true},
		{"nested sequence", "- - a\n", false},

		// A question mark in a flow collection is a key indicator to
		// yaml.v3, wherever it stands.
		{"question mark starting a flow item", "a: [?x]\n", false},
		{"question mark starting a flow key", "a: {?x: y}\n", false},
		{"question mark inside a flow scalar", "a: [a?b]\n", false},
		{"question mark ending a flow scalar", "a: [x?]\n", false},
		{"question mark alone in a flow", "- [?]\n", false},
		{"question mark starting a flow value", "a: {x: ?y}\n", false},
		{"question mark in a block scalar", "a: x?y\nb: ?z\n", true},

		// An implicit key ends within 1,024 characters of its start, the
		// colon's spaces included.
		{"longest plain key", strings.Repeat("k", 1024) + ": 1\n", true},
		{"plain key too long with its spaces", strings.Repeat("k", 1024) + " : 1\n", false},
		{"plain key in a sequence too long", "- " + strings.Repeat("a", 1024) + " : 1\n", false},
		{"longest flow key", "a: {" + strings.Repeat("k", 1024) + ": 1}\n", true},
		{"flow key too long", "a: {" + strings.Repeat("k", 1025) + ": 1}\n", false},
		{"quoted flow key too long", "a: {'" + strings.Repeat("k", 1023) + "': 1}\n", false},
		{"longest quoted flow key", "a: {'" + strings.Repeat("k", 1022) + "': 1}\n", true},
		{"nested flow key too long", "a: [x, {" + strings.Repeat("k", 1025) + ": 1}]\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := check(t, tt.name, []byte(tt.src)); got != tt.accept {
				t.Errorf("accepted = %v, want %v", got, tt.accept)
			}
		})
	}
}

// corpus is every YAML file of the repository's testdata: the conf files
// of the examples and of the error cases.
func corpus(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, root := range []string{"../../testdata", "../../compiler/testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") && !strings.HasSuffix(p, ".yml") {
				return err
			}
			b, err := os.ReadFile(p)
			files[p] = b
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) < 100 {
		t.Fatalf("only %d YAML files found under testdata", len(files))
	}
	return files
}

// TestParse_corpus holds every conf file of testdata to yaml.v3's tree, and
// makes sure the subset is the common case: the examples must be accepted,
// or a plan of a large repository would silently lose the speed.
func TestParse_corpus(t *testing.T) {
	accepted := 0
	files := corpus(t)
	for name, src := range files {
		if check(t, name, src) {
			accepted++
		}
	}
	for _, must := range []string{"../../testdata/conf/ok/housing-tf/housing/conf/conf.yaml",
		"../../testdata/conf/ok/housing-tf/framework/conf/conf.yaml"} {
		if _, ok := fastyaml.Parse(files[must]); !ok {
			t.Errorf("%s is declined", must)
		}
	}
	t.Logf("%d of %d files accepted", accepted, len(files))
	if accepted*2 < len(files) {
		t.Errorf("only %d of %d files accepted", accepted, len(files))
	}
}

// snippets are what mutations insert: every indicator, quotes, spaces,
// comments, markers, characters yaml.v3 treats specially.
var snippets = []string{"#", " #x", ":", ": ", " :", "-", "- ", "'", "\"", "''", "[", "]", "{", "}", ",", ", ",
	"&a ", "*a", "!t ", "|", ">", "?", "? ", "%", "@", "`", "\\", "é", "\t", "\r", "---", "...", "<<", "~", " ",
	"  ", "0x1F", "1e3", "null", "- a: b", "[a, b]", "{a: b}", "'x'", "\"x\"", "\n", "\n  ", "\n- ", "a:b", "\u2028", "[x?]", "{?k: v}", "[é, x]"}

// mutate changes one thing in src, chosen by rng: a line dropped,
// repeated or re-indented, or a snippet inserted at a place where
// structure is decided (a line's start, its content's start, after a
// colon, its end) or anywhere.
func mutate(rng *rand.Rand, src []byte) []byte {
	lines := strings.Split(string(src), "\n")
	i := rng.IntN(len(lines))
	l := lines[i]
	switch rng.IntN(6) {
	case 0:
		lines = append(lines[:i], lines[i+1:]...)
	case 1:
		lines = append(lines[:i+1], lines[i:]...)
	case 2:
		lines[i] = strings.Repeat(" ", 1+rng.IntN(2)) + l
	case 3:
		lines[i] = strings.TrimPrefix(l, " ")
	default:
		at := []int{0, len(l) - len(strings.TrimLeft(l, " ")), strings.Index(l, ":") + 1, len(l), rng.IntN(len(l) + 1)}[rng.IntN(5)]
		s := snippets[rng.IntN(len(snippets))]
		lines[i] = l[:at] + s + l[at:]
	}
	return []byte(strings.Join(lines, "\n"))
}

// TestParse_mutations holds fastyaml to yaml.v3 on thousands of conf files
// one edit away from the examples: near-misses of the subset are where a
// hand-written parser goes wrong.
func TestParse_mutations(t *testing.T) {
	files := corpus(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	count := 8000
	if testing.Short() {
		count = 1000
	}
	rng := rand.New(rand.NewPCG(17, 19))
	accepted := 0
	for k := range count {
		name := names[k%len(names)]
		src := files[name]
		for range 1 + rng.IntN(2) {
			src = mutate(rng, src)
		}
		if check(t, fmt.Sprintf("%s (mutation %d)", name, k), src) {
			accepted++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("%d of %d mutations accepted", accepted, count)
}

// FuzzParse is the same property for inputs of any shape:
//
//	go test ./internal/fastyaml -fuzz FuzzParse
//
// BenchmarkParse_longFlowLine parses a 300 KB flow line with non-ASCII
// characters: columns count on from the previous node, so the line costs
// its length once, not once per item (it took seconds when each column
// was counted from the line's start).
func BenchmarkParse_longFlowLine(b *testing.B) {
	src := []byte("a: [é" + strings.Repeat(", x", 100_000) + ", ü]\n")
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, ok := fastyaml.Parse(src); !ok {
			b.Fatal("declined")
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, src := range corpus(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		check(t, "input", src)
	})
}

// BenchmarkParse compares Parse with yaml.v3 on an example conf file:
//
//	go test ./internal/fastyaml -run '^$' -bench . -benchmem
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile("../../testdata/conf/ok/housing-tf/housing/conf/conf.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fastyaml", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, ok := fastyaml.Parse(src); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := reference(src); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestPlainTag holds the shortcut for plain scalars to yaml.v3's own
// resolution, on the literals yaml.v3 reads and on random strings made
// of their characters and a few others.
func TestPlainTag(t *testing.T) {
	values := []string{"", "~", "null", "true", "True", "no", "off", "1", "-1", "+1", "1_000", "0x1F", "0X1f", "0o17",
		"-0o17", "0b101", "-0b101", "017", "1e3", "1E-3", ".5", "-.5", "+.5", "1.", ".inf", "-.Inf", ".nan", "0x1p-2",
		"1.2.3", "12:30", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-12-14T21:59:43Z",
		"683313688378.dkr.ecr.us-east-1.amazonaws.com/x:1", "3x", "1 2", "-", "--", "-a", ".a", "9223372036854775808",
		"18446744073709551616", "1e400", "0xFFFFFFFFFFFFFFFFF", "ml.m5.large", "yes", "y", "on"}
	alphabet := "0123456789abcdefxXoObBpPeE_+-.:tTzZ yYnNiIaAF~/k"
	rng := rand.New(rand.NewPCG(3, 5))
	for range 20000 {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		values = append(values, string(b))
	}
	for _, v := range values {
		n := &yaml.Node{Kind: yaml.ScalarNode, Value: v}
		if got, want := fastyaml.PlainTag(n), n.ShortTag(); got != want {
			t.Errorf("%q: tag %s, yaml.v3 resolves %s", v, got, want)
		}
	}
}
