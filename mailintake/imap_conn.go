package mailintake

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// watchConn puts a deadline on the connection while a command runs, pushed forward
// whenever bytes move, so that a silent server is cut after the timeout but a long
// transfer is not. Between commands there is no deadline.
type watchConn struct {
	net.Conn
	timeout time.Duration
	mu      sync.Mutex
	armed   bool
	expired atomic.Bool
}

func (c *watchConn) arm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expired.Store(false)
	c.armed = true
	c.Conn.SetDeadline(time.Now().Add(c.timeout))
}

func (c *watchConn) disarm() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	c.Conn.SetDeadline(time.Time{})
}

func (c *watchConn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	c.Conn.SetDeadline(time.Unix(1, 0))
}

func (c *watchConn) timedOut() bool { return c.expired.Load() }

// SetDeadline, SetReadDeadline and SetWriteDeadline are ignored: imapclient sets its
// own fixed deadlines (30 s per response, none when idle), which would undo ours.
func (c *watchConn) SetDeadline(time.Time) error { return nil }

// SetReadDeadline is ignored; see SetDeadline.
func (c *watchConn) SetReadDeadline(time.Time) error { return nil }

// SetWriteDeadline is ignored; see SetDeadline.
func (c *watchConn) SetWriteDeadline(time.Time) error { return nil }

func (c *watchConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.touch(n, err)
	return n, err
}

func (c *watchConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.touch(n, err)
	return n, err
}

func (c *watchConn) touch(n int, err error) {
	var ne net.Error
	if err != nil && errors.As(err, &ne) && ne.Timeout() {
		c.expired.Store(true)
	}
	if n > 0 {
		c.mu.Lock()
		if c.armed {
			c.Conn.SetDeadline(time.Now().Add(c.timeout))
		}
		c.mu.Unlock()
	}
}
