// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

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

// keysetPage answers one page of a list ordered by a unique UUID key: it reads limit+1 rows
// after the cursor's id to learn whether another page follows, converts them, and signs the
// next cursor for the same kind and filters.
func keysetPage[T, D any](c *gin.Context, r *Router, kind string, filters any, fetch func(after *uuid.UUID, limit int) ([]T, error), idOf func(T) uuid.UUID, conv func(T) D) {
	var after uuid.UUID
	limit, first, err := pageParams(c, r.Cursors, kind, filters, &after)
	if err != nil {
		fail(c, err)
		return
	}
	var afterp *uuid.UUID
	if !first {
		afterp = &after
	}
	items, err := fetch(afterp, limit+1)
	if err != nil {
		fail(c, err)
		return
	}
	full := len(items) > limit
	if full {
		items = items[:limit]
	}
	out := List[D]{Data: make([]D, len(items))}
	for i, it := range items {
		out.Data[i] = conv(it)
	}
	if full {
		if out.NextCursor, err = nextCursor(r.Cursors, kind, filters, true, idOf(items[len(items)-1])); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, out)
}

// orgPage is keysetPage for an org's resources: the cursor is bound to the org as well, so it
// cannot be replayed in another org.
func orgPage[T, D any](c *gin.Context, r *Router, kind string, filters any, fetch func(after *uuid.UUID, limit int) ([]T, error), idOf func(T) uuid.UUID, conv func(T) D) {
	keysetPage(c, r, kind+":"+orgOf(c).ID.String(), filters, fetch, idOf, conv)
}
