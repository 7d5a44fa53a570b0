package streamlog

import (
	"fmt"
	"slices"
	"sort"
)

// State is what a log holds: the streams, each with its retained entries and
// its groups' resume points.
type State struct {
	Streams map[string]*Stream
}

// Stream is one stream of a State.
type Stream struct {
	// Last is the highest id the stream ever had, so that ids keep growing
	// after a restore even when the newest entries were trimmed.
	Last    ID
	Entries []Entry
	// Groups maps each consumer group to the id it resumes after.
	Groups map[string]ID
}

// Entry is one stream entry, its fields in order.
type Entry struct {
	ID     ID
	Values []string
}

func newState() *State { return &State{Streams: map[string]*Stream{}} }

// Len is the number of retained entries in all streams.
func (s *State) Len() int {
	n := 0
	for _, st := range s.Streams {
		n += len(st.Entries)
	}
	return n
}

func (s *State) stream(name string) *Stream {
	st := s.Streams[name]
	if st == nil {
		st = &Stream{Groups: map[string]ID{}}
		s.Streams[name] = st
	}
	return st
}

// apply folds one record into the state.
func (s *State) apply(r record) error {
	switch r.kind {
	case kindStream:
		st := s.stream(r.stream)
		st.Last = maxID(st.Last, r.id)
	case kindStreamGone:
		delete(s.Streams, r.stream)
	case kindEntry:
		st := s.stream(r.stream)
		if !st.Last.Less(r.id) {
			return fmt.Errorf("entry %s of %s does not follow %s", r.id, r.stream, st.Last)
		}
		st.Last = r.id
		st.Entries = append(st.Entries, Entry{ID: r.id, Values: r.values})
	case kindTrim:
		st := s.stream(r.stream)
		i := sort.Search(len(st.Entries), func(i int) bool { return !st.Entries[i].ID.Less(r.id) })
		st.Entries = slices.Delete(st.Entries, 0, i)
	case kindDelete:
		st := s.stream(r.stream)
		gone := make(map[ID]bool, len(r.ids))
		for _, id := range r.ids {
			gone[id] = true
		}
		st.Entries = slices.DeleteFunc(st.Entries, func(e Entry) bool { return gone[e.ID] })
	case kindGroup:
		s.stream(r.stream).Groups[r.group] = r.id
	case kindGroupGone:
		delete(s.stream(r.stream).Groups, r.group)
	default:
		return fmt.Errorf("unknown record kind %q", byte(r.kind))
	}
	return nil
}
