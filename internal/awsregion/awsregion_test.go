package awsregion

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte("[default]\nregion = eu-west-1\n\n[profile ml]\nregion = ap-southeast-2\n\n[profile bare]\noutput = json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		explicit string
		env      map[string]string
		want     Resolved
	}{
		{"explicit wins", "us-west-2", map[string]string{"AWS_REGION": "eu-central-1", "AWS_CONFIG_FILE": cfg}, Resolved{"us-west-2", "--region"}},
		{"AWS_REGION", "", map[string]string{"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-north-1"}, Resolved{"eu-central-1", "AWS_REGION"}},
		{"AWS_DEFAULT_REGION", "", map[string]string{"AWS_DEFAULT_REGION": "eu-north-1", "AWS_CONFIG_FILE": cfg}, Resolved{"eu-north-1", "AWS_DEFAULT_REGION"}},
		{"default profile", "", map[string]string{"AWS_CONFIG_FILE": cfg}, Resolved{"eu-west-1", "profile default"}},
		{"named profile", "", map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": "ml"}, Resolved{"ap-southeast-2", "profile ml"}},
		{"profile without region", "", map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": "bare"}, Resolved{Default, "default"}},
		{"missing profile", "", map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_PROFILE": "nope"}, Resolved{Default, "default"}},
		{"HOME config", "", map[string]string{"HOME": homeWith(t, "[default]\nregion = sa-east-1\n")}, Resolved{"sa-east-1", "profile default"}},
		{"nothing", "", map[string]string{"HOME": t.TempDir()}, Resolved{Default, "default"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Resolve(t.Context(), tt.explicit, "--region", func(k string) string { return tt.env[k] })
			if got != tt.want {
				t.Errorf("Resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func homeWith(t *testing.T, config string) string {
	t.Helper()
	home := t.TempDir()
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return home
}
