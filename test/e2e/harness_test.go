// Package e2e drives the real kindling binary with real clients: the AWS
// CLI v2 (/usr/bin/aws), kindling's own CLI, aws-sdk-go-v2 and plain HTTP.
// The binary is built once (without -race); cases run serially against a
// shared server unless they need their own.
package e2e

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Credentials every test configures on the server and its clients.
const (
	accessKey = "AKIDKINDLINGTEST"
	secretKey = "kindling-test-secret-key"
	region    = "us-east-1"
	account   = "000000000000"
	awsPath   = "/usr/bin/aws"
)

var (
	binary string  // the built kindling binary
	shared *server // the server most cases use
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kindling-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = os.Getenv("KINDLING_E2E_BINARY") // a prebuilt binary, if given
	if binary == "" {
		binary = filepath.Join(dir, "kindling")
		build := exec.Command("go", "build", "-o", binary, "./cmd/kindling")
		build.Dir = repoRoot()
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build kindling:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func repoRoot() string {
	wd, _ := os.Getwd()
	return filepath.Join(wd, "..", "..")
}

// server is a running kindling serve process.
type server struct {
	url     string
	dataDir string
	cmd     *exec.Cmd
	log     *syncBuffer
	done    chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyLine = regexp.MustCompile(`kindling: listening on (http://\S+)`)

// startServer starts kindling serve on a free port with dataDir.
func startServer(t testing.TB, dataDir string, args ...string) *server {
	t.Helper()
	return startServerEnv(t, dataDir, []string{"KINDLING_ACCESS_KEY_ID=" + accessKey, "KINDLING_SECRET_ACCESS_KEY=" + secretKey}, args...)
}

// startServerEnv starts kindling serve with env added to the test's own
// environment (minus any KINDLING_* settings).
func startServerEnv(t testing.TB, dataDir string, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir}, args...)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KINDLING_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	pr, pw := io.Pipe()
	s := &server{dataDir: dataDir, cmd: cmd, log: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = pw
	cmd.Stdout = s.log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start kindling: %v", err)
	}
	urlCh := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(s.log, line)
			if m := readyLine.FindStringSubmatch(line); m != nil {
				select {
				case urlCh <- m[1]:
				default:
				}
			}
		}
	}()
	go func() { _ = cmd.Wait(); pw.Close(); close(s.done) }()
	select {
	case s.url = <-urlCh:
	case <-s.done:
		t.Fatalf("kindling exited before it was ready:\n%s", s.log.String())
	case <-time.After(60 * time.Second):
		s.kill()
		t.Fatalf("kindling not ready after 60s:\n%s", s.log.String())
	}
	return s
}

// sharedServer returns the server shared by the cases that need nothing special.
func sharedServer(t testing.TB) *server {
	t.Helper()
	if shared == nil {
		dir, err := os.MkdirTemp("", "kindling-e2e-data-")
		if err != nil {
			t.Fatal(err)
		}
		shared = startServer(t, dir)
	}
	return shared
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(45 * time.Second):
		s.kill()
	}
}

// kill sends SIGKILL, as a crash would.
func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// requireTool fails under CI (which has everything) and skips elsewhere.
func requireTool(t testing.TB, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", path, err)
		}
		t.Skipf("%s not installed", path)
	}
}

// result is a finished client command.
type result struct {
	stdout, stderr string
	code           int
}

// clientEnv is the environment for CLI clients: credentials and region,
// nothing inherited that could point elsewhere.
func clientEnv(extra ...string) []string {
	env := []string{
		"PATH=/usr/local/bin:/usr/bin:/bin",
		"HOME=" + os.TempDir(),
		"AWS_ACCESS_KEY_ID=" + accessKey,
		"AWS_SECRET_ACCESS_KEY=" + secretKey,
		"AWS_DEFAULT_REGION=" + region,
		"AWS_PAGER=",
		"AWS_CONFIG_FILE=/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
	}
	return append(env, extra...)
}

func run(t testing.TB, dir string, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", name, err)
	}
	return result{out.String(), errb.String(), code}
}

// client runs Lambda operations through one command-line client.
type client struct {
	name string
	run  func(t testing.TB, dir string, args ...string) result
}

// awsCLI is the real AWS CLI v2.
func awsCLI(s *server) client {
	return client{name: "aws", run: func(t testing.TB, dir string, args ...string) result {
		requireTool(t, awsPath)
		return run(t, dir, clientEnv(), awsPath, append([]string{"--endpoint-url", s.url, "lambda"}, args...)...)
	}}
}

// kindlingCLI is kindling's own CLI, finding the server via AWS_ENDPOINT_URL.
func kindlingCLI(s *server) client {
	return client{name: "kindling", run: func(t testing.TB, dir string, args ...string) result {
		return run(t, dir, clientEnv("AWS_ENDPOINT_URL="+s.url), binary, args...)
	}}
}

// sdk returns an aws-sdk-go-v2 Lambda client for s.
func sdk(s *server) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:       region,
		BaseEndpoint: aws.String(s.url),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secretKey, ""),
	})
}

// zipOf builds a zip of files (name -> content); names ending in "*" are
// stored executable (the star is dropped).
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(name, "*") {
			name, mode = strings.TrimSuffix(name, "*"), 0o755
		}
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// httpDo sends a plain HTTP request (unsigned; the server does not check
// signatures before the security issue lands).
func httpDo(t testing.TB, method, url string, body []byte, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
