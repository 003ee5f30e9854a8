// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/sso"
)

// ssoPage is the one template of the browser-facing SSO error pages. Branding (SPEC §8.3)
// fills BrandName and friends later; the page says what went wrong in the user's terms, a
// stable reason code and the request id for support, never internals.
var ssoPage = template.Must(template.New("sso").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign-in failed · {{.BrandName}}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.4rem}code{background:#f3f4f6;padding:.1rem .3rem;border-radius:.2rem}.meta{color:#6b7280;font-size:.85rem}</style>
</head><body><main>
<h1>Sign-in failed</h1>
<p>{{.Message}}</p>
{{if .RegionURL}}<p>Continue at <a href="{{.RegionURL}}">{{.RegionURL}}</a>.</p>{{end}}
<p class="meta">Reason: <code>{{.Reason}}</code> · Request: <code>{{.RequestID}}</code></p>
</main></body></html>
`))

type ssoPageData struct {
	BrandName string
	Message   string
	Reason    string
	RequestID string
	RegionURL string
}

// ssoErrorPage renders a sign-in failure as an HTML page.
func ssoErrorPage(c *gin.Context, f *sso.Failure) {
	status := f.Status
	if status < 400 || status > 599 {
		status = http.StatusBadRequest
	}
	d := ssoPageData{BrandName: "ByteChef", Message: f.Message, Reason: string(f.Reason), RequestID: requestID(c)}
	if u, ok := f.Meta["region_url"]; ok {
		d.RegionURL = u
	}
	var buf bytes.Buffer
	if err := ssoPage.Execute(&buf, d); err != nil {
		c.String(status, "Sign-in failed (%s).", f.Reason)
		return
	}
	noStore(c)
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	c.Header("X-Frame-Options", "DENY")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}
