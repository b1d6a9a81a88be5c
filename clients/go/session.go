package cove

import (
	"context"
	"fmt"
	"log"
	"math"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
)

// Level is an event's severity.
type Level string

const (
	LevelTrace Level = "TRACE"
	LevelDebug Level = "DEBUG"
	LevelInfo  Level = "INFO"
	LevelWarn  Level = "WARN"
	LevelError Level = "ERROR"
)

// Kind is what a metric's values mean.
type Kind string

const (
	Gauge     Kind = "GAUGE"     // a level sampled now and then (the default)
	Counter   Kind = "COUNTER"   // an increment; read the sum
	Histogram Kind = "HISTOGRAM" // a distribution of observed values
	Timer     Kind = "TIMER"     // a duration, normally in milliseconds
)

// SessionOptions are the settings of StartSession; the zero value gives the defaults.
type SessionOptions struct {
	// FlushInterval is how long state and metrics wait to be sent together (default 250 ms);
	// a negative value sends every change at once.
	FlushInterval time.Duration
	// HangWindow is the silence after which the daemon reports the app hung; 0 is the daemon's
	// default (--hang-window, 60 s), a negative value turns hang detection off.
	HangWindow time.Duration
	// Tags are labels stored with the session.
	Tags map[string]string
	// State is the initial state.
	State map[string]any
	// AutoHeartbeat makes the library heartbeat by itself; "hung" then means the process stopped,
	// not your main loop.
	AutoHeartbeat bool
	// MaxBufferedPoints is how many metric points are held while the daemon is unreachable before new
	// ones are dropped (default 1,000,000), counting those of a report on its way. Events are held up
	// to a tenth of it.
	MaxBufferedPoints int
	// CloseTimeout is how long Close tries to deliver what is left (default 10 s).
	CloseTimeout time.Duration
	// CallTimeout bounds each call to the daemon (default 10 s).
	CallTimeout time.Duration
	// PID is the process whose death means a crash (default: this process).
	PID int
}

// SessionStats compares calls made by the application with calls sent to the daemon.
type SessionStats struct {
	StateCalls, StateUnchanged, EventCalls, MetricCalls, HeartbeatCalls        int64
	DaemonCalls, Reports, StatePatches, EventsSent, PointsSent, HeartbeatsSent int64
	Dropped, FailedCalls                                                       int64
}

// AppCalls is the calls the application made: state, events, metrics and heartbeats.
func (s SessionStats) AppCalls() int64 {
	return s.StateCalls + s.EventCalls + s.MetricCalls + s.HeartbeatCalls
}

const maxEventsPerReport = 10_000

// Session is a running application's session. All methods are safe for concurrent use, and none
// but Flush, End and Close waits for the daemon: state changes, metric points and heartbeats are
// buffered and sent as one sessions.report per flush interval; a state change that changes nothing
// is dropped at once, and only the difference between what the daemon has and the local state is
// sent; events go out as soon as possible. A report that fails because the daemon is unreachable is
// retried with the same batch number, which the daemon applies once.
type Session struct {
	client       *Client
	ownsClient   bool
	id           string
	app          string
	hangWindow   time.Duration
	opts         SessionOptions
	heartbeatGap time.Duration
	immediate    bool
	maxPoints    int
	maxEvents    int
	perReport    int

	mu               sync.Mutex
	current          map[string]any
	stateDirty       bool
	events           []appEvent
	columns          map[seriesKey]*column
	order            []seriesKey
	bufferedPoints   int
	inFlightPoints   int // points of the report on its way: they count against MaxBufferedPoints too
	heartbeatPending bool
	lastHeartbeat    time.Time
	urgent           bool
	requested        int64
	completed        int64
	closing          bool
	dead             bool
	lastErr          error
	flushed          chan struct{} // closed and replaced whenever completed grows or the session dies
	wake             chan struct{}
	flusherDone      chan struct{}
	endOnce          sync.Once
	endErr           error

	// flusher goroutine only
	sent      map[string]any
	inFlight  *pending
	nextBatch int64

	stateCalls, stateUnchanged, eventCalls, metricCalls, heartbeatCalls atomic.Int64
	daemonCalls, reports, statePatches, eventsSent, pointsSent          atomic.Int64
	heartbeatsSent, dropped, failedCalls                                atomic.Int64
}

type seriesKey struct {
	name, kind, unit, tags string // tags: sorted k=v pairs joined by \x00
}

type column struct {
	tags   map[string]string
	times  []int64
	values []float64
}

type appEvent struct {
	Name  string         `json:"name"`
	Level string         `json:"level,omitempty"`
	Data  map[string]any `json:"data,omitempty"`
	Time  string         `json:"time"`
}

type metricBatch struct {
	Name   string            `json:"name"`
	Kind   string            `json:"kind"`
	Unit   string            `json:"unit,omitempty"`
	Tags   map[string]string `json:"tags,omitempty"`
	Times  []int64           `json:"times"`
	Values []float64         `json:"values"`
}

type report struct {
	SessionID string         `json:"sessionId"`
	Batch     int64          `json:"batch,omitempty"`
	Heartbeat bool           `json:"heartbeat"`
	State     map[string]any `json:"state,omitempty"`
	Events    []appEvent     `json:"events,omitempty"`
	Batches   []metricBatch  `json:"batches,omitempty"`
}

func (r *report) points() int {
	n := 0
	for _, b := range r.Batches {
		n += len(b.Times)
	}
	return n
}

type reportResult struct {
	Duplicate    bool   `json:"duplicate"`
	Status       string `json:"status"`
	Recovered    bool   `json:"recovered"`
	StateChanged bool   `json:"stateChanged"`
	Events       int    `json:"events"`
	Points       int64  `json:"points"`
}

// pending is a report on its way, kept until the daemon acknowledges it.
type pending struct {
	r          report
	stateAfter map[string]any
	generation int64
	drainedAll bool
}

// Start is the whole integration for most programs: a client for the default data folder that
// starts a daemon when none runs (see LauncherFromEnv), and a session of this process with the
// default options. Close the session when the program ends; that also closes the client.
func Start(ctx context.Context, app, version string) (*Session, error) {
	c, err := New(Options{AutoStart: true, Name: app, Version: version})
	if err != nil {
		return nil, err
	}
	s, err := StartSession(ctx, c, app, version, SessionOptions{})
	if err != nil {
		c.Close()
		return nil, err
	}
	s.ownsClient = true
	return s, nil
}

// StartSession registers a session for this process (or opts.PID) and starts batching for it.
func StartSession(ctx context.Context, c *Client, app, version string, opts SessionOptions) (*Session, error) {
	if opts.FlushInterval == 0 {
		opts.FlushInterval = 250 * time.Millisecond
	}
	if opts.MaxBufferedPoints <= 0 {
		opts.MaxBufferedPoints = 1_000_000
	}
	if opts.CloseTimeout <= 0 {
		opts.CloseTimeout = 10 * time.Second
	}
	if opts.CallTimeout <= 0 {
		opts.CallTimeout = 10 * time.Second
	}
	if opts.PID <= 0 {
		opts.PID = os.Getpid()
	}
	state, err := normalize(opts.State, "state")
	if err != nil {
		return nil, err
	}
	req := map[string]any{"app": app, "pid": opts.PID}
	if version != "" {
		req["version"] = version
	}
	if len(opts.Tags) > 0 {
		req["tags"] = opts.Tags
	}
	if opts.HangWindow < 0 {
		req["hangWindowMillis"] = 0
	} else if opts.HangWindow > 0 {
		req["hangWindowMillis"] = opts.HangWindow.Milliseconds()
	}
	if state != nil {
		req["state"] = state
	}
	var reg struct {
		SessionID        string `json:"sessionId"`
		HangWindowMillis int64  `json:"hangWindowMillis"`
	}
	cctx, cancel := context.WithTimeout(ctx, opts.CallTimeout)
	defer cancel()
	if err := c.Call(cctx, "action:sessions.register.input.v1", req, &reg); err != nil {
		return nil, err
	}
	gap := time.Second
	if reg.HangWindowMillis > 0 {
		g := reg.HangWindowMillis / 4
		if g < 10 {
			g = 10
		}
		if g < 1000 {
			gap = time.Duration(g) * time.Millisecond
		}
	}
	s := &Session{
		client: c, id: reg.SessionID, app: app, opts: opts,
		hangWindow:   time.Duration(reg.HangWindowMillis) * time.Millisecond,
		heartbeatGap: gap, immediate: opts.FlushInterval < 0,
		maxPoints: opts.MaxBufferedPoints, perReport: min(100_000, opts.MaxBufferedPoints),
		maxEvents: max(1000, opts.MaxBufferedPoints/10),
		current:   copyState(state), sent: copyState(state), columns: map[seriesKey]*column{},
		lastHeartbeat: time.Now(), flushed: make(chan struct{}), wake: make(chan struct{}, 1),
		flusherDone: make(chan struct{}), nextBatch: 1,
	}
	s.daemonCalls.Add(1)
	go s.runFlusher()
	return s, nil
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

func max(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// ID is the session's id, as `cove sessions show` takes it.
func (s *Session) ID() string { return s.id }

// App is the application name the session was registered with.
func (s *Session) App() string { return s.app }

// HangWindow is the hang window the daemon applies (0: hang detection off).
func (s *Session) HangWindow() time.Duration { return s.hangWindow }

// Client is the client the session reports through.
func (s *Session) Client() *Client { return s.client }

func (s *Session) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// accepting is called under mu.
func (s *Session) accepting() bool {
	if s.closing || s.dead {
		s.dropped.Add(1)
		return false
	}
	return true
}

// Heartbeat says "still alive". Call it from the loop whose stalls should count as a hang; it
// never blocks, and at most about four heartbeats per hang window reach the daemon.
func (s *Session) Heartbeat() {
	s.heartbeatCalls.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.accepting() {
		return
	}
	s.heartbeatPending = true
	if time.Since(s.lastHeartbeat) >= s.heartbeatGap {
		s.urgent = true
		s.signal()
	}
}

// State deep-merges patch into the session's state: nested maps merge, lists and scalars replace,
// a nil value deletes the key. It is sent with the next batch, and only if it changed anything.
// The error (INVALID_INPUT) says which value cannot be stored.
func (s *Session) State(patch map[string]any) error {
	s.stateCalls.Add(1)
	p, err := normalize(patch, "state")
	if err != nil {
		return err
	}
	if p == nil {
		return invalid("State(nil): pass a map of the keys to change")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.accepting() {
		return nil
	}
	if applyPatch(s.current, p) {
		s.stateDirty = true
		if s.immediate {
			s.urgent = true
			s.signal()
		}
	} else {
		s.stateUnchanged.Add(1)
	}
	return nil
}

// Set sets one top-level state key (nil deletes it).
func (s *Session) Set(key string, value any) error {
	return s.State(map[string]any{key: value})
}

// CurrentState is a copy of the state as this session last set it.
func (s *Session) CurrentState() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyState(s.current)
}

// Event logs an INFO event with data (nil for none); it is sent at once, with whatever else waits.
func (s *Session) Event(name string, data map[string]any) error {
	return s.EventLevel(LevelInfo, name, data)
}

// EventLevel logs an event at a level.
func (s *Session) EventLevel(level Level, name string, data map[string]any) error {
	s.eventCalls.Add(1)
	if err := checkName("event name", name); err != nil {
		return err
	}
	d, err := normalize(data, "event '"+name+"' data")
	if err != nil {
		return err
	}
	e := appEvent{Name: name, Level: string(level), Data: d, Time: time.Now().UTC().Format(time.RFC3339Nano)}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.accepting() {
		return nil
	}
	if len(s.events) >= s.maxEvents {
		s.dropped.Add(1)
		return nil
	}
	s.events = append(s.events, e)
	s.urgent = true
	s.signal()
	return nil
}

// Point is one metric value with everything that names its series.
type Point struct {
	Name  string
	Value float64
	Kind  Kind              // default Gauge
	Unit  string            // optional, e.g. "ms"
	Tags  map[string]string // optional, at most 32
	Time  time.Time         // default now
}

// Metric records a gauge value, timed now.
func (s *Session) Metric(name string, value float64) error {
	return s.Record(Point{Name: name, Value: value})
}

// Count adds delta to a counter.
func (s *Session) Count(name string, delta float64) error {
	return s.Record(Point{Name: name, Value: delta, Kind: Counter})
}

// Time records a duration in milliseconds as a timer.
func (s *Session) Time(name string, d time.Duration) error {
	return s.Record(Point{Name: name, Value: float64(d.Nanoseconds()) / 1e6, Kind: Timer, Unit: "ms"})
}

const minTimeMillis, maxTimeMillis = 946_684_800_000, 253_402_300_799_999

// Record records a point of a series (name, kind, unit, tags).
func (s *Session) Record(p Point) error {
	s.metricCalls.Add(1)
	if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
		return invalid("metric '%s' has the value %v; values must be finite numbers", p.Name, p.Value)
	}
	if p.Kind == "" {
		p.Kind = Gauge
	}
	var t int64
	if p.Time.IsZero() {
		t = time.Now().UnixMilli()
	} else {
		t = p.Time.UnixMilli()
	}
	key := seriesKey{name: p.Name, kind: string(p.Kind), unit: p.Unit}
	if len(p.Tags) > 0 {
		var b strings.Builder
		for _, k := range sortedKeys(p.Tags) {
			b.WriteString(k)
			b.WriteByte('=')
			b.WriteString(p.Tags[k])
			b.WriteByte(0)
		}
		key.tags = b.String()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.accepting() {
		return nil
	}
	c := s.columns[key]
	if c == nil {
		if err := checkSeries(p); err != nil {
			return err
		}
		tags := map[string]string{}
		for k, v := range p.Tags {
			tags[k] = v
		}
		c = &column{tags: tags}
		s.columns[key] = c
		s.order = append(s.order, key)
	}
	if s.bufferedPoints+s.inFlightPoints >= s.maxPoints {
		s.dropped.Add(1)
		return nil
	}
	if t < minTimeMillis || t > maxTimeMillis {
		return invalid("metric '%s' time %d is not epoch milliseconds between the years 2000 and 9999", p.Name, t)
	}
	c.times = append(c.times, t)
	c.values = append(c.values, p.Value)
	s.bufferedPoints++
	if s.immediate || s.bufferedPoints >= s.perReport {
		s.urgent = true
		s.signal()
	}
	return nil
}

func checkName(what, v string) error {
	if strings.TrimSpace(v) == "" {
		return invalid("%s is required and must not be blank", what)
	}
	if len([]rune(v)) > 200 {
		return invalid("%s is too long: %d characters (at most 200)", what, len([]rune(v)))
	}
	for _, r := range v {
		if unicode.IsControl(r) {
			return invalid("%s '%s' contains a control character", what, strings.Map(func(r rune) rune {
				if unicode.IsControl(r) {
					return '?'
				}
				return r
			}, v))
		}
	}
	return nil
}

func checkSeries(p Point) error {
	if err := checkName("metric name", p.Name); err != nil {
		return err
	}
	switch p.Kind {
	case Gauge, Counter, Histogram, Timer:
	default:
		return invalid("metric '%s' has the kind %q; use Gauge, Counter, Histogram or Timer", p.Name, p.Kind)
	}
	if strings.TrimSpace(p.Unit) != "" {
		if err := checkName("metric unit", p.Unit); err != nil {
			return err
		}
	}
	if len(p.Tags) > 32 {
		return invalid("metric '%s' has %d tags; at most 32 are allowed", p.Name, len(p.Tags))
	}
	for k, v := range p.Tags {
		if err := checkName("metric '"+p.Name+"' tag key", k); err != nil {
			return err
		}
		if len([]rune(v)) > 200 {
			return invalid("metric '%s' tag '%s' is longer than 200 characters", p.Name, k)
		}
	}
	return nil
}

// ---- delivery ----

// Flush sends everything recorded so far and waits until the daemon has it on disk. It returns nil
// once all of it was acknowledged; the context's error if it ends first; LastError's error if the
// daemon refused the session (it ended or crashed).
func (s *Session) Flush(ctx context.Context) error {
	s.mu.Lock()
	if s.dead {
		err := s.deadErr()
		s.mu.Unlock()
		return err
	}
	s.requested++
	mine := s.requested
	s.urgent = true
	s.signal()
	for {
		if s.completed >= mine {
			s.mu.Unlock()
			return nil
		}
		if s.dead {
			err := s.deadErr()
			s.mu.Unlock()
			return err
		}
		ch := s.flushed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-s.flusherDone:
			s.mu.Lock()
			if s.completed >= mine {
				s.mu.Unlock()
				return nil
			}
			err := s.deadErr()
			s.mu.Unlock()
			return err
		case <-ctx.Done():
			return &Error{Code: ctxCode(ctx), Message: "the daemon did not acknowledge everything before the context ended" +
				s.lastErrSuffix(), Details: map[string]any{}, cause: ctx.Err()}
		}
		s.mu.Lock()
	}
}

func (s *Session) lastErrSuffix() string {
	if err := s.LastError(); err != nil {
		return " (last error: " + err.Error() + ")"
	}
	return ""
}

// deadErr is called under mu.
func (s *Session) deadErr() error {
	if s.lastErr != nil {
		return s.lastErr
	}
	return newError(CodeConflict, "session %s no longer reports (it ended, or the daemon refused it)", s.id)
}

// Close ends the session with exit status 0 after delivering everything buffered (io.Closer).
func (s *Session) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.CloseTimeout+s.opts.CallTimeout)
	defer cancel()
	return s.End(ctx, 0, "")
}

// End delivers everything buffered (for up to the close timeout, or ctx), then ends the session with
// this exit status and reason. Later calls on the session are ignored; End is safe to repeat.
func (s *Session) End(ctx context.Context, exitStatus int, reason string) error {
	s.endOnce.Do(func() { s.endErr = s.end(ctx, exitStatus, reason) })
	return s.endErr
}

func (s *Session) end(ctx context.Context, exitStatus int, reason string) error {
	s.mu.Lock()
	s.closing = true
	s.requested++
	s.urgent = true
	s.signal()
	s.mu.Unlock()
	select {
	case <-s.flusherDone:
	case <-ctx.Done():
	}
	defer func() {
		if s.ownsClient {
			s.client.Close()
		}
	}()
	s.mu.Lock()
	dead := s.dead
	s.mu.Unlock()
	if dead {
		return s.LastError()
	}
	s.daemonCalls.Add(1)
	req := map[string]any{"sessionId": s.id, "exitStatus": exitStatus}
	if reason != "" {
		req["reason"] = reason
	}
	cctx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
	defer cancel()
	err := s.client.Call(cctx, "action:sessions.end.input.v1", req, nil)
	if err != nil {
		s.failedCalls.Add(1)
		s.setLastErr(err)
	}
	if lost := s.lostOnClose(); lost > 0 {
		msg := fmt.Sprintf("cove session %s: %d buffered items could not be delivered before close%s", s.id, lost,
			s.lastErrSuffix())
		log.Print(msg)
		if err == nil {
			err = newError(CodeUnavailable, "%s", msg)
		}
	}
	return err
}

func (s *Session) lostOnClose() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := int64(s.bufferedPoints + len(s.events))
	if p := s.inFlight; p != nil {
		n += int64(p.r.points() + len(p.r.Events))
	}
	s.dropped.Add(n)
	return n
}

// LastError is the last error the daemon or the connection gave, or nil.
func (s *Session) LastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func (s *Session) setLastErr(err error) {
	s.mu.Lock()
	s.lastErr = err
	s.mu.Unlock()
}

// Stats counts calls made here and calls sent to the daemon.
func (s *Session) Stats() SessionStats {
	return SessionStats{
		StateCalls: s.stateCalls.Load(), StateUnchanged: s.stateUnchanged.Load(), EventCalls: s.eventCalls.Load(),
		MetricCalls: s.metricCalls.Load(), HeartbeatCalls: s.heartbeatCalls.Load(), DaemonCalls: s.daemonCalls.Load(),
		Reports: s.reports.Load(), StatePatches: s.statePatches.Load(), EventsSent: s.eventsSent.Load(),
		PointsSent: s.pointsSent.Load(), HeartbeatsSent: s.heartbeatsSent.Load(), Dropped: s.dropped.Load(),
		FailedCalls: s.failedCalls.Load(),
	}
}

// ---- the flusher goroutine ----

func (s *Session) runFlusher() {
	defer close(s.flusherDone)
	interval := s.opts.FlushInterval
	if s.immediate {
		interval = time.Second // in immediate mode calls wake the flusher; the timer only serves auto-heartbeats
	}
	var backoff time.Duration
	var closeDeadline time.Time
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := interval
		if backoff > 0 {
			wait = backoff
		}
		until := time.Now().Add(wait)
		for {
			// after a failure wait out the back-off (only the start of closing cuts it short), so an
			// unreachable daemon is not hammered by every event or by a closing session
			now := s.urgent || s.closing
			if backoff > 0 {
				now = s.closing && closeDeadline.IsZero()
			}
			left := time.Until(until)
			if now || left <= 0 {
				break
			}
			s.mu.Unlock()
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
			timer.Reset(left)
			select {
			case <-s.wake:
			case <-timer.C:
			}
			s.mu.Lock()
		}
		if s.closing && closeDeadline.IsZero() {
			closeDeadline = time.Now().Add(s.opts.CloseTimeout)
		}
		s.urgent = false
		if s.opts.AutoHeartbeat && !s.closing {
			s.heartbeatPending = true
		}
		closing := s.closing
		s.mu.Unlock()
		ok := s.flushOnce()
		s.mu.Lock()
		dead := s.dead
		s.mu.Unlock()
		if dead {
			return
		}
		if closing && (ok || time.Now().After(closeDeadline)) {
			return
		}
		if ok {
			backoff = 0
		} else {
			backoff *= 2
			if backoff < 100*time.Millisecond {
				backoff = 100 * time.Millisecond
			}
			if backoff > 2*time.Second {
				backoff = 2 * time.Second
			}
		}
	}
}

func retryable(code string) bool {
	switch code {
	case CodeUnavailable, CodeConnectionLost, CodeTimeout, CodeShuttingDown, CodeOverloaded, CodeCancelled:
		return true
	}
	return false
}

func clientClosed(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Code == CodeConnectionLost && (e.Reason() == "client_closed" || e.Message == "the client was closed")
}

// flushOnce sends what is buffered (in several reports if it is more than one may carry); false when a
// call failed (what it carried stays for the retry).
func (s *Session) flushOnce() bool {
	for {
		p := s.inFlight
		if p == nil {
			s.mu.Lock()
			p = s.drain()
			if p == nil {
				if s.requested > s.completed {
					s.completed = s.requested
					s.broadcast()
				}
				s.mu.Unlock()
				return true
			}
			s.inFlight = p
			s.inFlightPoints = p.r.points()
			s.mu.Unlock()
		}
		var res reportResult
		s.daemonCalls.Add(1)
		ctx, cancel := context.WithTimeout(context.Background(), s.opts.CallTimeout)
		err := s.client.Call(ctx, "action:sessions.report.input.v1", &p.r, &res)
		cancel()
		if err != nil {
			s.failedCalls.Add(1)
			s.setLastErr(err)
			code := codeOf(err)
			if retryable(code) && !clientClosed(err) {
				return false
			}
			s.mu.Lock()
			s.inFlight = nil
			s.inFlightPoints = 0
			s.mu.Unlock()
			n := int64(p.r.points() + len(p.r.Events))
			if p.r.State != nil {
				n++
			}
			s.dropped.Add(n)
			if code == CodeNotFound || code == CodeConflict || clientClosed(err) {
				log.Printf("cove session %s stops reporting: %v", s.id, err)
				s.markDead()
				return false
			}
			log.Printf("cove session %s: the daemon refused a report, which is dropped: %v", s.id, err)
			continue
		}
		s.mu.Lock()
		s.inFlight = nil
		s.inFlightPoints = 0
		s.mu.Unlock()
		s.reports.Add(1)
		if !res.Duplicate {
			s.eventsSent.Add(int64(len(p.r.Events)))
			s.pointsSent.Add(int64(p.r.points()))
			if p.r.State != nil {
				s.statePatches.Add(1)
			}
			if p.r.Heartbeat {
				s.heartbeatsSent.Add(1)
			}
		}
		if p.stateAfter != nil {
			s.sent = p.stateAfter
		}
		if res.Status != "ACTIVE" && res.Status != "HUNG" {
			s.setLastErr(newError(CodeConflict, "session %s is %s; register a new session", s.id, res.Status))
			s.markDead()
			return false
		}
		if p.drainedAll {
			s.mu.Lock()
			if p.generation > s.completed {
				s.completed = p.generation
				s.broadcast()
			}
			s.mu.Unlock()
			// what arrived while this report was on its way waits for the next interval (a Flush or
			// End since then has woken the flusher already): one report per interval, however fast
			// the daemon answers
			return true
		}
	}
}

// broadcast wakes every Flush waiting; called under mu.
func (s *Session) broadcast() {
	close(s.flushed)
	s.flushed = make(chan struct{})
}

func (s *Session) markDead() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead = true
	s.dropped.Add(int64(s.bufferedPoints + len(s.events)))
	s.columns = map[seriesKey]*column{}
	s.order = nil
	s.events = nil
	s.bufferedPoints = 0
	s.broadcast()
}

// drain takes what is buffered into one report (under mu); nil when there is nothing to send.
func (s *Session) drain() *pending {
	generation := s.requested
	var patch, after map[string]any
	if s.stateDirty {
		s.stateDirty = false
		if d := diffState(s.sent, s.current); len(d) > 0 {
			patch = d
			after = copyState(s.current)
		}
	}
	var evs []appEvent
	if len(s.events) > 0 {
		if len(s.events) <= maxEventsPerReport {
			evs, s.events = s.events, nil
		} else {
			evs = append([]appEvent(nil), s.events[:maxEventsPerReport]...)
			s.events = append([]appEvent(nil), s.events[maxEventsPerReport:]...)
		}
	}
	var batches []metricBatch
	budget := s.perReport
	keep := s.order[:0:0]
	for _, k := range s.order {
		c := s.columns[k]
		if len(c.times) == 0 {
			delete(s.columns, k)
			continue
		}
		if budget <= 0 {
			keep = append(keep, k)
			continue
		}
		take := min(len(c.times), budget)
		b := metricBatch{Name: k.name, Kind: k.kind, Unit: k.unit, Tags: c.tags,
			Times: append([]int64(nil), c.times[:take]...), Values: append([]float64(nil), c.values[:take]...)}
		if take == len(c.times) {
			delete(s.columns, k)
		} else {
			c.times = append(c.times[:0], c.times[take:]...)
			c.values = append(c.values[:0], c.values[take:]...)
			keep = append(keep, k)
		}
		batches = append(batches, b)
		s.bufferedPoints -= take
		budget -= take
	}
	s.order = keep
	other := patch != nil || len(evs) > 0 || len(batches) > 0
	heartbeat := false
	if s.heartbeatPending && (other || s.closing || time.Since(s.lastHeartbeat) >= s.heartbeatGap) {
		heartbeat = true
		s.heartbeatPending = false
		s.lastHeartbeat = time.Now()
	}
	if !other && !heartbeat {
		return nil
	}
	r := report{SessionID: s.id, Heartbeat: heartbeat, State: patch, Events: evs, Batches: batches}
	if other {
		r.Batch = s.nextBatch
		s.nextBatch++
	}
	return &pending{r: r, stateAfter: after, generation: generation,
		drainedAll: len(s.events) == 0 && s.bufferedPoints == 0}
}
