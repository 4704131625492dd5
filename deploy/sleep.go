package deploy

import (
	"context"
	"time"
)

// sleepContext waits for d or until ctx is done; it is the production Sleep.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backoff is the delay before retry attempt n (0-based): base doubled per
// attempt, capped at max.
func backoff(n int, base, max time.Duration) time.Duration {
	d := base
	for range n {
		d *= 2
		if d >= max {
			return max
		}
	}
	return d
}
