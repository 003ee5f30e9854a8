// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package sso

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrEgressRefused is returned when an IdP URL resolves to an address the egress policy
// (BYTECHEF_SSO_IDP_EGRESS) forbids. Org admins choose these URLs, so without it they could
// make the server fetch loopback services or the cloud metadata endpoint.
var ErrEgressRefused = errors.New("the address is not allowed by BYTECHEF_SSO_IDP_EGRESS")

// cgnat is the shared address space (RFC 6598), private in practice.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// egressAllowed applies the policy to a resolved address.
func egressAllowed(policy string, ip netip.Addr) bool {
	ip = ip.Unmap()
	switch policy {
	case "any":
		return true
	case "public":
		if ip.IsPrivate() || cgnat.Contains(ip) {
			return false
		}
	}
	blocked := ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() ||
		ip.IsMulticast() || ip.IsInterfaceLocalMulticast()
	return !blocked
}

// egressClient is the outbound client for IdP calls. The check runs on the address actually
// dialled (after DNS resolution), so DNS rebinding cannot get around it; redirects are not
// followed.
func egressClient(policy string) *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrEgressRefused, address)
			}
			if !egressAllowed(policy, ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrEgressRefused, ap.Addr())
			}
			return nil
		},
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = dialer.DialContext
	tr.Proxy = nil // an egress proxy would dial for us and bypass the check
	return &http.Client{Timeout: 10 * time.Second, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
