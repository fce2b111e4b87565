package e2e

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kindling-dev/kindling/internal/cgroup"
)

// envCgroups lists the environment cgroups of the server instance that
// uses dataDir: directories kindling/<instance>/<env> in any hierarchy.
func envCgroups(dataDir string) []string {
	inst := cgroup.InstanceID(dataDir)
	var found []string
	_ = filepath.WalkDir("/sys/fs/cgroup", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if strings.Count(p, "/") > 12 {
			return fs.SkipDir
		}
		if filepath.Base(filepath.Dir(p)) == inst && filepath.Base(filepath.Dir(filepath.Dir(p))) == "kindling" {
			found = append(found, p)
			return fs.SkipDir
		}
		return nil
	})
	return found
}

// A server killed with SIGKILL leaves no runtime running (parent-death
// signal) and its next start sweeps the cgroups it left (the environments
// issue, "Lifecycle and concurrency").
func TestKilledServerIsSweptOnRestart(t *testing.T) {
	requireRoot(t)
	dir := t.TempDir()
	s := startServer(t, dir)
	name := uniqueName("sweep")
	createFn(t, s, name, echoZip(t, "sweep"))
	if r := invokeRaw(t, s, name, "", []byte(`{}`), nil); r.status != 200 {
		t.Fatalf("invoke: %d %s", r.status, r.body)
	}
	if _, err := os.Stat("/sys/fs/cgroup"); err == nil && len(envCgroups(dir)) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("no environment cgroup while an environment is alive")
		}
		t.Skip("no cgroups on this machine")
	}
	runtimes := childPids(s.cmd.Process.Pid)
	if len(runtimes) == 0 {
		t.Fatal("no runtime process before the kill")
	}
	stale := envCgroups(dir)
	s.kill()
	eventually(t, 10*time.Second, "the runtimes of the killed server to die", func() bool {
		for _, p := range runtimes {
			if _, err := os.Stat("/proc/" + strconv.Itoa(p)); err == nil {
				return false
			}
		}
		return true
	})
	t.Logf("cgroups left by the killed server: %v", stale)
	s2 := startServer(t, dir)
	defer s2.stop()
	if left := envCgroups(dir); len(left) != 0 {
		t.Fatalf("stale cgroups after restart: %v", left)
	}
}
