// Package sleep holds the one production wait and the one backoff schedule
// that smpipe's loops share: execution polling, the OIDC token request and
// the GitHub client's rate-limit retries. AWS calls are retried by the SDK's
// retryer instead (deploy.NewClients). Tests inject their own function of
// Context's type instead of waiting.
package sleep

import (
	"context"
	"time"
)

// Context waits for d or until ctx is done, whichever comes first.
func Context(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the delay before retry n (0-based): base doubled n times,
// capped at max.
func Backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for range n {
		d *= 2
		if d >= max {
			return max
		}
	}
	return min(d, max)
}
