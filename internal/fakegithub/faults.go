package fakegithub

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Fault is one queued failure answer; the next request to any endpoint
// gets the first queued fault instead of its real answer.
type Fault struct {
	// Route, when set, limits the fault to one endpoint (a route pattern as
	// Count takes); other requests pass it by.
	Route  string
	Status int
	// RetryAfter, when positive, is sent as Retry-After in seconds.
	RetryAfter time.Duration
	// Secondary makes the body GitHub's secondary rate limit message.
	Secondary bool
	// ResetIn, when positive, makes the answer a primary rate limit:
	// x-ratelimit-remaining 0 and x-ratelimit-reset that far from the
	// server's clock.
	ResetIn time.Duration
}

// SecondaryRateLimit queues n answers 403 "You have exceeded a secondary
// rate limit" with Retry-After (omitted when retryAfter is zero).
func (s *Server) SecondaryRateLimit(n int, retryAfter time.Duration) {
	s.queue(n, Fault{Status: http.StatusForbidden, RetryAfter: retryAfter, Secondary: true})
}

// PrimaryRateLimit queues n answers 403 with x-ratelimit-remaining 0 and a
// reset resetIn after the server's clock.
func (s *Server) PrimaryRateLimit(n int, resetIn time.Duration) {
	s.queue(n, Fault{Status: http.StatusForbidden, ResetIn: resetIn})
}

// ServerError queues n answers with a 5xx status.
func (s *Server) ServerError(n, status int) {
	s.queue(n, Fault{Status: status})
}

func (s *Server) queue(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// Inject queues n copies of f.
func (s *Server) Inject(n int, f Fault) { s.queue(n, f) }

// Pending returns the number of queued faults not yet served.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.faults)
}

// serveFault answers with the next queued fault, if any. Called with the
// lock held.
func (s *Server) serveFault(w http.ResponseWriter, route string) bool {
	i := slices.IndexFunc(s.faults, func(f Fault) bool { return f.Route == "" || f.Route == route })
	if i < 0 {
		return false
	}
	f := s.faults[i]
	s.faults = slices.Delete(s.faults, i, i+1)
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(f.RetryAfter/time.Second)))
	}
	switch {
	case f.Secondary:
		writeJSON(w, f.Status, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	case f.ResetIn > 0:
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(s.now.Add(f.ResetIn).Unix()))
		writeJSON(w, f.Status, map[string]string{
			"message":           "API rate limit exceeded for installation.",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
		})
	default:
		writeJSON(w, f.Status, map[string]string{"message": http.StatusText(f.Status)})
	}
	return true
}
