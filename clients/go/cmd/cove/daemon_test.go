package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	cove "dev.cove/cove"
)

// Against a real daemon (COVE_DAEMON_CLASSPATH, COVE_LAUNCHER or `cove` on the PATH, as the library's tests):
// the build check reads the real core.status and jobs.list answers, and a daemon without the CLI host
// (METHOD_NOT_FOUND for cli.run) sends the command to the JVM path. The command run in the daemon is
// tested from the Java side, where the daemon hosts the CLI.
func TestWithARealDaemon(t *testing.T) {
	launcher := cove.LauncherFromEnv()
	if launcher == nil {
		t.Skip("no daemon command: set COVE_DAEMON_CLASSPATH or COVE_LAUNCHER, or put `cove` on the PATH")
	}
	s := newSetup(t, "", nil)
	t.Setenv("COVE_BUILD_ID", "old") // the daemon's build
	cmd := exec.Command(launcher[0], append(launcher[1:], "--data-dir", s.dataDir)...)
	out, _ := os.Create(filepath.Join(s.dir, "daemon.out"))
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	other, err := cove.New(cove.Options{DataDir: s.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := other.Ping(context.Background()); err == nil {
			break
		} else if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(s.dir, "daemon.out"))
			t.Fatalf("the daemon did not answer: %v\n%s", err, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	buildID := filepath.Join(s.buildDir, "build-id")

	// the same build: no question; the daemon has no cli.run, so the JVM path runs the command
	_ = os.WriteFile(buildID, []byte("old\n"), 0o644)
	r := s.run(t, s.cmd([]string{"status"}), "")
	if r.exit != 42 || r.stderr != "" || s.jvmCalls() != "jvm NATIVE_DONE=1 status\n" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}

	// another build, and another client connected: told, run on its own
	_ = os.Remove(s.jvmLog)
	_ = os.WriteFile(buildID, []byte("new\n"), 0o644)
	r = s.run(t, s.cmd([]string{"status"}), "")
	want := "cove: the daemon runs another build of Cove and is busy (0 jobs, 1 client); this command runs on its own. " +
		"Run `cove restart` to update it.\n"
	if r.exit != 42 || r.stderr != want || s.jvmCalls() != "jvm NATIVE_DONE=1 status\n" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}

	// idle: restarted through bin/cove (here a stand-in that does not), then the command: to the JVM path
	_ = other.Close()
	_ = os.Remove(s.jvmLog)
	r = s.run(t, s.cmd([]string{"--data-dir=" + s.dataDir, "ping"}), "")
	if r.exit != 42 || r.stderr != "cove: the daemon runs another build of Cove; restarting it\n" ||
		s.jvmCalls() != "jvm NATIVE_DONE=1 --data-dir="+s.dataDir+" restart\njvm NATIVE_DONE=1 --data-dir="+s.dataDir+" ping\n" {
		t.Fatalf("%+v, jvm %q", r, s.jvmCalls())
	}
}
