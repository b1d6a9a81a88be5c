package cove

import (
	"context"
	"encoding/json"
	"sync"
)

// ItemKind tells what a subscription item is.
type ItemKind int

const (
	// ItemEvent is an event: Seq, Type and Payload are set.
	ItemEvent ItemKind = iota + 1
	// ItemLagged says events were lost because this subscriber fell behind: Missed of them, ending
	// at sequence number Seq. Local is true when this client's own buffer overflowed, not the daemon's.
	ItemLagged
	// ItemEnd closes the stream: Reason says why ("unsubscribed", "shutdown", "connection lost: ...").
	ItemEnd
)

// Item is one thing a subscription yields.
type Item struct {
	Kind    ItemKind
	Seq     int64
	Type    string          // the event type, e.g. "SessionEvent"
	Payload json.RawMessage // the event as JSON; decode it with Decode
	Missed  int64
	Local   bool
	Reason  string
}

// Decode unmarshals an event's payload into v.
func (i Item) Decode(v any) error { return json.Unmarshal(i.Payload, v) }

// Subscription is a live event stream. Read it with Next; Close unsubscribes. The client's reader
// never waits for a slow consumer: past the buffer, events are dropped and reported as a local
// ItemLagged, never lost silently.
type Subscription struct {
	client *Client
	conn   *conn
	id     int64

	mu          sync.Mutex
	items       []Item
	capacity    int
	localMissed int64
	lastSeq     int64
	ended       bool
	endItem     Item
	signal      chan struct{}
}

func newSubscription(c *Client, cn *conn, capacity int) *Subscription {
	return &Subscription{client: c, conn: cn, capacity: capacity, signal: make(chan struct{}, 1)}
}

// ID is the daemon's subscription number.
func (s *Subscription) ID() int64 { return s.id }

func (s *Subscription) wake() {
	select {
	case s.signal <- struct{}{}:
	default:
	}
}

func (s *Subscription) deliver(it Item) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if it.Kind == ItemEvent {
		s.lastSeq = it.Seq
		if len(s.items) >= s.capacity {
			s.localMissed++
			s.mu.Unlock()
			return
		}
	}
	if s.localMissed > 0 {
		// the local loss comes before what follows it
		s.items = append(s.items, Item{Kind: ItemLagged, Missed: s.localMissed, Seq: it.Seq - 1, Local: true})
		s.localMissed = 0
	}
	s.items = append(s.items, it)
	s.mu.Unlock()
	s.wake()
}

func (s *Subscription) end(reason string) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	if s.localMissed > 0 {
		s.items = append(s.items, Item{Kind: ItemLagged, Missed: s.localMissed, Seq: s.lastSeq, Local: true})
		s.localMissed = 0
	}
	s.ended = true
	s.endItem = Item{Kind: ItemEnd, Reason: reason}
	s.mu.Unlock()
	s.wake()
}

// Next waits for the next item. After the ItemEnd item it returns that item again at once. It
// returns an error only when ctx is done first.
func (s *Subscription) Next(ctx context.Context) (Item, error) {
	for {
		s.mu.Lock()
		if len(s.items) > 0 {
			it := s.items[0]
			s.items[0] = Item{}
			s.items = s.items[1:]
			s.mu.Unlock()
			return it, nil
		}
		if s.localMissed > 0 {
			it := Item{Kind: ItemLagged, Missed: s.localMissed, Seq: s.lastSeq, Local: true}
			s.localMissed = 0
			s.mu.Unlock()
			return it, nil
		}
		if s.ended {
			it := s.endItem
			s.mu.Unlock()
			return it, nil
		}
		s.mu.Unlock()
		select {
		case <-s.signal:
		case <-ctx.Done():
			return Item{}, &Error{Code: ctxCode(ctx), Message: "no event before the context ended", cause: ctx.Err()}
		}
	}
}

// Close unsubscribes; the stream then yields ItemEnd (reason "unsubscribed").
func (s *Subscription) Close() error {
	if !s.conn.isOpen() {
		s.end("connection closed")
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.client.opts.Timeout)
	defer cancel()
	var out json.RawMessage
	err := s.client.roundTrip(ctx, s.conn, map[string]any{"type": "unsubscribe", "sub": s.id}, "unsubscribe", &out)
	if err != nil && codeOf(err) == CodeConnectionLost {
		s.end("connection closed")
		return nil
	}
	return err
}
