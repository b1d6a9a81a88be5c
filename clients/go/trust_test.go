package cove

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// The path rule (docs/reliability.md, "Security") and the server check, against real folders, a real
// other user (nobody, through setpriv) and real daemons. Steps that act as nobody or need a /tmp of
// their own run this test binary again in a role (COVE_GO_TEST_ROLE, see runRole): as nobody, or as
// root inside `unshare -m` with a fresh tmpfs on /tmp, so the machine's own /tmp is never touched.

const otherUser = "nobody"

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root, to act as user nobody and to mount a private /tmp (CI runs as root)")
	}
}

func otherIDs() (int, int, error) {
	u, err := user.Lookup(otherUser)
	if err != nil {
		return 0, 0, err
	}
	uid, _ := strconv.Atoi(u.Uid)
	g, err := user.LookupGroup("nogroup")
	if err != nil {
		return 0, 0, err
	}
	gid, _ := strconv.Atoi(g.Gid)
	return uid, gid, nil
}

func modeString(path string) string {
	st, err := os.Lstat(path)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%04o", uint32(st.Mode().Perm())|uint32(st.Sys().(*syscall.Stat_t).Mode)&0o7000)
}

// ---- the shared table ----

type ruleStep struct {
	Mkdir, File, Symlink, To, Mode, Owner string
}

type ruleCase struct {
	Name      string
	Setup     []ruleStep
	Data      string
	Expect    string
	Mentions  []string
	Unchanged []struct{ Path, Mode string }
}

func TestPathRulesTable(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "path-rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table struct{ Cases []ruleCase }
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	if len(table.Cases) == 0 {
		t.Fatal("no cases in testdata/path-rules.json")
	}
	root := os.Geteuid() == 0
	for _, tc := range table.Cases {
		tc := tc
		others := false
		for _, s := range tc.Setup {
			others = others || (s.Owner != "" && s.Owner != "self")
		}
		if others && !root {
			continue // as the table says: without root, only the cases whose owners are all self
		}
		t.Run(tc.Name, func(t *testing.T) { checkRuleCase(t, tc) })
	}
}

func checkRuleCase(t *testing.T, tc ruleCase) {
	base := t.TempDir()
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range tc.Setup {
		if s.Symlink != "" {
			to := s.To
			if !filepath.IsAbs(to) {
				to = filepath.Join(base, to)
			}
			if err := os.Symlink(to, filepath.Join(base, s.Symlink)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		p := filepath.Join(base, s.Mkdir+s.File)
		var err error
		if s.Mkdir != "" {
			err = os.Mkdir(p, 0o700)
		} else {
			err = os.WriteFile(p, nil, 0o600)
		}
		if err != nil {
			t.Fatal(err)
		}
		switch s.Owner {
		case "nobody":
			uid, gid, err := otherIDs()
			if err != nil {
				t.Fatal(err)
			}
			err = os.Lchown(p, uid, gid)
		case "root":
			err = os.Lchown(p, 0, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		m, _ := strconv.ParseUint(s.Mode, 8, 32)
		if err := syscall.Chmod(p, uint32(m)); err != nil {
			t.Fatal(err)
		}
	}
	data := tc.Data
	if data == "" {
		data = "data"
	}
	p, err := newPaths(filepath.Join(base, data), "")
	if err != nil {
		t.Fatal(err)
	}
	err = p.createDaemonDir()
	if tc.Expect == "ok" || tc.Expect == "tightened" {
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{p.dataDir, p.daemonDir()} {
			st, err := os.Lstat(d)
			if err != nil {
				t.Fatal(err)
			}
			if !st.IsDir() || int(st.Sys().(*syscall.Stat_t).Uid) != os.Getuid() || modeString(d) != "0700" {
				t.Fatalf("%s: want our real folder, mode 0700; got %v, uid %d", d, st.Mode(), st.Sys().(*syscall.Stat_t).Uid)
			}
		}
		return
	}
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != CodeBadDataDir || ce.Details["folder"] == nil || ce.Details["fix"] == nil {
		t.Fatalf("want BAD_DATA_DIR with its folder and fix, got %v", err)
	}
	for _, w := range tc.Mentions {
		if !strings.Contains(ce.Message, w) {
			t.Errorf("the message does not mention %q: %s", w, ce.Message)
		}
	}
	for _, u := range tc.Unchanged {
		if got := modeString(filepath.Join(base, u.Path)); got != u.Mode {
			t.Errorf("%s: mode %s, want it unchanged at %s", u.Path, got, u.Mode)
		}
	}
}

// ---- nobody's server on our socket ----

func TestForeignServerReceivesNothingAndIsNamed(t *testing.T) {
	needRoot(t)
	// in the machine's /tmp, not in a private temporary folder: nobody has to reach it
	base, err := os.MkdirTemp("/tmp", "cove-go-foreign-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	data := filepath.Join(base, "data")
	for _, d := range []struct {
		path string
		mode uint32
	}{{base, 0o755}, {data, 0o777}} { // data: a shared folder, where anyone can make daemon/ first
		if err := os.MkdirAll(d.path, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Chmod(d.path, d.mode); err != nil {
			t.Fatal(err)
		}
	}
	bin := copySelf(t, filepath.Join(base, "server"))
	sock := filepath.Join(data, "daemon", "daemon.sock")
	r := runAsRole(t, true, bin, "fake-server", "COVE_GO_TEST_SOCK="+sock)
	r.await(t, "listening")
	c, err := New(Options{DataDir: data, ConnectRetry: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Ping(ctxT(t, 30*time.Second))
	c.Close()
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != CodeUntrustedServer || ce.Details["user"] != otherUser {
		t.Fatalf("want UNTRUSTED_SERVER naming %s, got %v", otherUser, err)
	}
	if !strings.Contains(ce.Message, otherUser) || !strings.Contains(ce.Message, sock) {
		t.Fatalf("the error names neither the server's user nor the socket: %s", ce.Message)
	}
	r.await(t, "eof ")
	lines := r.snapshot()
	if !contains(lines, "accepted") || !contains(lines, "eof 0") {
		t.Fatalf("want one connection that received 0 bytes; the server logged %v", lines)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "received") {
			t.Fatalf("the client sent bytes to nobody's server: %v", lines)
		}
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func roleFakeServer() error {
	path := os.Getenv("COVE_GO_TEST_SOCK")
	folder := filepath.Dir(path)
	if err := os.MkdirAll(folder, 0o777); err != nil {
		return err
	}
	if err := os.Chmod(folder, 0o777); err != nil {
		return err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return err
	}
	if err := os.Chmod(path, 0o777); err != nil {
		return err
	}
	fmt.Println("listening")
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		fmt.Println("accepted")
		_, _ = c.Write([]byte(`{"type":"hello","protocol":1,"server":"cove","version":"0","instance":"default","pid":1,` +
			`"encodings":["json"],"maxFrame":16777216}` + "\n"))
		total := 0
		buf := make([]byte, 65536)
		for {
			n, err := c.Read(buf)
			if n > 0 {
				total += n
				fmt.Printf("received %x\n", buf[:n])
			}
			if err != nil {
				break
			}
		}
		fmt.Printf("eof %d\n", total)
		_ = c.Close()
	}
}

// ---- the RENAME_EXCHANGE race and the XDG_RUNTIME_DIR fallback, each in a mount namespace ----

type raceResult struct {
	Attempts, Refused  int
	Accepted, Reasons  []string
	Attacker           []string
	AttackerExit       int
	VictimMode         string
	AttackerFolderMode string
}

func TestRenameExchangeRaceOnTheLinkFolderChangesNoMode(t *testing.T) {
	needRoot(t)
	var r raceResult
	out := inNamespace(t, "race", &r)
	if r.AttackerExit != 0 || !contains(r.Attacker, "swapped 5000") {
		t.Fatalf("the attacker did not finish its 5000 swaps:\n%s", out)
	}
	if r.VictimMode != "0755" {
		t.Fatalf("the root-owned folder behind nobody's link is now %s (was 0755):\n%s", r.VictimMode, out)
	}
	if r.AttackerFolderMode != "0777" {
		t.Fatalf("nobody's own folder is now %s (was 0777):\n%s", r.AttackerFolderMode, out)
	}
	if len(r.Accepted) != 0 || r.Refused != r.Attempts || r.Attempts < 2 ||
		len(r.Reasons) != 1 || r.Reasons[0] != CodeBadDataDir {
		t.Fatalf("every attempt must be refused as BAD_DATA_DIR:\n%s", out)
	}
	t.Logf("%d attempts during 5000 swaps, all refused", r.Attempts)
}

func roleRace() (any, error) {
	os.Unsetenv("XDG_RUNTIME_DIR")
	linkDir := filepath.Join("/tmp", "cove-"+userName())
	victim := "/tmp/victim"
	if err := os.Mkdir(victim, 0o755); err != nil {
		return nil, err
	}
	if err := os.Chmod(victim, 0o755); err != nil {
		return nil, err
	}
	goFile := "/tmp/go"
	bin, err := copySelfTo("/tmp/attacker")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/usr/bin/setpriv", "--reuid="+otherUser, "--regid=nogroup", "--clear-groups", bin)
	cmd.Env = append(os.Environ(), "COVE_GO_TEST_ROLE=attacker", "COVE_GO_TEST_LINK="+linkDir,
		"COVE_GO_TEST_VICTIM="+victim, "COVE_GO_TEST_GO="+goFile, "COVE_GO_TEST_SWAPS=5000")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || sc.Text() != "ready" {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the attacker did not start: %s", sc.Text())
	}
	var rest []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for sc.Scan() {
			rest = append(rest, sc.Text())
		}
	}()
	exited := make(chan struct{})
	go func() { wg.Wait(); _ = cmd.Wait(); close(exited) }()
	long := filepath.Join("/tmp", "long", strings.Repeat("a-rather-long-folder-name/", 5))
	if err := os.MkdirAll(long, 0o700); err != nil {
		return nil, err
	}
	p, err := newPaths(long, "")
	if err != nil {
		return nil, err
	}
	r := raceResult{Accepted: []string{}}
	reasons := map[string]bool{}
	for {
		running := true
		select {
		case <-exited:
			running = false
		default:
		}
		r.Attempts++
		got, err := p.connectPath()
		if err == nil {
			r.Accepted = append(r.Accepted, got)
		} else {
			r.Refused++
			var ce *Error
			if errors.As(err, &ce) {
				reasons[ce.Code] = true
			} else {
				reasons[err.Error()] = true
			}
		}
		if r.Attempts == 1 {
			if err := os.WriteFile(goFile, nil, 0o644); err != nil {
				return nil, err
			}
		}
		if !running {
			break
		}
	}
	for k := range reasons {
		r.Reasons = append(r.Reasons, k)
	}
	r.Attacker = rest
	r.AttackerExit = cmd.ProcessState.ExitCode()
	r.VictimMode = modeString(victim)
	folder := linkDir
	if st, err := os.Lstat(linkDir); err == nil && st.Mode()&os.ModeSymlink != 0 {
		folder = linkDir + ".swap"
	}
	r.AttackerFolderMode = modeString(folder)
	return r, nil
}

func roleAttacker() error {
	linkDir, victim, goFile := os.Getenv("COVE_GO_TEST_LINK"), os.Getenv("COVE_GO_TEST_VICTIM"), os.Getenv("COVE_GO_TEST_GO")
	swaps, _ := strconv.Atoi(os.Getenv("COVE_GO_TEST_SWAPS"))
	other := linkDir + ".swap"
	if err := os.Mkdir(linkDir, 0o777); err != nil {
		return err
	}
	if err := os.Chmod(linkDir, 0o777); err != nil {
		return err
	}
	if err := os.Symlink(victim, other); err != nil {
		return err
	}
	sys, ok := map[string]uintptr{"amd64": 316, "arm64": 276}[runtime.GOARCH] // SYS_renameat2
	if !ok {
		return fmt.Errorf("no renameat2 number for %s", runtime.GOARCH)
	}
	from, _ := syscall.BytePtrFromString(linkDir)
	to, _ := syscall.BytePtrFromString(other)
	const atFdcwd, renameExchange = -100, 2
	fmt.Println("ready")
	for {
		if _, err := os.Stat(goFile); err == nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	fd := atFdcwd
	for i := 0; i < swaps; i++ {
		if _, _, e := syscall.Syscall6(sys, uintptr(fd), uintptr(unsafe.Pointer(from)), uintptr(fd),
			uintptr(unsafe.Pointer(to)), renameExchange, 0); e != 0 {
			return fmt.Errorf("renameat2: %v", e)
		}
	}
	fmt.Printf("swapped %d\n", swaps)
	return nil
}

type xdgResult struct {
	DaemonPID, PingPID     int64
	ConnectPath, DaemonDir string
	LinkTarget, TakenMode  string
	TakenUID               int
}

func TestATakenTmpLinkFolderFallsBackToXDGRuntimeDir(t *testing.T) {
	needRoot(t)
	needLauncher(t)
	var r xdgResult
	out := inNamespace(t, "xdg", &r)
	uid, _, _ := otherIDs()
	if r.PingPID == 0 || r.PingPID != r.DaemonPID {
		t.Fatalf("the client did not reach the daemon:\n%s", out)
	}
	if !strings.HasPrefix(r.ConnectPath, "/tmp/runtime/cove/") || r.LinkTarget != r.DaemonDir {
		t.Fatalf("want the link in $XDG_RUNTIME_DIR/cove to the daemon folder:\n%s", out)
	}
	if r.TakenMode != "0777" || r.TakenUID != uid {
		t.Fatalf("the taken folder was changed:\n%s", out)
	}
}

func roleXDG() (any, error) {
	linkDir := filepath.Join("/tmp", "cove-"+userName())
	uid, gid, err := otherIDs()
	if err != nil {
		return nil, err
	}
	if err := os.Mkdir(linkDir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Chown(linkDir, uid, gid); err != nil {
		return nil, err
	}
	if err := os.Chmod(linkDir, 0o777); err != nil {
		return nil, err
	}
	if err := os.Mkdir("/tmp/runtime", 0o700); err != nil {
		return nil, err
	}
	os.Setenv("XDG_RUNTIME_DIR", "/tmp/runtime")
	data := filepath.Join("/tmp", "long", strings.Repeat("a-rather-long-folder-name/", 5))
	d, err := spawnDaemon(data, DefaultInstance)
	if err != nil {
		return nil, err
	}
	defer d.kill()
	c, err := New(Options{DataDir: data, ConnectRetry: time.Millisecond})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ping, err := c.Ping(ctx)
	if err != nil {
		return nil, err
	}
	p, _ := newPaths(data, "")
	cp, err := p.connectPath()
	if err != nil {
		return nil, err
	}
	target, _ := filepath.EvalSymlinks(filepath.Dir(cp))
	st, _ := os.Lstat(linkDir)
	return xdgResult{DaemonPID: int64(d.pid), PingPID: ping.PID, ConnectPath: cp, DaemonDir: p.daemonDir(),
		LinkTarget: target, TakenMode: modeString(linkDir), TakenUID: int(st.Sys().(*syscall.Stat_t).Uid)}, nil
}

// ---- running this binary in a role ----

// runRole runs the role COVE_GO_TEST_ROLE names instead of the tests, from TestMain. A role that
// returns a result prints it as JSON on its last line.
func runRole(role string) int {
	var result any
	var err error
	switch role {
	case "fake-server":
		err = roleFakeServer()
	case "attacker":
		err = roleAttacker()
	case "race", "xdg":
		// unshare(1) gave this process a mount namespace of its own: a tmpfs on /tmp is private to it
		if err = privateTmp(); err != nil {
			break
		}
		if role == "race" {
			result, err = roleRace()
		} else {
			result, err = roleXDG()
		}
	default:
		err = fmt.Errorf("unknown role %s", role)
	}
	if err != nil {
		fmt.Println("role", role, "failed:", err)
		return 1
	}
	if result != nil {
		b, _ := json.Marshal(result)
		fmt.Println(string(b))
	}
	return 0
}

// privateTmp mounts a fresh tmpfs on /tmp in this mount namespace. A checkout that lies under /tmp (as a CI
// clone may) stays visible at its own path, bound from a descriptor opened before the mount: the daemon's class
// path and these tests' files are there.
func privateTmp() error {
	keep, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		return err
	}
	fd := -1
	if strings.HasPrefix(keep, "/tmp/") {
		if fd, err = syscall.Open(keep, syscall.O_RDONLY|syscall.O_DIRECTORY, 0); err != nil {
			return fmt.Errorf("open %s: %w", keep, err)
		}
		defer syscall.Close(fd)
	}
	if err = syscall.Mount("cove-test", "/tmp", "tmpfs", 0, "mode=1777"); err != nil {
		return fmt.Errorf("mount tmpfs on /tmp: %w", err)
	}
	if fd >= 0 {
		if err = os.MkdirAll(keep, 0o755); err != nil {
			return err
		}
		if err = syscall.Mount(fmt.Sprintf("/proc/self/fd/%d", fd), keep, "", syscall.MS_BIND, ""); err != nil {
			return fmt.Errorf("keep %s visible: %w", keep, err)
		}
	}
	return nil
}

// inNamespace runs role as root in a private mount namespace (unshare -m) and decodes its JSON result.
func inNamespace(t *testing.T, role string, result any) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("unshare", "-m", "--propagation", "private", self)
	cmd.Env = append(os.Environ(), "COVE_GO_TEST_ROLE="+role)
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("role %s still runs after 5 minutes:\n%s", role, out)
	}
	if err != nil {
		t.Fatalf("role %s failed (%v):\n%s", role, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), result); err != nil {
		t.Fatalf("role %s printed no result (%v):\n%s", role, err, out)
	}
	return string(out)
}

// roleProcess is a role running in the background, its output lines collected.
type roleProcess struct {
	mu    sync.Mutex
	lines []string
	cmd   *exec.Cmd
}

func (r *roleProcess) snapshot() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.lines...)
}

// await waits for an output line starting with prefix; other processes' states have nothing to wait on
// but polling.
func (r *roleProcess) await(t *testing.T, prefix string) {
	t.Helper()
	eventually(t, 30*time.Second, func() bool {
		for _, l := range r.snapshot() {
			if strings.HasPrefix(l, prefix) {
				return true
			}
		}
		return false
	}, func() string { return fmt.Sprintf("no %q line from %v: %v", prefix, r.cmd.Args, r.snapshot()) })
}

func runAsRole(t *testing.T, asOther bool, bin, role string, env ...string) *roleProcess {
	t.Helper()
	argv := []string{bin}
	if asOther {
		argv = append([]string{"/usr/bin/setpriv", "--reuid=" + otherUser, "--regid=nogroup", "--clear-groups"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(append(os.Environ(), "COVE_GO_TEST_ROLE="+role), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &roleProcess{cmd: cmd}
	read := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			r.mu.Lock()
			r.lines = append(r.lines, sc.Text())
			r.mu.Unlock()
		}
		close(read)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-read
		_ = cmd.Wait()
	})
	return r
}

// copySelf copies this test binary to path (0755), for a user who cannot reach the build folder.
func copySelf(t *testing.T, path string) string {
	t.Helper()
	p, err := copySelfTo(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func copySelfTo(path string) (string, error) {
	in, err := os.Open("/proc/self/exe")
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	if err := out.Close(); err != nil {
		return "", err
	}
	return path, os.Chmod(path, 0o755)
}
