package proc

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// InitCommand is the hidden subcommand of the kindling binary that sets up
// an environment's sandbox from inside the new process, then execs the
// runtime: the runtime is born inside its user, mount namespace and cgroup.
const InitCommand = "sandbox-init"

// Jail describes the sandbox a runtime is born into (as root).
type Jail struct {
	// UID and GID the runtime runs as (an unprivileged id per environment).
	UID, GID int
	// TaskDir is bound read-only at /var/task, RuntimeDir at /var/runtime.
	TaskDir, RuntimeDir string
	// TmpMB sizes the private tmpfs mounted at /tmp.
	TmpMB int
	// CgroupProcs are the cgroup.procs files the process joins first.
	CgroupProcs []string
	// NoFile and NProc are the RLIMIT_NOFILE and RLIMIT_NPROC limits.
	NoFile, NProc uint64
}

// initSpec is what the parent sends the init process on fd 3.
type initSpec struct {
	Jail Jail
	Path string
	Args []string
	Env  []string
	Dir  string
}

// Mount points the jail uses; PrepareHost creates them.
var jailDirs = []string{"/var/task", "/var/runtime", "/opt", "/tmp"}

// PrepareHost creates the mount points the jails bind onto.
func PrepareHost() error {
	for _, d := range jailDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("create %s: %w", d, err)
		}
	}
	return nil
}

// RunInit is the child side: it reads the spec from fd 3, joins the
// cgroup, builds the mounts, sets limits, drops to the environment's user,
// re-arms the parent-death signal and execs the runtime. It never returns.
func RunInit() {
	runtime.LockOSThread() // the parent-death signal is per thread: exec from this one
	fail := func(step string, err error) {
		fmt.Fprintf(os.Stderr, "kindling sandbox: %s: %v\n", step, err)
		os.Exit(127)
	}
	f := os.NewFile(3, "spec")
	var spec initSpec
	if err := json.NewDecoder(f).Decode(&spec); err != nil {
		fail("read spec", err)
	}
	f.Close()
	parent := os.Getppid()
	j := spec.Jail
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, procs := range j.CgroupProcs {
		if err := os.WriteFile(procs, pid, 0); err != nil {
			fail("join cgroup", err)
		}
	}
	if err := mountJail(j); err != nil {
		fail("mounts", err)
	}
	for res, v := range map[int]uint64{unix.RLIMIT_NOFILE: j.NoFile, unix.RLIMIT_NPROC: j.NProc} {
		if v > 0 {
			if err := unix.Setrlimit(res, &unix.Rlimit{Cur: v, Max: v}); err != nil {
				fail("rlimit", err)
			}
		}
	}
	if j.UID != 0 {
		if err := syscall.Setgroups(nil); err != nil {
			fail("setgroups", err)
		}
		if err := syscall.Setgid(j.GID); err != nil {
			fail("setgid", err)
		}
		if err := syscall.Setuid(j.UID); err != nil {
			fail("setuid", err)
		}
	}
	// Changing the uid cleared the parent-death signal: arm it again, and
	// give up if the server died in between.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(syscall.SIGKILL), 0, 0, 0); err != nil {
		fail("pdeathsig", err)
	}
	if os.Getppid() != parent {
		os.Exit(1)
	}
	if err := os.Chdir(spec.Dir); err != nil {
		fail("chdir", err)
	}
	err := syscall.Exec(spec.Path, append([]string{spec.Path}, spec.Args...), spec.Env)
	fail("exec "+spec.Path, err)
}

func mountJail(j Jail) error {
	// Nothing we mount may propagate back to the host.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	ro := func(src, dst string) error {
		if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind %s: %w", dst, err)
		}
		if err := unix.Mount("", dst, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, ""); err != nil {
			return fmt.Errorf("read-only %s: %w", dst, err)
		}
		return nil
	}
	if err := ro(j.TaskDir, "/var/task"); err != nil {
		return err
	}
	if err := ro(j.RuntimeDir, "/var/runtime"); err != nil {
		return err
	}
	// Layers are not supported yet: /opt is empty and read-only.
	if err := unix.Mount("tmpfs", "/opt", "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, "size=4k,mode=0755"); err != nil {
		return fmt.Errorf("mount /opt: %w", err)
	}
	opts := fmt.Sprintf("size=%dm,mode=0700,uid=%d,gid=%d", max(j.TmpMB, 1), j.UID, j.GID)
	if err := unix.Mount("tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		return fmt.Errorf("mount /tmp: %w", err)
	}
	return nil
}
