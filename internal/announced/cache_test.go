package announced

import (
	"testing"
	"time"
)

// TestCacheForgetsOneOrAll: Forget drops one key and refuses the stores of reads begun before
// it, whatever their key; ForgetAll drops every key; Epoch is what Get returns.
func TestCacheForgetsOneOrAll(t *testing.T) {
	c := New[string, int](time.Minute, 10)
	c.Listening(true)
	for i, k := range []string{"a", "b", "c"} {
		_, epoch, _ := c.Get(k)
		if epoch != c.Epoch() {
			t.Fatalf("Get's epoch %d, Epoch %d", epoch, c.Epoch())
		}
		c.Put(k, i, epoch)
	}
	_, before, _ := c.Get("d") // a read begins
	c.Forget("a")
	c.Put("d", 4, before) // refused: something was forgotten meanwhile
	if _, _, ok := c.Get("a"); ok {
		t.Error("a is still cached after Forget")
	}
	if _, _, ok := c.Get("d"); ok {
		t.Error("a read begun before a Forget was stored")
	}
	if v, _, ok := c.Get("b"); !ok || v != 1 {
		t.Errorf("b: %d %v, want 1 cached", v, ok)
	}
	c.ForgetAll()
	if c.Len() != 0 {
		t.Errorf("%d entries after ForgetAll", c.Len())
	}
}
