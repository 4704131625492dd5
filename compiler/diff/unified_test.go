package diff

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/smpipe/smpipe-action/internal/golden"
)

func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	golden.Check(t, file, []byte(got))
}

func lines(n int, f func(i int) string) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteString(f(i))
		b.WriteByte('\n')
	}
	return b.String()
}

func numbered(n int) string {
	return lines(n, func(i int) string { return "line " + strconv.Itoa(i) })
}

func TestUnified(t *testing.T) {
	base := numbered(30)
	tests := []struct {
		name    string
		a, b    string
		context int
		want    string // exact output; "" means use the golden file
	}{
		{name: "equal", a: base, b: base, context: 3, want: "-"},
		{name: "both empty", a: "", b: "", context: 3, want: "-"},
		{
			name: "one line changed", a: "a\nb\nc\n", b: "a\nB\nc\n", context: 3,
			want: "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
		},
		{
			name: "from empty", a: "", b: "x\ny\n", context: 3,
			want: "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n",
		},
		{
			name: "to empty", a: "x\n", b: "", context: 3,
			want: "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n",
		},
		{
			name: "missing final newline", a: "a\nb\n", b: "a\nb", context: 3,
			want: "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
		},
		{
			name: "zero context", a: "a\nb\nc\n", b: "a\nc\n", context: 0,
			want: "--- a\n+++ b\n@@ -2 +1,0 @@\n-b\n",
		},
		{name: "two far hunks", a: base, b: strings.Replace(strings.Replace(base, "line 3\n", "line three\n", 1), "line 27\n", "", 1), context: 3},
		{name: "near changes merge", a: base, b: strings.Replace(strings.Replace(base, "line 10\n", "line ten\n", 1), "line 16\n", "line sixteen\nextra\n", 1), context: 3},
		{name: "insert at start and end", a: base, b: "first\n" + base + "last\n", context: 2},
		{name: "definition json", a: jsonA, b: jsonB, context: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified([]byte(tt.a), []byte(tt.b), "a", "b", tt.context)
			switch tt.want {
			case "-":
				if got != "" {
					t.Errorf("equal inputs gave a diff:\n%s", got)
				}
			case "":
				checkGolden(t, strings.ReplaceAll(tt.name, " ", "_")+".diff", got)
			default:
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
			if got != "" {
				checkApplies(t, tt.a, tt.b, got)
			}
		})
	}
}

// checkApplies applies a unified diff to a and requires b, proving the hunk
// headers and bodies are consistent.
func checkApplies(t *testing.T, a, b, patch string) {
	t.Helper()
	src := splitLines([]byte(a))
	var out []string
	next := 0 // index into src of the next unconsumed line
	body := strings.SplitAfter(patch, "\n")
	for i := 2; i < len(body); i++ {
		l := body[i]
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, "@@ ") {
			spec := strings.Fields(l)[1][1:]
			startA := mustAtoi(t, strings.Split(spec, ",")[0])
			if strings.HasSuffix(spec, ",0") {
				startA++ // an empty side names the line before
			}
			for next < startA-1 {
				out = append(out, src[next])
				next++
			}
			continue
		}
		text := l[1:]
		if i+1 < len(body) && body[i+1] == "\\ No newline at end of file\n" {
			text = strings.TrimSuffix(text, "\n")
			i++
		}
		switch l[0] {
		case ' ':
			if next >= len(src) || src[next] != text {
				t.Fatalf("context line %q does not match source", text)
			}
			out = append(out, text)
			next++
		case '-':
			if next >= len(src) || src[next] != text {
				t.Fatalf("deleted line %q does not match source", text)
			}
			next++
		case '+':
			out = append(out, text)
		default:
			t.Fatalf("unexpected patch line %q", l)
		}
	}
	out = append(out, src[next:]...)
	if got := strings.Join(out, ""); got != b {
		t.Errorf("patch does not turn a into b; got:\n%s", got)
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("bad hunk header number %q", s)
	}
	return n
}

func TestUnified_minimal(t *testing.T) {
	// Myers finds the shortest script: here one deletion and one insertion.
	a := "a\nb\nc\na\nb\nb\na\n"
	b := "c\nb\na\nb\na\nc\n"
	got := Unified([]byte(a), []byte(b), "a", "b", 0)
	changes := 0
	for _, l := range strings.Split(got, "\n")[2:] {
		if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
			changes++
		}
	}
	if changes != 5 { // the classic example: edit distance 5
		t.Errorf("script has %d changed lines, want 5:\n%s", changes, got)
	}
	checkApplies(t, a, b, got)
}

func TestUnified_largeUnrelatedInputsStayBounded(t *testing.T) {
	a := lines(6000, func(i int) string { return "a" + strconv.Itoa(i) })
	b := lines(6000, func(i int) string { return "b" + strconv.Itoa(i) })
	got := Unified([]byte(a), []byte(b), "a", "b", 3)
	checkApplies(t, a, b, got)
}

func TestUnified_deterministic(t *testing.T) {
	first := Unified([]byte(jsonA), []byte(jsonB), "a", "b", 3)
	for i := 0; i < 10; i++ {
		if got := Unified([]byte(jsonA), []byte(jsonB), "a", "b", 3); got != first {
			t.Fatal("same inputs gave different diffs")
		}
	}
}

const jsonA = `{
  "Version": "2020-12-01",
  "Steps": [
    {
      "Name": "prep",
      "Type": "Processing",
      "Arguments": {
        "ProcessingResources": {
          "ClusterConfig": {
            "InstanceType": "ml.m5.large",
            "InstanceCount": 1
          }
        }
      }
    },
    {
      "Name": "train",
      "Type": "Training",
      "Arguments": {
        "HyperParameters": {
          "learning_rate": "0.1",
          "num_leaves": "31"
        }
      }
    }
  ]
}
`

const jsonB = `{
  "Version": "2020-12-01",
  "Steps": [
    {
      "Name": "prep",
      "Type": "Processing",
      "Arguments": {
        "ProcessingResources": {
          "ClusterConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 1
          }
        }
      }
    },
    {
      "Name": "train",
      "Type": "Training",
      "Arguments": {
        "HyperParameters": {
          "learning_rate": "0.05",
          "num_leaves": "31"
        }
      },
      "DependsOn": [
        "prep"
      ]
    }
  ]
}
`
