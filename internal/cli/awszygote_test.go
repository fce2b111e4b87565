package cli

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Starting the AWS CLI costs about 0.4 s of CPU, most of it importing
// awscli/botocore. With ~100 runs on a 2-core machine that dominates the
// package's test time, so the runs go through a "zygote": one process of
// /usr/bin/aws's own interpreter imports awscli.clidriver once and forks a
// child per run, which calls awscli.clidriver.main() exactly as the
// /usr/bin/aws script does, with the run's argv, environment, working
// directory and stdout/stderr files. Set KINDLING_TEST_AWS_EXEC=1 to exec
// /usr/bin/aws for every run instead.

const zygoteScript = `
import json, os, select, sys
import awscli.clidriver

pending = {}
buf = b""
eof = False
while not (eof and not pending):
    if not eof:
        r, _, _ = select.select([0], [], [], 0.01)
        if r:
            chunk = os.read(0, 1 << 16)
            if not chunk:
                eof = True
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                req = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    rc = 255
                    try:
                        os.chdir(req["cwd"])
                        # awscli sets AWS_DATA_PATH when imported, as it does under /usr/bin/aws.
                        data_path = os.environ.get("AWS_DATA_PATH")
                        os.environ.clear()
                        os.environ.update(req["env"])
                        if data_path is not None:
                            os.environ["AWS_DATA_PATH"] = data_path
                        null = os.open(os.devnull, os.O_RDONLY)
                        os.dup2(null, 0)
                        out = os.open(req["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                        err = os.open(req["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                        os.dup2(out, 1)
                        os.dup2(err, 2)
                        sys.argv = ["aws"] + req["args"]
                        rc = awscli.clidriver.main()
                    except SystemExit as e:
                        rc = e.code if isinstance(e.code, int) else 1
                    finally:
                        try:
                            sys.stdout.flush()
                            sys.stderr.flush()
                        finally:
                            os._exit(rc if isinstance(rc, int) else 1)
                pending[pid] = req["id"]
    while pending:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            break
        rid = pending.pop(pid)
        sys.stdout.write(json.dumps({"id": rid, "rc": os.waitstatus_to_exitcode(status)}) + "\n")
        sys.stdout.flush()
    if eof and pending:
        select.select([], [], [], 0.01)
`

type awsZygote struct {
	mu      sync.Mutex
	stdin   io.WriteCloser
	waiters map[int]chan int
	nextID  int
	err     error
}

var (
	zygoteOnce sync.Once
	zygote     *awsZygote
)

func awsInterpreter() string {
	f, err := os.Open(awsV2)
	if err != nil {
		return "/usr/bin/python3"
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	if strings.HasPrefix(line, "#!") {
		if fields := strings.Fields(line[2:]); len(fields) > 0 {
			return fields[0]
		}
	}
	return "/usr/bin/python3"
}

func startZygote() *awsZygote {
	z := &awsZygote{waiters: map[int]chan int{}}
	cmd := exec.Command(awsInterpreter(), "-c", zygoteScript)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC", "HOME=" + os.TempDir()}
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		z.err = err
		return z
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		z.err = err
		return z
	}
	if err := cmd.Start(); err != nil {
		z.err = err
		return z
	}
	z.stdin = in
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var res struct{ ID, RC int }
			if json.Unmarshal(sc.Bytes(), &res) != nil {
				continue
			}
			z.mu.Lock()
			ch := z.waiters[res.ID]
			delete(z.waiters, res.ID)
			z.mu.Unlock()
			if ch != nil {
				ch <- res.RC
			}
		}
		z.mu.Lock()
		z.err = fmt.Errorf("aws zygote exited")
		for id, ch := range z.waiters {
			close(ch)
			delete(z.waiters, id)
		}
		z.mu.Unlock()
	}()
	return z
}

// runAWSProcess runs the AWS CLI with args in dir and env; it returns stdout,
// stderr and the exit code.
func runAWSProcess(t *testing.T, args []string, dir string, env map[string]string) (string, string, int) {
	t.Helper()
	if os.Getenv("KINDLING_TEST_AWS_EXEC") == "1" {
		return execAWS(t, args, dir, env)
	}
	zygoteOnce.Do(func() { zygote = startZygote() })
	z := zygote
	tmp := t.TempDir()
	req := map[string]any{"args": args, "cwd": dir, "env": env,
		"stdout": filepath.Join(tmp, "stdout"), "stderr": filepath.Join(tmp, "stderr")}
	z.mu.Lock()
	if z.err != nil {
		z.mu.Unlock()
		t.Fatalf("aws zygote: %v", z.err)
	}
	z.nextID++
	req["id"] = z.nextID
	ch := make(chan int, 1)
	z.waiters[z.nextID] = ch
	line, _ := json.Marshal(req)
	_, err := z.stdin.Write(append(line, '\n'))
	z.mu.Unlock()
	if err != nil {
		t.Fatalf("aws zygote: %v", err)
	}
	rc, ok := <-ch
	if !ok {
		t.Fatal("aws zygote exited")
	}
	stdout, _ := os.ReadFile(req["stdout"].(string))
	stderr, _ := os.ReadFile(req["stderr"].(string))
	return string(stdout), string(stderr), rc
}

func execAWS(t *testing.T, args []string, dir string, env map[string]string) (string, string, int) {
	cmd := exec.Command(awsV2, args...)
	cmd.Dir = dir
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running aws: %v", err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}
