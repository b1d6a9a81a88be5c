package cove

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// A daemon stand-in on a real socket, scripted frame by frame: the progress frames of a streamed call
// reach onPart in order and before its result, and another call goes on the same connection meanwhile.

type fakeDaemon struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

// startFake listens on a fresh socket and returns a client of it, and a channel that yields the server's
// side of the first connection once the hello is done (the hello carries build).
func startFake(t *testing.T, build string) (*Client, <-chan *fakeDaemon) {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "d.sock")
	l, err := netListenUnix(sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan *fakeDaemon, 1)
	go func() {
		nc, err := l.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { nc.Close() })
		f := &fakeDaemon{t: t, nc: nc, r: bufio.NewReader(nc)}
		f.read() // the client's hello
		f.write(map[string]any{"type": "hello", "protocol": protocolVersion, "server": "fake", "build": build})
		got <- f
	}()
	c, err := New(Options{Socket: sock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, got
}

func (f *fakeDaemon) read() map[string]any {
	_ = f.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, err := f.r.ReadBytes('\n')
	if err != nil {
		panic(fmt.Sprintf("fake daemon: %v", err))
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		panic(fmt.Sprintf("fake daemon: %s: %v", line, err))
	}
	return m
}

func (f *fakeDaemon) write(frame map[string]any) {
	b, _ := json.Marshal(frame)
	if _, err := f.nc.Write(append(b, '\n')); err != nil {
		panic(fmt.Sprintf("fake daemon: %v", err))
	}
}

func TestStreamPartsInOrderBeforeResultAndCallsOnTheSameConnection(t *testing.T) {
	c, fakes := startFake(t, "build-7")
	ctx := context.Background()
	h, err := c.Connect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if h.Build != "build-7" {
		t.Fatalf("hello build %q", h.Build)
	}
	f := <-fakes

	var mu sync.Mutex
	var parts []string
	secondPart := make(chan struct{})
	s, err := c.Stream(ctx, "action:cli.run.input.v1", map[string]any{"session": "s1"}, func(p json.RawMessage) {
		mu.Lock()
		defer mu.Unlock()
		parts = append(parts, string(p))
		if len(parts) == 2 {
			close(secondPart)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	run := f.read()
	if run["type"] != "action" || run["method"] != "action:cli.run.input.v1" {
		t.Fatalf("sent %v", run)
	}
	if _, has := run["timeout"]; has {
		t.Fatalf("a streamed call without a deadline must carry no timeout: %v", run)
	}
	id := run["id"]
	f.write(map[string]any{"type": "progress", "id": 999, "encoding": "json", "payload": "nobody's"}) // skipped
	f.write(map[string]any{"type": "progress", "id": id, "encoding": "json", "payload": map[string]any{"n": 1}})
	f.write(map[string]any{"type": "progress", "id": id, "encoding": "json", "payload": map[string]any{"n": 2}})

	// while the stream runs, another call on its connection (as cli.stdin goes), answered before the rest
	<-secondPart
	side := make(chan error, 1)
	var delivered struct{ Delivered bool }
	go func() { side <- s.Call(ctx, "action:cli.stdin.input.v1", map[string]any{"session": "s1"}, &delivered) }()
	in := f.read()
	if in["method"] != "action:cli.stdin.input.v1" || in["id"] == id {
		t.Fatalf("side call sent as %v", in)
	}
	f.write(map[string]any{"type": "ok", "id": in["id"], "encoding": "json", "payload": map[string]any{"delivered": true}})
	if err := <-side; err != nil || !delivered.Delivered {
		t.Fatalf("side call: %v %+v", err, delivered)
	}

	f.write(map[string]any{"type": "progress", "id": id, "encoding": "json", "payload": map[string]any{"n": 3}})
	f.write(map[string]any{"type": "ok", "id": id, "encoding": "json", "payload": map[string]any{"exit": 0}})
	res, err := s.Wait(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{`{"n":1}`, `{"n":2}`, `{"n":3}`}
	if fmt.Sprint(parts) != fmt.Sprint(want) {
		t.Fatalf("parts %v, want %v", parts, want)
	}
	if string(res) != `{"exit":0}` {
		t.Fatalf("result %s", res)
	}

	// a plain call skips parts it does not expect
	done := make(chan error, 1)
	go func() { done <- c.Call(ctx, "query:core.ping.v1", nil, nil) }()
	ping := f.read()
	f.write(map[string]any{"type": "progress", "id": ping["id"], "encoding": "json", "payload": "ignored"})
	f.write(map[string]any{"type": "ok", "id": ping["id"], "encoding": "json", "payload": map[string]any{}})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestStreamErrorAndLostConnection(t *testing.T) {
	c, fakes := startFake(t, "")
	ctx := context.Background()
	if _, err := c.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	f := <-fakes

	s, err := c.Stream(ctx, "action:cli.run.input.v1", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	run := f.read()
	f.write(map[string]any{"type": "progress", "id": run["id"], "encoding": "json", "payload": "x"})
	f.write(map[string]any{"type": "error", "id": run["id"], "error": map[string]any{"code": "METHOD_NOT_FOUND", "message": "no"}})
	if _, err := s.Wait(ctx); codeOf(err) != CodeMethodNotFound {
		t.Fatalf("got %v", err)
	}

	var parts int
	s, err = c.Stream(ctx, "action:cli.run.input.v1", nil, func(json.RawMessage) { parts++ })
	if err != nil {
		t.Fatal(err)
	}
	run = f.read()
	f.write(map[string]any{"type": "progress", "id": run["id"], "encoding": "json", "payload": "x"})
	f.nc.Close()
	_, err = s.Wait(ctx)
	if !errors.Is(err, ErrConnectionLost) || parts != 1 {
		t.Fatalf("got %v after %d parts", err, parts)
	}
	if err := s.Call(ctx, "action:cli.signal.input.v1", nil, nil); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("a call on a lost stream's connection: %v", err)
	}
}

// The real daemon says its build (COVE_BUILD_ID in its environment, as bin/cove exports it) in the hello.
func TestHelloBuildOfARealDaemon(t *testing.T) {
	needLauncher(t)
	t.Setenv("COVE_BUILD_ID", "go-test-build-1")
	dir := filepath.Join(t.TempDir(), "data")
	d, err := spawnDaemon(dir, DefaultInstance)
	if err != nil {
		t.Fatal(err)
	}
	defer d.kill()
	c, err := New(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h, err := c.Connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if h.Build != "go-test-build-1" {
		t.Fatalf("hello %+v", h)
	}
}
