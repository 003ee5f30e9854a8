// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/bytechefhq/bytechef-ee/internal/platform/cursor"
	"github.com/bytechefhq/bytechef-ee/internal/platform/errcode"
)

// Page limits (SPEC §2.3).
const (
	defaultLimit = 50
	maxLimit     = 500
)

// List is the envelope of every list response.
type List[T any] struct {
	Data       []T     `json:"data"`
	NextCursor *string `json:"next_cursor"`
}

// pageParams reads ?limit= and ?cursor=, decoding the cursor position for this list kind and
// filters. A missing cursor leaves pos untouched and returns first=true.
func pageParams(c *gin.Context, codec *cursor.Codec, kind string, filters, pos any) (limit int, first bool, err error) {
	limit = defaultLimit
	if s, ok := c.GetQuery("limit"); ok {
		n, perr := strconv.Atoi(s)
		if perr != nil || n < 1 || n > maxLimit {
			return 0, false, errcode.Invalid("limit", "must be an integer from 1 to %d", maxLimit)
		}
		limit = n
	}
	cur, ok := c.GetQuery("cursor")
	if !ok || cur == "" {
		return limit, true, nil
	}
	if err := codec.Decode(cur, kind, filters, pos); err != nil {
		return 0, false, errcode.New(errcode.InvalidCursor, "%s", cursor.ErrInvalid.Error())
	}
	return limit, false, nil
}

// nextCursor encodes the position after the last row when the page was full.
func nextCursor(codec *cursor.Codec, kind string, filters any, full bool, pos any) (*string, error) {
	if !full {
		return nil, nil
	}
	s, err := codec.Encode(kind, filters, pos)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
