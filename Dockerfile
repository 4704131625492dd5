# The smpipe action image: one static Go binary on distroless/static, which
# carries the CA certificates that the GitHub and AWS calls need.
#
# .ci/static-build.sh runs the go build line below verbatim (with host GOOS and
# GOARCH), so change the flags here and the check follows.

# The builder runs on the build machine and cross-compiles for the target
# platform, so a multi-platform build never compiles under emulation.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/smpipe .

# No USER line: GitHub runs container actions as root, and any other user
# cannot write GITHUB_OUTPUT or the mounted workspace. No WORKDIR either: the
# runner sets --workdir /github/workspace.
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/smpipe /smpipe
ENTRYPOINT ["/smpipe", "action"]
