// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package dnstest runs a small authoritative DNS server on a loopback UDP port for tests:
// it answers TXT queries from a table the test controls (NXDOMAIN for unknown names), so
// domain verification is tested against a real resolver over the wire.
package dnstest

import (
	"errors"
	"net"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

// Server is a running test DNS server.
type Server struct {
	conn *net.UDPConn
	mu   sync.Mutex
	txt  map[string][]string
	// Queries counts the questions answered, so tests can see the resolver was asked.
	queries int
	done    chan struct{}
}

// Start listens on 127.0.0.1 (random port) and serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatalf("dnstest: %v", err)
	}
	s := &Server{conn: conn, txt: map[string][]string{}, done: make(chan struct{})}
	go s.serve()
	t.Cleanup(func() {
		_ = conn.Close()
		<-s.done
	})
	return s
}

// Addr is the host:port to use as the resolver address.
func (s *Server) Addr() string { return s.conn.LocalAddr().String() }

// SetTXT sets the TXT strings of a name (replacing earlier ones); no values removes it.
func (s *Server) SetTXT(name string, values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := canonical(name)
	if len(values) == 0 {
		delete(s.txt, key)
		return
	}
	s.txt[key] = values
}

// Queries returns how many questions the server answered.
func (s *Server) Queries() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries
}

func canonical(name string) string { return strings.ToLower(strings.TrimSuffix(name, ".")) + "." }

func (s *Server) serve() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		n, addr, err := s.conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			continue
		}
		if resp, ok := s.answer(buf[:n]); ok {
			_, _ = s.conn.WriteToUDP(resp, addr)
		}
	}
}

func (s *Server) answer(req []byte) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(req)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	s.mu.Lock()
	s.queries++
	values, found := s.txt[canonical(q.Name.String())]
	s.mu.Unlock()
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true, RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !found {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), rh)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, false
	}
	if err := b.Question(q); err != nil {
		return nil, false
	}
	if err := b.StartAnswers(); err != nil {
		return nil, false
	}
	if found && q.Type == dnsmessage.TypeTXT {
		for _, v := range values {
			rr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeTXT, Class: dnsmessage.ClassINET, TTL: 60}
			if err := b.TXTResource(rr, dnsmessage.TXTResource{TXT: []string{v}}); err != nil {
				return nil, false
			}
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
