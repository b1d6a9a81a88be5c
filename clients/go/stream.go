package cove

import (
	"context"
	"encoding/json"
)

// Stream is a call in flight whose answer may come in parts — progress frames the daemon sends ahead of
// the result (docs/protocol.md), e.g. action:cli.run.input.v1, whose parts are the command's output.
// Made by Client.Stream; safe for concurrent use.
type Stream struct {
	c      *Client
	cn     *conn
	id     int64
	ch     chan answer
	frame  map[string]any
	method string
}

// Stream sends a call and returns once it is sent. onPart (nil: parts are skipped) gets each part's
// payload in the order the daemon sent them, every one before Wait returns. It runs on the connection's
// reader goroutine: what it does there paces the daemon (a slow writer slows the handler, not this
// process's memory), and it must not wait for another answer on this connection — make such calls from
// another goroutine with Stream.Call. Only ctx's deadline limits the call (Options.Timeout does not: a
// streamed call, like a command, runs as long as it needs); ctx ending cancels it in the daemon.
func (c *Client) Stream(ctx context.Context, method string, payload any, onPart func(json.RawMessage)) (*Stream, error) {
	if ctx.Err() != nil {
		return nil, &Error{Code: ctxCode(ctx), Message: "not sent: " + ctx.Err().Error(), Details: map[string]any{}, cause: ctx.Err()}
	}
	cn, err := c.connection(ctx)
	if err != nil {
		return nil, err
	}
	frame := callFrame(method, payload)
	if onPart == nil {
		onPart = func(json.RawMessage) {}
	}
	id, ch, err := c.send(ctx, cn, frame, method, nil, onPart)
	if err != nil {
		return nil, err
	}
	return &Stream{c: c, cn: cn, id: id, ch: ch, frame: frame, method: method}, nil
}

// Wait waits for the call's result and returns its payload. A lost connection is CONNECTION_LOST;
// ctx ending first cancels the call (CANCELLED or TIMEOUT). Call it once.
func (s *Stream) Wait(ctx context.Context) (json.RawMessage, error) {
	var out json.RawMessage
	err := s.c.await(ctx, s.cn, s.id, s.ch, s.frame, s.method, &out)
	return out, err
}

// Call makes another call on the connection this stream runs on — never on a new one, since what it
// says (input for the call, a signal) means something only there — with the usual per-call timeout.
// If that connection is gone it fails with CONNECTION_LOST.
func (s *Stream) Call(ctx context.Context, method string, payload any, result any) error {
	return s.c.roundTrip(ctx, s.cn, callFrame(method, payload), method, result)
}

// Hello is the greeting of the daemon the stream runs on.
func (s *Stream) Hello() Hello { return s.cn.hello }

// CallStream is Stream then Wait: a call whose parts go to onPart as they come, and its result.
func (c *Client) CallStream(ctx context.Context, method string, payload any, onPart func(json.RawMessage)) (json.RawMessage, error) {
	s, err := c.Stream(ctx, method, payload, onPart)
	if err != nil {
		return nil, err
	}
	return s.Wait(ctx)
}
