// Command testapp is the application the package's tests run in processes of their own: one that
// registers a session and waits to be killed, one that asks for a private daemon, one that pings
// through auto-start. It prints one READY/PONG line for the test to read.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"dev.cove/cove"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: testapp register|private|ping DATA_DIR")
		os.Exit(2)
	}
	mode, dataDir := os.Args[1], os.Args[2]
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	switch mode {
	case "register":
		c, err := cove.New(cove.Options{DataDir: dataDir, Name: "testapp"})
		check(err)
		s, err := cove.StartSession(ctx, c, "go-testapp", "1.0", cove.SessionOptions{HangWindow: -1})
		check(err)
		check(s.Set("phase", "running"))
		check(s.Metric("work", 1))
		check(s.Flush(ctx))
		fmt.Printf("READY %s\n", s.ID())
		select {} // until killed; no goodbye
	case "private":
		c, err := cove.New(cove.Options{DataDir: dataDir, Private: true, Name: "testapp"})
		check(err)
		p, err := c.Ping(ctx)
		check(err)
		fmt.Printf("READY %d %s %s\n", p.PID, c.Instance(), p.Instance)
		select {}
	case "ping":
		c, err := cove.New(cove.Options{DataDir: dataDir, AutoStart: true, Name: "testapp"})
		check(err)
		p, err := c.Ping(ctx)
		check(err)
		fmt.Printf("PONG %d\n", p.PID)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "testapp:", err)
		os.Exit(1)
	}
}
