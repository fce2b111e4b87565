package python

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/runtimes/runtimetest"
)

// Start-up cost, for comparison with the bare interpreter:
//
//	go test -run '^$' -bench . -benchtime 50x ./internal/runtimes/python/

// BenchmarkPythonPass is the floor: `python3 -c pass`, with and without the
// flags of Args.
func BenchmarkPythonPass(b *testing.B) {
	python3.Require(b)
	for _, flags := range [][]string{nil, {"-u", "-s", "-B"}} {
		b.Run("flags="+strings.Join(flags, ""), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := exec.Command(pythonBin, append(flags, "-c", "pass")...).Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStartToFirstNext measures process start to the first GET /next
// (the end of Init, runtime.md 2.3) for the seed function.
func BenchmarkStartToFirstNext(b *testing.B) {
	python3.Require(b)
	dir, _ := filepath.Abs("testdata/seed")
	bootstrap := filepath.Join(b.TempDir(), BootstrapName)
	if err := os.WriteFile(bootstrap, Bootstrap, 0o644); err != nil {
		b.Fatal(err)
	}
	ready := make(chan struct{}, 1)
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/invocation/next") {
			ready <- struct{}{}
			<-r.Context().Done()
		}
	}))
	defer api.Close()
	env := []string{
		"PATH=/usr/bin:/bin", "LANG=en_US.UTF-8", "TZ=:UTC",
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.URL, "http://"),
		"_HANDLER=lambda_function.lambda_handler", "LAMBDA_TASK_ROOT=" + dir,
		"AWS_EXECUTION_ENV=AWS_Lambda_python3.12",
	}
	var total time.Duration
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(pythonBin, Args(bootstrap)...)
		cmd.Dir, cmd.Env = dir, env
		begin := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		select {
		case <-ready:
			total += time.Since(begin)
		case <-time.After(runtimetest.WaitTime):
			b.Fatal("no /next")
		}
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms/first-next")
}
