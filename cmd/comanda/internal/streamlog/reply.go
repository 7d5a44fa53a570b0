package streamlog

import (
	"errors"
	"fmt"
)

// The round reads replies of commands go-redis has no typed form for (or
// whose typed form loses the order of an entry's fields), whichever protocol
// version the connection speaks.

func parseOptionalID(s string) (ID, error) {
	if s == "" {
		return ID{}, nil
	}
	return ParseID(s)
}

// parseStreamInfo reads the length and last-generated-id of XINFO STREAM.
func parseStreamInfo(v any) (length int64, lastGen ID, err error) {
	pairs, err := keyValues(v)
	if err != nil {
		return 0, ID{}, err
	}
	for k, val := range pairs {
		switch k {
		case "length":
			n, ok := val.(int64)
			if !ok {
				return 0, ID{}, fmt.Errorf("XINFO STREAM length is %T", val)
			}
			length = n
		case "last-generated-id":
			s, _ := val.(string)
			if lastGen, err = parseOptionalID(s); err != nil {
				return 0, ID{}, err
			}
		}
	}
	return length, lastGen, nil
}

func keyValues(v any) (map[string]any, error) {
	out := map[string]any{}
	switch t := v.(type) {
	case []any:
		if len(t)%2 != 0 {
			return nil, errors.New("odd key-value reply")
		}
		for i := 0; i < len(t); i += 2 {
			k, _ := t[i].(string)
			out[k] = t[i+1]
		}
	case map[any]any:
		for k, val := range t {
			ks, _ := k.(string)
			out[ks] = val
		}
	default:
		return nil, fmt.Errorf("unexpected reply %T", v)
	}
	return out, nil
}

// parseEntries reads the reply of XRANGE or XREVRANGE.
func parseEntries(v any) ([]Entry, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("range reply is %T", v)
	}
	out := make([]Entry, 0, len(list))
	for _, item := range list {
		pair, ok := item.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("range item is %T", item)
		}
		s, _ := pair[0].(string)
		id, err := ParseID(s)
		if err != nil {
			return nil, err
		}
		var fields []any
		switch f := pair[1].(type) {
		case []any:
			fields = f
		case nil:
		default:
			return nil, fmt.Errorf("entry %s fields are %T", s, pair[1])
		}
		values := make([]string, len(fields))
		for i, f := range fields {
			fs, ok := f.(string)
			if !ok {
				return nil, fmt.Errorf("entry %s field is %T", s, f)
			}
			values[i] = fs
		}
		out = append(out, Entry{ID: id, Values: values})
	}
	return out, nil
}
