package gitrev

import "testing"

func TestGitHubRepository(t *testing.T) {
	for _, tt := range []struct{ url, host, want string }{
		{"https://github.com/acme/ml.git", "github.com", "acme/ml"},
		{"https://x-access-token:t@github.com/acme/ml", "github.com", "acme/ml"},
		{"git@github.com:acme/ml.git", "github.com", "acme/ml"},
		{"ssh://git@github.com/acme/ml.git", "github.com", "acme/ml"},
		{"https://ghe.example/acme/ml.git", "ghe.example", "acme/ml"},
		{"https://ghe.example/acme/ml.git", "github.com", ""},
		{"https://github.com/acme", "github.com", ""},
		{"https://github.com/acme/ml/extra", "github.com", ""},
		{"/srv/git/ml.git", "github.com", ""},
	} {
		if got := githubRepository(tt.url, tt.host); got != tt.want {
			t.Errorf("githubRepository(%q, %q) = %q, want %q", tt.url, tt.host, got, tt.want)
		}
	}
}
