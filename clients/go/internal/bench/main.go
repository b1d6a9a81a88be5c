// Command bench is the Go row of `bin/bench sessions`: an application logging metrics at a fixed
// rate through the Go session client (plus a state update per millisecond that changes nothing after
// the first, and a heartbeat every 10 ms), as the Java row does. It prints one line for the Java
// bench to read: points made and stored, seconds, and the calls made and sent to the daemon.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"dev.cove/cove"
)

func main() {
	dataDir := flag.String("data-dir", "", "the daemon's data folder")
	instance := flag.String("instance", "", "the daemon's instance")
	rate := flag.Int("rate", 100_000, "metric points per second")
	seconds := flag.Int("seconds", 3, "how long")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := cove.New(cove.Options{DataDir: *dataDir, Instance: *instance, Name: "go-bench"})
	check(err)
	defer c.Close()
	s, err := cove.StartSession(ctx, c, "bench-go", "1", cove.SessionOptions{})
	check(err)
	points := int64(*rate) * int64(*seconds)
	perMilli := int64(*rate) / 1000
	if perMilli < 1 {
		perMilli = 1
	}
	state := map[string]any{"frame": map[string]any{"scene": "main", "paused": false}}
	start := time.Now()
	var sent int64
	for tick := int64(0); sent < points; tick++ {
		due := start.Add(time.Duration(tick) * time.Millisecond)
		for time.Now().Before(due) {
			// pacing to the target rate: this is the workload
		}
		for k := int64(0); k < perMilli && sent < points; k++ {
			check(s.Metric("fps", float64(sent%60)))
			sent++
		}
		check(s.State(state))
		if tick%10 == 0 {
			s.Heartbeat()
		}
	}
	check(s.Flush(ctx))
	elapsed := time.Since(start).Seconds()
	m, err := c.QueryMetrics(ctx, s.ID(), "fps", 1)
	check(err)
	check(s.Close())
	st := s.Stats() // register, reports and end
	fmt.Printf("GO points=%d stored=%d seconds=%.3f appCalls=%d daemonCalls=%d\n", points, m.Count, elapsed,
		st.AppCalls(), st.DaemonCalls)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "go bench:", err)
		os.Exit(1)
	}
}
