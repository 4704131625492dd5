package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/smpipe/smpipe-action/internal/fakeaws"
)

func TestInterruptible(t *testing.T) {
	for _, tc := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			sigs := make(chan os.Signal)
			codes := make(chan int, 1)
			var stderr watchedBuffer
			ctx, received, stop := interruptible(context.Background(), sigs, &stderr, func(code int) { codes <- code })
			defer stop()

			sigs <- tc.sig
			<-ctx.Done() // the first signal cancels: reads, requests and waits stop
			if received() != tc.sig {
				t.Errorf("received = %v, want %v", received(), tc.sig)
			}
			select {
			case code := <-codes:
				t.Fatalf("exited with %d on the first signal", code)
			default:
			}
			sigs <- tc.sig
			if code := <-codes; code != tc.code {
				t.Errorf("second signal exits with %d, want %d", code, tc.code)
			}
			if got := stderr.String(); !strings.Contains(got, "stopping and reporting what was done; send it again to exit at once") ||
				!strings.Contains(got, "again: exiting now") {
				t.Errorf("stderr = %q", got)
			}
		})
	}
}

func TestInterruptible_stopWithoutSignal(t *testing.T) {
	sigs := make(chan os.Signal)
	ctx, received, stop := interruptible(context.Background(), sigs, io.Discard, func(int) { t.Error("exit called") })
	stop()
	stop() // idempotent
	<-ctx.Done()
	if received() != nil {
		t.Errorf("received = %v without a signal", received())
	}
	select {
	case sigs <- os.Interrupt:
		t.Error("a signal was still watched after stop")
	default:
	}
}

// TestRun_compileCancelled: a cancelled compile stops with a message and
// prints no partial summary.
func TestRun_compileCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := run(ctx, []string{"compile", example}, &out, &errb, func(string) (string, bool) { return "", false }, "")
	if code != exitProblem || out.Len() != 0 || !strings.Contains(errb.String(), "smpipe compile: listing conf files: context canceled") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// watchedBuffer is a log a test can wait on: when returns a channel closed
// once the text written so far contains s.
type watchedBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	waits map[string]chan struct{}
}

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.b.Write(p)
	for s, ch := range w.waits {
		if strings.Contains(w.b.String(), s) {
			close(ch)
			delete(w.waits, s)
		}
	}
	return n, err
}

func (w *watchedBuffer) when(s string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	if strings.Contains(w.b.String(), s) {
		close(ch)
		return ch
	}
	if w.waits == nil {
		w.waits = map[string]chan struct{}{}
	}
	w.waits[s] = ch
	return ch
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// deployFakes starts S3 and SageMaker fakes for the example, whose
// execution never finishes, and returns the environment pointing at them.
func deployFakes(t *testing.T) (map[string]string, *fakeaws.S3, *fakeaws.SageMaker) {
	t.Helper()
	s3f := fakeaws.NewS3(t, "smpipe-examples")
	sm := fakeaws.NewSageMaker(t, fakeaws.WithS3(s3f))
	sm.SetScript("house-price-tf", fakeaws.Script{Statuses: []string{"Executing"}})
	env := map[string]string{
		"HOME":                        t.TempDir(),
		"AWS_ACCESS_KEY_ID":           "AKIATESTSIGNALS00000",
		"AWS_SECRET_ACCESS_KEY":       "test-secret",
		"AWS_REGION":                  "us-east-1",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_ENDPOINT_URL_SAGEMAKER":  sm.URL,
		"AWS_ENDPOINT_URL_S3":         s3f.URL,
		"GITHUB_SHA":                  strings.Repeat("d", 40),
		"GITHUB_REPOSITORY":           "acme/ml-pipelines",
	}
	return env, s3f, sm
}

// TestRun_deployWaitCancelled cancels the context of `deploy --wait` while
// it waits on an execution that never finishes: the wait stops at once and
// what was done (staged, created, started) is reported.
func TestRun_deployWaitCancelled(t *testing.T) {
	env, s3f, sm := deployFakes(t)
	for k, v := range env {
		t.Setenv(k, v) // the SDK's default chain reads the process environment
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stderr := &watchedBuffer{}
	waiting := stderr.when(": Executing\n")
	go func() {
		<-waiting
		cancel()
	}()
	var out bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := run(ctx, []string{"deploy", "--wait", example}, &out, stderr, getenv, "")

	if code != exitProblem {
		t.Errorf("exit %d, want %d", code, exitProblem)
	}
	log := stderr.String()
	for _, want := range []string{"staged 3 artifacts: 3 uploaded", "created arn:aws:sagemaker", "started execution arn:aws:sagemaker",
		"smpipe deploy: interrupted: the lines above say what each pipeline reached"} {
		if !strings.Contains(log, want) {
			t.Errorf("stderr lacks %q:\n%s", want, log)
		}
	}
	if got := out.String(); !strings.Contains(got, "house-price-tf") || !strings.Contains(got, "execution/") || !strings.Contains(got, "context canceled") {
		t.Errorf("stdout does not report the pipeline, its execution and the interruption:\n%s", got)
	}
	if len(sm.Executions("house-price-tf")) != 1 || len(s3f.Keys("smpipe-examples")) != 3 {
		t.Errorf("executions %d, objects %v", len(sm.Executions("house-price-tf")), s3f.Keys("smpipe-examples"))
	}
}

// TestBinary_signals sends SIGINT to the built binary running
// `deploy --wait` against an execution that never finishes. Once: it stops
// waiting, reports what it did and exits 130. Twice: it exits 130 at once
// if the second signal comes before it finished stopping (which of the two
// ends it is up to the scheduler; TestInterruptible checks the second
// signal's path). Every step waits on the binary's output, never on time.
func TestBinary_signals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "smpipe")
	if out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, signals := range []int{1, 2} {
		t.Run(strconv.Itoa(signals), func(t *testing.T) {
			env, _, _ := deployFakes(t)
			cmd := exec.Command(bin, "deploy", "--wait", example)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
			for k, v := range env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout, stderr watchedBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			waiting, stopping := stderr.when(": Executing\n"), stderr.when("smpipe: interrupt: stopping and reporting what was done")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case <-waiting:
			case err := <-exited:
				t.Fatalf("exited (%v) before waiting:\n%s", err, stderr.String())
			}
			if err := cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			<-stopping
			if signals == 2 {
				_ = cmd.Process.Signal(os.Interrupt) // it may have exited already
			}
			err := <-exited
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
				t.Fatalf("exit = %v, want status 130\nstderr:\n%s", err, stderr.String())
			}
			if signals == 1 {
				for _, want := range []string{"started execution arn:", "smpipe deploy: interrupted: the lines above say what each pipeline reached"} {
					if !strings.Contains(stderr.String(), want) {
						t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
					}
				}
				if got := stdout.String(); !strings.Contains(got, "house-price-tf") || !strings.Contains(got, "execution/") {
					t.Errorf("stdout does not report the pipeline and its execution:\n%s", got)
				}
			}
		})
	}
}
