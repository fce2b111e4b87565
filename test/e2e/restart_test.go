package e2e

// Durability and shutdown: state survives kill -9, and a SIGTERM lets an
// in-flight invoke finish and leaves no runtime process behind.

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// ownDataDir is a data directory for a server of one case.
func ownDataDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "kindling-e2e-own-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// runtimeProcs lists live processes that belong to the server using
// dataDir: descendants of serverPid, or processes whose command line or
// working directory points into dataDir (the server itself excluded).
func runtimeProcs(dataDir string, serverPid int) map[int]string {
	out := map[int]string{}
	ents, _ := os.ReadDir("/proc")
	parent := map[int]int{}
	state := map[int]string{}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		rest := string(b[bytes.LastIndexByte(b, ')')+1:])
		f := strings.Fields(rest)
		if len(f) < 2 {
			continue
		}
		state[pid] = f[0]
		parent[pid], _ = strconv.Atoi(f[1])
	}
	for pid, st := range state {
		if pid == serverPid || pid == os.Getpid() || st == "Z" || st == "X" { // zombies run nothing
			continue
		}
		cmd, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		cmdline := strings.ReplaceAll(string(cmd), "\x00", " ")
		cwd, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd")
		match := strings.Contains(cmdline, dataDir) || strings.HasPrefix(cwd, dataDir)
		for p, n := parent[pid], 0; !match && p > 1 && n < 64; p, n = parent[p], n+1 {
			match = p == serverPid
		}
		if match {
			out[pid] = cmdline
		}
	}
	return out
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := ownDataDir(t)
	s1 := startServer(t, dir)
	alive := true
	t.Cleanup(func() {
		if alive {
			s1.kill()
		}
	})
	ctx := context.Background()
	c := sdk(s1)
	a, b, gone := uniqueName("keep-a"), uniqueName("keep-b"), uniqueName("gone")
	zip1, zip2 := echoZip(t, "v1"), echoZip(t, "v2")
	createFn(t, s1, a, zip1, func(in *lambda.CreateFunctionInput) {
		in.Publish = true // version 1
		in.Tags = map[string]string{"team": "core"}
		in.Description = aws.String("first")
	})
	if _, err := c.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(a), ZipFile: zip2, Publish: true}); err != nil { // version 2
		t.Fatal(err)
	}
	waitSettled(t, s1, a)
	if _, err := c.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(a),
		Description: aws.String("unpublished"), Environment: &types.Environment{Variables: map[string]string{"GREETING": "persisted"}}}); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, s1, a)
	for alias, v := range map[string]string{"live": "2", "old": "1"} {
		if _, err := c.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(a), Name: aws.String(alias), FunctionVersion: aws.String(v)}); err != nil {
			t.Fatal(err)
		}
	}
	createFn(t, s1, b, zip1)
	createFn(t, s1, gone, zip1)
	if _, err := c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(gone)}); err != nil {
		t.Fatal(err)
	}
	before := waitSettled(t, s1, a).Configuration
	invokeEcho(t, s1, a, "", `{}`) // a running runtime process
	procs := runtimeProcs(dir, s1.cmd.Process.Pid)
	if len(procs) == 0 {
		t.Fatalf("no runtime process found for the data dir %s", dir)
	}

	// kill -9: a crash.
	s1.kill()
	alive = false
	// ARCHITECTURE "A killed server leaves nothing running".
	eventually(t, 10*time.Second, "the runtime processes of the killed server to end", func() bool {
		return len(runtimeProcs(dir, -1)) == 0
	})

	s2 := startServer(t, dir)
	t.Cleanup(s2.stop)
	c = sdk(s2)
	got := waitSettled(t, s2, a)
	cfg := got.Configuration
	// Everything read back as it was: $LATEST's configuration and code, tags.
	if aws.ToString(cfg.Description) != "unpublished" || aws.ToString(cfg.CodeSha256) != codeSha256(zip2) ||
		cfg.Environment == nil || cfg.Environment.Variables["GREETING"] != "persisted" || aws.ToString(cfg.RevisionId) != aws.ToString(before.RevisionId) {
		t.Errorf("$LATEST after restart: %+v", cfg)
	}
	if !reflect.DeepEqual(got.Tags, map[string]string{"team": "core"}) {
		t.Errorf("tags after restart: %v", got.Tags)
	}
	vs, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(a)})
	if err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, v := range vs.Versions {
		versions = append(versions, aws.ToString(v.Version))
	}
	if !sameStrings(versions, []string{"$LATEST", "1", "2"}) {
		t.Errorf("versions after restart: %v", versions)
	}
	als, err := c.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String(a)})
	if err != nil {
		t.Fatal(err)
	}
	aliases := map[string]string{}
	for _, al := range als.Aliases {
		aliases[aws.ToString(al.Name)] = aws.ToString(al.FunctionVersion)
	}
	if !reflect.DeepEqual(aliases, map[string]string{"live": "2", "old": "1"}) {
		t.Errorf("aliases after restart: %v", aliases)
	}
	waitSettled(t, s2, b)
	_, err = c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(gone)})
	sdkErr(t, err, 404, "ResourceNotFoundException")
	// Version 1's code is still downloadable (lambda-api.md §3.2 Code.Location).
	g1, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(a), Qualifier: aws.String("1")})
	if err != nil {
		t.Fatal(err)
	}
	if resp, body := httpDo(t, "GET", aws.ToString(g1.Code.Location), nil, nil); resp.StatusCode != 200 || !bytes.Equal(body, zip1) {
		t.Errorf("version 1 code after restart: %d, %d bytes", resp.StatusCode, len(body))
	}

	// Everything is invokable, each version with its own code (§5.3), aliases resolved (§5.5).
	for _, c := range []struct{ q, executed, tag string }{{"", "$LATEST", "v2"}, {"1", "1", "v1"}, {"2", "2", "v2"}, {"live", "2", "v2"}, {"old", "1", "v1"}} {
		res, r := invokeEcho(t, s2, a, c.q, `{}`)
		if r.header.Get("X-Amz-Executed-Version") != c.executed || res.Tag != c.tag {
			t.Errorf("invoke %s:%s after restart: executed %q tag %q", a, c.q, r.header.Get("X-Amz-Executed-Version"), res.Tag)
		}
		if c.q == "" && (res.Greeting == nil || *res.Greeting != "persisted") {
			t.Errorf("GREETING after restart: %v", res.Greeting)
		}
	}
	if res, _ := invokeEcho(t, s2, b, "", `{}`); res.Tag != "v1" {
		t.Errorf("invoke %s after restart: %+v", b, res)
	}
	// lambda-api.md §5.3: version numbers continue (never reused).
	if v := publish(t, s2, a); v != "3" {
		t.Errorf("publish after restart gave %s, want 3", v)
	}
}

func TestSIGTERMFinishesInFlightInvoke(t *testing.T) {
	dir := ownDataDir(t)
	s := startServer(t, dir)
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			s.kill()
		}
	})
	name := uniqueName("sigterm")
	createFn(t, s, name, echoZip(t, "v1"), func(in *lambda.CreateFunctionInput) { in.Timeout = aws.Int32(10) })
	invokeEcho(t, s, name, "", `{}`)

	type result struct {
		r   apiResp
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := signedDo(s, "POST", fnPath(name)+"/invocations", []byte(`{"sleepMs": 1000, "marker": "inflight"}`), nil)
		done <- result{r, err}
	}()
	eventually(t, 10*time.Second, "the invoke to be in flight", func() bool {
		return strings.Contains(s.log.String(), "sleeping 1000")
	})
	procs := runtimeProcs(dir, s.cmd.Process.Pid)
	if len(procs) == 0 {
		t.Fatalf("no runtime process found for %s while an invoke runs", dir)
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var res result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the in-flight invoke did not finish after SIGTERM")
	}
	if res.err != nil {
		t.Fatalf("in-flight invoke: %v", res.err)
	}
	// lambda-api.md §4.2: the invoke completes normally.
	if res.r.status != 200 || res.r.header.Get("X-Amz-Function-Error") != "" || !strings.Contains(string(res.r.body), `"tag":"v1"`) {
		t.Errorf("in-flight invoke: %d %q %s", res.r.status, res.r.header.Get("X-Amz-Function-Error"), res.r.body)
	}
	select {
	case <-s.done:
		stopped = true
	case <-time.After(45 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 { // harness: SIGTERM is a clean stop
		t.Errorf("server exit code %d after SIGTERM\n%s", code, s.log.String())
	}
	// No runtime process of that server remains.
	eventually(t, 10*time.Second, "no runtime process to remain", func() bool {
		return len(runtimeProcs(dir, -1)) == 0
	})
	for pid := range procs {
		if b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat")); err == nil && !strings.Contains(string(b[bytes.LastIndexByte(b, ')'):]), ") Z") {
			t.Errorf("runtime process %d (%s) still exists", pid, procs[pid])
		}
	}
}
