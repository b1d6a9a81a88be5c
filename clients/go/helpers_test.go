package cove

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run real daemons in processes of their own. The daemon command comes from the
// environment, as the client's auto-start reads it (LauncherFromEnv): COVE_DAEMON_CLASSPATH (what
// the JUnit GoClientTest sets), COVE_LAUNCHER, or `cove` on the PATH. COVE_DATA_DIR names a folder
// whose daemon the quick tests share; without it TestMain starts one in a temporary folder.

var (
	testAppBin   string // the test application, built once
	sharedDir    string // data folder of the shared daemon
	buildFailure string
)

func TestMain(m *testing.M) {
	if role := os.Getenv("COVE_GO_TEST_ROLE"); role != "" {
		os.Exit(runRole(role)) // this binary run again as another user or in a namespace (trust_test.go)
	}
	tmp, err := os.MkdirTemp("", "cove-go-test")
	if err != nil {
		panic(err)
	}
	code := func() int {
		testAppBin = filepath.Join(tmp, "testapp")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if out, err := exec.Command(goTool, "build", "-o", testAppBin, "./internal/testapp").CombinedOutput(); err != nil {
			buildFailure = fmt.Sprintf("go build ./internal/testapp: %v\n%s", err, out)
		}
		sharedDir = os.Getenv("COVE_DATA_DIR")
		if sharedDir == "" && LauncherFromEnv() != nil {
			sharedDir = filepath.Join(tmp, "shared")
			d, err := spawnDaemon(sharedDir, DefaultInstance)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cannot start the shared daemon:", err)
				return 1
			}
			defer d.kill()
			os.Setenv("COVE_DATA_DIR", sharedDir)
		}
		return m.Run()
	}()
	os.RemoveAll(tmp)
	os.Exit(code)
}

func needLauncher(t *testing.T) {
	t.Helper()
	if LauncherFromEnv() == nil {
		t.Skip("no daemon command: set COVE_DAEMON_CLASSPATH or COVE_LAUNCHER, or put `cove` on the PATH " +
			"(the JUnit test dev.cove.tests.clients.GoClientTest does this)")
	}
}

func needTestApp(t *testing.T) {
	t.Helper()
	if buildFailure != "" {
		t.Fatal(buildFailure)
	}
}

// shared is a client of the shared daemon, closed at the end of the test.
func shared(t *testing.T) *Client {
	t.Helper()
	if sharedDir == "" {
		needLauncher(t)
	}
	c, err := New(Options{DataDir: sharedDir, Name: "go-tests"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// daemon is a daemon process a test started in the foreground.
type daemon struct {
	cmd    *exec.Cmd
	pid    int // the daemon itself: the command's process, or its child (`cove daemon` runs the JVM as one)
	out    string
	exited chan struct{}
}

func spawnDaemon(dataDir, instance string, extra ...string) (*daemon, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	argv := append(append([]string{}, LauncherFromEnv()...), "--data-dir", dataDir, "--instance", instance)
	argv = append(argv, extra...)
	outPath := dataDir + fmt.Sprintf(".%d.out", time.Now().UnixNano())
	out, err := os.Create(outPath)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	d := &daemon{cmd: cmd, out: outPath, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(d.exited) }()
	c, err := New(Options{DataDir: dataDir, Instance: instance, ConnectRetry: time.Millisecond})
	if err != nil {
		d.kill()
		return nil, err
	}
	defer c.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p, err := c.Ping(ctx)
		cancel()
		if err == nil && (p.PID == int64(cmd.Process.Pid) || parentOf(int(p.PID)) == cmd.Process.Pid) {
			d.pid = int(p.PID)
			return d, nil
		}
		select {
		case <-d.exited:
			return nil, fmt.Errorf("the daemon exited before it answered:\n%s", d.output())
		default:
		}
		if time.Now().After(deadline) {
			d.kill()
			return nil, fmt.Errorf("the daemon did not answer within 60 s (last: %v):\n%s", err, d.output())
		}
		time.Sleep(20 * time.Millisecond) // polling a socket that does not exist yet: nothing to wait on
	}
}

func startDaemon(t *testing.T, dataDir string, extra ...string) *daemon {
	t.Helper()
	needLauncher(t)
	d, err := spawnDaemon(dataDir, DefaultInstance, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.kill)
	return d
}

func (d *daemon) output() string {
	b, _ := os.ReadFile(d.out)
	lines := strings.Split(string(b), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

// kill sends SIGKILL (no goodbye, no flush) and waits for the process to go.
func (d *daemon) kill() {
	if d.pid > 0 {
		_ = syscall.Kill(d.pid, syscall.SIGKILL)
	}
	_ = d.cmd.Process.Signal(syscall.SIGKILL)
	<-d.exited
	for i := 0; i < 500 && d.pid > 0 && alive(d.pid); i++ {
		time.Sleep(10 * time.Millisecond) // a child of the wrapper is reaped by init, not by us
	}
}

// parentOf is a process's parent pid (0 if unknown).
func parentOf(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	var state string
	var ppid int
	fmt.Sscan(s[i+1:], &state, &ppid)
	return ppid
}

// app is a test application process.
type app struct {
	cmd    *exec.Cmd
	lines  chan string
	stderr *strings.Builder
	exited chan struct{}
}

func startApp(t *testing.T, args ...string) *app {
	t.Helper()
	needTestApp(t)
	cmd := exec.Command(testAppBin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	a := &app{cmd: cmd, lines: make(chan string, 16), stderr: &strings.Builder{}, exited: make(chan struct{})}
	cmd.Stderr = a.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			a.lines <- sc.Text()
		}
		close(a.lines)
	}()
	go func() { _ = cmd.Wait(); close(a.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-a.exited
	})
	return a
}

// line waits for the app's next output line starting with prefix and returns its words.
func (a *app) line(t *testing.T, prefix string, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-a.lines:
			if !ok {
				<-a.exited
				t.Fatalf("the app exited (%v) without printing %s; stderr:\n%s", a.cmd.ProcessState, prefix, a.stderr)
			}
			if strings.HasPrefix(l, prefix+" ") {
				return strings.Fields(l)
			}
		case <-deadline:
			t.Fatalf("the app printed no %s line within %s; stderr:\n%s", prefix, timeout, a.stderr)
		}
	}
}

// eventually polls cond until it holds, failing with what() after timeout. For states of other
// processes (a daemon noticing a death, a process exiting) there is nothing to wait on but the state.
func eventually(t *testing.T, timeout time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", timeout, what())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	if err != nil {
		return false
	}
	// a zombie has not been reaped yet but runs no more
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i > 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}
