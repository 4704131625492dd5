package bundlerule

import "testing"

func TestSkipsPath(t *testing.T) {
	for _, tt := range []struct {
		path string
		want bool
	}{
		{"src/train.py", false},
		{"src/__pycache__/train.cpython-312.pyc", true},
		{"src/__pycache__", true},
		{"src/train.pyc", true},
		{"src/.DS_Store", true},
		{"vendor/.git/config", true},
		{"src/pyc", false},
		{"src/.gitignore", false},
		{"src/__pycache__x/a.py", false},
	} {
		if got := SkipsPath(tt.path); got != tt.want {
			t.Errorf("SkipsPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
