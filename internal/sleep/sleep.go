// Package sleep is the one production wait that retry and polling loops
// use; tests inject their own function of the same type instead.
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
