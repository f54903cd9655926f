// go-helper: Go's pure-Go resolver (net.Resolver{PreferGo: true}) for the
// twin protocol of clients/real/twin.h, one request at a time.
//
// Built with CGO_ENABLED=0, so the resolver is the one in net/dnsclient_unix.go
// whatever PreferGo says. Every connection the resolver opens, UDP or TCP, is
// dialled to the request's address and port; the attempts and timeout come
// from the /etc/resolv.conf the sandbox gives the helper.
//
// Replies: ok with the addresses; DNSError IsNotFound -> nxdomain ("no such
// host", which Go 1.19 says for NXDOMAIN and for an empty answer alike);
// IsTimeout -> timeout; other errors -> error with reason misbehaving
// (Go's errServerMisbehaving), lame, cannot-unmarshal or other.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"time"
)

var target string // "address:port" of the request in progress

var resolver = &net.Resolver{
	PreferGo: true,
	Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, target)
	},
}

func reason(text string) string {
	switch {
	case strings.Contains(text, "server misbehaving"):
		return "misbehaving"
	case strings.Contains(text, "lame referral"):
		return "lame"
	case strings.Contains(text, "cannot unmarshal"):
		return "cannot-unmarshal"
	case strings.Contains(text, "connection refused"):
		return "conn-refused"
	}
	return "other"
}

func lookup(id, address, port, name, family string) string {
	network := map[string]string{"inet": "ip4", "inet6": "ip6", "unspec": "ip"}[family]
	if network == "" {
		return id + " bad-request family must be inet, inet6 or unspec"
	}
	target = net.JoinHostPort(address, port)
	start := time.Now()
	ips, err := resolver.LookupIP(context.Background(), network, name)
	ms := time.Since(start).Milliseconds()
	if err == nil {
		var b strings.Builder
		fmt.Fprintf(&b, "%s ok %d", id, ms)
		for _, ip := range ips {
			b.WriteString(" " + ip.String())
		}
		return b.String()
	}
	words := strings.ReplaceAll(err.Error(), "\n", " ")
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return fmt.Sprintf("%s nxdomain %d - %s", id, ms, words)
		case dnsErr.IsTimeout:
			return fmt.Sprintf("%s timeout %d - %s", id, ms, words)
		}
		return fmt.Sprintf("%s error %d %s %s", id, ms, reason(dnsErr.Err), words)
	}
	return fmt.Sprintf("%s error %d %s %s", id, ms, reason(words), words)
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	for in.Scan() {
		tok := strings.Fields(in.Text())
		var reply string
		switch {
		case len(tok) == 2 && tok[1] == "version":
			reply = tok[0] + " version go " + runtime.Version()
		case len(tok) == 5:
			reply = lookup(tok[0], tok[1], tok[2], tok[3], tok[4])
		case len(tok) > 0:
			reply = tok[0] + " bad-request expected '<id> <address> <port> <name> <family>' or '<id> version'"
		default:
			reply = "? bad-request empty line"
		}
		if _, err := fmt.Fprintln(out, reply); err != nil || out.Flush() != nil {
			os.Exit(1)
		}
	}
}
