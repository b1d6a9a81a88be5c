package cove

import (
	"reflect"
	"testing"
)

func norm(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	n, err := normalize(m, "state")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMergeRules(t *testing.T) {
	st := norm(t, map[string]any{"a": map[string]any{"b": 1, "c": []int{1, 2}}, "d": "x"})
	if !applyPatch(st, norm(t, map[string]any{"a": map[string]any{"c": []int{3}, "e": true}, "d": nil})) {
		t.Fatal("a change reported as none")
	}
	want := map[string]any{"a": map[string]any{"b": int64(1), "c": []any{int64(3)}, "e": true}}
	if !reflect.DeepEqual(st, want) {
		t.Fatalf("merged %v, want %v", st, want)
	}
	if applyPatch(st, norm(t, map[string]any{"a": map[string]any{"b": int8(1)}, "gone": nil})) {
		t.Fatal("an equal value (another integer type) and deleting an absent key change nothing")
	}
	if !applyPatch(st, norm(t, map[string]any{"a": 5})) || st["a"] != int64(5) {
		t.Fatalf("a scalar replaces an object: %v", st)
	}
}

func TestDiffIsTheSmallestPatch(t *testing.T) {
	from := norm(t, map[string]any{"a": map[string]any{"b": 1, "c": 2}, "x": "same", "y": 1})
	to := norm(t, map[string]any{"a": map[string]any{"b": 1, "c": 3}, "x": "same", "z": []string{"new"}})
	d := diffState(from, to)
	want := map[string]any{"a": map[string]any{"c": int64(3)}, "y": nil, "z": []any{"new"}}
	if !reflect.DeepEqual(d, want) {
		t.Fatalf("diff %v, want %v", d, want)
	}
	applyPatch(from, d)
	if !reflect.DeepEqual(from, to) {
		t.Fatalf("from+diff = %v, want %v", from, to)
	}
	if len(diffState(to, to)) != 0 {
		t.Fatal("equal states have an empty diff")
	}
}

func TestNormalizeRefusesWhatCannotBeStored(t *testing.T) {
	type point struct {
		X int `json:"x"`
	}
	n := norm(t, map[string]any{"p": point{X: 2}, "u": uint16(7), "f": float32(0.5)})
	if !reflect.DeepEqual(n, map[string]any{"p": map[string]any{"x": int64(2)}, "u": int64(7), "f": 0.5}) {
		t.Fatalf("normalized %v", n)
	}
	for _, bad := range []map[string]any{{"f": func() {}}, {"m": map[int]string{1: "a"}}, {"c": make(chan int)}} {
		if _, err := normalize(bad, "state"); codeOf(err) != CodeInvalidInput {
			t.Errorf("%v: want INVALID_INPUT, got %v", bad, err)
		}
	}
	deep := map[string]any{}
	cur := deep
	for i := 0; i < 40; i++ {
		next := map[string]any{}
		cur["k"] = next
		cur = next
	}
	if _, err := normalize(deep, "state"); codeOf(err) != CodeInvalidInput {
		t.Errorf("nesting 40 deep: %v", err)
	}
}
