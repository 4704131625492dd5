package gitobj

import (
	"container/list"
	"sync"
)

// baseCache keeps recently resolved delta bases within a budget of bytes,
// dropping the least recently used. Entries are shared and never modified.
type baseCache struct {
	mu     sync.Mutex
	budget int
	used   int
	items  map[baseKey]*list.Element
	lru    list.List // of *baseEntry, most recent first
}

type baseKey struct {
	p   *pack
	off int64
}

type baseEntry struct {
	key  baseKey
	typ  Type
	data []byte
}

func newBaseCache(budget int) *baseCache {
	return &baseCache{budget: budget, items: map[baseKey]*list.Element{}}
}

func (c *baseCache) get(p *pack, off int64) (Type, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[baseKey{p, off}]
	if !ok {
		return 0, nil, false
	}
	c.lru.MoveToFront(e)
	b := e.Value.(*baseEntry)
	return b.typ, b.data, true
}

// put keeps data as the object at off in p. A base over a quarter of the
// budget is not kept: it would evict too many others.
func (c *baseCache) put(p *pack, off int64, typ Type, data []byte) {
	if len(data) > c.budget/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := baseKey{p, off}
	if _, ok := c.items[k]; ok {
		return // resolved by two readers at once; either copy will do
	}
	c.items[k] = c.lru.PushFront(&baseEntry{key: k, typ: typ, data: data})
	c.used += len(data)
	for c.used > c.budget {
		last := c.lru.Back()
		b := c.lru.Remove(last).(*baseEntry)
		delete(c.items, b.key)
		c.used -= len(b.data)
	}
}
