// Package proc starts and stops runtime processes: each in its own process
// group, with an explicit environment, and with a parent-death signal so a
// killed server leaves nothing running.
package proc

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// Spec describes a process to start.
type Spec struct {
	Path string
	Args []string // argv[1:]
	Env  []string
	Dir  string
	// Output receives stdout and stderr.
	Output *os.File
	// Jail, when set, starts the process through the sandbox init (see
	// RunInit) in a new mount namespace.
	Jail *Jail
}

// InitBinary is the kindling executable that serves InitCommand; jails
// need it (set by main).
var InitBinary string

type request struct {
	spec  Spec
	reply chan reply
}

type reply struct {
	cmd *exec.Cmd
	err error
}

var spawns = make(chan request)

// The parent-death signal is delivered when the OS thread that forked the
// child exits, not the process. All children are therefore started from
// one goroutine locked to a thread that never exits.
func init() {
	go func() {
		runtime.LockOSThread()
		for req := range spawns {
			cmd, err := start(req.spec)
			req.reply <- reply{cmd, err}
		}
	}()
}

// Start starts the process described by spec.
func Start(spec Spec) (*exec.Cmd, error) {
	r := make(chan reply, 1)
	spawns <- request{spec, r}
	res := <-r
	return res.cmd, res.err
}

func start(spec Spec) (*exec.Cmd, error) {
	attr := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd := &exec.Cmd{
		Path:        spec.Path,
		Args:        append([]string{spec.Path}, spec.Args...),
		Env:         spec.Env,
		Dir:         spec.Dir,
		Stdout:      spec.Output,
		Stderr:      spec.Output,
		SysProcAttr: attr,
	}
	if spec.Jail == nil {
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start %s: %w", spec.Path, err)
		}
		return cmd, nil
	}
	if InitBinary == "" {
		return nil, fmt.Errorf("start %s: no sandbox init binary", spec.Path)
	}
	b, err := json.Marshal(initSpec{Jail: *spec.Jail, Path: spec.Path, Args: spec.Args, Env: spec.Env, Dir: spec.Dir})
	if err != nil {
		return nil, fmt.Errorf("encode sandbox spec: %w", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox spec pipe: %w", err)
	}
	defer r.Close()
	cmd.Path, cmd.Args, cmd.Env, cmd.Dir = InitBinary, []string{InitBinary, InitCommand}, []string{}, "/"
	cmd.ExtraFiles = []*os.File{r}
	attr.Cloneflags = syscall.CLONE_NEWNS
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil, fmt.Errorf("start sandbox for %s: %w", spec.Path, err)
	}
	_, err = w.Write(b)
	w.Close()
	if err != nil {
		KillGroup(cmd.Process.Pid)
		_ = cmd.Wait()
		return nil, fmt.Errorf("send sandbox spec: %w", err)
	}
	return cmd, nil
}

// KillGroup sends SIGKILL to the process group led by pid.
func KillGroup(pid int) {
	if pid > 0 {
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// PeakRSS returns the peak resident set size of pid in bytes (VmHWM), or 0.
func PeakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	var kb int64
	for _, line := range splitLines(b) {
		if n, _ := fmt.Sscanf(line, "VmHWM: %d kB", &kb); n == 1 {
			return kb * 1024
		}
	}
	return 0
}

func splitLines(b []byte) []string {
	var out []string
	start := 0
	for i, c := range b {
		if c == '\n' {
			out = append(out, string(b[start:i]))
			start = i + 1
		}
	}
	return out
}
