package cove

import (
	"context"
	"encoding/json"
	"time"
)

// Pong is the answer to Ping.
type Pong struct {
	Version  string    `json:"version"`
	Instance string    `json:"instance"`
	PID      int64     `json:"pid"`
	Time     time.Time `json:"time"`
}

// Ping asks the daemon who it is.
func (c *Client) Ping(ctx context.Context) (Pong, error) {
	var p Pong
	err := c.Call(ctx, "query:core.ping.v1", nil, &p)
	return p, err
}

// SessionInfo is a session's summary (docs/sessions.md).
type SessionInfo struct {
	SessionID        string            `json:"sessionId"`
	App              string            `json:"app"`
	Version          string            `json:"version"`
	PID              int64             `json:"pid"`
	Tags             map[string]string `json:"tags"`
	Status           string            `json:"status"` // ACTIVE, HUNG, ENDED or CRASHED
	StartedAt        time.Time         `json:"startedAt"`
	EndedAt          *time.Time        `json:"endedAt"`
	ExitStatus       *int              `json:"exitStatus"`
	EndReason        string            `json:"endReason"`
	HangWindowMillis int64             `json:"hangWindowMillis"`
	StateVersion     int64             `json:"stateVersion"`
	Events           int64             `json:"events"`
	MetricPoints     int64             `json:"metricPoints"`
	Calls            int64             `json:"calls"`
}

// SessionEvent is a stored or published session event (also what a "SessionEvent" subscription yields).
type SessionEvent struct {
	EventID   *int64         `json:"eventId"`
	SessionID string         `json:"sessionId"`
	App       string         `json:"app"`
	Origin    string         `json:"origin"`
	Name      string         `json:"name"`
	Level     string         `json:"level"`
	Data      map[string]any `json:"data"`
	Time      time.Time      `json:"time"`
}

// SessionDetail is one session in full.
type SessionDetail struct {
	Session SessionInfo       `json:"session"`
	State   map[string]any    `json:"state"`
	Events  []SessionEvent    `json:"events"`
	Metrics []json.RawMessage `json:"metrics"`
}

// GetSession reads a session with its state and its last events (events < 0: the daemon's default, 50).
func (c *Client) GetSession(ctx context.Context, id string, events int) (SessionDetail, error) {
	req := map[string]any{"sessionId": id}
	if events >= 0 {
		req["events"] = events
	}
	var d SessionDetail
	err := c.Call(ctx, "query:sessions.get.v1", req, &d)
	return d, err
}

// ListSessions lists sessions of app ("" for all), newest first.
func (c *Client) ListSessions(ctx context.Context, app string) ([]SessionInfo, error) {
	req := map[string]any{}
	if app != "" {
		req["app"] = app
	}
	var l struct {
		Sessions []SessionInfo `json:"sessions"`
	}
	err := c.Call(ctx, "query:sessions.list.v1", req, &l)
	return l.Sessions, err
}

// MetricBucket is one time slice of a metric.
type MetricBucket struct {
	Start time.Time `json:"start"`
	Count int64     `json:"count"`
	Min   *float64  `json:"min"`
	Max   *float64  `json:"max"`
	Avg   *float64  `json:"avg"`
	P95   *float64  `json:"p95"`
	Sum   *float64  `json:"sum"`
}

// MetricSeries is a metric bucketed over time.
type MetricSeries struct {
	SessionID      string         `json:"sessionId"`
	Name           string         `json:"name"`
	Kind           string         `json:"kind"`
	Unit           string         `json:"unit"`
	IntervalMillis int64          `json:"intervalMillis"`
	Count          int64          `json:"count"`
	Buckets        []MetricBucket `json:"buckets"`
}

// Sum is the sum of every bucket's sum.
func (m MetricSeries) Sum() float64 {
	t := 0.0
	for _, b := range m.Buckets {
		if b.Sum != nil {
			t += *b.Sum
		}
	}
	return t
}

// QueryMetrics buckets a session's metric (sessions.metrics.query) into buckets equal slices.
func (c *Client) QueryMetrics(ctx context.Context, sessionID, name string, buckets int) (MetricSeries, error) {
	req := map[string]any{"sessionId": sessionID, "name": name}
	if buckets > 0 {
		req["buckets"] = buckets
	}
	var m MetricSeries
	err := c.Call(ctx, "query:sessions.metrics.query.v1", req, &m)
	return m, err
}
