// Copyright 2026 ByteChef
//
// Licensed under the ByteChef Enterprise License (the "License"); you may not use this
// file except in compliance with the License. The License is in LICENSE-ENTERPRISE.md.

// Package blob is the product's object storage: an S3 client (AWS or any S3-compatible
// endpoint) with presigned downloads. Export files and audit archives go through it.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithy "github.com/aws/smithy-go"

	"github.com/bytechefhq/bytechef-ee/internal/platform/config"
)

// MaxPresignTTL is the longest presigned URL S3 accepts (SigV4 query signing limit).
const MaxPresignTTL = 7 * 24 * time.Hour

// ErrNotFound is returned when an object or bucket does not exist.
var ErrNotFound = errors.New("blob: not found")

// Store reads and writes objects in this deployment's bucket.
type Store struct {
	Client  *s3.Client
	presign *s3.PresignClient
	Bucket  string
	creds   aws.CredentialsProvider
}

// New builds a Store from the configuration, using the AWS default credential chain unless
// opts say otherwise (tests pass static credentials).
func New(ctx context.Context, cfg config.Config, opts ...func(*awsconfig.LoadOptions) error) (*Store, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, append([]func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(cfg.S3Region)}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("blob: load AWS configuration: %w", err)
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.S3Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.S3Endpoint)
		}
		o.UsePathStyle = cfg.S3ForcePathStyle
		// Checksums only when the operation requires them: many S3-compatible servers
		// reject the newer default trailing checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
	return &Store{Client: client, presign: s3.NewPresignClient(client), Bucket: cfg.S3Bucket, creds: awsCfg.Credentials}, nil
}

// Ping checks that the bucket is reachable with the configured credentials.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.Client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.Bucket})
	return translate(err)
}

// EnsureBucket creates the bucket when it does not exist (dev stacks and tests).
func (s *Store) EnsureBucket(ctx context.Context) error {
	err := s.Ping(ctx)
	if !errors.Is(err, ErrNotFound) {
		return err
	}
	_, err = s.Client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &s.Bucket})
	var owned *types.BucketAlreadyOwnedByYou
	if errors.As(err, &owned) {
		return nil
	}
	return translate(err)
}

// Put writes a whole object.
func (s *Store) Put(ctx context.Context, key string, body io.ReadSeeker, contentType string) error {
	_, err := s.Client.PutObject(ctx, &s3.PutObjectInput{Bucket: &s.Bucket, Key: &key, Body: body, ContentType: &contentType})
	return translate(err)
}

// Get opens an object for reading; the caller closes it.
func (s *Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key})
	if err != nil {
		return nil, translate(err)
	}
	return out.Body, nil
}

// Delete removes an object; deleting a missing object is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	_, err := s.Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.Bucket, Key: &key})
	return translate(err)
}

// PresignGet mints a download URL valid for ttl, capped at 7 days and at the signing
// credentials' own expiry. It returns the expiry it really has, so callers report the truth.
func (s *Store) PresignGet(ctx context.Context, key, filename string, ttl time.Duration) (string, time.Time, error) {
	now := time.Now()
	if ttl <= 0 || ttl > MaxPresignTTL {
		ttl = MaxPresignTTL
	}
	if s.creds != nil {
		creds, err := s.creds.Retrieve(ctx)
		if err != nil {
			return "", time.Time{}, fmt.Errorf("blob: credentials: %w", err)
		}
		if creds.CanExpire {
			if left := creds.Expires.Sub(now); left < ttl {
				ttl = left.Truncate(time.Second)
			}
		}
	}
	if ttl < time.Second {
		return "", time.Time{}, errors.New("blob: signing credentials expire too soon to mint a URL")
	}
	in := &s3.GetObjectInput{Bucket: &s.Bucket, Key: &key}
	if filename != "" {
		in.ResponseContentDisposition = aws.String(fmt.Sprintf("attachment; filename=%q", filename))
	}
	req, err := s.presign.PresignGetObject(ctx, in, func(o *s3.PresignOptions) {
		o.Expires = ttl
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("blob: presign: %w", err)
	}
	return req.URL, now.Add(ttl).UTC().Truncate(time.Second), nil
}

// translate maps S3's not-found answers to ErrNotFound and keeps everything else.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var nsk *types.NoSuchKey
	var nsb *types.NoSuchBucket
	var nf *types.NotFound
	if errors.As(err, &nsk) || errors.As(err, &nsb) || errors.As(err, &nf) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && (ae.ErrorCode() == "NotFound" || ae.ErrorCode() == "NoSuchBucket") {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	return err
}
