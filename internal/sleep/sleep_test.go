package sleep

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n         int
		base, max time.Duration
		want      time.Duration
	}{
		{0, time.Second, time.Minute, time.Second},
		{1, time.Second, time.Minute, 2 * time.Second},
		{5, time.Second, time.Minute, 32 * time.Second},
		{6, time.Second, time.Minute, time.Minute},
		{100, time.Second, time.Minute, time.Minute}, // no overflow
		{0, time.Minute, time.Second, time.Second},   // base above the cap
	} {
		if got := Backoff(tc.n, tc.base, tc.max); got != tc.want {
			t.Errorf("Backoff(%d, %s, %s) = %s, want %s", tc.n, tc.base, tc.max, got, tc.want)
		}
	}
}

func TestContext_cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Context(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Context = %v, want context.Canceled", err)
	}
}
