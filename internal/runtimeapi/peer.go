package runtimeapi

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
)

// uidListener accepts only connections made by sockets that belong to one
// user id: the environment's own. Every environment has its own user, so a
// function cannot reach another environment's Runtime API over loopback.
type uidListener struct {
	net.Listener
	uid int
}

func (l uidListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if uid, err := peerUID(c); err == nil && uid == l.uid {
			return c, nil
		}
		_ = c.Close()
	}
}

// peerUID finds the owner of the connecting socket of a loopback TCP
// connection in /proc/net/tcp.
func peerUID(c net.Conn) (int, error) {
	remote, ok1 := c.RemoteAddr().(*net.TCPAddr)
	local, ok2 := c.LocalAddr().(*net.TCPAddr)
	if !ok1 || !ok2 || remote.IP.To4() == nil {
		return -1, fmt.Errorf("not an IPv4 TCP connection")
	}
	// The peer's socket has local = remote port, remote = our port.
	want := fmt.Sprintf("%s %s", hexAddr(remote), hexAddr(local))
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return -1, fmt.Errorf("read /proc/net/tcp: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 || fields[1]+" "+fields[2] != want {
			continue
		}
		return strconv.Atoi(fields[7])
	}
	return -1, fmt.Errorf("no socket for %v", remote)
}

// hexAddr renders an IPv4 address and port as /proc/net/tcp does.
func hexAddr(a *net.TCPAddr) string {
	ip := a.IP.To4()
	return fmt.Sprintf("%02X%02X%02X%02X:%04X", ip[3], ip[2], ip[1], ip[0], a.Port)
}
