// Package cove is the Go client of the Cove daemon: a connection that speaks Cove's wire protocol
// (docs/protocol.md) and application sessions on top of it (docs/sessions.md), with the same
// semantics as the Java CoreClient and Sessions. Standard library only.
//
//	s, err := cove.Start(ctx, "MyApp", "1.0")   // connects (starting a daemon if none runs) and registers
//	if err != nil { log.Fatal(err) }
//	defer s.Close()                             // flushes, then ends the session
//	s.State(map[string]any{"window": map[string]any{"open": []string{"w1"}}})
//	s.Metric("fps", 59.8)
package cove

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Options configure a Client. The zero value talks to the default instance of the default data
// folder and does not start a daemon.
type Options struct {
	// DataDir is the data folder; "" resolves it as every Cove program does (DefaultDataDir).
	DataDir string
	// Instance is the instance name; "" is "default".
	Instance string
	// Socket talks to this socket directly (no auto-start); overrides DataDir and Instance.
	Socket string
	// Name and Version introduce this client (shown by `cove status`); default "go-client", "0.1.0".
	Name, Version string
	// AutoStart starts a daemon when none answers, with Launcher or the one the environment
	// describes (see LauncherFromEnv). Racing clients, in this process or others, start one between them.
	AutoStart bool
	// Launcher is the command that runs a daemon in the foreground, e.g. {"/opt/cove/bin/cove", "daemon"};
	// "--data-dir DIR --instance NAME" are appended. Nil: LauncherFromEnv().
	Launcher []string
	// Private asks for a private daemon: a fresh instance named after this process, started on first
	// use and tied to this process's pid, so it stops and removes its files when this process ends.
	Private bool
	// Timeout is the per-call timeout for contexts without a deadline (default 2 minutes).
	Timeout time.Duration
	// ConnectRetry is how long a refused or busy socket is retried before it counts as stale (default 500 ms).
	ConnectRetry time.Duration
	// StartTimeout is how long a started daemon has to answer (default 30 s).
	StartTimeout time.Duration
	// StreamBuffer is the items buffered per subscription before it reports a local lag (default 10,000).
	StreamBuffer int
}

// Client is a connection to a Cove daemon, safe for concurrent use. It connects on first use and
// reconnects on the next call after a lost connection. Close it when done.
type Client struct {
	opts       Options
	paths      paths
	hasPaths   bool
	socket     string
	launcher   []string
	launchArgs []string
	protocol   int

	ids    atomic.Int64
	connMu sync.Mutex
	cur    atomic.Pointer[conn]
	closed atomic.Bool
}

// New makes a client; it does not connect until the first call (or Connect).
func New(opts Options) (*Client, error) {
	if opts.Name == "" {
		opts.Name = "go-client"
	}
	if opts.Version == "" {
		opts.Version = "0.1.0"
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 2 * time.Minute
	}
	if opts.ConnectRetry <= 0 {
		opts.ConnectRetry = 500 * time.Millisecond
	}
	if opts.StartTimeout <= 0 {
		opts.StartTimeout = 30 * time.Second
	}
	if opts.StreamBuffer <= 0 {
		opts.StreamBuffer = 10_000
	}
	c := &Client{opts: opts, protocol: protocolVersion}
	if opts.Socket != "" {
		if opts.AutoStart || opts.Private {
			return nil, newError(CodeInvalidInput, "auto-start needs a data folder and instance, not just a socket")
		}
		c.socket = absClean(opts.Socket)
		return c, nil
	}
	instance := opts.Instance
	if opts.Private {
		r := make([]byte, 3)
		_, _ = rand.Read(r)
		instance = fmt.Sprintf("p%d-%s", os.Getpid(), hex.EncodeToString(r))
		c.launchArgs = []string{"--parent-pid", fmt.Sprint(os.Getpid())}
	}
	p, err := newPaths(opts.DataDir, instance)
	if err != nil {
		return nil, err
	}
	c.paths, c.hasPaths, c.socket = p, true, p.socket()
	if opts.AutoStart || opts.Private {
		c.launcher = opts.Launcher
		if c.launcher == nil {
			c.launcher = LauncherFromEnv()
		}
	}
	return c, nil
}

// Socket is the socket path this client talks to.
func (c *Client) Socket() string { return c.socket }

// Instance is the instance name ("" when built with Socket).
func (c *Client) Instance() string { return c.paths.instance }

// Connect connects now (starting a daemon if configured) and returns the daemon's hello.
func (c *Client) Connect(ctx context.Context) (Hello, error) {
	cn, err := c.connection(ctx)
	if err != nil {
		return Hello{}, err
	}
	return cn.hello, nil
}

// Close closes the connection; calls in flight fail with CONNECTION_LOST.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.connMu.Lock()
	cn := c.cur.Load()
	c.connMu.Unlock()
	if cn != nil {
		cn.close("the client was closed")
	}
	return nil
}

// Call calls a method by its wire name (e.g. "query:core.ping.v1") with a JSON payload (any value
// encoding/json marshals; nil for none) and unmarshals the answer's payload into result (nil to
// ignore it). A daemon error comes back as a *Error carrying the daemon's code.
func (c *Client) Call(ctx context.Context, method string, payload any, result any) error {
	if ctx.Err() != nil {
		return &Error{Code: ctxCode(ctx), Message: "not sent: " + ctx.Err().Error(), Details: map[string]any{}, cause: ctx.Err()}
	}
	cn, err := c.connection(ctx)
	if err != nil {
		return err
	}
	return c.roundTrip(ctx, cn, callFrame(method, payload), method, result)
}

// callFrame is the frame of a call by wire name: a query, or an action for "action:…" names.
func callFrame(method string, payload any) map[string]any {
	kind := "query"
	if strings.HasPrefix(method, "action:") {
		kind = "action"
	}
	frame := map[string]any{"type": kind, "method": method, "encoding": "json"}
	if payload != nil {
		frame["payload"] = payload
	}
	return frame
}

func ctxCode(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return CodeTimeout
	}
	return CodeCancelled
}

// roundTrip sends one frame (an id is added) and waits for its answer.
func (c *Client) roundTrip(ctx context.Context, cn *conn, frame map[string]any, what string, result any) error {
	return c.roundTripSub(ctx, cn, frame, what, result, nil)
}

func (c *Client) roundTripSub(ctx context.Context, cn *conn, frame map[string]any, what string, result any,
	sub *Subscription) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.opts.Timeout)
		defer cancel()
	}
	id, ch, err := c.send(ctx, cn, frame, what, sub, nil)
	if err != nil {
		return err
	}
	return c.await(ctx, cn, id, ch, frame, what, result)
}

// send gives frame an id (and ctx's deadline as its timeout, for calls), registers it with where its
// answer (and, for a streamed call, its parts) goes, and writes it.
func (c *Client) send(ctx context.Context, cn *conn, frame map[string]any, what string, sub *Subscription,
	onPart func(json.RawMessage)) (int64, chan answer, error) {
	id := c.ids.Add(1)
	frame["id"] = id
	if dl, ok := ctx.Deadline(); ok && frame["type"] != "subscribe" && frame["type"] != "unsubscribe" {
		ms := time.Until(dl).Milliseconds()
		if ms < 1 {
			ms = 1
		}
		frame["timeout"] = ms // the daemon answers TIMEOUT and interrupts the handler
	}
	data, err := json.Marshal(frame)
	if err != nil {
		return 0, nil, &Error{Code: CodeInvalidInput, Message: fmt.Sprintf("cannot encode the request for %s: %v", what, err),
			Details: map[string]any{}, cause: err}
	}
	data = append(data, '\n')
	ch := make(chan answer, 1)
	if !cn.register(id, ch, sub, onPart) {
		return 0, nil, newError(CodeConnectionLost, "%s", cn.closeReason())
	}
	if err := cn.send(data); err != nil {
		cn.forget(id)
		cn.close("the connection to the daemon broke: " + err.Error())
		return 0, nil, newError(CodeConnectionLost, "the connection to the daemon broke while sending %s: %v", what, err)
	}
	return id, ch, nil
}

// await waits for the answer to call id and decodes its payload into result (nil: ignore it; a
// *json.RawMessage: keep it as is). When ctx ends first, the daemon is told to cancel the call.
func (c *Client) await(ctx context.Context, cn *conn, id int64, ch chan answer, frame map[string]any, what string,
	result any) error {
	select {
	case a := <-ch:
		if a.err != nil {
			return a.err
		}
		if result != nil {
			if raw, ok := result.(*json.RawMessage); ok {
				*raw = append((*raw)[:0], a.payload...)
				return nil
			}
			if len(a.payload) == 0 {
				return nil
			}
			if err := json.Unmarshal(a.payload, result); err != nil {
				return &Error{Code: CodeDecodeError, Message: fmt.Sprintf("could not decode the daemon's answer to %s: %v",
					what, err), Details: map[string]any{}, cause: err}
			}
		}
		return nil
	case <-ctx.Done():
		if cn.forget(id) && frame["type"] != "subscribe" {
			if b, err := json.Marshal(map[string]any{"type": "cancel", "id": id}); err == nil {
				_ = cn.send(append(b, '\n'))
			}
		}
		return &Error{Code: ctxCode(ctx), Message: fmt.Sprintf("no answer to %s: %v", what, ctx.Err()),
			Details: map[string]any{}, cause: ctx.Err()}
	}
}

// Subscribe subscribes to event types by name (empty for all) with a filter (field → value, nil for
// none), e.g. Subscribe(ctx, []string{"SessionEvent"}, map[string]any{"sessionId": id}).
func (c *Client) Subscribe(ctx context.Context, events []string, filter map[string]any) (*Subscription, error) {
	cn, err := c.connection(ctx)
	if err != nil {
		return nil, err
	}
	if events == nil {
		events = []string{}
	}
	if filter == nil {
		filter = map[string]any{}
	}
	s := newSubscription(c, cn, c.opts.StreamBuffer)
	frame := map[string]any{"type": "subscribe", "events": events, "filter": filter, "encoding": "json"}
	if err := c.roundTripSub(ctx, cn, frame, "subscribe", nil, s); err != nil {
		return nil, err
	}
	return s, nil
}

// ---- connecting ----

func (c *Client) connection(ctx context.Context) (*conn, error) {
	if cn := c.cur.Load(); cn != nil && cn.isOpen() {
		return cn, nil
	}
	c.connMu.Lock()
	defer c.connMu.Unlock()
	if c.closed.Load() {
		return nil, &Error{Code: CodeConnectionLost, Message: "this client is closed",
			Details: map[string]any{"reason": "client_closed"}}
	}
	if cn := c.cur.Load(); cn != nil && cn.isOpen() {
		return cn, nil
	}
	cn, err := c.connectWithRetry(ctx)
	if err != nil {
		e, ok := err.(*Error)
		wantStart := c.opts.AutoStart || c.opts.Private
		if ok && e.Code == CodeUnavailable && wantStart && len(c.launcher) == 0 {
			e.Message += " (auto-start found no way to start one: put `cove` on the PATH, or set COVE_LAUNCHER to bin/cove)"
			return nil, e
		}
		if !ok || !wantStart || e.Code != CodeUnavailable || e.Reason() == "permission_denied" {
			return nil, err
		}
		cn, err = c.startAndConnect(ctx)
		if err != nil {
			return nil, err
		}
	}
	c.cur.Store(cn)
	return cn, nil
}

func (c *Client) unavailable(reason, format string, args ...any) *Error {
	return &Error{Code: CodeUnavailable, Message: fmt.Sprintf(format, args...),
		Details: map[string]any{"reason": reason, "socket": c.socket}}
}

func (c *Client) startCommand() string {
	if !c.hasPaths {
		return "cove start"
	}
	return c.paths.startCommand()
}

func (c *Client) connectWithRetry(ctx context.Context) (*conn, error) {
	deadline := time.Now().Add(c.opts.ConnectRetry)
	backoff := 10 * time.Millisecond
	for {
		cn, err := c.connectOnce()
		if err == nil {
			return cn, nil
		}
		e, _ := err.(*Error)
		transient := e != nil && (e.Reason() == "refused" || e.Reason() == "busy")
		if !transient || time.Now().After(deadline) {
			if e != nil && e.Reason() == "refused" {
				return nil, c.unavailable("stale_socket", "a socket exists at %s but no daemon answers on it (the daemon "+
					"probably crashed). Start a new one with `%s`; it replaces the stale socket", c.socket, c.startCommand())
			}
			return nil, err
		}
		if err := sleepCtx(ctx, backoff); err != nil {
			return nil, err
		}
		backoff *= 2
		if backoff > 200*time.Millisecond {
			backoff = 200 * time.Millisecond
		}
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return &Error{Code: ctxCode(ctx), Message: "interrupted while connecting", Details: map[string]any{}, cause: ctx.Err()}
	}
}

func (c *Client) connectOnce() (*conn, error) {
	where := ""
	if c.hasPaths {
		where = " for instance '" + c.paths.instance + "'"
	}
	if _, err := os.Stat(c.socket); err != nil {
		return nil, c.unavailable("not_running", "no Cove daemon is running%s: there is no socket at %s. Start one with `%s`",
			where, c.socket, c.startCommand())
	}
	target := c.socket
	if c.hasPaths {
		t, err := c.paths.connectPath()
		if e, ok := err.(*Error); ok {
			return nil, e
		} else if err != nil {
			return nil, c.unavailable("io", "cannot connect to %s: %v", c.socket, err)
		}
		target = t
	}
	nc, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: target, Net: "unix"})
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return nil, c.unavailable("refused", "connection refused on %s", c.socket)
		case errors.Is(err, syscall.EAGAIN):
			return nil, c.unavailable("busy", "the daemon's accept queue is full on %s", c.socket)
		case errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EPERM):
			return nil, c.unavailable("permission_denied", "permission denied on %s: it belongs to another user or its "+
				"folder is not yours. Check `ls -l %s`, or use your own --data-dir", c.socket, dirOf(c.socket))
		case errors.Is(err, syscall.ENOENT):
			return nil, c.unavailable("not_running", "no Cove daemon is running: %s vanished. Start one with `%s`",
				c.socket, c.startCommand())
		}
		return nil, c.unavailable("io", "cannot connect to %s: %v", c.socket, err)
	}
	if err := c.checkServer(nc); err != nil {
		_ = nc.Close()
		return nil, err
	}
	return c.handshake(nc)
}

// checkServer refuses a server that does not run as this user, before a byte is sent to it: whoever can
// create the socket's folder could otherwise receive this client's calls (the daemon checks its clients
// the same way).
func (c *Client) checkServer(nc *net.UnixConn) error {
	uid, ok, err := serverUID(nc)
	if err != nil {
		return c.unavailable("io", "cannot read who serves %s: %v", c.socket, err)
	}
	if !ok || uid == os.Getuid() {
		return nil
	}
	folder := dirOf(c.socket)
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	return &Error{Code: CodeUntrustedServer, Message: fmt.Sprintf("the socket %s is served by a process of %s, not "+
		"by you (%s): Cove sends nothing to another user's server. Whoever made %s may be trying to capture your "+
		"daemon's clients. Remove %s (as root if need be: `sudo rm -rf %s`) and start your own daemon, or use a data "+
		"folder only you can write to", c.socket, userLabel(uid), userLabel(os.Getuid()), folder, folder, folder),
		Details: map[string]any{"socket": c.socket, "user": name, "uid": uid}}
}

func dirOf(p string) string {
	if i := strings.LastIndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return p
}

func (c *Client) handshake(nc *net.UnixConn) (*conn, error) {
	hello, _ := json.Marshal(map[string]any{"type": "hello", "protocol": c.protocol, "name": c.opts.Name,
		"version": c.opts.Version, "pid": os.Getpid(), "encodings": []string{"json"}})
	// a daemon that refuses us (UNAUTHORIZED, OVERLOADED, SHUTTING_DOWN) writes its error and closes at
	// once, so our hello can meet a closed socket; the error is still there to read, and says more
	_, helloErr := nc.Write(append(hello, '\n'))
	_ = nc.SetReadDeadline(time.Now().Add(handshakeTimeout))
	sc := bufio.NewScanner(nc)
	sc.Buffer(make([]byte, 64*1024), defaultMaxFrame+1)
	var first []byte
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			first = []byte(l)
			break
		}
	}
	fail := func(format string, args ...any) (*conn, error) {
		_ = nc.Close()
		return nil, c.unavailable("refused", format, args...)
	}
	if first == nil {
		why := "the daemon closed the connection before saying hello"
		if err := sc.Err(); err != nil {
			why = err.Error()
		}
		return fail("the daemon at %s did not complete the hello: %s", c.socket, why)
	}
	var f inFrame
	if err := json.Unmarshal(first, &f); err != nil {
		return fail("the daemon at %s did not complete the hello: its first frame is not JSON", c.socket)
	}
	if f.Type == "error" && f.Error != nil {
		_ = nc.Close()
		return nil, f.Error.toError()
	}
	if helloErr != nil {
		return fail("the daemon at %s did not complete the hello: %v", c.socket, helloErr)
	}
	if f.Type != "hello" || f.Protocol != c.protocol {
		_ = nc.Close()
		upgrade := "upgrade the daemon and run `cove restart`"
		if f.Protocol > c.protocol {
			upgrade = "upgrade this client"
		}
		return nil, &Error{Code: CodeUnsupportedVersion, Message: fmt.Sprintf("the daemon at %s speaks protocol %d but "+
			"this client speaks %d: %s", c.socket, f.Protocol, c.protocol, upgrade), Details: map[string]any{}}
	}
	var h Hello
	_ = json.Unmarshal(first, &h)
	_ = nc.SetReadDeadline(time.Time{})
	return newConn(nc, h, sc), nil
}
