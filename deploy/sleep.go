package deploy

import "time"

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
