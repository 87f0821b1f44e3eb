//go:build !nos3

package storage

// s3:// URLs (AWS S3 and S3-compatible stores such as MinIO). The AWS SDK adds about 12 MB to the
// binary: `go build -tags nos3` leaves it out for deployments that keep documents on disk.
import _ "gocloud.dev/blob/s3blob"
