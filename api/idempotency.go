// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"log/slog"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/idempotency"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

var idempotencyKeyRe = regexp.MustCompile(`^[\x21-\x7e]{1,255}$`)

// replayedHeaders are the response headers a replay repeats.
var replayedHeaders = []string{"Content-Type", "Location", "ETag"}

// captureWriter keeps a copy of the response body for the idempotency store.
type captureWriter struct {
	gin.ResponseWriter
	buf bytes.Buffer
}

func (w *captureWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *captureWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// idempotent makes a create endpoint honour Idempotency-Key (SPEC §2.4): the first answer
// below 500 is stored per principal and replayed for 24 h; the same key with a different
// request is refused; a key whose request is still running answers 409.
func idempotent(store *idempotency.Store, log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		if !idempotencyKeyRe.MatchString(key) {
			fail(c, errcode.Invalid("Idempotency-Key", "must be 1-255 visible ASCII characters"))
			return
		}
		body, err := readBody(c)
		if err != nil {
			fail(c, err)
			return
		}
		p, _ := principalOf(c)
		holder := string(p.Kind) + ":" + p.Label
		if p.Org != nil {
			holder += "@" + p.Org.ID.String()
		}
		ctx := c.Request.Context()
		outcome, resp, err := store.Begin(ctx, holder, key, c.Request.Method, c.Request.URL.Path, idempotency.Hash(c.Request.Method, c.Request.URL.Path, body))
		if err != nil {
			fail(c, err)
			return
		}
		if outcome == idempotency.Replay {
			for k, v := range resp.Headers {
				c.Header(k, v)
			}
			c.Header("Idempotent-Replayed", "true")
			c.Data(resp.Status, resp.Headers["Content-Type"], resp.Body)
			c.Abort()
			return
		}
		w := &captureWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		// An error rendered by the error middleware runs after this point, so a request that
		// recorded errors is treated as failed even though nothing is written yet.
		status := w.Status()
		if len(c.Errors) > 0 || status >= 500 || !w.Written() {
			if err := store.Abandon(ctx, holder, key); err != nil {
				log.WarnContext(ctx, "idempotency: release failed", "error", err)
			}
			return
		}
		headers := map[string]string{}
		for _, h := range replayedHeaders {
			if v := w.Header().Get(h); v != "" {
				headers[h] = v
			}
		}
		if err := store.Finish(ctx, holder, key, idempotency.Response{Status: status, Headers: headers, Body: w.buf.Bytes()}); err != nil {
			log.WarnContext(ctx, "idempotency: store answer failed", "error", err)
		}
	}
}
