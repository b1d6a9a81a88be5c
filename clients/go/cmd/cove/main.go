// Command cove is the native `cove`: a thin client that runs the one real CLI warm inside the daemon
// (action:cli.run.input.v1) and hands everything else to the JVM CLI that bin/cove runs. bin/cove execs it
// first thing, with this environment:
//
//	COVE_ROOT       the checkout or installed tree
//	COVE_BUILD_DIR  the build folder (.cove-build): stamp, build-id
//	COVE_SELF       bin/cove, which this client execs with COVE_NATIVE_DONE=1 and the same arguments
//	                whenever the command must run in a JVM of its own
//	COVE_PACKAGED=1 in an installed tree (no sources to check)
//
// What it does (docs/cli.md, "How the command runs"):
//  1. in a checkout, sources changed since the last build: bin/cove builds, then runs the JVM CLI;
//  2. connect to the daemon that --data-dir/--instance name (never starting one); none answers, or it is
//     not ours: the JVM CLI says so, in its words and exit status, or starts one for `cove start`;
//  3. the daemon runs another build of Cove: restart it when idle, else run this command in a JVM;
//  4. run the command in the daemon: output streams to fd 1 and 2 as it is made, stdin goes over when the
//     command reads, Ctrl-C becomes the command's cancellation, and the exit status is the command's.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	cove "dev.cove/cove"
)

const (
	methodRun    = "action:cli.run.input.v1"
	methodStdin  = "action:cli.stdin.input.v1"
	methodSignal = "action:cli.signal.input.v1"

	exitUnavailable = 3 // the CLI's ExitCodes.UNAVAILABLE
)

func main() {
	args := os.Args[1:]

	// 1. A checkout whose sources changed runs nothing stale: bin/cove rebuilds (the jars, then this client). The
	// walk (a few hundred stats) runs while the connection is made, and is waited for before anything is sent.
	stale := make(chan bool, 1)
	if root, dir := os.Getenv("COVE_ROOT"), os.Getenv("COVE_BUILD_DIR"); os.Getenv("COVE_PACKAGED") == "" &&
		os.Getenv("COVE_NO_BUILD") != "1" && root != "" && dir != "" {
		go func() { stale <- sourcesChanged(root, filepath.Join(dir, "stamp")) }()
	} else {
		stale <- false
	}

	// 2. Any failure to reach a daemon of ours goes to the JVM CLI: it prints the one message and status for
	// each case (no daemon: 3; another user's socket, UNTRUSTED_SERVER: 6; a bad data folder: 6), or starts a
	// daemon for `cove start`. The library has checked the server's uid before sending it a byte.
	g := scanGlobals(args)
	opts := cove.Options{DataDir: g.dataDir, Instance: g.instance, Name: "cove-native",
		ConnectRetry: 100 * time.Millisecond}
	client, err := cove.New(opts)
	if err != nil {
		runJVM(args)
	}
	ctx := context.Background()
	hello, err := client.Connect(ctx)
	if err != nil || <-stale {
		runJVM(args)
	}

	// 3. A daemon of another build holds other CLI code: act as Bazel does.
	if want := buildID(); want != "" && hello.Build != "" && want != hello.Build {
		client = restartIfIdle(ctx, client, opts, g, args)
	}

	// 4.
	os.Exit(run(ctx, client, args))
}

// runJVM runs the command through bin/cove's JVM path: the same arguments, COVE_NATIVE_DONE=1 so that bash
// does not exec this client again. It does not return.
func runJVM(args []string) {
	self := os.Getenv("COVE_SELF")
	if self == "" {
		fmt.Fprintln(os.Stderr, "cove: COVE_SELF is not set: this native client is started by bin/cove, which sets it")
		os.Exit(1)
	}
	env := jvmEnv()
	err := syscall.Exec(self, append([]string{self}, args...), env)
	fmt.Fprintf(os.Stderr, "cove: cannot run %s: %v\n", self, err)
	os.Exit(1)
}

// jvmEnv is the environment for bin/cove's JVM path: COVE_NATIVE_DONE=1 so that it does not hand the command
// back, and this client's build id, so that a daemon it starts says the same build as this client does (bin/cove
// takes a given id over its build folder's: they differ only where the client comes from another folder).
func jvmEnv() []string {
	var env []string
	for _, kv := range os.Environ() { // (syscall.Exec keeps duplicates, and which one a program reads varies)
		if !strings.HasPrefix(kv, "COVE_NATIVE_DONE=") && !strings.HasPrefix(kv, "COVE_BUILD_ID=") {
			env = append(env, kv)
		}
	}
	env = append(env, "COVE_NATIVE_DONE=1")
	if id := buildID(); id != "" {
		env = append(env, "COVE_BUILD_ID="+id)
	}
	return env
}

var buildOnce struct {
	sync.Once
	id string
}

// buildID is the build this client belongs to: the first line of $COVE_BUILD_DIR/build-id, or "" (read once).
func buildID() string {
	buildOnce.Do(func() { buildOnce.id = readBuildID() })
	return buildOnce.id
}

func readBuildID() string {
	dir := os.Getenv("COVE_BUILD_DIR")
	if dir == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, "build-id"))
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line)
}

// restartIfIdle restarts a daemon of another build when nothing would be lost (no other client, no unfinished
// job), and returns a client of the new one; otherwise it says why not and runs the command in a JVM.
func restartIfIdle(ctx context.Context, client *cove.Client, opts cove.Options, g globals, args []string) *cove.Client {
	var st struct {
		Clients         int  `json:"clients"`
		PrivateInstance bool `json:"privateInstance"`
	}
	if err := client.Call(ctx, "query:core.status.v1", nil, &st); err != nil {
		runJVM(args)
	}
	jobs := 0
	for _, state := range []string{"QUEUED", "RUNNING", "PAUSED"} {
		var l struct {
			Jobs []json.RawMessage `json:"jobs"`
		}
		if err := client.Call(ctx, "query:jobs.list.v1", map[string]any{"state": state, "limit": 0}, &l); err != nil {
			runJVM(args)
		}
		jobs += len(l.Jobs)
	}
	others := st.Clients - 1 // this connection is one of them
	restart := strings.Join(append(append([]string{"cove"}, g.args()...), "restart"), " ")
	if jobs > 0 || others > 0 || st.PrivateInstance {
		fmt.Fprintf(os.Stderr, "cove: the daemon runs another build of Cove and is busy (%s, %s); this command runs "+
			"on its own. Run `%s` to update it.\n", plural(jobs, "job"), plural(others, "client"), restart)
		runJVM(args)
	}
	self := os.Getenv("COVE_SELF")
	if self == "" {
		runJVM(args) // (which says what is missing)
	}
	fmt.Fprintln(os.Stderr, "cove: the daemon runs another build of Cove; restarting it")
	_ = client.Close()
	// the JVM CLI's restart: it keeps the daemon's settings and waits until the new daemon answers
	cmd := exec.Command(self, append(g.args(), "restart")...)
	cmd.Env = jvmEnv()
	cmd.Stderr = os.Stderr // stdin and stdout: /dev/null
	if cmd.Run() != nil {
		runJVM(args) // it said what went wrong; the command still runs
	}
	client, err := cove.New(opts)
	if err != nil {
		runJVM(args)
	}
	if _, err := client.Connect(ctx); err != nil {
		runJVM(args)
	}
	return client
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// cliPart is dev.cove.api.cli.CliPart: out or err bytes, or a request for one read of stdin.
type cliPart struct {
	Kind string `json:"kind"`
	Data []byte `json:"data"` // base64 on the wire, as encoding/json does []byte
}

// run runs the command in the daemon and returns its exit status (or execs the JVM CLI).
func run(ctx context.Context, client *cove.Client, args []string) int {
	session := make([]byte, 16)
	_, _ = rand.Read(session)
	sessionID := hex.EncodeToString(session)

	cwd, err := os.Getwd()
	if err != nil {
		runJVM(args) // a folder that is gone: the JVM CLI says what it says about that
	}
	env := commandEnv(os.Environ())
	stdinTerm, stdoutTerm, stderrTerm := isTerminal(0), isTerminal(1), isTerminal(2)
	columns, lines := 0, 0
	for _, fd := range []int{1, 2, 0} { // the terminal the output goes to, else any the user sits at
		if isTerminal(fd) {
			columns, lines = terminalSize(fd)
			break
		}
	}
	if _, set := env["COLUMNS"]; !set && stdoutTerm && columns > 0 {
		env["COLUMNS"] = strconv.Itoa(columns)
	}

	// Signals are caught before the call is sent, so that a Ctrl-C at any moment reaches the command.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)

	// Parts arrive on the connection's reader: out and err are written there and then, so a slow reader of
	// our stdout slows the command, not our memory; a read request must not wait there (its answer comes on
	// that same reader), so it goes to the stdin goroutine below.
	reads := make(chan struct{}, 16)
	var partSeen atomic.Bool // whether anything reached the user: then the command is not run again
	onPart := func(raw json.RawMessage) {
		partSeen.Store(true)
		var p cliPart
		if json.Unmarshal(raw, &p) != nil {
			return
		}
		switch p.Kind {
		case "out":
			write(os.Stdout, p.Data)
		case "err":
			write(os.Stderr, p.Data)
		case "read":
			select {
			case reads <- struct{}{}:
			default: // (never: a command waits for each read's answer before it asks for another)
			}
		}
	}
	// arguments and folder go as bytes (base64 in JSON): a file name need not be UTF-8, and the daemon reads
	// them into the CLI's string form as the JVM CLI reads its own argv
	runCli := map[string]any{"session": sessionID, "args": asBytes(args), "cwd": []byte(cwd), "env": env,
		"stdinTerminal": stdinTerm, "stdoutTerminal": stdoutTerm, "stderrTerminal": stderrTerm,
		"columns": columns, "lines": lines}
	stream, err := client.Stream(ctx, methodRun, runCli, onPart) // no deadline: a command runs as long as it runs
	if err != nil {
		runJVM(args) // the connection broke before the command was sent: nothing ran
	}

	go func() { // stdin, one read per request
		buf := make([]byte, 64*1024)
		for range reads {
			n, err := os.Stdin.Read(buf)
			in := map[string]any{"session": sessionID, "data": buf[:n], "eof": n == 0 && err != nil}
			_ = stream.Call(context.Background(), methodStdin, in, nil) // a lost connection shows in Wait
		}
	}()

	go func() { // Ctrl-C cancels what the command does, as in a CLI of its own; the third one gives up
		interrupts := 0
		for sig := range signals {
			sendInt := func() {
				go func() {
					_ = stream.Call(context.Background(), methodSignal, map[string]any{"session": sessionID, "signal": "INT"}, nil)
				}()
			}
			switch sig {
			case syscall.SIGINT:
				if interrupts++; interrupts >= 3 {
					os.Exit(130)
				}
				sendInt()
			default: // SIGTERM, SIGHUP: ask the command to stop, and leave after 2 s if it has not
				sendInt()
				status := 143
				if sig == syscall.SIGHUP {
					status = 129
				}
				time.AfterFunc(2*time.Second, func() { os.Exit(status) })
			}
		}
	}()

	result, err := stream.Wait(ctx)
	if err != nil {
		ce := &cove.Error{Code: cove.CodeExecutionError, Message: err.Error()}
		errors.As(err, &ce)
		switch {
		case ce.Code == cove.CodeConnectionLost:
			fmt.Fprintln(os.Stderr, "cove: the daemon went away while running the command")
			return exitUnavailable
		case !partSeen.Load():
			// the daemon cannot host the CLI (METHOD_NOT_FOUND: a daemon started from jars only) or failed to
			// start the command: nothing ran, so the JVM CLI runs it
			runJVM(args)
		}
		// it failed after printing: running it again could do things twice, so report it as the CLI would
		fmt.Fprintln(os.Stderr, "cove: "+ce.Message)
		if ce.Code == cove.CodeTimeout {
			return 4
		}
		return 1
	}
	var exit struct {
		Exit  int  `json:"exit"`
		Local bool `json:"local"`
	}
	if err := json.Unmarshal(result, &exit); err != nil {
		fmt.Fprintf(os.Stderr, "cove: the daemon's answer to the command is not what this client reads: %v\n", err)
		return 1
	}
	if exit.Local {
		// start, stop, restart, daemon, run, doctor, service: they run in a process of their own; nothing
		// was printed. The connection goes with the exec.
		runJVM(args)
	}
	return exit.Exit
}

// write copies a part to fd 1 or 2. A reader that went away (`cove events | head`) ends the client quietly,
// with the status of a process killed by SIGPIPE, as a Unix tool does: Go raises SIGPIPE itself for fd 1
// and 2 unless the signal was ignored when this process started, and then the write fails with EPIPE.
// Other failures (a closed descriptor) lose the output and nothing else, as the JVM CLI's PrintWriter does.
func write(f *os.File, data []byte) {
	if _, err := f.Write(data); errors.Is(err, syscall.EPIPE) {
		os.Exit(128 + int(syscall.SIGPIPE))
	}
}

func asBytes(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}
