package cgroup

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// mount is one cgroup or cgroup2 line of /proc/self/mountinfo.
type mount struct {
	root       string   // the path of the mounted directory inside the hierarchy
	mountPoint string   // where it is mounted
	fsType     string   // "cgroup" or "cgroup2"
	readOnly   bool     // mounted "ro"
	superOpts  []string // v1: the controllers (and "rw", "name=systemd"...)
}

// parseMountInfo returns the cgroup and cgroup2 mounts listed in a
// mountinfo file (proc(5)): "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS
// [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS".
func parseMountInfo(data []byte) []mount {
	var out []mount
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" {
				sep = i
				break
			}
		}
		if sep < 6 || len(fields) < sep+3 {
			continue
		}
		fsType := fields[sep+1]
		if fsType != "cgroup" && fsType != "cgroup2" {
			continue
		}
		m := mount{
			root:       unescapeMount(fields[3]),
			mountPoint: unescapeMount(fields[4]),
			fsType:     fsType,
			superOpts:  strings.Split(fields[sep+3], ","),
		}
		for _, o := range strings.Split(fields[5], ",") {
			if o == "ro" {
				m.readOnly = true
			}
		}
		for _, o := range m.superOpts {
			if o == "ro" {
				m.readOnly = true
			}
		}
		out = append(out, m)
	}
	return out
}

// unescapeMount undoes the octal escapes (\040 for a space...) the kernel
// writes into mountinfo paths.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// membership is one line of /proc/<pid>/cgroup: "ID:CONTROLLERS:PATH".
// For the v2 hierarchy ID is 0 and controllers is empty.
type membership struct {
	id          string
	controllers []string
	path        string
}

func parseProcCgroup(data []byte) []membership {
	var out []membership
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var ctrls []string
		if parts[1] != "" {
			ctrls = strings.Split(parts[1], ",")
		}
		out = append(out, membership{id: parts[0], controllers: ctrls, path: parts[2]})
	}
	return out
}

// parseKeyed parses a flat keyed file ("key value" per line), as
// memory.events, memory.oom_control and cgroup.events are.
func parseKeyed(data []byte) map[string]int64 {
	out := map[string]int64{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			continue
		}
		if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
			out[f[0]] = n
		}
	}
	return out
}

// parsePids parses a cgroup.procs file.
func parsePids(data []byte) []int {
	var out []int
	for _, f := range strings.Fields(string(data)) {
		if n, err := strconv.Atoi(f); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}
