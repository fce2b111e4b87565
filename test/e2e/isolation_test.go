package e2e

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// probeJS answers what its environment can see and reach.
const probeJS = `
const fs = require("fs");
const http = require("http");
const tryRead = (p) => { try { fs.readFileSync(p); return "READ"; } catch (e) { return e.code; } };
const tryList = (p) => { try { fs.readdirSync(p); return "LISTED"; } catch (e) { return e.code; } };
const tryWrite = (p) => { try { fs.writeFileSync(p, "x"); return "WROTE"; } catch (e) { return e.code; } };
const tryGet = (addr) => new Promise((resolve) => {
  const req = http.get("http://" + addr + "/2018-06-01/runtime/invocation/next", (res) => resolve("HTTP " + res.statusCode));
  req.on("error", (e) => resolve(e.code || e.message));
  req.setTimeout(2000, () => { req.destroy(); resolve("TIMEOUT"); });
});
exports.handler = async (event) => {
  const out = { uid: process.getuid(), pid: process.pid, cwd: process.cwd(),
    runtimeApi: process.env.AWS_LAMBDA_RUNTIME_API, taskRoot: process.env.LAMBDA_TASK_ROOT,
    ownTmp: tryWrite("/tmp/probe-" + (event.mark || "x")), taskWrite: tryWrite("/var/task/x") };
  for (const [k, p] of Object.entries(event.read || {})) out["read:" + k] = tryRead(p);
  for (const [k, p] of Object.entries(event.list || {})) out["list:" + k] = tryList(p);
  if (event.runtimeApi) out.foreignApi = await tryGet(event.runtimeApi);
  if (event.sleepMs) await new Promise(r => setTimeout(r, event.sleepMs));
  return out;
};
`

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("isolation tests need root in CI")
		}
		t.Skip("needs root")
	}
}

func probe(t *testing.T, s *server, name string, event map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(event)
	r := invokeRaw(t, s, name, "", b, nil)
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("probe %s: %d %s", name, r.status, r.body)
	}
	return r.obj(t)
}

// Functions run as their own unprivileged user, with read-only code at
// /var/task and a private /tmp, and cannot read the server's data dir, other
// functions' code or /tmp, nor reach another environment's Runtime API
// (the environments issue, "Isolation when running as root").
func TestIsolation(t *testing.T) {
	requireRoot(t)
	// A data dir outside /tmp: jails replace /tmp, which would hide it anyway.
	home, err := os.MkdirTemp("/var/lib", "kindling-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(home)
	s := startServer(t, home)
	defer s.stop()
	createFn(t, s, "probe-a", zipOf(t, map[string]string{"index.js": probeJS}))
	createFn(t, s, "probe-b", zipOf(t, map[string]string{"index.js": probeJS, "secret.txt": "b's code"}))

	b := probe(t, s, "probe-b", map[string]any{"mark": "b"})
	bPid := int(b["pid"].(float64))
	a := probe(t, s, "probe-a", map[string]any{
		"mark": "a",
		"read": map[string]string{
			"credentials": home + "/credentials.json",
			"otherCode":   "/proc/" + strconv.Itoa(bPid) + "/root/var/task/secret.txt",
			"otherTmp":    "/proc/" + strconv.Itoa(bPid) + "/root/tmp/probe-b",
			"otherEnv":    "/proc/" + strconv.Itoa(bPid) + "/environ",
		},
		"list":       map[string]string{"dataDir": home, "jetstream": home + "/jetstream", "code": home + "/code"},
		"runtimeApi": b["runtimeApi"],
	})
	if a["uid"].(float64) == 0 || a["uid"] == b["uid"] {
		t.Fatalf("uids: a %v, b %v (want distinct, non-root)", a["uid"], b["uid"])
	}
	// reference/runtime.md §2.2: code read-only at /var/task = cwd, /tmp writable.
	if a["cwd"] != "/var/task" || a["taskRoot"] != "/var/task" || a["taskWrite"] != "EROFS" || a["ownTmp"] != "WROTE" {
		t.Fatalf("filesystem: %v", a)
	}
	for _, k := range []string{"read:credentials", "read:otherCode", "read:otherTmp", "read:otherEnv", "list:dataDir", "list:jetstream", "list:code"} {
		if v := a[k]; v != "EACCES" && v != "ENOENT" && v != "EPERM" {
			t.Errorf("%s = %v, want it refused", k, v)
		}
	}
	if v := a["foreignApi"]; v == nil || (v != "ECONNRESET" && v != "ECONNREFUSED" && v != "EPIPE" && v != "TIMEOUT" && v != "socket hang up") {
		t.Errorf("another environment's Runtime API answered: %v", v)
	}

	// Two environments of the same function do not share /tmp.
	done := make(chan map[string]any, 1)
	go func() {
		bb, _ := json.Marshal(map[string]any{"mark": "slow", "sleepMs": 1500})
		r, _ := signedDo(s, "POST", fnPath("probe-a")+"/invocations", bb, nil)
		var m map[string]any
		_ = json.Unmarshal(r.body, &m)
		done <- m
	}()
	second := probe(t, s, "probe-a", map[string]any{"mark": "second", "read": map[string]string{"slowTmp": "/tmp/probe-slow"}, "sleepMs": 200})
	first := <-done
	if first["pid"] == second["pid"] {
		t.Fatalf("concurrent invokes shared an environment")
	}
	if second["read:slowTmp"] != "ENOENT" {
		t.Fatalf("another environment's /tmp file was visible: %v", second["read:slowTmp"])
	}
}

// A memory hog is killed inside its own environment at MemorySize
// (cgroup), answers Runtime.OutOfMemory, and the next invoke gets a fresh
// environment; a fork bomb stops at the environment's process limit and
// leaves nothing behind (the environments issue, "Limits enforced").
func TestMemoryAndProcessLimits(t *testing.T) {
	requireRoot(t)
	s := sharedServer(t)
	name := uniqueName("hog")
	js := `
const { spawn } = require("child_process");
exports.handler = async (event) => {
  if (event.hog) { const bufs = []; for (;;) bufs.push(Buffer.alloc(16 << 20, 1)); }
  if (event.fork) {
    let ok = 0, failed = 0;
    for (let i = 0; i < event.fork; i++) {
      try { const c = spawn("/bin/sleep", ["30"], { stdio: "ignore" }); c.on("error", () => failed++); if (c.pid) ok++; } catch (e) { failed++; }
    }
    await new Promise(r => setTimeout(r, 300));
    return { ok, failed };
  }
  return { pid: process.pid };
};`
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": js}))
	r := invokeRaw(t, s, name, "", []byte(`{"hog":true}`), map[string]string{"X-Amz-Log-Type": "Tail"})
	if r.status != 200 || r.header.Get("X-Amz-Function-Error") != "Unhandled" {
		t.Fatalf("hog: %d %s", r.status, r.body)
	}
	if m := r.obj(t); m["errorType"] != "Runtime.OutOfMemory" {
		t.Fatalf("hog body %s", r.body)
	}
	if r := invokeRaw(t, s, name, "", []byte(`{}`), nil); r.status != 200 || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("after the OOM kill: %d %s", r.status, r.body)
	}

	// Enough memory that the process limit, not the memory limit, stops it.
	forker := uniqueName("forker")
	createFn(t, s, forker, zipOf(t, map[string]string{"index.js": js}), func(in *lambda.CreateFunctionInput) { in.MemorySize = aws.Int32(2048) })
	r = invokeRaw(t, s, forker, "", []byte(`{"fork":1500}`), nil)
	var res struct{ Ok, Failed int }
	if err := json.Unmarshal(r.body, &res); err != nil || r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("fork: %s %v", r.body, err)
	}
	if res.Ok >= 1024 || res.Failed == 0 {
		t.Fatalf("a fork bomb was not contained: %+v", res)
	}
	// Retiring the environment kills every process it started.
	updateDescription(t, s, forker, "retire")
	eventually(t, 10*time.Second, "the environment's processes to be gone", func() bool {
		return countProcs("/bin/sleep 30") == 0
	})
}

// countProcs counts processes whose command line is cmdline.
func countProcs(cmdline string) int {
	n := 0
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		if strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " ")) == cmdline {
			n++
		}
	}
	return n
}

// /tmp is sized by EphemeralStorage and open files are limited to 1024
// (reference/runtime.md §2.2, §2.7).
func TestEphemeralStorageAndOpenFiles(t *testing.T) {
	requireRoot(t)
	s := sharedServer(t)
	name := uniqueName("tmpsize")
	js := `
const fs = require("fs");
exports.handler = async () => {
  const limits = fs.readFileSync("/proc/self/limits", "utf8").split("\n").find(l => l.startsWith("Max open files"));
  const chunk = Buffer.alloc(16 << 20, 1);
  let written = 0, err = null;
  const fd = fs.openSync("/tmp/fill", "w");
  try { for (;;) { written += fs.writeSync(fd, chunk); if (written > (900 << 20)) break; } } catch (e) { err = e.code; }
  fs.closeSync(fd); fs.unlinkSync("/tmp/fill");
  return { limits, writtenMB: written >> 20, err };
};`
	createFn(t, s, name, zipOf(t, map[string]string{"index.js": js}), func(in *lambda.CreateFunctionInput) {
		in.MemorySize = aws.Int32(1024)
		in.Timeout = aws.Int32(20)
		in.EphemeralStorage = &types.EphemeralStorage{Size: aws.Int32(600)}
	})
	r := invokeRaw(t, s, name, "", []byte(`{}`), nil)
	if r.header.Get("X-Amz-Function-Error") != "" {
		t.Fatalf("%s", r.body)
	}
	var res struct {
		Limits    string
		WrittenMB int
		Err       string
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	if res.Err != "ENOSPC" || res.WrittenMB > 600 || res.WrittenMB < 500 {
		t.Fatalf("/tmp of 600 MB: wrote %d MB, error %q", res.WrittenMB, res.Err)
	}
	if f := strings.Fields(res.Limits); len(f) < 5 || f[3] != "1024" || f[4] != "1024" {
		t.Fatalf("open-file limit: %q", res.Limits)
	}
}

// listeningPorts lists the TCP ports pid listens on (IPv4 and IPv6).
func listeningPorts(t *testing.T, pid int) []int {
	t.Helper()
	inodes := map[string]bool{}
	fds, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	for _, fd := range fds {
		l, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd.Name())
		if err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	var ports []int
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fields := strings.Fields(line)
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] { // 0A = LISTEN
				continue
			}
			local := fields[1]
			port, err := strconv.ParseInt(local[strings.LastIndexByte(local, ':')+1:], 16, 32)
			if err == nil {
				ports = append(ports, int(port))
			}
		}
	}
	return ports
}

// A function can reach nothing the server listens on but the Lambda API:
// the embedded NATS server has no port, and every Runtime API refuses
// other users (the environments issue, "Isolation when running as root").
func TestFunctionsReachOnlyTheAPI(t *testing.T) {
	requireRoot(t)
	home, err := os.MkdirTemp("/var/lib", "kindling-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(home)
	s := startServer(t, home)
	defer s.stop()
	js := `
const net = require("net");
const tryConnect = (port) => new Promise((resolve) => {
  const c = net.connect({ host: "127.0.0.1", port });
  c.setTimeout(1500);
  c.on("connect", () => { c.write("GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"); });
  c.on("data", (d) => { c.destroy(); resolve("ANSWERED " + String(d).split("\r\n")[0]); });
  c.on("close", () => resolve("CLOSED"));
  c.on("error", (e) => resolve(e.code));
  c.on("timeout", () => { c.destroy(); resolve("TIMEOUT"); });
});
exports.handler = async (event) => {
  const own = Number(process.env.AWS_LAMBDA_RUNTIME_API.split(":")[1]);
  const out = {};
  for (const p of event.ports) if (p !== own) out[p] = await tryConnect(p);
  return out;
};`
	createFn(t, s, "reach-a", zipOf(t, map[string]string{"index.js": js}))
	createFn(t, s, "reach-b", zipOf(t, map[string]string{"index.js": js}))
	// Two live environments, so there are two Runtime APIs to try.
	_ = invokeRaw(t, s, "reach-b", "", []byte(`{"ports":[]}`), nil)
	_ = invokeRaw(t, s, "reach-a", "", []byte(`{"ports":[]}`), nil)
	apiPort := s.url[strings.LastIndexByte(s.url, ':')+1:]
	var others []int
	for _, p := range listeningPorts(t, s.cmd.Process.Pid) {
		if strconv.Itoa(p) != apiPort {
			others = append(others, p)
		}
	}
	// The API, and one Runtime API per live environment: nothing else.
	if len(others) != 2 {
		t.Fatalf("the server listens on %v besides the API (port %s); want exactly the two environments' Runtime APIs", others, apiPort)
	}
	b, _ := json.Marshal(map[string]any{"ports": others})
	r := invokeRaw(t, s, "reach-a", "", b, nil)
	res := r.obj(t)
	// Its own Runtime API is skipped (a runtime may talk to its own); the
	// other environment's must refuse the connection.
	if len(res) != 1 {
		t.Fatalf("tried %v: %s", others, r.body)
	}
	for port, v := range res {
		if strings.HasPrefix(v.(string), "ANSWERED") {
			t.Fatalf("port %s (another environment's Runtime API) answered: %v", port, v)
		}
	}
}
