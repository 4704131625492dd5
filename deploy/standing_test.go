package deploy

import "testing"

func TestLive_Against(t *testing.T) {
	const base, old, edited = "sha256:base", "sha256:old", "sha256:edited"
	tests := []struct {
		name string
		live Live
		want Standing
	}{
		{"missing", Live{}, StandingMissing},
		{"same", Live{Exists: true, Hash: base, TaggedHash: base}, StandingSame},
		{"same, edited back by hand", Live{Exists: true, Hash: base, TaggedHash: old}, StandingSame},
		{"behind", Live{Exists: true, Hash: old, TaggedHash: old, Commit: "c1"}, StandingBehind},
		{"edited in the console", Live{Exists: true, Hash: edited, TaggedHash: old}, StandingEdited},
		{"made without smpipe", Live{Exists: true, Hash: edited}, StandingEdited},
	}
	for _, tt := range tests {
		if got := tt.live.Against(base); got != tt.want {
			t.Errorf("%s: Against = %s, want %s", tt.name, got, tt.want)
		}
	}
}
