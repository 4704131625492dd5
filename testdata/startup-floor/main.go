// Command startup-floor is the floor smpipe's start-up is measured against
// (BenchmarkStartup): a program that links the AWS SDK clients smpipe must
// link (config, s3, sagemaker, sts) and prints a line. Their package
// initialisation dominates any such program's start-up.
package main

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// linked keeps each client's constructor, and so its package, in the binary.
var linked = []any{config.LoadDefaultConfig, s3.NewFromConfig, sagemaker.NewFromConfig, sts.NewFromConfig}

func main() { fmt.Println("floor: linked", len(linked), "AWS SDK entry points") }
