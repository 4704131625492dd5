package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// interruptible returns a context that the first signal on sigs cancels, so
// that every read, request and wait stops and the command reports what it
// had done; a second signal calls exit at once with 128 + the signal's
// number (130 for SIGINT, 143 for SIGTERM). received tells, after the
// command returned, which signal stopped it, if any; once stop returns, no
// signal is handled any more.
func interruptible(parent context.Context, sigs <-chan os.Signal, stderr io.Writer, exit func(int)) (ctx context.Context, received func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	done, finished := make(chan struct{}), make(chan struct{})
	var mu sync.Mutex
	var first os.Signal
	go func() {
		defer close(finished)
		select {
		case sig := <-sigs:
			mu.Lock()
			first = sig
			mu.Unlock()
			fmt.Fprintf(stderr, "smpipe: %s: stopping and reporting what was done; send it again to exit at once\n", sig)
			cancel()
		case <-done:
			return
		}
		select {
		case sig := <-sigs:
			fmt.Fprintf(stderr, "smpipe: %s again: exiting now\n", sig)
			exit(signalStatus(sig))
		case <-done:
		}
	}()
	received = func() os.Signal {
		mu.Lock()
		defer mu.Unlock()
		return first
	}
	var once sync.Once
	stop = func() {
		once.Do(func() {
			close(done)
			<-finished
			cancel()
		})
	}
	return ctx, received, stop
}

// signalStatus is the exit status of a process ended by sig, as shells
// report it.
func signalStatus(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return 128 + int(syscall.SIGINT)
}
