package cove

import (
	"bufio"
	"net"
	"testing"
	"time"
)

func netListenUnix(path string) (*net.UnixListener, error) {
	return net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
}

func netDialUnix(path string) (net.Conn, error) {
	return net.Dial("unix", path)
}

// readFrames reads n lines from a raw connection.
func readFrames(t *testing.T, nc net.Conn, n int) []string {
	t.Helper()
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(nc)
	var out []string
	for len(out) < n {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after %v: %v", out, err)
		}
		out = append(out, l)
	}
	return out
}
