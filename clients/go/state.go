package cove

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"sort"
)

// maxStateDepth: values nested deeper are refused, as by the daemon.
const maxStateDepth = 32

// normalize makes a deep copy of a state patch or event data out of map[string]any, []any, string,
// int64, float64, bool and nil (nil means "delete" in a patch), so equal values compare equal
// whatever Go types the caller used: every integer type becomes int64, float32/64 become float64,
// and anything else encoding/json can marshal (structs, named types) goes through JSON.
func normalize(m map[string]any, what string) (map[string]any, error) {
	if m == nil {
		return nil, nil
	}
	v, err := normValue(m, what, 0)
	if err != nil {
		return nil, err
	}
	return v.(map[string]any), nil
}

func invalid(format string, args ...any) *Error {
	return newError(CodeInvalidInput, format, args...)
}

func normValue(v any, path string, depth int) (any, error) {
	if depth > maxStateDepth {
		return nil, invalid("%s is nested more than %d levels deep", path, maxStateDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string, bool, int64:
		return x, nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		return uintValue(uint64(x), path)
	case uint64:
		return uintValue(x, path)
	case float32:
		return finiteValue(float64(x), path)
	case float64:
		return finiteValue(x, path)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, invalid("%s is the number %s, which does not fit a float64", path, x)
		}
		return finiteValue(f, path)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			n, err := normValue(e, path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			n, err := normValue(e, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return normValue(rv.Elem().Interface(), path, depth)
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return nil, invalid("%s is a map with %s keys; keys must be strings", path, rv.Type().Key())
		}
		if rv.IsNil() {
			return nil, nil
		}
		out := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			k := it.Key().String()
			n, err := normValue(it.Value().Interface(), path+"."+k, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			break // []byte: JSON gives base64, as encoding/json does
		}
		out := make([]any, rv.Len())
		for i := range out {
			n, err := normValue(rv.Index(i).Interface(), fmt.Sprintf("%s[%d]", path, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return uintValue(rv.Uint(), path)
	case reflect.Float32, reflect.Float64:
		return finiteValue(rv.Float(), path)
	case reflect.Func, reflect.Chan, reflect.Complex64, reflect.Complex128, reflect.UnsafePointer:
		return nil, invalid("%s is a %T; state and event data take strings, numbers, booleans, lists and maps", path, v)
	}
	// structs and types with their own JSON form: their JSON is their value
	data, err := json.Marshal(v)
	if err != nil {
		return nil, invalid("%s is a %T that cannot be turned into JSON: %v", path, v, err)
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var generic any
	if err := d.Decode(&generic); err != nil {
		return nil, invalid("%s: %v", path, err)
	}
	return normValue(generic, path, depth)
}

func uintValue(u uint64, path string) (any, error) {
	if u > math.MaxInt64 {
		return nil, invalid("%s is %d, larger than the largest integer Cove stores (2^63-1)", path, u)
	}
	return int64(u), nil
}

func finiteValue(f float64, path string) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, invalid("%s is %v; numbers must be finite", path, f)
	}
	return f, nil
}

// applyPatch merges patch into target in place (nested maps merge, anything else replaces, nil
// deletes) and says whether anything changed. Both are normalized values.
func applyPatch(target, patch map[string]any) bool {
	changed := false
	for k, v := range patch {
		existing, has := target[k]
		if v == nil {
			if has {
				delete(target, k)
				changed = true
			}
			continue
		}
		if pm, ok := v.(map[string]any); ok {
			if em, ok := existing.(map[string]any); ok {
				if applyPatch(em, pm) {
					changed = true
				}
				continue
			}
		}
		c := copyWithoutNulls(v)
		if !has || !reflect.DeepEqual(existing, c) {
			target[k] = c
			changed = true
		}
	}
	return changed
}

// diffState is the smallest patch that turns from into to: applying it to from gives to.
func diffState(from, to map[string]any) map[string]any {
	patch := map[string]any{}
	for k, now := range to {
		before, has := from[k]
		if !has {
			patch[k] = copyWithoutNulls(now)
			continue
		}
		bm, ok1 := before.(map[string]any)
		nm, ok2 := now.(map[string]any)
		if ok1 && ok2 {
			if sub := diffState(bm, nm); len(sub) > 0 {
				patch[k] = sub
			}
		} else if !reflect.DeepEqual(before, now) {
			patch[k] = copyWithoutNulls(now)
		}
	}
	for k := range from {
		if _, has := to[k]; !has {
			patch[k] = nil
		}
	}
	return patch
}

// copyWithoutNulls is a deep copy in which maps hold no nil values (a state never stores a deleted key).
func copyWithoutNulls(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e != nil {
				out[k] = copyWithoutNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = copyWithoutNulls(e)
		}
		return out
	}
	return v
}

func copyState(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return copyWithoutNulls(m).(map[string]any)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
