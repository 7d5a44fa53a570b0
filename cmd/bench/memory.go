package main

import (
	"sync"
	"time"
)

// memory samples the resident memory of a system's processes, summed, so
// that a peak between two samples is missed by at most one interval's
// growth: a reading after the burst would miss what the burst held.
type memory struct {
	pids  []int
	every time.Duration

	mu   sync.Mutex
	last int64 // KiB
	peak int64 // KiB, since resetPeak

	stop, done chan struct{}
}

func sampleMemory(pids []int, every time.Duration) *memory {
	m := &memory{pids: pids, every: every, stop: make(chan struct{}), done: make(chan struct{})}
	m.sample()
	go m.loop()
	return m
}

func (m *memory) loop() {
	defer close(m.done)
	tick := time.NewTicker(m.every)
	defer tick.Stop()
	for {
		select {
		case <-m.stop:
			return
		case <-tick.C:
			m.sample()
		}
	}
}

func (m *memory) sample() {
	var sum int64
	for _, pid := range m.pids {
		if kib, err := rssKiB(pid); err == nil {
			sum += kib // a process that exited holds nothing
		}
	}
	m.mu.Lock()
	m.last = sum
	m.peak = max(m.peak, sum)
	m.mu.Unlock()
}

// resetPeak starts a new window at the current reading.
func (m *memory) resetPeak() {
	m.sample()
	m.mu.Lock()
	m.peak = m.last
	m.mu.Unlock()
}

// read takes a sample now and returns it with the peak of the window.
func (m *memory) read() (now, peak int64) {
	m.sample()
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last, m.peak
}

func (m *memory) close() {
	close(m.stop)
	<-m.done
}
