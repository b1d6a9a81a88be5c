package cove

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// LauncherFromEnv is the daemon command the environment describes, as the Java client reads it:
// COVE_DAEMON_CLASSPATH (with COVE_JAVA, COVE_JAVA_OPTS and COVE_DAEMON_MAIN) runs the daemon class
// directly; otherwise COVE_LAUNCHER, or `cove` on the PATH, runs `cove daemon`. Nil if none.
func LauncherFromEnv() []string {
	if cp := os.Getenv("COVE_DAEMON_CLASSPATH"); strings.TrimSpace(cp) != "" {
		java := os.Getenv("COVE_JAVA")
		if java == "" {
			java = "java"
			if home := os.Getenv("JAVA_HOME"); home != "" {
				java = filepath.Join(home, "bin", "java")
			}
		}
		opts, ok := os.LookupEnv("COVE_JAVA_OPTS")
		if !ok {
			opts = "--enable-native-access=ALL-UNNAMED"
		}
		main := os.Getenv("COVE_DAEMON_MAIN")
		if main == "" {
			main = "dev.cove.daemon.DaemonMain"
		}
		cmd := append([]string{java}, strings.Fields(opts)...)
		return append(cmd, "-cp", cp, main)
	}
	if l := os.Getenv("COVE_LAUNCHER"); l != "" {
		return []string{l, "daemon"}
	}
	if p, err := exec.LookPath("cove"); err == nil {
		return []string{p, "daemon"}
	}
	return nil
}

// spawnLocks coalesce the goroutines of this process; the fcntl lock on the spawn lock file
// coalesces processes (the Java client takes the same kind of lock on the same file).
var spawnLocks sync.Map

func lockFile(f *os.File) error {
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 0, Len: 0}
	for {
		err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLKW, &lk)
		if err != syscall.EINTR {
			return err
		}
	}
}

func (c *Client) startAndConnect(ctx context.Context) (*conn, error) {
	lockPath := c.paths.spawnLockFile()
	mu, _ := spawnLocks.LoadOrStore(lockPath, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	defer mu.(*sync.Mutex).Unlock()
	startFailed := func(err error) *Error {
		return c.unavailable("start_failed", "could not start a daemon for instance '%s': %v", c.paths.instance, err)
	}
	if err := c.paths.createDaemonDir(); err != nil {
		if e, ok := err.(*Error); ok {
			return nil, e
		}
		return nil, startFailed(err)
	}
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, startFailed(err)
	}
	defer f.Close() // closing releases the lock
	if err := lockFile(f); err != nil {
		return nil, startFailed(err)
	}
	// whoever held the lock before us may have started the daemon already
	if cn, err := c.connectWithRetry(ctx); err == nil {
		return cn, nil
	} else if codeOf(err) != CodeUnavailable {
		return nil, err
	}
	var logBefore int64
	if st, err := os.Stat(c.paths.logFile()); err == nil {
		logBefore = st.Size()
	}
	exited, status, err := c.launch()
	if err != nil {
		return nil, startFailed(err)
	}
	deadline := time.Now().Add(c.opts.StartTimeout)
	var exitedAt time.Time
	backoff := 10 * time.Millisecond
	for {
		cn, err := c.connectOnce()
		if err == nil {
			return cn, nil
		}
		if codeOf(err) != CodeUnavailable {
			return nil, err
		}
		if exitedAt.IsZero() {
			select {
			case <-exited:
				exitedAt = time.Now()
			default:
			}
		}
		// a daemon that exited may have lost a race to one that is just binding; give that one a moment
		if !exitedAt.IsZero() && time.Since(exitedAt) > 2*time.Second {
			return nil, c.unavailable("start_failed", "the daemon for instance '%s' exited with status %d before it "+
				"answered.%s%s", c.paths.instance, *status, tail(c.paths.startupOutput(), 0), tail(c.paths.logFile(), logBefore))
		}
		if time.Now().After(deadline) {
			return nil, c.unavailable("start_timeout", "the daemon for instance '%s' did not answer within %s of starting.%s",
				c.paths.instance, c.opts.StartTimeout, tail(c.paths.logFile(), logBefore))
		}
		if err := sleepCtx(ctx, backoff); err != nil {
			return nil, err
		}
		if backoff *= 2; backoff > 100*time.Millisecond {
			backoff = 100 * time.Millisecond
		}
	}
}

// launch runs the launcher detached: in a new session (setsid --wait where it exists, so that neither
// closing the terminal nor Ctrl-C in it takes the daemon down), input from /dev/null, output to the
// instance's startup file. The returned channel closes when the process exits.
func (c *Client) launch() (<-chan struct{}, *int, error) {
	argv := []string{}
	if setsid, err := exec.LookPath("setsid"); err == nil {
		// --wait: if setsid has to fork, it stays as the daemon's stand-in, so the process we hold lives
		// and exits with the daemon, not at once with 0
		argv = append(argv, setsid, "--wait")
	}
	argv = append(argv, c.launcher...)
	argv = append(argv, "--data-dir", c.paths.dataDir, "--instance", c.paths.instance)
	argv = append(argv, c.launchArgs...)
	if err := os.MkdirAll(c.paths.logDir(), 0o755); err != nil {
		return nil, nil, err
	}
	out, err := os.OpenFile(c.paths.startupOutput(), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, nil, err
	}
	defer out.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out // stdin nil is /dev/null
	if argv[0] != "setsid" && !strings.HasSuffix(argv[0], "/setsid") {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", strings.Join(argv, " "), err)
	}
	exited := make(chan struct{})
	status := new(int)
	go func() { // reaps the process; the daemon outlives this client
		_ = cmd.Wait()
		*status = cmd.ProcessState.ExitCode()
		close(exited)
	}()
	return exited, status, nil
}

// tail gives the last lines a file gained after byte from, for an error message, or "".
func tail(file string, from int64) string {
	data, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	if from > int64(len(data)) {
		from = 0 // a rolled log starts over
	}
	if int64(len(data))-from > 64*1024 {
		from = int64(len(data)) - 64*1024
	}
	lines := strings.Split(strings.TrimRight(string(data[from:]), "\n"), "\n")
	if len(lines) == 0 || (len(lines) == 1 && lines[0] == "") {
		return ""
	}
	if len(lines) > 15 {
		lines = lines[len(lines)-15:]
	}
	return "\n--- " + file + " ---\n" + strings.Join(lines, "\n")
}
