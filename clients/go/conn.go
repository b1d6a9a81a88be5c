package cove

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strconv"
	"sync"
	"time"
)

// protocolVersion is the wire protocol this client speaks (docs/protocol.md).
const protocolVersion = 1

const defaultMaxFrame = 16 << 20

// Hello is the daemon's greeting.
type Hello struct {
	Protocol  int      `json:"protocol"`
	Server    string   `json:"server"`
	Version   string   `json:"version"`
	Instance  string   `json:"instance"`
	PID       int64    `json:"pid"`
	Encodings []string `json:"encodings"`
	Registry  string   `json:"registry"`
	MaxFrame  int      `json:"maxFrame"`
	// Build identifies the daemon's build (Cove's takes it from COVE_BUILD_ID); "" when unknown.
	Build string `json:"build"`
}

// inFrame is any frame the daemon sends; which fields are set depends on Type.
type inFrame struct {
	Type     string          `json:"type"`
	ID       json.RawMessage `json:"id"`
	Payload  json.RawMessage `json:"payload"`
	Error    *wireError      `json:"error"`
	Sub      int64           `json:"sub"`
	Seq      int64           `json:"seq"`
	Event    string          `json:"event"`
	Missed   int64           `json:"missed"`
	Reason   string          `json:"reason"`
	LastSeq  int64           `json:"lastSeq"`
	Protocol int             `json:"protocol"`
}

type wireError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

func (w *wireError) toError() *Error {
	code := w.Code
	if code == "" {
		code = CodeExecutionError
	}
	msg := w.Message
	if msg == "" {
		msg = code
	}
	d := w.Details
	if d == nil {
		d = map[string]any{}
	}
	return &Error{Code: code, Message: msg, Details: d}
}

type answer struct {
	payload json.RawMessage
	err     *Error
}

// conn is one open connection: a reader goroutine completes calls by id and feeds subscriptions.
type conn struct {
	nc      net.Conn
	hello   Hello
	writeMu sync.Mutex

	mu      sync.Mutex
	closed  bool
	reason  string
	pending map[int64]chan answer
	// streamed calls: where their progress frames go (see Client.Stream)
	parts map[int64]func(json.RawMessage)
	subs  map[int64]*Subscription
	// subscribe calls in flight: their streams must exist before the reader reads the first event
	subscribing map[int64]*Subscription
	done        chan struct{}
}

func newConn(nc net.Conn, hello Hello, sc *bufio.Scanner) *conn {
	c := &conn{nc: nc, hello: hello, pending: map[int64]chan answer{}, parts: map[int64]func(json.RawMessage){},
		subs: map[int64]*Subscription{}, subscribing: map[int64]*Subscription{}, done: make(chan struct{})}
	go c.readLoop(sc)
	return c
}

func (c *conn) isOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed
}

func (c *conn) send(frame []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_, err := c.nc.Write(frame)
	return err
}

func (c *conn) readLoop(sc *bufio.Scanner) {
	reason := "the daemon closed the connection (it may have stopped or restarted)"
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var f inFrame
		if err := json.Unmarshal(line, &f); err != nil {
			continue // not a frame this client understands; the daemon never sends one
		}
		c.onFrame(&f)
	}
	if err := sc.Err(); err != nil {
		if err == bufio.ErrTooLong {
			reason = "the daemon sent a frame larger than this client accepts"
		} else {
			reason = "the connection to the daemon broke: " + err.Error()
		}
	}
	c.close(reason)
}

func parseID(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, false
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

func (c *conn) onFrame(f *inFrame) {
	switch f.Type {
	case "progress":
		// part of a streamed call's answer: handed over here, on the reader goroutine, so that the parts
		// arrive in order and all before the call's ok or error (which this goroutine reads next), and so
		// that a slow consumer slows the daemon's writer instead of filling this process's memory
		id, ok := parseID(f.ID)
		if !ok {
			return
		}
		c.mu.Lock()
		onPart := c.parts[id]
		c.mu.Unlock()
		if onPart != nil { // nil: not a streamed call, or one nobody waits for any more; skipped
			onPart(append(json.RawMessage(nil), f.Payload...))
		}
	case "ok", "error":
		id, ok := parseID(f.ID)
		if !ok {
			return // an error about no call in particular (a bad frame); nothing waits for it
		}
		c.mu.Lock()
		ch := c.pending[id]
		delete(c.pending, id)
		delete(c.parts, id)
		sub := c.subscribing[id]
		delete(c.subscribing, id)
		if sub != nil && f.Type == "ok" {
			var p struct {
				Subscription int64 `json:"subscription"`
			}
			_ = json.Unmarshal(f.Payload, &p)
			sub.id = p.Subscription
			c.subs[p.Subscription] = sub // before any event of it is read: this goroutine reads them
		}
		c.mu.Unlock()
		if ch == nil {
			return // cancelled or timed out: nobody waits any more
		}
		if f.Type == "ok" {
			ch <- answer{payload: f.Payload}
		} else if f.Error != nil {
			ch <- answer{err: f.Error.toError()}
		} else {
			ch <- answer{err: newError(CodeExecutionError, "the daemon answered an error without details")}
		}
	case "event", "lagged", "end":
		c.mu.Lock()
		s := c.subs[f.Sub]
		if f.Type == "end" {
			delete(c.subs, f.Sub)
		}
		c.mu.Unlock()
		if s == nil {
			return
		}
		switch f.Type {
		case "event":
			s.deliver(Item{Kind: ItemEvent, Seq: f.Seq, Type: f.Event, Payload: append(json.RawMessage(nil), f.Payload...)})
		case "lagged":
			s.deliver(Item{Kind: ItemLagged, Seq: f.Seq, Missed: f.Missed})
		case "end":
			s.end(f.Reason)
		}
	}
}

func (c *conn) close(reason string) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.reason = reason
	pending := c.pending
	subs := c.subs
	c.pending = map[int64]chan answer{}
	c.parts = map[int64]func(json.RawMessage){}
	c.subs = map[int64]*Subscription{}
	c.subscribing = map[int64]*Subscription{}
	c.mu.Unlock()
	_ = c.nc.Close()
	close(c.done)
	for _, ch := range pending {
		ch <- answer{err: newError(CodeConnectionLost, "%s", reason)}
	}
	for _, s := range subs {
		s.end("connection lost: " + reason)
	}
}

// register adds a pending call (with where its parts go, for a streamed call); false if the connection
// is already closed.
func (c *conn) register(id int64, ch chan answer, sub *Subscription, onPart func(json.RawMessage)) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.pending[id] = ch
	if sub != nil {
		c.subscribing[id] = sub
	}
	if onPart != nil {
		c.parts[id] = onPart
	}
	return true
}

// forget removes a pending call; true if it was still waiting.
func (c *conn) forget(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.pending[id]
	delete(c.pending, id)
	delete(c.parts, id)
	delete(c.subscribing, id)
	return ok
}

func (c *conn) closeReason() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reason
}

// handshakeTimeout: a daemon that accepts but never greets must not hang the client.
const handshakeTimeout = 5 * time.Second
