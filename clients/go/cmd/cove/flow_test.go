package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The client as a program, against a daemon stand-in on a real socket (the daemon's side of cli.run is
// tested with the real daemon, in the Java tests): what reaches fd 1 and 2, stdin, signals, exit statuses,
// and each way to the JVM path, which here is a script that says how it was called.

var clientBin string

func TestMain(m *testing.M) {
	tmp, err := os.MkdirTemp("", "cove-native-test")
	if err != nil {
		panic(err)
	}
	clientBin = filepath.Join(tmp, "cove")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goTool, "build", "-o", clientBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

// frames is one connection of the stand-in daemon.
type frames struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func (f *frames) read() map[string]any {
	_ = f.nc.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := f.r.ReadBytes('\n')
	if err != nil {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal(line, &m)
	return m
}

func (f *frames) write(frame map[string]any) {
	b, _ := json.Marshal(frame)
	_, _ = f.nc.Write(append(b, '\n'))
}

func (f *frames) ok(id any, payload any) {
	f.write(map[string]any{"type": "ok", "id": id, "encoding": "json", "payload": payload})
}

func (f *frames) part(id any, kind string, data string) {
	f.write(map[string]any{"type": "progress", "id": id, "encoding": "json",
		"payload": map[string]any{"kind": kind, "data": []byte(data)}})
}

type setup struct {
	dir, dataDir, buildDir, self, jvmLog string
	listener                             *net.UnixListener
}

// newSetup makes a data folder with a listening socket (serve handles each connection, after the hello,
// which says build) and a stand-in for bin/cove that records its arguments and COVE_NATIVE_DONE.
func newSetup(t *testing.T, build string, serve func(f *frames)) *setup {
	t.Helper()
	s := &setup{dir: t.TempDir()}
	s.dataDir = filepath.Join(s.dir, "data")
	s.buildDir = filepath.Join(s.dir, "build")
	s.self = filepath.Join(s.dir, "bin-cove")
	s.jvmLog = filepath.Join(s.dir, "jvm.log")
	for _, d := range []string{filepath.Join(s.dataDir, "daemon"), s.buildDir} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	script := "#!/bin/sh\necho \"jvm NATIVE_DONE=$COVE_NATIVE_DONE $*\" >>" + s.jvmLog + "\n" +
		"case \" $* \" in *\" restart \"*) echo restarted; exit 0 ;; esac\necho jvm-out\nexit 42\n"
	if err := os.WriteFile(s.self, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if serve != nil {
		l, err := net.ListenUnix("unix", &net.UnixAddr{Name: filepath.Join(s.dataDir, "daemon", "daemon.sock"), Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		s.listener = l
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				nc, err := l.Accept()
				if err != nil {
					return
				}
				f := &frames{t: t, nc: nc, r: bufio.NewReader(nc)}
				f.read() // hello
				f.write(map[string]any{"type": "hello", "protocol": 1, "server": "stand-in", "build": build})
				go func() {
					defer nc.Close()
					serve(f)
				}()
			}
		}()
	}
	return s
}

// run starts the client; extra env entries override.
func (s *setup) cmd(args []string, extraEnv ...string) *exec.Cmd {
	c := exec.Command(clientBin, args...)
	c.Dir = s.dir
	c.Env = append([]string{"PATH=/usr/bin:/bin", "HOME=" + s.dir, "COVE_DATA_DIR=" + s.dataDir, "COVE_SELF=" + s.self,
		"COVE_BUILD_DIR=" + s.buildDir, "COVE_PACKAGED=1", "SECRET_TOKEN=x", "LANG=C.UTF-8"}, extraEnv...)
	return c
}

type result struct {
	stdout, stderr string
	exit           int
}

func (s *setup) run(t *testing.T, c *exec.Cmd, stdin string) result {
	t.Helper()
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr, c.Stdin = &out, &errb, strings.NewReader(stdin)
	err := c.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func (s *setup) jvmCalls() string {
	b, _ := os.ReadFile(s.jvmLog)
	return string(b)
}

func TestHostedRunStreamsOutputForwardsStdinAndExits(t *testing.T) {
	got := make(chan map[string]any, 1)
	s := newSetup(t, "", func(f *frames) {
		run := f.read()
		got <- run
		id := run["id"]
		f.part(id, "out", "first line\n")
		f.part(id, "err", "a warning\n")
		f.part(id, "read", "")
		in := f.read() // cli.stdin
		p := in["payload"].(map[string]any)
		f.ok(in["id"], map[string]any{"delivered": true})
		data, _ := json.Marshal(p)
		f.part(id, "out", "stdin was "+string(data)+"\n")
		f.ok(id, map[string]any{"exit": 7, "local": false})
	})
	r := s.run(t, s.cmd([]string{"--instance=default", "library", "rm", "x"}, "COVE_X=1", "XDG_DATA_HOME=/xdg"), "yes\n")
	if r.exit != 7 {
		t.Fatalf("exit %d, %+v", r.exit, r)
	}
	if r.stdout != `first line`+"\n"+`stdin was {"data":"eWVzCg==","eof":false,"session":`+quoteSession(t, r.stdout)+"}\n" {
		t.Fatalf("stdout %q", r.stdout)
	}
	if r.stderr != "a warning\n" {
		t.Fatalf("stderr %q", r.stderr)
	}
	run := <-got
	if run["method"] != "action:cli.run.input.v1" || run["type"] != "action" {
		t.Fatalf("sent %v", run)
	}
	if _, has := run["timeout"]; has {
		t.Fatalf("cli.run has no timeout: %v", run)
	}
	p := run["payload"].(map[string]any)
	var args []string
	for _, a := range p["args"].([]any) {
		b, err := base64.StdEncoding.DecodeString(a.(string))
		if err != nil {
			t.Fatalf("an argument is not base64: %v", a)
		}
		args = append(args, string(b))
	}
	cwd, err := base64.StdEncoding.DecodeString(p["cwd"].(string))
	if fmt.Sprint(args) != "[--instance=default library rm x]" || err != nil || string(cwd) != s.dir {
		t.Fatalf("args, cwd: %v", p)
	}
	env := p["env"].(map[string]any)
	if env["COVE_X"] != "1" || env["XDG_DATA_HOME"] != "/xdg" || env["LANG"] != "C.UTF-8" || env["SECRET_TOKEN"] != nil ||
		env["PATH"] != nil {
		t.Fatalf("env %v", env)
	}
	if p["stdinTerminal"] != false || p["stdoutTerminal"] != false || p["columns"] != 0.0 || len(p["session"].(string)) != 32 {
		t.Fatalf("terminal facts, session: %v", p)
	}
	if s.jvmCalls() != "" {
		t.Fatalf("the JVM ran: %s", s.jvmCalls())
	}
}

func quoteSession(t *testing.T, stdout string) string {
	i := strings.Index(stdout, `"session":`)
	if i < 0 {
		return `"?"`
	}
	return strings.TrimSuffix(strings.TrimSpace(stdout[i+len(`"session":`):]), "}")
}

func TestTheJVMPath(t *testing.T) {
	answer := func(frame map[string]any) func(f *frames) {
		return func(f *frames) {
			run := f.read()
			frame["id"] = run["id"]
			f.write(frame)
		}
	}
	cases := []struct {
		name  string
		serve func(f *frames) // nil: no daemon
		env   []string
	}{
		{"no daemon", nil, nil},
		{"a command that runs locally", answer(map[string]any{"type": "ok", "encoding": "json",
			"payload": map[string]any{"exit": 0, "local": true}}), nil},
		{"a daemon without the CLI", answer(map[string]any{"type": "error", "error": map[string]any{
			"code": "METHOD_NOT_FOUND", "message": "no method action:cli.run.input.v1"}}), nil},
		{"an invalid instance name", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSetup(t, "", c.serve)
			args := []string{"start", "--data-dir", s.dataDir}
			if c.name == "an invalid instance name" {
				args = append(args, "--instance", "Bad/Name")
			}
			r := s.run(t, s.cmd(args, c.env...), "")
			want := "jvm NATIVE_DONE=1 " + strings.Join(args, " ") + "\n"
			if r.exit != 42 || r.stdout != "jvm-out\n" || s.jvmCalls() != want || r.stderr != "" {
				t.Fatalf("%+v; the JVM path ran as %q, want %q", r, s.jvmCalls(), want)
			}
		})
	}
}

func TestSourcesChangedRunsBinCove(t *testing.T) {
	// the hello may be exchanged while the sources are checked; nothing after it may be sent
	s := newSetup(t, "", func(f *frames) {
		if m := f.read(); m != nil {
			t.Errorf("sent to a daemon although the sources changed: %v", m)
		}
	})
	root := filepath.Join(s.dir, "root")
	if err := os.MkdirAll(filepath.Join(root, "rpc", "src", "main"), 0o755); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	_ = os.Chtimes(filepath.Join(root, "rpc", "src", "main"), old, old)
	_ = os.Chtimes(filepath.Join(root, "rpc", "src"), old, old)
	_ = os.Chtimes(filepath.Join(root, "rpc"), old, old)
	if err := os.WriteFile(filepath.Join(s.buildDir, "stamp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_ = os.Chtimes(filepath.Join(s.buildDir, "stamp"), old.Add(time.Minute), old.Add(time.Minute))
	if err := os.WriteFile(filepath.Join(root, "rpc", "pom.xml"), nil, 0o644); err != nil { // newer than the stamp
		t.Fatal(err)
	}
	r := s.run(t, s.cmd([]string{"status"}, "COVE_PACKAGED=", "COVE_ROOT="+root), "")
	if r.exit != 42 || s.jvmCalls() != "jvm NATIVE_DONE=1 status\n" {
		t.Fatalf("%+v %q", r, s.jvmCalls())
	}
}

func TestDaemonGoneMidRun(t *testing.T) {
	s := newSetup(t, "", func(f *frames) {
		run := f.read()
		f.part(run["id"], "out", "partial\n")
		time.Sleep(50 * time.Millisecond)
	}) // then the connection closes
	r := s.run(t, s.cmd([]string{"ls", "/"}), "")
	if r.exit != 3 || r.stdout != "partial\n" || r.stderr != "cove: the daemon went away while running the command\n" ||
		s.jvmCalls() != "" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}
}

func TestCtrlCBecomesTheCommandsCancellation(t *testing.T) {
	signals := make(chan string, 4)
	started := make(chan struct{})
	s := newSetup(t, "", func(f *frames) {
		run := f.read()
		id := run["id"]
		f.part(id, "out", "working\n")
		close(started)
		for i := 0; i < 2; i++ {
			sig := f.read()
			if sig == nil {
				return
			}
			signals <- fmt.Sprint(sig["method"], " ", sig["payload"].(map[string]any)["signal"])
			f.ok(sig["id"], map[string]any{"delivered": true})
		}
		f.part(id, "err", "cancelled\n")
		f.ok(id, map[string]any{"exit": 130, "local": false})
	})
	c := s.cmd([]string{"cp", "a", "b"})
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-started
	time.Sleep(100 * time.Millisecond) // the part is on its way to the client's stdout
	_ = c.Process.Signal(syscall.SIGINT)
	if got := <-signals; got != "action:cli.signal.input.v1 INT" {
		t.Fatalf("signal sent as %q", got)
	}
	_ = c.Process.Signal(syscall.SIGINT)
	<-signals
	err := c.Wait()
	ee, _ := err.(*exec.ExitError)
	if ee == nil || ee.ExitCode() != 130 || out.String() != "working\n" || errb.String() != "cancelled\n" {
		t.Fatalf("%v, stdout %q, stderr %q", err, out.String(), errb.String())
	}

	// the third Ctrl-C leaves at once, whatever the command does
	running := make(chan struct{})
	s = newSetup(t, "", func(f *frames) {
		f.read() // cli.run: the client catches signals from before it sends it
		close(running)
		for f.read() != nil {
		}
	})
	c = s.cmd([]string{"cp", "a", "b"})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	<-running
	for i := 0; i < 3; i++ {
		_ = c.Process.Signal(syscall.SIGINT)
		time.Sleep(50 * time.Millisecond)
	}
	err = c.Wait()
	if ee, _ := err.(*exec.ExitError); ee == nil || ee.ExitCode() != 130 {
		t.Fatalf("after three Ctrl-C: %v", err)
	}
}

func TestAnotherBuild(t *testing.T) {
	serve := func(clients int, jobs int) func(f *frames) {
		return func(f *frames) {
			for {
				call := f.read()
				if call == nil {
					return
				}
				switch call["method"] {
				case "query:core.status.v1":
					f.ok(call["id"], map[string]any{"clients": clients, "privateInstance": false})
				case "query:jobs.list.v1":
					list := []any{}
					if call["payload"].(map[string]any)["state"] == "RUNNING" {
						for i := 0; i < jobs; i++ {
							list = append(list, map[string]any{"id": i})
						}
					}
					f.ok(call["id"], map[string]any{"jobs": list})
				case "action:cli.run.input.v1":
					f.part(call["id"], "out", "hosted\n")
					f.ok(call["id"], map[string]any{"exit": 0, "local": false})
				}
			}
		}
	}
	// busy: told, and run on its own
	s := newSetup(t, "old", serve(2, 1))
	if err := os.WriteFile(filepath.Join(s.buildDir, "build-id"), []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := s.run(t, s.cmd([]string{"--instance", "default", "status"}), "")
	wantErr := "cove: the daemon runs another build of Cove and is busy (1 job, 1 client); this command runs on its own. " +
		"Run `cove --instance=default restart` to update it.\n"
	if r.exit != 42 || r.stderr != wantErr || s.jvmCalls() != "jvm NATIVE_DONE=1 --instance default status\n" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}

	// idle: restarted (by bin/cove restart), then run hosted
	s = newSetup(t, "old", serve(1, 0))
	if err := os.WriteFile(filepath.Join(s.buildDir, "build-id"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = s.run(t, s.cmd([]string{"status"}), "")
	if r.exit != 0 || r.stdout != "hosted\n" || s.jvmCalls() != "jvm NATIVE_DONE=1 restart\n" ||
		r.stderr != "cove: the daemon runs another build of Cove; restarting it\n" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}

	// the same build, or a daemon that does not say: no question asked
	for _, build := range []string{"new", ""} {
		s = newSetup(t, build, serve(5, 5))
		_ = os.WriteFile(filepath.Join(s.buildDir, "build-id"), []byte("new\n"), 0o644)
		if r = s.run(t, s.cmd([]string{"status"}), ""); r.exit != 0 || r.stdout != "hosted\n" || r.stderr != "" {
			t.Fatalf("build %q: %+v", build, r)
		}
	}
}
