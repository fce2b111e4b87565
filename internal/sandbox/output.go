package sandbox

import (
	"bytes"
	"os"
	"sync"
	"syscall"
	"unsafe"
)

// output reads a runtime's combined stdout/stderr pipe and splits it into
// lines. Reading and handling a chunk happen under one lock, so drain can
// tell for certain that every byte written so far has been handled.
type output struct {
	f    *os.File
	line func(string)

	mu      sync.Mutex
	partial []byte
	buf     []byte
}

func newOutput(f *os.File, line func(string)) *output {
	return &output{f: f, line: line, buf: make([]byte, 64*1024)}
}

// run reads until the write end is closed by every holder.
func (o *output) run() {
	rc, err := o.f.SyscallConn()
	if err != nil {
		return
	}
	eof := false
	for !eof {
		err := rc.Read(func(fd uintptr) bool {
			o.mu.Lock()
			defer o.mu.Unlock()
			n, rerr := syscall.Read(int(fd), o.buf)
			switch {
			case n > 0:
				o.handle(o.buf[:n])
				return true
			case rerr == syscall.EAGAIN:
				return false
			default: // 0 (EOF) or an error
				eof = true
				return true
			}
		})
		if err != nil {
			eof = true
		}
	}
	o.mu.Lock()
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = nil
	}
	o.mu.Unlock()
	_ = o.f.Close()
}

func (o *output) handle(b []byte) {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			if len(o.partial) > 256*1024 { // a runaway line is split
				o.line(string(o.partial))
				o.partial = o.partial[:0]
			}
			return
		}
		if len(o.partial) > 0 {
			o.partial = append(o.partial, b[:i]...)
			o.line(string(o.partial))
			o.partial = o.partial[:0]
		} else {
			o.line(string(b[:i]))
		}
		b = b[i+1:]
	}
}

// drain handles everything the runtime has written so far, including an
// unterminated last line.
func (o *output) drain() {
	rc, err := o.f.SyscallConn()
	if err != nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	_ = rc.Control(func(fd uintptr) {
		for i := 0; i < 1024; i++ {
			var pending int32
			_, _, e := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TIOCINQ, uintptr(unsafe.Pointer(&pending)))
			if e != 0 || pending == 0 {
				return
			}
			n, _ := syscall.Read(int(fd), o.buf)
			if n <= 0 {
				return
			}
			o.handle(o.buf[:n])
		}
	})
	if len(o.partial) > 0 {
		o.line(string(o.partial))
		o.partial = o.partial[:0]
	}
}
