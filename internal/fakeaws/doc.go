// Package fakeaws holds loopback fakes of the AWS and GitHub Actions endpoints
// that smpipe's deploy path talks to: the SageMaker control plane (awsJson1_1),
// S3 (gofakes3 behind a counting wrapper), STS AssumeRoleWithWebIdentity and
// the Actions OIDC token endpoint.
//
// The fakes keep state, so a test can deploy, deploy again and look at what
// changed. They are test support only: import this package from _test.go
// files, never from production code.
package fakeaws
