package cove

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func startSession(t *testing.T, c *Client, app string, opts SessionOptions) *Session {
	t.Helper()
	s, err := StartSession(ctxT(t, 30*time.Second), c, app, "1.0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRegisterShowsInListAndEndsWithStatus(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 30*time.Second)
	s := startSession(t, c, "go-register", SessionOptions{Tags: map[string]string{"role": "test"}})
	list, err := c.ListSessions(ctx, "go-register")
	if err != nil {
		t.Fatal(err)
	}
	var found *SessionInfo
	for i := range list {
		if list[i].SessionID == s.ID() {
			found = &list[i]
		}
	}
	if found == nil {
		t.Fatalf("session %s not in sessions.list: %+v", s.ID(), list)
	}
	if found.Status != "ACTIVE" || found.PID != int64(os.Getpid()) || found.Version != "1.0" || found.Tags["role"] != "test" {
		t.Fatalf("registered as %+v", *found)
	}
	if err := s.End(ctx, 3, "test over"); err != nil {
		t.Fatal(err)
	}
	d, err := c.GetSession(ctx, s.ID(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Session.Status != "ENDED" || d.Session.ExitStatus == nil || *d.Session.ExitStatus != 3 || d.Session.EndReason != "test over" {
		t.Fatalf("after End: %+v", d.Session)
	}
	if err := s.Set("late", 1); err != nil || s.Stats().Dropped == 0 {
		t.Fatalf("a call after End is dropped and counted: err %v, stats %+v", err, s.Stats())
	}
}

func TestStateDeepMergeNullDeleteAndNoOpsNotSent(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 30*time.Second)
	s := startSession(t, c, "go-state", SessionOptions{FlushInterval: time.Hour}) // sends only on Flush
	must(t, s.State(map[string]any{"window": map[string]any{"open": []string{"w1"}, "size": map[string]int{"w": 800, "h": 600}},
		"user": "ann"}))
	must(t, s.State(map[string]any{"window": map[string]any{"size": map[string]any{"h": 700}}}))
	must(t, s.State(map[string]any{"user": nil}))
	must(t, s.Flush(ctx))
	want := map[string]any{"window": map[string]any{"open": []any{"w1"}, "size": map[string]any{"w": 800.0, "h": 700.0}}}
	d, err := c.GetSession(ctx, s.ID(), 0)
	must(t, err)
	if !reflect.DeepEqual(d.State, want) {
		t.Fatalf("the daemon's state is %v, want %v", d.State, want)
	}
	patches := s.Stats().StatePatches
	if patches != 1 {
		t.Fatalf("three state calls in one interval make one patch, made %d", patches)
	}

	// no-ops: the same values again, and a change undone within the interval
	must(t, s.State(map[string]any{"window": map[string]any{"size": map[string]int64{"h": 700}}}))
	must(t, s.Set("tmp", "x"))
	must(t, s.Set("tmp", nil))
	must(t, s.Flush(ctx))
	st := s.Stats()
	if st.StatePatches != patches {
		t.Fatalf("no-op and cancelled-out changes were sent: %+v", st)
	}
	if st.StateUnchanged != 1 {
		t.Fatalf("the repeated value counts as unchanged: %+v", st)
	}
	d, err = c.GetSession(ctx, s.ID(), 0)
	must(t, err)
	if d.Session.StateVersion != 1 || !reflect.DeepEqual(d.State, want) {
		t.Fatalf("state version %d, state %v", d.Session.StateVersion, d.State)
	}
	if got := s.CurrentState(); !reflect.DeepEqual(got["window"].(map[string]any)["size"], map[string]any{"w": int64(800), "h": int64(700)}) {
		t.Fatalf("CurrentState %v", got)
	}
	if err := s.Set("bad", []float64{1, nanValue()}); !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("a NaN in state is refused locally with INVALID_INPUT, got %v", err)
	}
}

func nanValue() float64 { var z float64; return z / z }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEventsArriveLiveAndAreStored(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 30*time.Second)
	s := startSession(t, c, "go-events", SessionOptions{})
	sub, err := c.Subscribe(ctx, []string{"SessionEvent"}, map[string]any{"sessionId": s.ID(), "origin": "APP"})
	must(t, err)
	defer sub.Close()
	must(t, s.Event("file_opened", map[string]any{"size": 1234}))
	must(t, s.EventLevel(LevelWarn, "disk_low", map[string]any{"free": "2%"}))
	var got []SessionEvent
	for len(got) < 2 {
		it, err := sub.Next(ctx)
		must(t, err)
		if it.Kind != ItemEvent {
			t.Fatalf("unexpected item %+v", it)
		}
		var e SessionEvent
		must(t, it.Decode(&e))
		got = append(got, e)
	}
	if got[0].Name != "file_opened" || got[0].Data["size"] != 1234.0 || got[0].Level != "INFO" ||
		got[1].Name != "disk_low" || got[1].Level != "WARN" {
		t.Fatalf("live events %+v", got)
	}
	must(t, s.Flush(ctx))
	d, err := c.GetSession(ctx, s.ID(), 10)
	must(t, err)
	names := []string{}
	for _, e := range d.Events {
		names = append(names, e.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "file_opened,disk_low") {
		t.Fatalf("stored events %v", names)
	}
	must(t, sub.Close())
	for {
		it, err := sub.Next(ctx)
		must(t, err)
		if it.Kind == ItemEnd {
			if it.Reason != "unsubscribed" {
				t.Fatalf("end reason %q", it.Reason)
			}
			break
		}
	}
}

func TestHundredThousandPointsInASecondAsAFewDozenCalls(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 60*time.Second)
	s := startSession(t, c, "go-batching", SessionOptions{})
	const points = 100_000
	start := time.Now()
	sum := 0.0
	for i := 0; i < points; i++ {
		if i%100 == 0 { // 100 points a millisecond: 100,000 in one second
			for time.Since(start) < time.Duration(i/100)*time.Millisecond {
				// pacing to the target rate; this is the workload, not a wait for a condition
			}
			must(t, s.State(map[string]any{"frame": map[string]any{"scene": "main", "paused": false}}))
			s.Heartbeat()
		}
		v := float64(i % 60)
		sum += v
		must(t, s.Metric("fps", v))
	}
	for i := 0; i < 10; i++ {
		must(t, s.Event("tick", map[string]any{"i": i}))
	}
	must(t, s.Flush(ctx))
	elapsed := time.Since(start)
	st := s.Stats()
	m, err := c.QueryMetrics(ctx, s.ID(), "fps", 10)
	must(t, err)
	if m.Count != points || m.Sum() != sum {
		t.Fatalf("stored %d points summing to %v; want %d summing to %v", m.Count, m.Sum(), points, sum)
	}
	t.Logf("%d app calls in %s -> %d daemon calls (%d reports), %d state calls unchanged",
		st.AppCalls(), elapsed.Round(time.Millisecond), st.DaemonCalls, st.Reports, st.StateUnchanged)
	if st.DaemonCalls < 3 || st.DaemonCalls > 60 {
		t.Fatalf("%d daemon calls for %d app calls over %s; batching should make a few dozen", st.DaemonCalls,
			st.AppCalls(), elapsed)
	}
	if st.StatePatches != 1 || st.StateUnchanged != points/100-1 || st.PointsSent != points {
		t.Fatalf("stats %+v", st)
	}
}

func TestKill9OfTheAppIsReportedAsCrash(t *testing.T) {
	c := shared(t)
	a := startApp(t, "register", sharedDir)
	id := a.line(t, "READY", 60*time.Second)[1]
	must(t, a.cmd.Process.Signal(syscall.SIGKILL))
	<-a.exited
	ctx := ctxT(t, 30*time.Second)
	var d SessionDetail
	eventually(t, 10*time.Second, func() bool {
		var err error
		d, err = c.GetSession(ctx, id, 20)
		return err == nil && d.Session.Status == "CRASHED"
	}, func() string { return fmt.Sprintf("session %s is %s after kill -9 of its app", id, d.Session.Status) })
	found := false
	for _, e := range d.Events {
		found = found || (e.Name == "parent_process_crashed" && e.Level == "ERROR")
	}
	if !found || d.State["phase"] != "running" {
		t.Fatalf("crash event missing or state lost: %+v", d)
	}
}

func TestDaemonRestartMidRunLosesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	d1 := startDaemon(t, dir)
	c, err := New(Options{DataDir: dir})
	must(t, err)
	defer c.Close()
	ctx := ctxT(t, 120*time.Second)
	s, err := StartSession(ctx, c, "go-restart", "1.0", SessionOptions{FlushInterval: 20 * time.Millisecond, HangWindow: -1})
	must(t, err)
	defer s.Close()

	const total = 30_000
	var wg sync.WaitGroup
	half := make(chan struct{})
	resume := make(chan struct{})
	wg.Add(1)
	go func() { // the app keeps working whatever the daemon does
		defer wg.Done()
		for i := 0; i < total; i++ {
			if i == total/2 {
				close(half)
				<-resume
			}
			_ = s.Count("done", 1)
			_ = s.Metric("v", float64(i))
			if i%1000 == 0 {
				time.Sleep(20 * time.Millisecond) // spread the work over many reports
			}
		}
	}()
	<-half
	eventually(t, 10*time.Second, func() bool { return s.Stats().Reports >= 2 },
		func() string { return "no report reached the first daemon" })
	d1.kill() // kill -9: reports in flight lose their replies
	must(t, s.Set("while", "down"))
	must(t, s.Event("during_restart", nil))
	close(resume)
	time.Sleep(300 * time.Millisecond) // the app works on against no daemon for a while
	startDaemon(t, dir)
	wg.Wait()
	must(t, s.Flush(ctx))
	st := s.Stats()
	if st.FailedCalls == 0 {
		t.Fatalf("the restart did not affect the session; the test proves nothing: %+v", st)
	}
	done, err := c.QueryMetrics(ctx, s.ID(), "done", 1)
	must(t, err)
	v, err := c.QueryMetrics(ctx, s.ID(), "v", 1)
	must(t, err)
	want := float64(total) * float64(total-1) / 2
	if done.Count != total || done.Sum() != total || v.Count != total || v.Sum() != want {
		t.Fatalf("after the restart: done %d/%v, v %d/%v; want %d each, v summing to %v (stats %+v)",
			done.Count, done.Sum(), v.Count, v.Sum(), total, want, st)
	}
	det, err := c.GetSession(ctx, s.ID(), 50)
	must(t, err)
	found := false
	for _, e := range det.Events {
		found = found || e.Name == "during_restart"
	}
	if det.State["while"] != "down" || !found || det.Session.Status != "ACTIVE" {
		t.Fatalf("state %v, events %+v, status %s", det.State, det.Events, det.Session.Status)
	}
	t.Logf("restart: %d failed calls retried, %d reports", st.FailedCalls, st.Reports)
}

func TestAutoStartStartsOneDaemonForRacingClients(t *testing.T) {
	needLauncher(t)
	dir := filepath.Join(t.TempDir(), "data")
	var apps []*app
	for i := 0; i < 3; i++ {
		apps = append(apps, startApp(t, "ping", dir))
	}
	pids := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	var errs []error
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := New(Options{DataDir: dir, AutoStart: true})
			if err == nil {
				var p Pong
				p, err = c.Ping(ctxT(t, 90*time.Second))
				c.Close()
				mu.Lock()
				pids[fmt.Sprint(p.PID)] = true
				mu.Unlock()
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	for _, a := range apps {
		pid := a.line(t, "PONG", 90*time.Second)[1]
		mu.Lock()
		pids[pid] = true
		mu.Unlock()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(pids) != 1 {
		t.Fatalf("six racing clients reached %d daemons: %v", len(pids), pids)
	}
	var pid int
	for p := range pids {
		fmt.Sscan(p, &pid)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if !alive(pid) {
		t.Fatalf("the daemon %d is not running", pid)
	}
	c, _ := New(Options{DataDir: dir})
	defer c.Close()
	var out map[string]any
	must(t, c.Call(ctxT(t, 30*time.Second), "action:core.shutdown.input.v1", map[string]any{"reason": "test over"}, &out))
	eventually(t, 30*time.Second, func() bool { return !alive(pid) }, func() string { return "the daemon did not stop" })
}

func TestPrivateDaemonExitsWithItsParent(t *testing.T) {
	needLauncher(t)
	dir := filepath.Join(t.TempDir(), "data")
	a := startApp(t, "private", dir)
	w := a.line(t, "READY", 90*time.Second)
	var daemonPid int
	fmt.Sscan(w[1], &daemonPid)
	instance := w[2]
	defer syscall.Kill(daemonPid, syscall.SIGKILL)
	if !strings.HasPrefix(instance, fmt.Sprintf("p%d-", a.cmd.Process.Pid)) || w[3] != instance {
		t.Fatalf("private instance %q (daemon says %q) for parent %d", instance, w[3], a.cmd.Process.Pid)
	}
	c, err := New(Options{DataDir: dir, Instance: instance})
	must(t, err)
	defer c.Close()
	var status struct {
		PID             int64 `json:"pid"`
		PrivateInstance bool  `json:"privateInstance"`
		ParentPid       int64 `json:"parentPid"`
	}
	must(t, c.Call(ctxT(t, 30*time.Second), "query:core.status.v1", nil, &status))
	if !status.PrivateInstance || status.ParentPid != int64(a.cmd.Process.Pid) || status.PID != int64(daemonPid) {
		t.Fatalf("status %+v", status)
	}
	sock := c.Socket()
	must(t, a.cmd.Process.Signal(syscall.SIGKILL))
	<-a.exited
	eventually(t, 20*time.Second, func() bool { return !alive(daemonPid) },
		func() string { return "the private daemon still runs after its parent was killed" })
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Fatalf("the socket %s is still there: %v", sock, err)
	}
}

func TestNoDaemonAndNoAutoStartSaysWhatToRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nothing-here")
	c, err := New(Options{DataDir: dir})
	must(t, err)
	defer c.Close()
	_, err = c.Ping(ctxT(t, 10*time.Second))
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != CodeUnavailable || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("want UNAVAILABLE, got %v", err)
	}
	if !strings.Contains(ce.Message, c.Socket()) || !strings.Contains(ce.Message, "`cove --data-dir "+dir+" start`") ||
		ce.Reason() != "not_running" {
		t.Fatalf("the message names neither the socket nor the start command: %v", ce)
	}
	// a session cannot start either, and says the same
	_, err = StartSession(ctxT(t, 10*time.Second), c, "x", "1", SessionOptions{})
	if codeOf(err) != CodeUnavailable {
		t.Fatalf("StartSession without a daemon: %v", err)
	}
}

func TestVersionMismatchSaysWhichSideToUpgrade(t *testing.T) {
	for _, tc := range []struct {
		protocol int
		advice   string
	}{{2, "upgrade this client"}, {0, "upgrade the daemon"}} {
		sock := filepath.Join(t.TempDir(), "d.sock")
		l, err := netListenUnix(sock)
		must(t, err)
		go func(p int) { // a daemon of another protocol version: it greets, then refuses our hello
			for {
				nc, err := l.Accept()
				if err != nil {
					return
				}
				fmt.Fprintf(nc, `{"type":"hello","protocol":%d,"server":"cove","version":"9.0.0","instance":"default","pid":1,"encodings":["json"]}`+"\n", p)
			}
		}(tc.protocol)
		c, err := New(Options{Socket: sock})
		must(t, err)
		_, err = c.Connect(ctxT(t, 10*time.Second))
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != CodeUnsupportedVersion || !strings.Contains(ce.Message, tc.advice) {
			t.Fatalf("protocol %d: want UNSUPPORTED_VERSION saying %q, got %v", tc.protocol, tc.advice, err)
		}
		c.Close()
		l.Close()
	}
	// and the real daemon refuses a client of another protocol with its own code
	sc := shared(t)
	nc, err := netDialUnix(sc.Socket())
	must(t, err)
	defer nc.Close()
	fmt.Fprintf(nc, `{"type":"hello","protocol":2,"name":"future"}`+"\n")
	frames := readFrames(t, nc, 2)
	if !strings.Contains(frames[1], `"UNSUPPORTED_VERSION"`) || !strings.Contains(frames[1], "upgrade") {
		t.Fatalf("the daemon answered a protocol-2 hello with %s", frames[1])
	}
}

func TestInvalidPayloadCarriesTheDaemonsCode(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 30*time.Second)
	cases := []struct {
		method  string
		payload any
		code    string
		mention string
	}{
		{"action:sessions.register.input.v1", map[string]any{"app": "x", "pid": "not a number"}, CodeDecodeError, "pid"},
		{"action:sessions.register.input.v1", map[string]any{"app": "x", "pid": 1, "colour": "red"}, CodeDecodeError, "colour"},
		{"action:sessions.register.input.v1", map[string]any{"app": " ", "pid": os.Getpid()}, CodeInvalidInput, "app"},
		{"action:sessions.end.input.v1", map[string]any{"sessionId": "s-doesnotexist"}, CodeNotFound, "s-doesnotexist"},
		{"query:sessions.nope.v1", nil, CodeMethodNotFound, "sessions.nope"},
	}
	for _, tc := range cases {
		err := c.Call(ctx, tc.method, tc.payload, nil)
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != tc.code || !strings.Contains(ce.Message, tc.mention) {
			t.Errorf("%s %v: want %s mentioning %q, got %v", tc.method, tc.payload, tc.code, tc.mention, err)
		}
	}
	// the connection survives bad input
	if _, err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	// a session the daemon no longer accepts: the daemon's CONFLICT surfaces from Flush
	s := startSession(t, c, "go-refused", SessionOptions{})
	must(t, c.Call(ctx, "action:sessions.end.input.v1", map[string]any{"sessionId": s.ID()}, nil))
	must(t, s.Event("after_end", nil))
	err := s.Flush(ctx)
	if !errors.Is(err, ErrConflict) || !errors.Is(s.LastError(), ErrConflict) {
		t.Fatalf("flush of an ended session: %v (last error %v)", err, s.LastError())
	}
}

func TestCallHonoursItsContext(t *testing.T) {
	c := shared(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.Call(ctx, "query:core.ping.v1", nil, nil)
	if !errors.Is(err, context.Canceled) || codeOf(err) != CodeCancelled {
		t.Fatalf("a cancelled context: %v", err)
	}
}

func TestARetriedBatchIsAppliedOnce(t *testing.T) {
	c := shared(t)
	ctx := ctxT(t, 30*time.Second)
	s := startSession(t, c, "go-retry", SessionOptions{})
	r := report{SessionID: s.ID(), Batch: 1_000_000, Batches: []metricBatch{{Name: "n", Kind: "COUNTER",
		Times: []int64{time.Now().UnixMilli()}, Values: []float64{5}}}}
	var first, again reportResult
	must(t, c.Call(ctx, "action:sessions.report.input.v1", &r, &first))
	must(t, c.Call(ctx, "action:sessions.report.input.v1", &r, &again)) // as after a lost reply
	m, err := c.QueryMetrics(ctx, s.ID(), "n", 1)
	must(t, err)
	if first.Duplicate || !again.Duplicate || m.Count != 1 || m.Sum() != 5 {
		t.Fatalf("first %+v, again %+v, stored %d summing to %v", first, again, m.Count, m.Sum())
	}
}

func TestBufferIsBoundedWhileTheDaemonIsAway(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	d1 := startDaemon(t, dir)
	c, err := New(Options{DataDir: dir})
	must(t, err)
	defer c.Close()
	ctx := ctxT(t, 120*time.Second)
	s, err := StartSession(ctx, c, "go-bounded", "1.0", SessionOptions{MaxBufferedPoints: 1000, HangWindow: -1})
	must(t, err)
	defer s.Close()
	d1.kill()
	for i := 0; i < 5000; i++ {
		must(t, s.Count("n", 1))
	}
	if st := s.Stats(); st.Dropped != 4000 {
		t.Fatalf("with room for 1,000 points and no daemon, 4,000 of 5,000 are dropped; stats %+v", st)
	}
	startDaemon(t, dir)
	must(t, s.Flush(ctx))
	m, err := c.QueryMetrics(ctx, s.ID(), "n", 1)
	must(t, err)
	if m.Count != 1000 || m.Sum() != 1000 {
		t.Fatalf("the 1,000 points kept arrive once the daemon is back: stored %d summing to %v", m.Count, m.Sum())
	}
}
