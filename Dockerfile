# MIF ERP image: a static binary on distroless, running as a non-root user.
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t mif-erp .
#   docker run --rm -p 8000:8000 -e DATABASE_URL=... -e SECRET_KEY=... mif-erp
# The image defaults to ENVIRONMENT=production, which requires SECRET_KEY (>= 32 chars) and
# DOCUMENT_KEYS (base64 32-byte keys).

FROM golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly
# Modules first, so this layer is reused until go.mod/go.sum change. Only the app's module:
# tools/go.mod (code generators) is never downloaded here.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/erp ./cmd/erp && mkdir -p /out/documents

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/erp /erp
USER nonroot:nonroot
# Documents default to file://<working directory>/.data/documents; compose points STORAGE_URL at
# /home/nonroot/documents, created here owned by nonroot so a named volume mounted there is writable.
COPY --from=build --chown=nonroot:nonroot /out/documents /home/nonroot/documents
WORKDIR /home/nonroot
ENV ENVIRONMENT=production PORT=8000
EXPOSE 8000
ENTRYPOINT ["/erp"]
CMD ["serve"]
