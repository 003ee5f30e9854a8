// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// OpenAPI is the API description (OpenAPI 3.1); tests validate real responses against it.
//
//go:embed openapi.yaml
var OpenAPI []byte

func openAPIHandler(c *gin.Context) {
	c.Data(http.StatusOK, "application/yaml", OpenAPI)
}
